// The matmul worker thread: waits on a shared control word, computes its fixed slice of row blocks with
// the same kernel as the main thread, and signals completion. See pool.ts for the protocol.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { matmulBlocked } from './matmul.ts';
import { CTRL, type Arena } from './pool.ts';

const port = parentPort!;
const c = new Int32Array(workerData.ctrl as SharedArrayBuffer);
let arena: Arena | undefined;

/** Take the newest arena the main thread posted (it grows the arena before a job that needs more room). */
function refresh(): void {
  for (let msg = receiveMessageOnPort(port); msg; msg = receiveMessageOnPort(port)) arena = msg.message as Arena;
}

let seen = 0;
for (;;) {
  Atomics.wait(c, CTRL.seq, seen);
  seen = Atomics.load(c, CTRL.seq);
  refresh();
  const a = arena!;
  const f64 = c[CTRL.f64] === 1;
  const A = f64 ? a.a64 : a.a32,
    B = f64 ? a.b64 : a.b32,
    C = f64 ? a.c64 : a.c32;
  try {
    matmulBlocked(
      A,
      B,
      C,
      {
        batch: c[CTRL.batch]!,
        m: c[CTRL.m]!,
        k: c[CTRL.k]!,
        n: c[CTRL.n]!,
        transA: c[CTRL.transA] === 1,
        transB: c[CTRL.transB] === 1,
        aBatchStride: c[CTRL.aStride]!,
        bBatchStride: c[CTRL.bStride]!,
      },
      c[CTRL.start]!,
      c[CTRL.end]!,
      c[CTRL.f32acc] === 1 ? 'f32' : 'f64',
    );
    Atomics.store(c, CTRL.done, 1);
  } catch {
    Atomics.store(c, CTRL.done, 2);
  }
  Atomics.notify(c, CTRL.done);
}
