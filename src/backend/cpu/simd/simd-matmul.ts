// The SIMD matmul: packs op(A) and op(B) into one shared WebAssembly memory as float64 panels, runs the
// emitted micro-kernel (gemm-kernel.ts) over row blocks, and copies C back out.
//
//   C[b] = op(A[b]) · op(B[b]),  each element one sequential float64 sum over p, stored once —
//   bit-identical to matmulNaive / matmulBlocked in ../matmul.ts (the reference, tested against it).
//
// Threads: (threads − 1) workers instantiate the same module over the same memory; each computes a fixed,
// contiguous range of output row blocks (never a split of k), so 1 and N threads give the same bits.
// For float32 operands the raw bytes are copied in; each thread packs a share of B's panels, waits at a
// barrier until all of B is packed, then packs its own rows of A and converts its own rows of C back to
// float32 inside WebAssembly.
// (Float64 operands take a plain-TypeScript pack and copy-out on the calling thread.)
// A float32-accumulating tile (gemm-kernel.ts, opt-in) packs float32 and takes float32 operands only.
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { MatmulLayout } from '../../backend.ts';
import { matmulBlocked, rowBlocks } from '../matmul.ts';
import { DEFAULT_TILE, elemBytes, gemmModule, type GemmTile } from './gemm-kernel.ts';

type F = Float32Array | Float64Array;

/** 64 KiB pages the shared memory may grow to (1 GiB of address space; only what is used is touched). */
const MAX_PAGES = 16384;

/** Control words shared with each worker; the job (see JOB) follows them. */
export const SIMD_CTRL = { seq: 0, done: 1, job: 2 } as const;
/**
 * One thread's job, as int32 words: the gemm arguments (byte offsets and strides), then whether this
 * thread packs its own rows of A and converts its own rows of C, with what that needs, then its range.
 */
export const JOB = {
  aOff: 0,
  bOff: 1,
  cOff: 2,
  k: 3,
  panels: 4,
  perBatch: 5,
  aBatch: 6,
  bBatch: 7,
  cBatch: 8,
  ldc: 9,
  packA: 10,
  rawA: 11,
  rawABatch: 12,
  aRow: 13,
  aP: 14,
  m: 15,
  unpack: 16,
  rawC: 17,
  n: 18,
  start: 19,
  end: 20,
  group: 21,
  fma: 22,
  elem: 23,
  /** Panels of B this thread packs, in the flattened (copy, panel) space: [packBStart, packBEnd). */
  packBStart: 24,
  packBEnd: 25,
  rawB: 26,
  rawBBatch: 27,
  bCol: 28,
  bP: 29,
  /** Threads on this job; with more than one, each waits after packing B until the barrier count reaches `barrier`. */
  threads: 30,
  barrier: 31,
} as const;
const JOB_WORDS = 32;

/** Bytes of packed B a panel group may take: half a typical 256 KiB–2 MiB L2, so A's blocks fit beside it. */
const B_GROUP_BYTES = 128 * 1024;
const CTRL_WORDS = SIMD_CTRL.job + JOB_WORDS;

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

/** The emitted module's functions (gemm-kernel.ts). */
export interface KernelExports {
  gemm: (...args: number[]) => void;
  /** Present when the module was built with relaxed SIMD. */
  gemmFma?: (...args: number[]) => void;
  pack: (src: number, dst: number, rows: number, w: number, k: number, sRow: number, sP: number) => void;
  unpack: (src: number, dst: number, rows: number, n: number, ldc: number) => void;
}

export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
}

/**
 * Pack blocks [from, to) of a (copy, block) space with `per` blocks per copy and `w` rows of A (or columns of B)
 * per block, `limit` in all per copy: the raw float32 copy at raw + e·rawCopy (rows sRow bytes apart, p steps
 * sP bytes) goes to dst + e·dstCopy, zero-padded past `limit`.
 */
function packBlocks(
  x: KernelExports,
  from: number,
  to: number,
  per: number,
  w: number,
  limit: number,
  k: number,
  eb: number,
  raw: number,
  rawCopy: number,
  dst: number,
  dstCopy: number,
  sRow: number,
  sP: number,
): void {
  for (let q = from; q < to; q++) {
    const e = Math.floor(q / per),
      i0 = (q - e * per) * w;
    x.pack(raw + e * rawCopy + i0 * sRow, dst + e * dstCopy + i0 * k * eb, Math.min(w, limit - i0), w, k, sRow, sP);
  }
}

/**
 * Run a job: pack its share of B's panels and wait at the barrier until every thread has packed its share,
 * then its row blocks [start, end): pack those rows of A, multiply, convert those rows of C.
 */
export function runJob(x: KernelExports, j: ArrayLike<number>, mr: number, nr: number, barrier: Int32Array): void {
  const start = j[JOB.start]!,
    end = j[JOB.end]!,
    perBatch = j[JOB.perBatch]!,
    m = j[JOB.m]!,
    k = j[JOB.k]!,
    eb = j[JOB.elem]!;
  const n = j[JOB.n]!;
  packBlocks(
    x,
    j[JOB.packBStart]!,
    j[JOB.packBEnd]!,
    j[JOB.panels]!,
    nr,
    n,
    k,
    eb,
    j[JOB.rawB]!,
    j[JOB.rawBBatch]!,
    j[JOB.bOff]!,
    j[JOB.bBatch]!,
    j[JOB.bCol]!,
    j[JOB.bP]!,
  );
  if (j[JOB.threads]! > 1) {
    // Every thread needs all of B. The count only grows (wrapping at 2³²): wait while it is short of the target.
    const target = j[JOB.barrier]!;
    let now = Atomics.add(barrier, 0, 1) + 1;
    Atomics.notify(barrier, 0);
    for (let waited = 0; ((now - target) | 0) < 0; waited++) {
      if (waited === 60) throw new Error('SIMD matmul: a thread did not reach the barrier within 60 s');
      Atomics.wait(barrier, 0, now, 1000);
      now = Atomics.load(barrier, 0);
    }
  }
  if (j[JOB.packA])
    packBlocks(
      x,
      start,
      end,
      perBatch,
      mr,
      m,
      k,
      eb,
      j[JOB.rawA]!,
      j[JOB.rawABatch]!,
      j[JOB.aOff]!,
      j[JOB.aBatch]!,
      j[JOB.aRow]!,
      j[JOB.aP]!,
    );
  const gemm = j[JOB.fma] ? x.gemmFma! : x.gemm;
  gemm(
    j[JOB.aOff]!,
    j[JOB.bOff]!,
    j[JOB.cOff]!,
    k,
    j[JOB.panels]!,
    perBatch,
    j[JOB.aBatch]!,
    j[JOB.bBatch]!,
    j[JOB.cBatch]!,
    j[JOB.ldc]!,
    start,
    end,
    j[JOB.group]!,
  );
  if (j[JOB.unpack]) {
    const ldc = j[JOB.ldc]!;
    for (let blk = start; blk < end; blk++) {
      const e = Math.floor(blk / perBatch),
        i0 = (blk - e * perBatch) * mr;
      x.unpack(
        j[JOB.cOff]! + e * j[JOB.cBatch]! + i0 * ldc,
        j[JOB.rawC]! + (e * m + i0) * n * 4,
        Math.min(mr, m - i0),
        n,
        ldc,
      );
    }
  }
}

interface Lane {
  worker: Worker;
  ctrl: Int32Array;
}

/** Byte layout of one call in the shared memory: packed A, packed B, then C, 16-byte aligned. */
interface Plan {
  mp: number;
  np: number;
  aBatch: number;
  bBatch: number;
  cBatch: number;
  aOff: number;
  bOff: number;
  cOff: number;
  rawA: number;
  rawB: number;
  rawC: number;
  bytes: number;
}
const align16 = (x: number) => Math.ceil(x / 16) * 16;

function plan(L: MatmulLayout, tile: GemmTile): Plan {
  const eb = elemBytes(tile);
  const mp = Math.ceil(L.m / tile.mr) * tile.mr,
    np = Math.ceil(L.n / tile.nr) * tile.nr;
  const aCopies = L.aBatchStride === 0 ? 1 : L.batch,
    bCopies = L.bBatchStride === 0 ? 1 : L.batch;
  const aBatch = L.aBatchStride === 0 ? 0 : mp * L.k * eb,
    bBatch = L.bBatchStride === 0 ? 0 : np * L.k * eb;
  const cBatch = mp * np * eb;
  const aOff = 0,
    bOff = aOff + aCopies * mp * L.k * eb,
    cOff = align16(bOff + bCopies * np * L.k * eb);
  // Raw float32 copies of A, B and the float32 C follow (used for float32 operands only).
  const rawA = cOff + L.batch * cBatch,
    rawB = align16(rawA + aCopies * L.m * L.k * 4),
    rawC = align16(rawB + bCopies * L.k * L.n * 4);
  return { mp, np, aBatch, bBatch, cBatch, aOff, bOff, cOff, rawA, rawB, rawC, bytes: rawC + L.batch * L.m * L.n * 4 };
}

/**
 * Pack op(A) of entry e into row blocks: dst[at + (ib·k + p)·mr + r] = A[ib·mr + r, p], 0 past m.
 * Writes are sequential; element (i, p) of op(A) sits at a[base + i·si + p·sp].
 */
function packA(a: F, L: MatmulLayout, e: number, dst: Float64Array, at: number, mr: number): void {
  const { m, k } = L;
  const base = e * L.aBatchStride;
  const si = L.transA ? 1 : k,
    sp = L.transA ? m : 1;
  let o = at;
  for (let i0 = 0; i0 < m; i0 += mr) {
    const rows = Math.min(mr, m - i0);
    for (let p = 0; p < k; p++) {
      const src = base + i0 * si + p * sp;
      for (let r = 0; r < rows; r++) dst[o + r] = a[src + r * si]!;
      for (let r = rows; r < mr; r++) dst[o + r] = 0;
      o += mr;
    }
  }
}

/** Pack op(B) of entry e into column panels: dst[at + (jb·k + p)·nr + c] = B[p, jb·nr + c], 0 past n. */
function packB(b: F, L: MatmulLayout, e: number, dst: Float64Array, at: number, nr: number): void {
  const { k, n } = L;
  const base = e * L.bBatchStride;
  const sj = L.transB ? k : 1,
    sp = L.transB ? 1 : n;
  let o = at;
  for (let j0 = 0; j0 < n; j0 += nr) {
    const cols = Math.min(nr, n - j0);
    for (let p = 0; p < k; p++) {
      const src = base + j0 * sj + p * sp;
      for (let c = 0; c < cols; c++) dst[o + c] = b[src + c * sj]!;
      for (let c = cols; c < nr; c++) dst[o + c] = 0;
      o += nr;
    }
  }
}

export class SimdMatmul {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  private readonly x: KernelExports;
  private lanes: Lane[] = [];
  /** A float64 view of the memory, remade only when the memory grows. */
  private mem: Float64Array;
  private mem32: Float32Array;
  /** One word every thread of a job counts up after packing its share of B (see runJob). */
  private readonly barrier = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    readonly threads = 1,
    readonly tile: GemmTile = DEFAULT_TILE,
  ) {
    if (!Number.isInteger(threads) || threads < 1)
      throw new Error(`threads must be a positive integer, got ${threads}`);
    const lanes = 16 / elemBytes(tile);
    if (tile.nr % lanes !== 0 || tile.mr < 1)
      throw new Error(`tile ${tile.mr}×${tile.nr}: nr must be a multiple of ${lanes} and mr ≥ 1`);
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    this.module = new WebAssembly.Module(gemmModule(tile, MAX_PAGES));
    this.x = instantiate(this.module, this.memory);
    this.mem = new Float64Array(this.memory.buffer);
    this.mem32 = new Float32Array(this.memory.buffer);
  }

  private lane(i: number): Lane {
    while (this.lanes.length <= i) {
      const ctrlBuf = new SharedArrayBuffer(CTRL_WORDS * 4);
      const worker = new Worker(new URL('../worker-bootstrap.mjs', import.meta.url), {
        workerData: {
          entry: new URL('./simd-worker.ts', import.meta.url).href,
          ctrl: ctrlBuf,
          module: this.module,
          memory: this.memory,
          mr: this.tile.mr,
          nr: this.tile.nr,
          barrier: this.barrier.buffer,
        },
      });
      worker.unref();
      this.lanes.push({ worker, ctrl: new Int32Array(ctrlBuf) });
    }
    return this.lanes[i]!;
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      this.memory.grow(Math.ceil((bytes - have) / 65536));
      this.mem = new Float64Array(this.memory.buffer);
      this.mem32 = new Float32Array(this.memory.buffer);
    }
  }

  /** C = op(A)·op(B) for every batch entry, split over the threads when large enough. */
  run(a: F, b: F, c: F, L: MatmulLayout): void {
    const { m, k, n, batch } = L;
    if (m === 0 || n === 0 || batch === 0) return;
    if (k === 0) {
      c.fill(0, 0, batch * m * n);
      return;
    }
    const { mr, nr } = this.tile;
    const P = plan(L, this.tile);
    if (P.bytes > MAX_PAGES * 65536) {
      matmulBlocked(a, b, c, L, 0, rowBlocks(L), this.tile.acc ?? 'f64'); // too big for the kernel's memory: the TypeScript kernel (same bits)
      return;
    }
    this.reserve(P.bytes);
    const mem = this.mem,
      mem32 = this.mem32,
      x = this.x;
    const f32 = a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array;
    const eb = elemBytes(this.tile);
    if (eb === 4 && !f32) throw new Error('a float32-accumulating SIMD matmul takes float32 operands only');
    const aCopies = L.aBatchStride === 0 ? 1 : batch,
      bCopies = L.bBatchStride === 0 ? 1 : batch;
    // Strides of op(A) and op(B) in the raw float32 copies, in bytes.
    const aRow = (L.transA ? 1 : k) * 4,
      aP = (L.transA ? m : 1) * 4,
      bCol = (L.transB ? k : 1) * 4,
      bP = (L.transB ? 1 : n) * 4;
    if (f32) {
      // B's panels are packed by the threads (runJob), each its share.
      for (let e = 0; e < bCopies; e++)
        mem32.set(b.subarray(e * L.bBatchStride, e * L.bBatchStride + k * n), P.rawB / 4 + e * k * n);
      for (let e = 0; e < aCopies; e++)
        mem32.set(a.subarray(e * L.aBatchStride, e * L.aBatchStride + m * k), P.rawA / 4 + e * m * k);
      // One A shared by several batch entries is packed once, here; otherwise each thread packs its own rows.
      if (aCopies === 1 && batch > 1)
        for (let i0 = 0; i0 < m; i0 += mr)
          x.pack(P.rawA + i0 * aRow, P.aOff + i0 * k * eb, Math.min(mr, m - i0), mr, k, aRow, aP);
    } else {
      for (let e = 0; e < aCopies; e++) packA(a, L, e, mem, (P.aOff + e * P.aBatch) / 8, mr);
      for (let e = 0; e < bCopies; e++) packB(b, L, e, mem, (P.bOff + e * P.bBatch) / 8, nr);
    }

    const perBatch = P.mp / mr,
      blocks = batch * perBatch;
    const job = new Array<number>(JOB_WORDS).fill(0);
    job[JOB.aOff] = P.aOff;
    job[JOB.bOff] = P.bOff;
    job[JOB.cOff] = P.cOff;
    job[JOB.k] = k;
    job[JOB.panels] = P.np / nr;
    job[JOB.perBatch] = perBatch;
    job[JOB.aBatch] = P.aBatch;
    job[JOB.bBatch] = P.bBatch;
    job[JOB.cBatch] = P.cBatch;
    job[JOB.ldc] = P.np * eb;
    job[JOB.elem] = eb;
    job[JOB.packA] = f32 && (aCopies > 1 || batch === 1) ? 1 : 0;
    job[JOB.rawA] = P.rawA;
    job[JOB.rawABatch] = m * k * 4;
    job[JOB.aRow] = aRow;
    job[JOB.aP] = aP;
    job[JOB.m] = m;
    job[JOB.unpack] = f32 ? 1 : 0;
    job[JOB.rawC] = P.rawC;
    job[JOB.n] = n;
    job[JOB.group] = Math.max(1, Math.floor(B_GROUP_BYTES / (k * nr * eb)));
    // A fused multiply-add keeps the reference's bits only when each product is exact in f64: float32
    // operands (24-bit significands, so a product needs at most 48 bits). Float64 operands use mul then add.
    job[JOB.fma] = this.tile.relaxed && f32 ? 1 : 0;
    const t = batch * m * n * k < SIMD_PARALLEL_MIN_MACS ? 1 : Math.min(this.threads, blocks);
    const bPanels = f32 ? bCopies * (P.np / nr) : 0;
    job[JOB.rawB] = P.rawB;
    job[JOB.rawBBatch] = k * n * 4;
    job[JOB.bCol] = bCol;
    job[JOB.bP] = bP;
    job[JOB.threads] = t;
    job[JOB.barrier] = (Atomics.load(this.barrier, 0) + t) | 0;
    // Fixed partition: thread w gets row blocks [w·blocks/t, (w+1)·blocks/t) and B's panels [w·bPanels/t, …).
    const bound = (w: number) => Math.floor((w * blocks) / t),
      bShare = (w: number) => Math.floor((w * bPanels) / t);
    for (let w = 1; w < t; w++) {
      const ctl = this.lane(w - 1).ctrl;
      job[JOB.start] = bound(w);
      job[JOB.end] = bound(w + 1);
      job[JOB.packBStart] = bShare(w);
      job[JOB.packBEnd] = bShare(w + 1);
      ctl.set(job, SIMD_CTRL.job);
      Atomics.store(ctl, SIMD_CTRL.done, 0);
      Atomics.add(ctl, SIMD_CTRL.seq, 1);
      Atomics.notify(ctl, SIMD_CTRL.seq);
    }
    job[JOB.start] = 0;
    job[JOB.end] = bound(1);
    job[JOB.packBStart] = 0;
    job[JOB.packBEnd] = bShare(1);
    runJob(x, job, mr, nr, this.barrier);
    for (let w = 1; w < t; w++) {
      const ctl = this.lanes[w - 1]!.ctrl;
      while (Atomics.load(ctl, SIMD_CTRL.done) === 0) {
        if (Atomics.wait(ctl, SIMD_CTRL.done, 0, 60_000) === 'timed-out')
          throw new Error('SIMD matmul worker did not answer within 60 s');
      }
      if (ctl[SIMD_CTRL.done] === 2) throw new Error('SIMD matmul worker failed');
    }

    if (f32) {
      c.set(mem32.subarray(P.rawC / 4, P.rawC / 4 + batch * m * n));
      return;
    }
    // Float64 operands: copy out here. C rows are np wide in the memory, n wide in the result.
    const np = P.np;
    let o = 0;
    for (let e = 0; e < batch; e++) {
      const from = (P.cOff + e * P.cBatch) / 8;
      for (let i = 0; i < m; i++) {
        const row = from + i * np;
        for (let j = 0; j < n; j++) c[o++] = mem[row + j]!;
      }
    }
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.worker.terminate()));
    this.lanes = [];
  }
}
