// A SIMD matmul worker thread: instantiates the main thread's kernel module over the same shared memory,
// waits on a shared control word, runs its job (claiming work beside the other threads), and signals
// completion.
// See simd-matmul.ts for the protocol.
import { workerData } from 'node:worker_threads';
import { instantiate, runJob, SIMD_CTRL, waitWhile } from './simd-matmul.ts';

const ctrl = new Int32Array(workerData.ctrl as SharedArrayBuffer);
const kernels = instantiate(workerData.module as WebAssembly.Module, workerData.memory as WebAssembly.Memory);
const mr = workerData.mr as number,
  nr = workerData.nr as number;
const sync = new Int32Array(workerData.sync as SharedArrayBuffer);

let seen = 0;
for (;;) {
  waitWhile(ctrl, SIMD_CTRL.seq, seen, Infinity);
  seen = Atomics.load(ctrl, SIMD_CTRL.seq);
  try {
    runJob(kernels, ctrl.subarray(SIMD_CTRL.job), mr, nr, sync);
    Atomics.store(ctrl, SIMD_CTRL.done, 1);
  } catch {
    Atomics.store(ctrl, SIMD_CTRL.done, 2);
  }
  Atomics.notify(ctrl, SIMD_CTRL.done);
}
