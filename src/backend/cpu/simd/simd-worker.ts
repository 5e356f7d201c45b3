// A SIMD matmul worker thread: instantiates the main thread's kernel module over the same shared memory,
// waits on a shared control word, runs its fixed range of row blocks, and signals completion.
// See simd-matmul.ts for the protocol.
import { workerData } from 'node:worker_threads';
import { SIMD_CTRL } from './simd-matmul.ts';

const ctrl = new Int32Array(workerData.ctrl as SharedArrayBuffer);
const instance = new WebAssembly.Instance(workerData.module as WebAssembly.Module, { env: { memory: workerData.memory as WebAssembly.Memory } });
const gemm = instance.exports.gemm as (...args: number[]) => void;

let seen = 0;
for (;;) {
  Atomics.wait(ctrl, SIMD_CTRL.seq, seen);
  seen = Atomics.load(ctrl, SIMD_CTRL.seq);
  try {
    gemm(...Array.from(ctrl.subarray(SIMD_CTRL.args, SIMD_CTRL.args + 12)));
    Atomics.store(ctrl, SIMD_CTRL.done, 1);
  } catch {
    Atomics.store(ctrl, SIMD_CTRL.done, 2);
  }
  Atomics.notify(ctrl, SIMD_CTRL.done);
}
