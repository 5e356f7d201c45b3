// A SIMD matmul worker thread: instantiates the main thread's kernel module over the same shared memory,
// waits on a shared control word, runs its job (its fixed range of row blocks), and signals completion.
// See simd-matmul.ts for the protocol.
import { workerData } from 'node:worker_threads';
import { instantiate, runJob, SIMD_CTRL } from './simd-matmul.ts';

const ctrl = new Int32Array(workerData.ctrl as SharedArrayBuffer);
const kernels = instantiate(workerData.module as WebAssembly.Module, workerData.memory as WebAssembly.Memory);
const mr = workerData.mr as number,
  nr = workerData.nr as number;
const barrier = new Int32Array(workerData.barrier as SharedArrayBuffer);

let seen = 0;
for (;;) {
  Atomics.wait(ctrl, SIMD_CTRL.seq, seen);
  seen = Atomics.load(ctrl, SIMD_CTRL.seq);
  try {
    runJob(kernels, ctrl.subarray(SIMD_CTRL.job), mr, nr, barrier);
    Atomics.store(ctrl, SIMD_CTRL.done, 1);
  } catch {
    Atomics.store(ctrl, SIMD_CTRL.done, 2);
  }
  Atomics.notify(ctrl, SIMD_CTRL.done);
}
