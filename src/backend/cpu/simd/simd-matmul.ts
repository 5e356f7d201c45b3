// The SIMD matmul: packs op(A) and op(B) into panels in this thread's arena (../arena.ts; float32 for float32
// sums, the default for float32 operands; float64 for float64 sums) and runs the emitted micro-kernel
// (gemm-kernel.ts) over row blocks. Float32 operands with whole blocks and a short k are read unpacked
// (RAW_MAX_K). Float32 operands that are tensors in the arena are read where they lie, and C written there;
// others are copied in (and C out) through the call's scratch.
//
//   C[b] = op(A[b]) · op(B[b]),  each element one sequential sum over p in the tile's precision, stored once —
//   bit-identical to matmulNaive / matmulBlocked in ../matmul.ts (the reference, tested against it); a relaxed
//   float32 tile (opt-in) rounds each product-sum once where the machine fuses them, and so departs from it.
//
// Threads: (threads − 1) workers instantiate the same module over the same memory and share the work of a
// call by claiming chunks from shared counters: first panels of B to pack, then (after a barrier, since every
// tile needs all of B) row blocks of C, each packing its own rows of A and converting its own rows of C back
// to float32 inside WebAssembly. A tile is one sum over all of k whoever computes it (k is never split), so
// 1 and N threads give the same bits, and a thread that starts late or is descheduled simply claims less.
// The calling thread wakes the workers, copies the raw float32 B in by halves (they wait for the first: waking
// costs tens of µs; they pack it while the second is copied), copies A in while they pack B, and copies out the
// rows of C as it goes: its own, and those the workers log as done; what is left at the end. At 512³ on two
// threads of a 2-core VM, the halves and the log took two threads from 1.71–1.74× one thread's speed to
// 1.77–1.81× (three alternating runs in one process against the version without them).
// (Float64 operands take a plain-TypeScript pack and copy-out on the calling thread.) With operands in the arena
// there is nothing to copy, and at 512³ two threads ran 1.83× one (1.81× with the copies, in the same run). The
// arena is shared, so the workers run over it too. A float32-accumulating tile takes float32 operands only.
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { MatmulLayout } from '../../backend.ts';
import { arena as threadArena, ARENA_PAGES, type Arena, type Scratch } from '../arena.ts';
import { matmulBlocked, rowBlocks } from '../matmul.ts';
import { DEFAULT_TILE, elemBytes, F32_TILE, gemmModule, type GemmTile } from './gemm-kernel.ts';

type F = Float32Array | Float64Array;

/** Control words shared with each worker; the job (see JOB) follows them. */
export const SIMD_CTRL = { seq: 0, done: 1, job: 2 } as const;
/**
 * Words of the sync array: the barrier count, the next row block and the next pack task of B to claim, the
 * number of the last call whose B the calling thread has copied in (the workers are woken before it copies) and
 * of the last whose first half it has, and the workers' log of finished row-block chunks (its length, then pairs).
 */
export const SYNC = { barrier: 0, nextBlock: 1, nextPanel: 2, ready: 3, half: 4, logged: 5, log: 8 } as const;
/** Row-block chunks the workers can log as done (SYNC.log: a (from, to) pair each), for the calling thread to copy
 * out while it still computes; chunks past this many are copied out at the end. */
const LOG_CAP = 256;
const SYNC_WORDS = SYNC.log + 2 * LOG_CAP;
/**
 * A call's job, as int32 words: the gemm arguments (byte offsets and strides), then whether the threads
 * pack rows of A and convert rows of C, with what that needs, then the work to share out.
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
  /** Row blocks in the flattened (batch entry, row block) space. */
  blocks: 19,
  /** Panels of B the threads pack, in the flattened (copy, panel) space (0: packed already). */
  bPanels: 20,
  group: 21,
  fma: 22,
  elem: 23,
  rawB: 24,
  rawBBatch: 25,
  bCol: 26,
  bP: 27,
  /** Threads on this job; with more than one, each waits after packing B until the barrier count reaches `barrier`. */
  threads: 28,
  barrier: 29,
  /** The call's number: a worker starts packing B once the sync word `ready` holds it. */
  ticket: 30,
  /** Where the gemm reads its operands (gemm-kernel.ts): packed, or float32 ones where they lie. */
  readAStep: 31,
  readARow: 32,
  readABlock: 33,
  readBStep: 34,
  readBPanel: 35,
  /** 1: A is read unpacked with its rows k apart (gemmRows). */
  rows: 36,
  /** B's pack tasks (JOB.bPanels of them) before this one read only the first half of its raw copy. */
  bHalfTasks: 37,
  /** With p split: the tasks are the (copy, panel) space twice, steps p < bHalfP, then p ≥ bHalfP (k: not split). */
  bHalfP: 38,
  /** 1: workers log their finished row-block chunks (SYNC.log). */
  logC: 39,
} as const;
const JOB_WORDS = 40;

/**
 * The largest k at which operands are read unpacked. A tile then reads its A rows and B panel along k with the
 * rows' own strides, a cache line per step each, which stays in a 48 KiB L1 for k ≤ 256; packing makes both
 * contiguous. Lesson-model training step, one thread, alternated: 24.0k → 25.2k tokens/s (k ≤ 256), d = 128
 * 4.36k → 4.43k (k ≤ 256), the same with 512; unpacked at any k, d = 128 fell to 4.18k (its dW products read
 * 2,048 steps of k a tile, each a line of A and of B).
 */
const RAW_MAX_K = 256;

/** Bytes of packed B a panel group may take: half a typical 256 KiB–2 MiB L2, so A's blocks fit beside it. */
const B_GROUP_BYTES = 128 * 1024;
const CTRL_WORDS = SIMD_CTRL.job + JOB_WORDS;

/** Below this many multiply-adds (4.2M) the hand-off to a worker can cost more than it saves: two threads on
 * 128³ (2.1M) ran 1.16–1.22× one thread's speed when the calls came back to back, 0.56× when the event loop
 * turned between them (the worker had gone to sleep); 256×128×128 (4.2M) 1.42×, 256³ 1.48–1.98×. */
export const SIMD_PARALLEL_MIN_MACS = 1 << 22;

/** Whether this engine validates WebAssembly SIMD128 (a 1-function module using v128 ops). */
export function simdSupported(): boolean {
  try {
    return WebAssembly.validate(gemmModule(DEFAULT_TILE, ARENA_PAGES));
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
    return WebAssembly.validate(gemmModule({ ...DEFAULT_TILE, relaxed: true }, ARENA_PAGES));
  } catch {
    return false;
  }
}

let fuses: boolean | undefined;

/**
 * Whether this engine fuses a relaxed float32 multiply-add (x86 with FMA3 and ARM64 do; relaxed SIMD lets an
 * engine round the product first): measured by the kernel itself on a sum whose two forms differ,
 * −(1 + 2⁻¹¹) + (1 + 2⁻¹²)², which is 2⁻²⁴ fused and 0 with the product rounded to float32 first.
 */
export function relaxedMaddFuses(): boolean {
  if (fuses !== undefined) return fuses;
  if (!enableRelaxedSimd()) return (fuses = false);
  const u = 2 ** -12;
  const L = { batch: 1, m: 1, k: 2, n: 1, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
  const probe = new SimdMatmul(1, { ...F32_TILE, relaxed: true });
  const c = new Float32Array(1);
  probe.run(Float32Array.of(-(1 + 2 * u), 1 + u), Float32Array.of(1, 1 + u), c, L);
  void probe.close();
  return (fuses = c[0] !== 0);
}

/** The emitted module's functions (gemm-kernel.ts). */
export interface KernelExports {
  gemm: (...args: number[]) => void;
  /** Present for float32 tiles: gemm reading A's rows where they lie, aRow bytes apart. */
  gemmRows?: (...args: number[]) => void;
  /** Present when the module was built with relaxed SIMD. */
  gemmFma?: (...args: number[]) => void;
  /** Present for relaxed float32 tiles: gemmRows with the relaxed multiply-add. */
  gemmRowsFma?: (...args: number[]) => void;
  pack: (src: number, dst: number, rows: number, w: number, k: number, sRow: number, sP: number) => void;
  unpack: (src: number, dst: number, rows: number, n: number, ldc: number) => void;
}

export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
}

/**
 * Pack blocks [from, to) of a (copy, block) space with `per` blocks per copy and `w` rows of A (or columns of B)
 * per block, `limit` in all per copy: the raw float32 copy at raw + e·rawCopy (rows sRow bytes apart, p steps
 * sP bytes) goes to dst + e·dstCopy, zero-padded past `limit`; only steps p0 ≤ p < p1 when given.
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
  p0 = 0,
  p1 = k,
): void {
  for (let q = from; q < to; q++) {
    const e = Math.floor(q / per),
      i0 = (q - e * per) * w;
    const rows = Math.min(w, limit - i0);
    x.pack(
      raw + e * rawCopy + i0 * sRow + p0 * sP,
      dst + e * dstCopy + (i0 * k + p0 * w) * eb,
      rows,
      w,
      p1 - p0,
      sRow,
      sP,
    );
  }
}

/**
 * Loads of a shared word a thread spins through before it sleeps in Atomics.wait (some µs), which catches a
 * quick hand-off. A long spin keeps the workers awake through a step but takes a core from V8's own threads:
 * with ~1.5 ms of spinning, two-thread training of the lesson model fell from 14.4–15.8k to 10.0–10.5k tokens/s
 * on this 2-core VM, although a lone 128³ product ran faster.
 */
const SPINS = 2000;
/**
 * The spin of a wait inside a call (for B to be copied in, at the barrier, for the workers to finish), about
 * 0.15 ms here (a load takes ~7 ns in this loop): longer than those waits usually last, since a thread that
 * sleeps there takes 0.03–0.1 ms to wake again. A worker woken for a call first waits for B; with the short spin
 * it went back to sleep and was woken twice (at 512³ it began packing B 0.07 ms after B was in), and the calling
 * thread saw the workers finish 0.03 ms late. At 512³ on two threads, both forms interleaved in one process
 * (three runs of 300 rounds): 3.76 → 3.72, 3.88 → 3.84 and 3.32 → 3.28 ms, about 1% faster every time.
 */
const CALL_SPINS = 20_000;

/**
 * Wait while a[i] === value, up to `ms`: spin first (`spins` loads), since waking a sleeping thread can take
 * longer than a small matmul, then sleep. Returns Atomics.wait's answer, or 'not-equal' when the spin saw a
 * change.
 */
export function waitWhile(
  a: Int32Array,
  i: number,
  value: number,
  ms: number,
  spins = SPINS,
): 'ok' | 'not-equal' | 'timed-out' {
  for (let s = 0; s < spins; s++) if (Atomics.load(a, i) !== value) return 'not-equal';
  return Atomics.wait(a, i, value, ms);
}

/**
 * Share [0, total) among `threads` threads: each claims chunks from the counter sync[word] (reset to 0 by the
 * caller) until none is left, and runs f on each. Chunks are guided: half the remaining work per thread,
 * at least `min`, so the first claims are large and a late thread still finds small ones to take.
 */
function forChunks(
  sync: Int32Array,
  word: number,
  total: number,
  threads: number,
  min: number,
  f: (from: number, to: number) => void,
): void {
  if (threads === 1) {
    if (total > 0) f(0, total);
    return;
  }
  for (;;) {
    const from = Atomics.load(sync, word);
    if (from >= total) return;
    const to = Math.min(total, from + Math.max(min, Math.ceil((total - from) / (2 * threads))));
    if (Atomics.compareExchange(sync, word, from, to) === from) f(from, to);
  }
}

/** Wait, up to 60 s, until the shared counter sync[word] has reached `target` (it only grows, wrapping at 2³²). */
function waitFor(sync: Int32Array, word: number, target: number, what: string): void {
  let now = Atomics.load(sync, word);
  for (let waited = 0; ((now - target) | 0) < 0; waited++) {
    if (waited === 60) throw new Error(`SIMD matmul: ${what} within 60 s`);
    waitWhile(sync, word, now, 1000, CALL_SPINS);
    now = Atomics.load(sync, word);
  }
}

/**
 * Run a job on one thread: wait until the calling thread has copied the first half of B in, run `before` (the
 * calling thread copies A in here, while the workers pack B), claim B's pack tasks until none is left (those
 * of the second half once it is in), wait at the barrier until every thread has done so, then claim row
 * blocks: pack those rows of A, multiply, convert those rows of C, and run `after` on them (the calling thread
 * copies them out); a worker (no `after`) logs them instead, for the calling thread to copy out as it goes.
 */
export function runJob(
  x: KernelExports,
  j: ArrayLike<number>,
  mr: number,
  nr: number,
  sync: Int32Array,
  before?: () => void,
  after?: (from: number, to: number) => void,
): void {
  const threads = j[JOB.threads]!,
    perBatch = j[JOB.perBatch]!,
    m = j[JOB.m]!,
    k = j[JOB.k]!,
    n = j[JOB.n]!,
    eb = j[JOB.elem]!,
    ldc = j[JOB.ldc]!;
  const ticket = j[JOB.ticket]!;
  if (threads > 1) waitFor(sync, SYNC.half, ticket, 'the calling thread did not copy B in');
  before?.();
  // B's pack tasks: (copy, panel) pairs, or with p split those pairs' steps p < hp, then the same pairs' rest.
  const pairs = j[JOB.bPanels]!,
    half = j[JOB.bHalfTasks]!,
    hp = j[JOB.bHalfP]!;
  const packB = (from: number, to: number, p0: number, p1: number) =>
    packBlocks(
      x,
      from,
      to,
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
      p0,
      p1,
    );
  const packTasks = (from: number, to: number) => {
    if (hp === k) packB(from, to, 0, k);
    else if (from < pairs) packB(from, to, 0, hp);
    else packB(from - pairs, to - pairs, hp, k);
  };
  forChunks(sync, SYNC.nextPanel, hp === k ? pairs : 2 * pairs, threads, 4, (from, to) => {
    const cut = Math.min(Math.max(from, half), to);
    if (from < cut) packTasks(from, cut);
    if (cut === to) return;
    if (threads > 1) waitFor(sync, SYNC.ready, ticket, 'the calling thread did not copy B in');
    packTasks(cut, to);
  });
  if (threads > 1) {
    // Every tile needs all of B.
    Atomics.add(sync, SYNC.barrier, 1);
    Atomics.notify(sync, SYNC.barrier);
    waitFor(sync, SYNC.barrier, j[JOB.barrier]!, 'a thread did not reach the barrier');
  }
  const gemm = j[JOB.fma] ? (j[JOB.rows] ? x.gemmRowsFma! : x.gemmFma!) : j[JOB.rows] ? x.gemmRows! : x.gemm;
  const log = j[JOB.logC] === 1;
  forChunks(sync, SYNC.nextBlock, j[JOB.blocks]!, threads, 1, (from, to) => {
    if (j[JOB.packA])
      packBlocks(
        x,
        from,
        to,
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
      ldc,
      from,
      to,
      j[JOB.group]!,
      j[JOB.readAStep]!,
      j[JOB.readARow]!,
      j[JOB.readABlock]!,
      j[JOB.readBStep]!,
      j[JOB.readBPanel]!,
    );
    if (j[JOB.unpack])
      for (let blk = from; blk < to; blk++) {
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
    after?.(from, to);
    if (log && after === undefined) {
      const i = Atomics.add(sync, SYNC.logged, 1);
      if (i < LOG_CAP) {
        Atomics.store(sync, SYNC.log + 2 * i, from);
        Atomics.store(sync, SYNC.log + 2 * i + 1, to); // last: a slot is read once its `to` is set (to ≥ 1)
      }
    }
  });
}

interface Lane {
  worker: Worker;
  ctrl: Int32Array;
}

/** Byte layout of one call in the shared memory from `base` (16-byte aligned): packed A, packed B, then C, then
 * the raw float32 copies, each 16-byte aligned; `bytes` in all. */
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

function plan(L: MatmulLayout, tile: GemmTile, base: number): Plan {
  const eb = elemBytes(tile);
  const mp = Math.ceil(L.m / tile.mr) * tile.mr,
    np = Math.ceil(L.n / tile.nr) * tile.nr;
  const aCopies = L.aBatchStride === 0 ? 1 : L.batch,
    bCopies = L.bBatchStride === 0 ? 1 : L.batch;
  const aBatch = L.aBatchStride === 0 ? 0 : mp * L.k * eb,
    bBatch = L.bBatchStride === 0 ? 0 : np * L.k * eb;
  const cBatch = mp * np * eb;
  const aOff = base,
    bOff = aOff + aCopies * mp * L.k * eb,
    cOff = align16(bOff + bCopies * np * L.k * eb);
  // Raw float32 copies of A, B and the float32 C follow (used for float32 operands only).
  const rawA = cOff + L.batch * cBatch,
    rawB = align16(rawA + aCopies * L.m * L.k * 4),
    rawC = align16(rawB + bCopies * L.k * L.n * 4);
  return {
    mp,
    np,
    aBatch,
    bBatch,
    cBatch,
    aOff,
    bOff,
    cOff,
    rawA,
    rawB,
    rawC,
    bytes: rawC + L.batch * L.m * L.n * 4 - base,
  };
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
  /** Where a call's packed panels and copied operands go, in the arena. */
  private readonly scratch: Scratch;
  /** Float64 and float32 views of the memory, remade only when the memory grows. */
  private mem: Float64Array;
  private mem32: Float32Array;
  /** The counters the threads of a job share (SYNC; see runJob). */
  private readonly sync = new Int32Array(new SharedArrayBuffer(SYNC_WORDS * 4));

  constructor(
    readonly threads = 1,
    readonly tile: GemmTile = DEFAULT_TILE,
    readonly arena: Arena = threadArena(),
  ) {
    if (!Number.isInteger(threads) || threads < 1)
      throw new Error(`threads must be a positive integer, got ${threads}`);
    const lanes = 16 / elemBytes(tile);
    if (tile.nr % lanes !== 0 || tile.mr < 1)
      throw new Error(`tile ${tile.mr}×${tile.nr}: nr must be a multiple of ${lanes} and mr ≥ 1`);
    this.memory = this.arena.memory;
    this.scratch = this.arena.scratch(this);
    this.module = new WebAssembly.Module(gemmModule(tile, ARENA_PAGES));
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
          sync: this.sync.buffer,
        },
      });
      worker.unref();
      this.lanes.push({ worker, ctrl: new Int32Array(ctrlBuf) });
    }
    return this.lanes[i]!;
  }

  /** Scratch for `bytes` (its offset), or -1 when the arena is full. */
  private reserve(bytes: number): number {
    if (!this.scratch.fit(bytes)) return -1;
    if (this.mem.byteLength !== this.memory.buffer.byteLength) {
      this.mem = new Float64Array(this.memory.buffer);
      this.mem32 = new Float32Array(this.memory.buffer);
    }
    return this.scratch.at;
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
    const base = this.reserve(plan(L, this.tile, 0).bytes);
    if (base < 0) {
      matmulBlocked(a, b, c, L, 0, rowBlocks(L), this.tile.acc ?? 'f64'); // too big for the arena: the TypeScript kernel (same bits; a relaxed float32 tile's unfused)
      return;
    }
    const P = plan(L, this.tile, base);
    const mem = this.mem,
      mem32 = this.mem32,
      x = this.x,
      sync = this.sync;
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
    // Float32 operands whose blocks and panels are whole are read where they lie, unpacked (gemm-kernel.ts), when
    // k ≤ RAW_MAX_K: A when m is a multiple of mr, B when it is stored [k, n] and n is a multiple of nr; C is then
    // written as the result's rows (no unpack). The rest are packed, with zeros past m and n.
    const raw = f32 && eb === 4 && k <= RAW_MAX_K;
    const rawA = raw && m % mr === 0,
      rawB = raw && !L.transB && n % nr === 0,
      rawC = rawA && n % nr === 0;
    // Float32 operands that lie in the arena are read there (and C written there) instead of copied: the raw
    // copies' offsets become theirs, and a copy's stride their batch stride (arena.ts).
    const inA = f32 ? this.arena.readable(a, 4 * ((aCopies - 1) * L.aBatchStride + m * k)) : -1,
      inB = f32 ? this.arena.readable(b, 4 * ((bCopies - 1) * L.bBatchStride + k * n)) : -1,
      cInArena = f32 ? this.arena.writable(c, 4 * batch * m * n) : -1;
    // (C is written in place only apart from A and B: the threads read them while they write it.)
    const apart = (o: number, bytes: number) => o < 0 || o + bytes <= cInArena || cInArena + 4 * batch * m * n <= o;
    const inC = apart(inA, 4 * a.length) && apart(inB, 4 * b.length) ? cInArena : -1;
    const rawAAt = inA >= 0 ? inA : P.rawA,
      rawBAt = inB >= 0 ? inB : P.rawB,
      rawCAt = inC >= 0 ? inC : P.rawC,
      aStride = inA >= 0 ? 4 * L.aBatchStride : 4 * m * k,
      bStride = inB >= 0 ? 4 * L.bBatchStride : 4 * k * n;
    // One A shared by several batch entries is packed once, here; otherwise the threads pack its rows.
    const packAHere = aCopies === 1 && batch > 1 && !rawA;
    const perBatch = P.mp / mr,
      blocks = batch * perBatch;
    const t = batch * m * n * k < SIMD_PARALLEL_MIN_MACS ? 1 : Math.min(this.threads, blocks);
    const job = new Array<number>(JOB_WORDS).fill(0);
    job[JOB.aOff] = rawA ? rawAAt : P.aOff;
    job[JOB.bOff] = rawB ? rawBAt : P.bOff;
    job[JOB.cOff] = rawC ? rawCAt : P.cOff;
    job[JOB.k] = k;
    job[JOB.panels] = P.np / nr;
    job[JOB.perBatch] = perBatch;
    job[JOB.aBatch] = rawA ? (aCopies === 1 ? 0 : aStride) : P.aBatch;
    job[JOB.bBatch] = rawB ? (bCopies === 1 ? 0 : bStride) : P.bBatch;
    job[JOB.cBatch] = P.cBatch; // with rawC, mp = m and np = n: the result's own layout
    job[JOB.ldc] = P.np * eb;
    job[JOB.elem] = eb;
    job[JOB.packA] = f32 && !packAHere && !rawA ? 1 : 0;
    job[JOB.rawA] = rawAAt;
    job[JOB.rawABatch] = aStride;
    job[JOB.aRow] = aRow;
    job[JOB.aP] = aP;
    job[JOB.m] = m;
    job[JOB.unpack] = f32 && !rawC ? 1 : 0;
    job[JOB.rawC] = rawCAt;
    job[JOB.n] = n;
    job[JOB.group] = Math.max(1, Math.floor(B_GROUP_BYTES / (k * nr * eb)));
    // A fused multiply-add keeps the reference's bits only when each product is exact in f64: float32
    // operands (24-bit significands, so a product needs at most 48 bits). Float64 operands use mul then add.
    job[JOB.fma] = this.tile.relaxed && f32 ? 1 : 0;
    job[JOB.blocks] = blocks;
    job[JOB.bPanels] = f32 && !rawB ? bCopies * (P.np / nr) : 0;
    job[JOB.rawB] = rawBAt;
    job[JOB.rawBBatch] = bStride;
    job[JOB.bCol] = bCol;
    job[JOB.bP] = bP;
    // Element (r, p) of a row block and (p, c) of a panel: packed, or where op(A) and B lie (aRow and aP above).
    job[JOB.readAStep] = rawA ? aP : mr * eb;
    job[JOB.readARow] = rawA ? aRow : eb;
    job[JOB.readABlock] = rawA ? mr * aRow : k * mr * eb;
    job[JOB.readBStep] = rawB ? bP : nr * eb;
    job[JOB.readBPanel] = rawB ? nr * bCol : k * nr * eb;
    job[JOB.rows] = rawA && aRow !== 4 ? 1 : 0;
    job[JOB.threads] = t;
    job[JOB.barrier] = (Atomics.load(sync, SYNC.barrier) + t) | 0;
    const ticket = (Atomics.load(sync, SYNC.ready) + 1) | 0;
    job[JOB.ticket] = ticket;
    // B's raw float32 copy goes in two halves when the threads pack it: they pack what reads only the first half
    // while this thread copies the second. The cut falls between copies of a batched B, between panels of a
    // transposed one (stored [n, k], a panel is nr whole rows), else between steps of p (B stored [k, n]).
    // The first half: copies e < cutCopy whole, and the first cutAt elements of copy cutCopy.
    const panels = P.np / nr;
    let cutCopy = bCopies,
      cutAt = 0;
    job[JOB.bHalfTasks] = 0;
    job[JOB.bHalfP] = k;
    if (t > 1 && job[JOB.bPanels] > 0) {
      if (bCopies > 1) {
        cutCopy = bCopies >> 1;
        job[JOB.bHalfTasks] = cutCopy * panels;
      } else if (L.transB) {
        cutCopy = 0;
        cutAt = (panels >> 1) * nr * k;
        job[JOB.bHalfTasks] = panels >> 1;
      } else if (k > 1) {
        cutCopy = 0;
        cutAt = (k >> 1) * n;
        job[JOB.bHalfTasks] = panels;
        job[JOB.bHalfP] = k >> 1;
      }
    }
    // The workers log the row-block chunks they finish; slots are cleared (`to` = 0) for this call.
    job[JOB.logC] = f32 && t > 1 ? 1 : 0;
    for (let i = Math.min(LOG_CAP, Atomics.load(sync, SYNC.logged)) - 1; i >= 0; i--)
      Atomics.store(sync, SYNC.log + 2 * i + 1, 0);
    Atomics.store(sync, SYNC.logged, 0);
    Atomics.store(sync, SYNC.nextBlock, 0);
    Atomics.store(sync, SYNC.nextPanel, 0);
    // Wake the workers first: they wait for B while it is copied in, which hides the time they take to wake.
    for (let w = 1; w < t; w++) {
      const ctl = this.lane(w - 1).ctrl;
      ctl.set(job, SIMD_CTRL.job);
      Atomics.store(ctl, SIMD_CTRL.done, 0);
      Atomics.add(ctl, SIMD_CTRL.seq, 1);
      Atomics.notify(ctl, SIMD_CTRL.seq);
    }
    const copyA = () => {
      if (inA >= 0) return;
      for (let e = 0; e < aCopies; e++)
        mem32.set(a.subarray(e * L.aBatchStride, e * L.aBatchStride + m * k), P.rawA / 4 + e * m * k);
    };
    if (f32) {
      // B's panels and A's row blocks are packed by the threads (runJob), unless they are read where they lie.
      const copyB = (e: number, from: number, to: number) => {
        if (inB < 0)
          mem32.set(b.subarray(e * L.bBatchStride + from, e * L.bBatchStride + to), P.rawB / 4 + e * k * n + from);
      };
      for (let e = 0; e < cutCopy; e++) copyB(e, 0, k * n);
      if (cutAt > 0) copyB(cutCopy, 0, cutAt);
      Atomics.store(sync, SYNC.half, ticket);
      Atomics.notify(sync, SYNC.half);
      if (cutCopy < bCopies) copyB(cutCopy, cutAt, k * n);
      for (let e = cutCopy + 1; e < bCopies; e++) copyB(e, 0, k * n);
      if (packAHere) {
        copyA();
        for (let i0 = 0; i0 < m; i0 += mr)
          x.pack(rawAAt + i0 * aRow, P.aOff + i0 * k * eb, Math.min(mr, m - i0), mr, k, aRow, aP);
      }
    } else {
      for (let e = 0; e < aCopies; e++) packA(a, L, e, mem, (P.aOff + e * P.aBatch) / 8, mr);
      for (let e = 0; e < bCopies; e++) packB(b, L, e, mem, (P.bOff + e * P.bBatch) / 8, nr);
    }
    Atomics.store(sync, SYNC.half, ticket);
    Atomics.store(sync, SYNC.ready, ticket);
    Atomics.notify(sync, SYNC.half);
    Atomics.notify(sync, SYNC.ready);

    // Float32 C: this thread copies out the row blocks it computed as it goes, and the workers' as they log them;
    // what is left, at the end.
    // Row blocks [from, to) are the contiguous rows [rowOf(from), rowOf(to)) of the batch-major result.
    const rowOf = (blk: number) => {
      const e = Math.floor(blk / perBatch);
      return e * m + Math.min(m, (blk - e * perBatch) * mr);
    };
    const copyOut = (from: number, to: number) => {
      if (inC < 0) c.set(mem32.subarray(P.rawC / 4 + rowOf(from) * n, P.rawC / 4 + rowOf(to) * n), rowOf(from) * n);
    };
    // The chunks copied out so far, and the workers' log entries read.
    const copied: [number, number][] = [];
    let drained = 0;
    const drainLog = () => {
      for (const end = Math.min(LOG_CAP, Atomics.load(sync, SYNC.logged)); drained < end; drained++) {
        const to = Atomics.load(sync, SYNC.log + 2 * drained + 1);
        if (to === 0) return; // claimed, not yet written
        const from = Atomics.load(sync, SYNC.log + 2 * drained);
        copyOut(from, to);
        copied.push([from, to]);
      }
    };
    runJob(
      x,
      job,
      mr,
      nr,
      sync,
      f32 && !packAHere ? copyA : undefined,
      f32
        ? (from, to) => {
            copyOut(from, to);
            copied.push([from, to]);
            drainLog();
          }
        : undefined,
    );
    for (let w = 1; w < t; w++) {
      const ctl = this.lanes[w - 1]!.ctrl;
      while (Atomics.load(ctl, SIMD_CTRL.done) === 0) {
        if (waitWhile(ctl, SIMD_CTRL.done, 0, 60_000, CALL_SPINS) === 'timed-out')
          throw new Error('SIMD matmul worker did not answer within 60 s');
      }
      if (ctl[SIMD_CTRL.done] === 2) throw new Error('SIMD matmul worker failed');
    }

    if (f32) {
      // What is left: the workers' chunks not logged or not yet read, the gaps between those copied.
      drainLog();
      let done = 0;
      for (const [from, to] of copied.sort((p, q) => p[0] - q[0])) {
        if (from > done) copyOut(done, from);
        done = to;
      }
      if (done < blocks) copyOut(done, blocks);
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
