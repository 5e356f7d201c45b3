// Worker threads for the CPU matmul: the main thread and (threads − 1) workers each compute a fixed,
// contiguous slice of C's 4-row blocks with the same kernel. Because each element is one sequential sum
// (see matmul.ts), the result does not depend on the number of threads — only the time does.
//
// Protocol: inputs are copied into a SharedArrayBuffer arena, job parameters go into a shared Int32 control
// block, `seq` is bumped and notified; each worker computes its slice, sets `done` and notifies; the main
// thread computes its own slice meanwhile and then waits (Atomics.wait is allowed on Node's main thread).
import { Worker } from 'node:worker_threads';
import type { MatmulLayout } from '../backend.ts';
import { accumulateOf, matmulBlocked, rowBlocks, type Accumulate } from './matmul.ts';

type F = Float32Array | Float64Array;

export const CTRL = {
  seq: 0,
  done: 1,
  f64: 2,
  batch: 3,
  m: 4,
  k: 5,
  n: 6,
  transA: 7,
  transB: 8,
  aStride: 9,
  bStride: 10,
  start: 11,
  end: 12,
  /** 1: float32 sums (matmul.ts `Accumulate`). */
  f32acc: 13,
} as const;
const CTRL_SIZE = 16;

/** Shared input/output buffers, in both float widths over the same memory. */
export interface Arena {
  a32: Float32Array;
  b32: Float32Array;
  c32: Float32Array;
  a64: Float64Array;
  b64: Float64Array;
  c64: Float64Array;
}

function makeArena(na: number, nb: number, nc: number): Arena {
  const sa = new SharedArrayBuffer(na * 8),
    sb = new SharedArrayBuffer(nb * 8),
    sc = new SharedArrayBuffer(nc * 8);
  return {
    a32: new Float32Array(sa),
    b32: new Float32Array(sb),
    c32: new Float32Array(sc),
    a64: new Float64Array(sa),
    b64: new Float64Array(sb),
    c64: new Float64Array(sc),
  };
}

interface Lane {
  worker: Worker;
  ctrl: Int32Array;
  arena: Arena | undefined;
}

/** Below this many multiply-adds the hand-off costs more than it saves; run on the main thread. */
export const PARALLEL_MIN_MACS = 1 << 19;

export class MatmulPool {
  private lanes: Lane[] = [];
  private arena: Arena | undefined;

  constructor(readonly threads: number) {
    if (!Number.isInteger(threads) || threads < 1)
      throw new Error(`threads must be a positive integer, got ${threads}`);
  }

  private lane(i: number): Lane {
    while (this.lanes.length <= i) {
      const ctrlBuf = new SharedArrayBuffer(CTRL_SIZE * 4);
      const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), {
        workerData: { entry: new URL('./matmul-worker.ts', import.meta.url).href, ctrl: ctrlBuf },
      });
      worker.unref();
      this.lanes.push({ worker, ctrl: new Int32Array(ctrlBuf), arena: undefined });
    }
    return this.lanes[i]!;
  }

  /** C = op(A)·op(B), split across threads when large enough. */
  run(a: F, b: F, c: F, L: MatmulLayout, acc: Accumulate = accumulateOf(a, b, c)): void {
    const blocks = rowBlocks(L);
    const macs = L.batch * L.m * L.n * L.k;
    const t = Math.min(this.threads, blocks);
    if (t <= 1 || macs < PARALLEL_MIN_MACS) {
      matmulBlocked(a, b, c, L, 0, blocks, acc);
      return;
    }
    const f64 = c instanceof Float64Array;
    if (
      !this.arena ||
      this.arena.a64.length < a.length ||
      this.arena.b64.length < b.length ||
      this.arena.c64.length < c.length
    ) {
      const old = this.arena;
      this.arena = makeArena(
        Math.max(a.length, old?.a64.length ?? 0) * 2,
        Math.max(b.length, old?.b64.length ?? 0) * 2,
        Math.max(c.length, old?.c64.length ?? 0) * 2,
      );
    }
    const ar = this.arena;
    const A = f64 ? ar.a64 : ar.a32,
      B = f64 ? ar.b64 : ar.b32,
      C = f64 ? ar.c64 : ar.c32;
    A.set(a);
    B.set(b);
    // Fixed partition: thread w gets blocks [w·blocks/t, (w+1)·blocks/t).
    const bound = (w: number) => Math.floor((w * blocks) / t);
    for (let w = 1; w < t; w++) {
      const lane = this.lane(w - 1);
      if (lane.arena !== ar) {
        lane.worker.postMessage(ar);
        lane.arena = ar;
      }
      const ctl = lane.ctrl;
      ctl[CTRL.f64] = f64 ? 1 : 0;
      ctl[CTRL.batch] = L.batch;
      ctl[CTRL.m] = L.m;
      ctl[CTRL.k] = L.k;
      ctl[CTRL.n] = L.n;
      ctl[CTRL.transA] = L.transA ? 1 : 0;
      ctl[CTRL.transB] = L.transB ? 1 : 0;
      ctl[CTRL.aStride] = L.aBatchStride;
      ctl[CTRL.bStride] = L.bBatchStride;
      ctl[CTRL.start] = bound(w);
      ctl[CTRL.end] = bound(w + 1);
      ctl[CTRL.f32acc] = acc === 'f32' ? 1 : 0;
      Atomics.store(ctl, CTRL.done, 0);
      Atomics.add(ctl, CTRL.seq, 1);
      Atomics.notify(ctl, CTRL.seq);
    }
    matmulBlocked(A, B, C, L, 0, bound(1), acc);
    for (let w = 1; w < t; w++) {
      const ctl = this.lanes[w - 1]!.ctrl;
      while (Atomics.load(ctl, CTRL.done) === 0) {
        if (Atomics.wait(ctl, CTRL.done, 0, 60_000) === 'timed-out')
          throw new Error('matmul worker did not answer within 60 s');
      }
      if (ctl[CTRL.done] === 2) throw new Error('matmul worker failed');
    }
    c.set(C.subarray(0, c.length));
  }

  /** Stop the workers (tests and benchmarks that switch thread counts). */
  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.worker.terminate()));
    this.lanes = [];
  }
}
