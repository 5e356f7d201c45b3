// The SIMD matmul: packs op(A) and op(B) into one shared WebAssembly memory as float64 panels, runs the
// emitted micro-kernel (gemm-kernel.ts) over row blocks, and copies C back out.
//
//   C[b] = op(A[b]) · op(B[b]),  each element one sequential float64 sum over p, stored once —
//   bit-identical to matmulNaive / matmulBlocked in ../matmul.ts (the reference, tested against it).
//
// Threads: (threads − 1) workers instantiate the same module over the same memory; each computes a fixed,
// contiguous range of output row blocks (never a split of k), so 1 and N threads give the same bits.
// Packing and the copy-out run on the calling thread; they are O(mk + kn + mn) against O(mkn) for the math.
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { MatmulLayout } from '../../backend.ts';
import { DEFAULT_TILE, gemmModule, type GemmTile } from './gemm-kernel.ts';

type F = Float32Array | Float64Array;

/** 64 KiB pages the shared memory may grow to (1 GiB of address space; only what is used is touched). */
const MAX_PAGES = 16384;

/** Control words shared with each worker. */
export const SIMD_CTRL = { seq: 0, done: 1, args: 2 } as const;
const GEMM_ARGS = 12;
const CTRL_WORDS = SIMD_CTRL.args + GEMM_ARGS;

/** Below this many multiply-adds the hand-off to a worker costs more than it saves. */
export const SIMD_PARALLEL_MIN_MACS = 1 << 18;

/** Whether this engine validates WebAssembly SIMD128 (a 1-function module using v128 ops). */
export function simdSupported(): boolean {
  try {
    return WebAssembly.validate(gemmModule(DEFAULT_TILE, MAX_PAGES));
  } catch {
    return false;
  }
}

/**
 * Turn on relaxed SIMD (needed for `relaxed: true` tiles on Node 20; on by default from Node 22) and say
 * whether it validates. Call before building a relaxed SimdMatmul.
 */
export function enableRelaxedSimd(): boolean {
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  try {
    return WebAssembly.validate(gemmModule({ ...DEFAULT_TILE, relaxed: true }, MAX_PAGES));
  } catch {
    return false;
  }
}

type GemmFn = (...args: number[]) => void;

interface Lane {
  worker: Worker;
  ctrl: Int32Array;
}

/** Byte layout of one call in the shared memory: packed A, packed B, then C, 16-byte aligned. */
interface Plan {
  mp: number; np: number; aBatch: number; bBatch: number; cBatch: number;
  aOff: number; bOff: number; cOff: number; bytes: number;
}

function plan(L: MatmulLayout, tile: GemmTile): Plan {
  const mp = Math.ceil(L.m / tile.mr) * tile.mr, np = Math.ceil(L.n / tile.nr) * tile.nr;
  const aCopies = L.aBatchStride === 0 ? 1 : L.batch, bCopies = L.bBatchStride === 0 ? 1 : L.batch;
  const aBatch = L.aBatchStride === 0 ? 0 : mp * L.k * 8, bBatch = L.bBatchStride === 0 ? 0 : np * L.k * 8;
  const cBatch = mp * np * 8;
  const aOff = 0, bOff = aOff + aCopies * mp * L.k * 8, cOff = bOff + bCopies * np * L.k * 8;
  return { mp, np, aBatch, bBatch, cBatch, aOff, bOff, cOff, bytes: cOff + L.batch * cBatch };
}

/** Pack op(A) of entry e into row blocks: dst[(ib·k + p)·mr + r] = A[ib·mr + r, p], 0 past m. */
function packA(a: F, L: MatmulLayout, e: number, dst: Float64Array, at: number, mr: number): void {
  const { m, k } = L;
  const base = e * L.aBatchStride;
  for (let i = 0; i < m; i++) {
    const blockAt = at + Math.floor(i / mr) * k * mr + (i % mr);
    if (L.transA) for (let p = 0, s = base + i; p < k; p++, s += m) dst[blockAt + p * mr] = a[s]!;
    else for (let p = 0, s = base + i * k; p < k; p++, s++) dst[blockAt + p * mr] = a[s]!;
  }
  const mp = Math.ceil(m / mr) * mr;
  for (let i = m; i < mp; i++) {
    const blockAt = at + Math.floor(i / mr) * k * mr + (i % mr);
    for (let p = 0; p < k; p++) dst[blockAt + p * mr] = 0;
  }
}

/** Pack op(B) of entry e into column panels: dst[(jb·k + p)·nr + c] = B[p, jb·nr + c], 0 past n. */
function packB(b: F, L: MatmulLayout, e: number, dst: Float64Array, at: number, nr: number): void {
  const { k, n } = L;
  const base = e * L.bBatchStride;
  const np = Math.ceil(n / nr) * nr;
  if (!L.transB) {
    // Row p of B is contiguous: walk it once, scattering into the panels.
    for (let p = 0; p < k; p++) {
      const src = base + p * n;
      for (let j = 0; j < n; j++) dst[at + (Math.floor(j / nr) * k + p) * nr + (j % nr)] = b[src + j]!;
      for (let j = n; j < np; j++) dst[at + (Math.floor(j / nr) * k + p) * nr + (j % nr)] = 0;
    }
    return;
  }
  for (let j = 0; j < np; j++) {
    const o = at + Math.floor(j / nr) * k * nr + (j % nr);
    if (j >= n) for (let p = 0; p < k; p++) dst[o + p * nr] = 0;
    else for (let p = 0, s = base + j * k; p < k; p++, s++) dst[o + p * nr] = b[s]!;
  }
}

export class SimdMatmul {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  private readonly gemm: GemmFn;
  private lanes: Lane[] = [];

  constructor(readonly threads = 1, readonly tile: GemmTile = DEFAULT_TILE) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer, got ${threads}`);
    if (tile.nr % 2 !== 0 || tile.mr < 1) throw new Error(`tile ${tile.mr}×${tile.nr}: nr must be even and mr ≥ 1`);
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    this.module = new WebAssembly.Module(gemmModule(tile, MAX_PAGES));
    this.gemm = new WebAssembly.Instance(this.module, { env: { memory: this.memory } }).exports.gemm as GemmFn;
  }

  private lane(i: number): Lane {
    while (this.lanes.length <= i) {
      const ctrlBuf = new SharedArrayBuffer(CTRL_WORDS * 4);
      const worker = new Worker(new URL('../worker-bootstrap.mjs', import.meta.url), {
        workerData: { entry: new URL('./simd-worker.ts', import.meta.url).href, ctrl: ctrlBuf, module: this.module, memory: this.memory },
      });
      worker.unref();
      this.lanes.push({ worker, ctrl: new Int32Array(ctrlBuf) });
    }
    return this.lanes[i]!;
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
  }

  /** C = op(A)·op(B) for every batch entry, split over the threads when large enough. */
  run(a: F, b: F, c: F, L: MatmulLayout): void {
    const { m, k, n, batch } = L;
    if (m === 0 || n === 0 || batch === 0) return;
    // A fused multiply-add keeps the reference's bits only when each product is exact in f64 (f32 inputs).
    if (this.tile.relaxed && (a instanceof Float64Array || b instanceof Float64Array)) throw new Error('relaxed SIMD matmul takes float32 operands only');
    if (k === 0) {
      c.fill(0, 0, batch * m * n);
      return;
    }
    const { mr, nr } = this.tile;
    const P = plan(L, this.tile);
    this.reserve(P.bytes);
    const mem = new Float64Array(this.memory.buffer);
    for (let e = 0; e < (L.aBatchStride === 0 ? 1 : batch); e++) packA(a, L, e, mem, (P.aOff + e * P.aBatch) / 8, mr);
    for (let e = 0; e < (L.bBatchStride === 0 ? 1 : batch); e++) packB(b, L, e, mem, (P.bOff + e * P.bBatch) / 8, nr);

    const perBatch = P.mp / mr, blocks = batch * perBatch;
    const args = [P.aOff, P.bOff, P.cOff, k, P.np / nr, perBatch, P.aBatch, P.bBatch, P.cBatch, P.np * 8];
    const t = batch * m * n * k < SIMD_PARALLEL_MIN_MACS ? 1 : Math.min(this.threads, blocks);
    // Fixed partition: thread w gets row blocks [w·blocks/t, (w+1)·blocks/t).
    const bound = (w: number) => Math.floor((w * blocks) / t);
    for (let w = 1; w < t; w++) {
      const ctl = this.lane(w - 1).ctrl;
      ctl.set([...args, bound(w), bound(w + 1)], SIMD_CTRL.args);
      Atomics.store(ctl, SIMD_CTRL.done, 0);
      Atomics.add(ctl, SIMD_CTRL.seq, 1);
      Atomics.notify(ctl, SIMD_CTRL.seq);
    }
    this.gemm(...args, 0, bound(1));
    for (let w = 1; w < t; w++) {
      const ctl = this.lanes[w - 1]!.ctrl;
      while (Atomics.load(ctl, SIMD_CTRL.done) === 0) {
        if (Atomics.wait(ctl, SIMD_CTRL.done, 0, 60_000) === 'timed-out') throw new Error('SIMD matmul worker did not answer within 60 s');
      }
      if (ctl[SIMD_CTRL.done] === 2) throw new Error('SIMD matmul worker failed');
    }

    // Copy out: C rows are np wide in the memory, n wide in the result; storing rounds to c's width once.
    for (let e = 0; e < batch; e++) {
      const from = (P.cOff + e * P.cBatch) / 8;
      for (let i = 0; i < m; i++) c.set(mem.subarray(from + i * P.np, from + i * P.np + n), (e * m + i) * n);
    }
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.worker.terminate()));
    this.lanes = [];
  }
}
