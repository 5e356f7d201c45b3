// The CPU backend: the readable reference for every kernel in backend.ts. Plain loops over typed arrays;
// sums are carried in float64 and stored once, in a fixed order — except the matmul's, which are float32
// for float32 operands (matmul.ts `Accumulate`). The one fast path is the matmul: the WebAssembly SIMD
// kernel (simd/, bit-identical to the reference) where the engine has SIMD128, else the register-blocked
// TypeScript kernel (matmul.ts); both split over threads by a fixed partition.
import { availableParallelism } from 'node:os';
import type {
  AdamWHyper,
  Backend,
  BinaryOp,
  DType,
  HeadsRopeStorage,
  HeadsShape,
  HostArray,
  MatmulLayout,
  ReduceOp,
  RopeLayout,
  SoftmaxOptions,
  Storage,
  UnaryOp,
  View,
} from '../backend.ts';
import { foreignStorage } from '../backend.ts';
import { binaryF32, copyF32, gatherF32, rowIndex, scatterAddF32, unaryF32 } from './float32.ts';
import * as fused from './fused.ts';
import { InputError } from '../../core/errors.ts';
import { accumulateOf, type Accumulate } from './matmul.ts';
import { arena } from './arena.ts';
import { HostPool, hostPoolFromEnv, type HostPoolOptions } from './host-pool.ts';
import { MatmulPool } from './pool.ts';
import { DEFAULT_TILE, F32_TILE } from './simd/gemm-kernel.ts';
import { enableRelaxedSimd, SimdMatmul, simdSupported } from './simd/simd-matmul.ts';
import { SIMD_BINARY_MIN, SIMD_BINARY_OPS, SimdBinary, type SimdBinaryOp } from './simd/binary-kernel.ts';
import { SimdRowsBackward } from './simd/rows-backward-kernel.ts';
import { SimdSoftmax } from './simd/softmax-kernel.ts';
import { SimdAttention, type HeadsRope } from './simd/attention-kernel.ts';
import { SimdGrouped, type GroupedKind, type GroupedShape } from './simd/grouped-kernel.ts';
import { SimdSwiglu } from './simd/swiglu-kernel.ts';
import { SimdCopy } from './simd/copy-kernel.ts';
import { SimdIndexRows } from './simd/index-rows-kernel.ts';
import { SimdRmsnorm } from './simd/rmsnorm-kernel.ts';
import { SimdRope } from './simd/rope-kernel.ts';
import { SimdCrossEntropy } from './simd/cross-entropy-kernel.ts';
import { SimdAdamw } from './simd/adamw-kernel.ts';
import { forEachRow } from './strided.ts';

type F = Float32Array | Float64Array;

export class CpuStorage implements Storage {
  constructor(
    readonly dtype: DType,
    readonly data: HostArray,
  ) {}
  get length(): number {
    return this.data.length;
  }
}

/** A storage's array; a storage of another backend (a GPU buffer) is refused by name, not read as undefined. */
function d(s: Storage): HostArray {
  if (!(s instanceof CpuStorage)) throw new Error(foreignStorage('cpu', s));
  return s.data;
}
const f = (s: Storage): F => d(s) as F;
const asF32 = (s: Storage): Float32Array => d(s) as Float32Array;
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

function unaryFn(op: UnaryOp, s: number): (x: number) => number {
  switch (op) {
    case 'copy':
      return (x) => x;
    case 'neg':
      return (x) => -x;
    case 'exp':
      return Math.exp;
    case 'log':
      return Math.log;
    case 'sqrt':
      return Math.sqrt;
    case 'rsqrt':
      return (x) => 1 / Math.sqrt(x);
    case 'abs':
      return Math.abs;
    case 'square':
      return (x) => x * x;
    case 'recip':
      return (x) => 1 / x;
    case 'sigmoid':
      return sigmoid;
    case 'tanh':
      return Math.tanh;
    case 'relu':
      return (x) => (x > 0 ? x : 0);
    case 'silu':
      return (x) => x * sigmoid(x);
    // d/dx silu(x) = σ(x)·(1 + x·(1 − σ(x)))
    case 'siluGrad':
      return (x) => {
        const g = sigmoid(x);
        return g * (1 + x * (1 - g));
      };
    case 'sin':
      return Math.sin;
    case 'cos':
      return Math.cos;
    case 'addScalar':
      return (x) => x + s;
    case 'mulScalar':
      return (x) => x * s;
    case 'powScalar':
      return (x) => Math.pow(x, s);
    case 'maxScalar':
      return (x) => (x > s ? x : s);
    case 'minScalar':
      return (x) => (x < s ? x : s);
    case 'eqScalar':
      return (x) => (x === s ? 1 : 0);
    case 'neScalar':
      return (x) => (x !== s ? 1 : 0);
    case 'gtScalar':
      return (x) => (x > s ? 1 : 0);
  }
}

/**
 * The float32 kernels beside the matmul, as WebAssembly on the calling thread: SwiGLU forward and backward
 * (simd/swiglu-kernel.ts), float32 add/sub/mul/div (binary-kernel.ts), attention's softmax (softmax-kernel.ts),
 * RMSNorm's and softmax's backward (rows-backward-kernel.ts), strided copies (copy-kernel.ts), RMSNorm's forward
 * (rmsnorm-kernel.ts), RoPE in the 'half' layout (rope-kernel.ts), cross-entropy's log-softmax-and-take
 * (cross-entropy-kernel.ts), the AdamW update (adamw-kernel.ts), causal attention over unpermuted heads
 * (attention-kernel.ts), the MoE's grouped matmul (grouped-kernel.ts), row gather and scatter-add (index-rows-kernel.ts);
 * each gives its loop's bits. Made once per thread and shared by every CPU backend on it (they keep nothing
 * between calls), so a process that makes many backends (the bench, the tests) compiles them and grows their
 * scratch once; they run over this thread's arena, where the backends' tensors lie (arena.ts).
 */
interface OneThreadKernels {
  swiglu: SimdSwiglu;
  binary: SimdBinary;
  softmax: SimdSoftmax;
  rowsBackward: SimdRowsBackward;
  copy: SimdCopy;
  rmsnorm: SimdRmsnorm;
  rope: SimdRope;
  crossEntropy: SimdCrossEntropy;
  adamw: SimdAdamw;
  attention: SimdAttention;
  grouped: SimdGrouped;
  indexRows: SimdIndexRows;
}
let sharedKernels: OneThreadKernels | undefined;
function oneThreadKernels(): OneThreadKernels {
  return (sharedKernels ??= {
    swiglu: new SimdSwiglu(),
    binary: new SimdBinary(),
    softmax: new SimdSoftmax(),
    rowsBackward: new SimdRowsBackward(),
    copy: new SimdCopy(),
    rmsnorm: new SimdRmsnorm(),
    rope: new SimdRope(),
    crossEntropy: new SimdCrossEntropy(),
    adamw: new SimdAdamw(),
    attention: new SimdAttention(),
    grouped: new SimdGrouped(),
    indexRows: new SimdIndexRows(),
  });
}

export class CpuBackend implements Backend {
  readonly name = 'cpu';
  /** How float32 matmuls sum (float64 operands always sum in float64). */
  readonly gemm: Accumulate;
  private pool: MatmulPool;
  /** Tensor memory, reused across steps (host-pool.ts). */
  readonly memory: HostPool;
  /** The float64-summing SIMD kernel: float64 operands, and float32 ones under `gemm: 'f64'`. */
  private simd: SimdMatmul | undefined;
  /** The float32-summing SIMD kernel (f32x4 lanes, 4×8 tiles): float32 operands by default. */
  private simd32: SimdMatmul | undefined;
  /** The one-thread WebAssembly kernels beside the matmul (`oneThreadKernels`), when SIMD is on. */
  private readonly kernels: OneThreadKernels | undefined;

  /**
   * `simd: false` keeps the plain-TypeScript matmul (the reference path; TINYSEEK_SIMD=0 does the same).
   * `gemm: 'f64'` (or TINYSEEK_GEMM=f64) sums float32 matmuls in float64, as tinyseek did before float32
   * sums became the default: half the speed, the numbers the older fixtures were made with.
   * `fma: true` (or TINYSEEK_SIMD=fma) opts into relaxed-SIMD multiply-adds where the engine has them: in the
   * float64-summing kernel the same bits (see simd-matmul.ts), fewer instructions; in the float32-summing one
   * each product and its partial sum rounded once where the machine fuses them (x86 with FMA3, ARM64), so the
   * bits differ from the reference's and from a machine that does not fuse (same seed, same machine: same bits,
   * on any thread count).
   * `memory` sets how tensor memory is reused (host-pool.ts; its mode also by TINYSEEK_POOL=0|1|poison).
   */
  constructor(
    threads = defaultThreads(),
    opts: { simd?: boolean; fma?: boolean; gemm?: Accumulate; memory?: Partial<HostPoolOptions> } = {},
  ) {
    // the environment is checked before any worker starts, so a bad value leaves nothing running
    const env = process.env.TINYSEEK_GEMM || 'f32';
    if (env !== 'f32' && env !== 'f64') throw new InputError(`TINYSEEK_GEMM must be f32 or f64, got '${env}'`);
    const simdEnv = process.env.TINYSEEK_SIMD || '1';
    if (!['0', '1', 'fma'].includes(simdEnv))
      throw new InputError(`TINYSEEK_SIMD must be 0, 1 or fma, got '${simdEnv}'`);
    this.pool = new MatmulPool(threads);
    this.gemm = opts.gemm ?? env;
    const simd = opts.simd ?? (simdEnv !== '0' && simdSupported());
    // With SIMD, tensors live in this thread's arena, where the kernels use them in place (arena.ts).
    this.memory = new HostPool({ ...hostPoolFromEnv(), ...opts.memory }, simd ? arena() : undefined);
    const fma = simd && (opts.fma ?? simdEnv === 'fma') && enableRelaxedSimd();
    if (simd) this.simd = new SimdMatmul(threads, { ...DEFAULT_TILE, relaxed: fma });
    if (simd && this.gemm === 'f32') this.simd32 = new SimdMatmul(threads, { ...F32_TILE, relaxed: fma });
    if (simd) this.kernels = oneThreadKernels();
  }

  /** Which kernel runs float32 matmuls: WebAssembly SIMD ('simd-f32' / 'simd-f32-fma', or float64 sums 'simd' /
   * 'simd-fma'), or 'ts'. */
  get matmulKernel(): 'simd' | 'simd-fma' | 'simd-f32' | 'simd-f32-fma' | 'ts' {
    if (this.simd32) return this.simd32.tile.relaxed ? 'simd-f32-fma' : 'simd-f32';
    return this.simd ? (this.simd.tile.relaxed ? 'simd-fma' : 'simd') : 'ts';
  }

  get threads(): number {
    return this.pool.threads;
  }

  alloc(dtype: DType, length: number): Storage {
    return this.storage(dtype, this.memory.take(dtype, length, true));
  }
  allocUninit(dtype: DType, length: number): Storage {
    return this.storage(dtype, this.memory.take(dtype, length, false));
  }
  fromHost(dtype: DType, data: ArrayLike<number>): Storage {
    const s = this.memory.take(dtype, data.length, false);
    s.set(data);
    return this.storage(dtype, s);
  }
  private storage(dtype: DType, data: HostArray): Storage {
    const s = new CpuStorage(dtype, data);
    this.memory.track(s, data);
    return s;
  }
  async read(s: Storage): Promise<HostArray> {
    return this.readSync(s);
  }
  readSync(s: Storage): HostArray {
    return d(s).slice();
  }
  free(s: Storage): void {
    this.memory.free(s, d(s));
  }

  fill(out: Storage, value: number): void {
    d(out).fill(value);
  }

  unary(op: UnaryOp, x: Storage, out: Storage, scalar = 0): void {
    const xs = d(x),
      os = d(out);
    if (xs instanceof Float32Array && os instanceof Float32Array && unaryF32(op, xs, os, scalar)) return;
    const n = xs.length;
    switch (op) {
      // The hottest maps get their own loops; the rest share one through a closure.
      case 'copy':
        os.set(xs);
        return;
      case 'mulScalar':
        for (let i = 0; i < n; i++) os[i] = xs[i]! * scalar;
        return;
      case 'addScalar':
        for (let i = 0; i < n; i++) os[i] = xs[i]! + scalar;
        return;
      case 'exp':
        for (let i = 0; i < n; i++) os[i] = Math.exp(xs[i]!);
        return;
      // Sigmoid (the MoE gate's scores), SiLU and its derivative, inlined (unaryFn's expressions: the same bits).
      case 'sigmoid':
        for (let i = 0; i < n; i++) {
          const x = xs[i]!;
          os[i] = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
        }
        return;
      case 'silu':
        for (let i = 0; i < n; i++) {
          const x = xs[i]!;
          os[i] = x * (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
        }
        return;
      case 'siluGrad':
        for (let i = 0; i < n; i++) {
          const x = xs[i]!,
            g = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
          os[i] = g * (1 + x * (1 - g));
        }
        return;
      default: {
        const fn = unaryFn(op, scalar);
        for (let i = 0; i < n; i++) os[i] = fn(xs[i]!);
      }
    }
  }

  binary(op: BinaryOp, a: Storage, aView: View, b: Storage, bView: View, out: Storage): void {
    const as = d(a),
      bs = d(b),
      os = d(out);
    const oStrides: number[] = [];
    let acc = 1;
    for (let k = aView.shape.length - 1; k >= 0; k--) {
      oStrides[k] = acc;
      acc *= aView.shape[k]!;
    }
    if (as instanceof Float32Array && bs instanceof Float32Array && os instanceof Float32Array) {
      const n = acc,
        contiguous = (v: View) => v.strides.every((s, k) => s === oStrides[k] || aView.shape[k] === 1);
      if (
        this.kernels &&
        n >= SIMD_BINARY_MIN &&
        SIMD_BINARY_OPS.includes(op as SimdBinaryOp) &&
        contiguous(aView) &&
        contiguous(bView) &&
        this.kernels.binary.run(
          op as SimdBinaryOp,
          as.subarray(aView.offset, aView.offset + n),
          bs.subarray(bView.offset, bView.offset + n),
          os.subarray(0, n),
        )
      )
        return;
      return binaryF32(op, as, aView, bs, bView, os, oStrides);
    }
    forEachRow(aView.shape, [{ strides: oStrides, offset: 0 }, aView, bView], (off, len, inner) => {
      const o0 = off[0]!,
        a0 = off[1]!,
        b0 = off[2]!,
        sa = inner[1]!,
        sb = inner[2]!;
      switch (op) {
        case 'add':
          for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i * sa]! + bs[b0 + i * sb]!;
          break;
        case 'sub':
          for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i * sa]! - bs[b0 + i * sb]!;
          break;
        case 'mul':
          for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i * sa]! * bs[b0 + i * sb]!;
          break;
        case 'div':
          for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i * sa]! / bs[b0 + i * sb]!;
          break;
        case 'max':
          for (let i = 0; i < len; i++) {
            const x = as[a0 + i * sa]!,
              y = bs[b0 + i * sb]!;
            os[o0 + i] = x >= y ? x : y;
          }
          break;
        case 'min':
          for (let i = 0; i < len; i++) {
            const x = as[a0 + i * sa]!,
              y = bs[b0 + i * sb]!;
            os[o0 + i] = x <= y ? x : y;
          }
          break;
        case 'eq':
          for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i * sa] === bs[b0 + i * sb] ? 1 : 0;
          break;
        case 'gt':
          for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i * sa]! > bs[b0 + i * sb]! ? 1 : 0;
          break;
      }
    });
  }

  reduce(op: ReduceOp, x: Storage, out: Storage, outer: number, n: number, inner: number): void {
    const xs = d(x),
      os = d(out);
    if (op === 'sum' && inner === 1) {
      // Rows summed to one number each (a routing weight's normaliser, a loss): the same float64 sums, no buffer.
      for (let o = 0; o < outer; o++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += xs[o * n + j]!;
        os[o] = acc;
      }
      return;
    }
    const acc = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      const base = o * n * inner;
      if (op === 'sum') {
        acc.fill(0);
        for (let j = 0; j < n; j++) {
          const row = base + j * inner;
          for (let i = 0; i < inner; i++) acc[i]! += xs[row + i]!;
        }
      } else {
        acc.fill(-Infinity);
        for (let j = 0; j < n; j++) {
          const row = base + j * inner;
          for (let i = 0; i < inner; i++)
            if (xs[row + i]! > acc[i]! || Number.isNaN(xs[row + i]!)) acc[i] = xs[row + i]!;
        }
      }
      os.set(acc, o * inner);
    }
  }

  copy(src: Storage, srcView: View, dst: Storage, dstView: View): void {
    const s = d(src),
      o = d(dst);
    if (s instanceof Float32Array && o instanceof Float32Array)
      return copyF32(s, srcView, o, dstView, this.kernels?.copy);
    forEachRow(srcView.shape, [srcView, dstView], (off, len, inner) => {
      const s0 = off[0]!,
        d0 = off[1]!,
        ss = inner[0]!,
        ds = inner[1]!;
      if (ss === 1 && ds === 1) o.set(s.subarray(s0, s0 + len), d0);
      else for (let i = 0; i < len; i++) o[d0 + i * ds] = s[s0 + i * ss]!;
    });
  }

  matmul(a: Storage, b: Storage, out: Storage, layout: MatmulLayout): void {
    const as = f(a),
      bs = f(b),
      os = f(out);
    const acc = accumulateOf(as, bs, os) === 'f32' ? this.gemm : 'f64';
    if (acc === 'f32' && this.simd32) this.simd32.run(as, bs, os, layout);
    else if (acc === 'f64' && this.simd) this.simd.run(as, bs, os, layout);
    else this.pool.run(as, bs, os, layout, acc);
  }

  matmulAt(
    a: Storage,
    aOffset: number,
    b: Storage,
    bOffset: number,
    out: Storage,
    outOffset: number,
    L: MatmulLayout,
  ): void {
    if (L.batch !== 1) throw new Error('matmulAt: batch must be 1');
    // Subarrays share the parent's memory: the kernel reads and writes the ranges in place.
    const sub = (s: Storage, at: number, n: number) => new CpuStorage(s.dtype, f(s).subarray(at, at + n));
    this.matmul(sub(a, aOffset, L.m * L.k), sub(b, bOffset, L.k * L.n), sub(out, outOffset, L.m * L.n), L);
  }

  groupedMatmul(kind: GroupedKind, a: Storage, b: Storage, out: Storage, offsets: Int32Array, shape: GroupedShape) {
    // The products' bits are the plain float32 tile's: not under float64 sums or the opt-in multiply-add.
    const [as, bs, os] = [a, b, out].map(d);
    if (!this.kernels || this.matmulKernel !== 'simd-f32') return false;
    if (!(as instanceof Float32Array && bs instanceof Float32Array && os instanceof Float32Array)) return false;
    return this.kernels.grouped.run(kind, as, bs, os, offsets, shape);
  }

  gather(
    src: Storage,
    idx: Storage,
    out: Storage,
    outer: number,
    n: number,
    count: number,
    inner: number,
    idxOuterStride: number,
  ): void {
    const s = d(src),
      ix = d(idx),
      o = d(out);
    if (s instanceof Float32Array && o instanceof Float32Array && ix instanceof Int32Array) {
      if (outer === 1 && this.kernels) {
        for (let j = 0; j < count; j++) rowIndex(ix, j, n, 'gather');
        if (this.kernels.indexRows.gather(s, ix, o, n, count, inner)) return;
      }
      return gatherF32(s, ix, o, [outer, n, count, inner, idxOuterStride]);
    }
    for (let r = 0; r < outer; r++) {
      for (let j = 0; j < count; j++) {
        const id = ix[r * idxOuterStride + j]!;
        if (id < 0 || id >= n) throw new RangeError(`gather: index ${id} out of range [0, ${n})`);
        const from = (r * n + id) * inner,
          to = (r * count + j) * inner;
        // A short row (a routing weight, a picked score) is copied by hand: a subarray per row costs more.
        if (inner >= 32) o.set(s.subarray(from, from + inner), to);
        else for (let i = 0; i < inner; i++) o[to + i] = s[from + i]!;
      }
    }
  }

  scatterAdd(
    dst: Storage,
    idx: Storage,
    src: Storage,
    outer: number,
    n: number,
    count: number,
    inner: number,
    idxOuterStride: number,
  ): void {
    const o = d(dst),
      ix = d(idx),
      s = d(src);
    if (s instanceof Float32Array && o instanceof Float32Array && ix instanceof Int32Array) {
      if (outer === 1 && this.kernels) {
        for (let j = 0; j < count; j++) rowIndex(ix, j, n, 'scatterAdd');
        if (this.kernels.indexRows.scatterAdd(o, ix, s, n, count, inner)) return;
      }
      return scatterAddF32(o, ix, s, [outer, n, count, inner, idxOuterStride]);
    }
    for (let r = 0; r < outer; r++) {
      for (let j = 0; j < count; j++) {
        const id = ix[r * idxOuterStride + j]!;
        if (id < 0 || id >= n) throw new RangeError(`scatterAdd: index ${id} out of range [0, ${n})`);
        const to = (r * n + id) * inner,
          from = (r * count + j) * inner;
        for (let i = 0; i < inner; i++) o[to + i]! += s[from + i]!;
      }
    }
  }

  topk(x: Storage, values: Storage, indices: Storage, rows: number, n: number, k: number): void {
    const xs = d(x),
      vs = d(values),
      is = d(indices);
    const taken = new Uint8Array(n);
    for (let r = 0; r < rows; r++) {
      taken.fill(0);
      for (let t = 0; t < k; t++) {
        let best = -1;
        for (let j = 0; j < n; j++) if (!taken[j] && (best < 0 || xs[r * n + j]! > xs[r * n + best]!)) best = j;
        taken[best] = 1;
        vs[r * k + t] = xs[r * n + best]!;
        is[r * k + t] = best;
      }
    }
  }

  softmax(x: Storage, out: Storage, rows: number, n: number, opts: SoftmaxOptions): void {
    const xs = d(x),
      os = d(out);
    const scale = opts.scale ?? 1;
    if (this.kernels && !opts.log && xs instanceof Float32Array && os instanceof Float32Array)
      if (this.kernels.softmax.run(xs, os, rows, n, scale, opts.causal)) return;
    const e = new Float64Array(n); // exp(x − max) of one row, kept in float64 so it is computed once
    const f32 = xs instanceof Float32Array;
    const v = new Float64Array(n); // the row's scaled scores, rounded as a stored mulScalar would be
    for (let r = 0; r < rows; r++) {
      const base = r * n;
      const limit = opts.causal ? Math.min(n, (r % opts.causal.tq) + opts.causal.offset + 1) : n;
      if (f32) for (let j = 0; j < limit; j++) v[j] = Math.fround(xs[base + j]! * scale);
      else for (let j = 0; j < limit; j++) v[j] = xs[base + j]! * scale;
      let max = -Infinity;
      for (let j = 0; j < limit; j++) if (v[j]! > max) max = v[j]!;
      let sum = 0;
      for (let j = 0; j < limit; j++) sum += e[j] = Math.exp(v[j]! - max);
      if (opts.log) {
        const lse = max + Math.log(sum);
        for (let j = 0; j < limit; j++) os[base + j] = v[j]! - lse;
        for (let j = limit; j < n; j++) os[base + j] = -Infinity;
      } else {
        for (let j = 0; j < limit; j++) os[base + j] = e[j]! / sum;
        for (let j = limit; j < n; j++) os[base + j] = 0;
      }
    }
  }

  rmsnorm(x: Storage, w: Storage, out: Storage, rstd: Storage, rows: number, n: number, eps: number): void {
    const xs = d(x),
      ws = d(w),
      os = d(out),
      rs = d(rstd);
    const { isF32 } = fused;
    if (this.kernels && isF32(xs) && isF32(ws) && isF32(os) && isF32(rs))
      if (this.kernels.rmsnorm.run(xs, ws, os, rs, rows, n, eps)) return;
    for (let r = 0; r < rows; r++) {
      const base = r * n;
      let ss = 0;
      for (let j = 0; j < n; j++) ss += xs[base + j]! * xs[base + j]!;
      const inv = 1 / Math.sqrt(ss / n + eps);
      rs[r] = inv;
      const invStored = rs[r]!; // use the stored (possibly float32) value so backward sees the same number
      for (let j = 0; j < n; j++) os[base + j] = xs[base + j]! * invStored * ws[j]!;
    }
  }

  rope(x: Storage, pos: Storage, cos: Storage, sin: Storage, out: Storage, L: RopeLayout): void {
    const xs = d(x),
      ps = d(pos),
      cs = d(cos),
      ss = d(sin),
      os = d(out);
    const { isF32 } = fused;
    if (this.kernels && L.style === 'half' && isF32(xs) && ps instanceof Int32Array && isF32(cs) && isF32(ss))
      if (isF32(os) && this.kernels.rope.run(xs, ps, cs, ss, os, L.rows, L.heads, L.dim, L.inverse)) return;
    const half = L.dim / 2;
    const sign = L.inverse ? -1 : 1;
    for (let r = 0; r < L.rows; r++) {
      const t = ps[r]! * half;
      for (let h = 0; h < L.heads; h++) {
        const base = (r * L.heads + h) * L.dim;
        for (let i = 0; i < half; i++) {
          const c = cs[t + i]!,
            s = sign * ss[t + i]!;
          const i0 = L.style === 'interleaved' ? base + 2 * i : base + i;
          const i1 = L.style === 'interleaved' ? i0 + 1 : i0 + half;
          const x0 = xs[i0]!,
            x1 = xs[i1]!;
          os[i0] = x0 * c - x1 * s;
          os[i1] = x0 * s + x1 * c;
        }
      }
    }
  }

  causalAttentionHeads(
    q: Storage,
    k: Storage,
    v: Storage,
    out: Storage,
    p: Storage | undefined,
    shape: HeadsShape,
    scale: number,
    rope?: HeadsRopeStorage,
  ): boolean {
    // The products' bits are the plain float32 tile's: not under float64 sums or the opt-in multiply-add.
    const arrays = [q, k, v, out, ...(p ? [p] : []), ...(rope ? [rope.cos, rope.sin] : [])].map(d);
    const r = rope && this.headsRope(rope);
    if (!this.kernels || this.matmulKernel !== 'simd-f32' || !arrays.every((x) => x instanceof Float32Array))
      return false;
    if ((rope && !r) || !this.kernels.attention.fits(shape, r)) return false;
    const [qs, ks, vs, os] = arrays as Float32Array[];
    this.kernels.attention.forward(qs!, ks!, vs!, os!, p && asF32(p), shape, scale, r);
    return true;
  }

  causalAttentionHeadsBackward(
    q: Storage,
    k: Storage,
    v: Storage,
    p: Storage,
    g: Storage,
    dq: Storage,
    dk: Storage,
    dv: Storage,
    shape: HeadsShape,
    scale: number,
    rope?: HeadsRopeStorage,
  ): void {
    const r = rope && this.headsRope(rope);
    if (!this.kernels?.attention.fits(shape, r))
      throw new Error('causalAttentionHeadsBackward: the forward did not run');
    const [qs, ks, vs, ps, gs, dqs, dks, dvs] = [q, k, v, p, g, dq, dk, dv].map(asF32);
    this.kernels.attention.backward(qs!, ks!, vs!, ps!, gs!, dqs!, dks!, dvs!, shape, scale, r);
  }

  /** RoPE's storages as the attention kernel takes them; undefined where they are not int32 and float32. */
  private headsRope(rope: HeadsRopeStorage): HeadsRope | undefined {
    const [pos, cos, sin] = [rope.pos, rope.cos, rope.sin].map(d);
    if (!(pos instanceof Int32Array && cos instanceof Float32Array && sin instanceof Float32Array)) return undefined;
    return { pos, cos, sin };
  }

  softmaxBackward(y: Storage, g: Storage, out: Storage, rows: number, n: number, scale = 1): void {
    const ys = f(y),
      gs = f(g),
      os = f(out),
      { isF32 } = fused;
    if (this.kernels && isF32(ys) && isF32(gs) && isF32(os))
      this.kernels.rowsBackward.softmax(ys, gs, os, rows, n, scale);
    else fused.softmaxBackward(ys, gs, os, rows, n, scale);
  }

  rmsnormBackward(
    x: Storage,
    w: Storage,
    rstd: Storage,
    g: Storage,
    gx: Storage,
    gw: Storage,
    rows: number,
    n: number,
  ): void {
    const [xs, ws, rs, gs, gxs, gws] = [x, w, rstd, g, gx, gw].map(f) as [F, F, F, F, F, F],
      { isF32 } = fused;
    if (this.kernels && isF32(xs) && isF32(ws) && isF32(rs) && isF32(gs) && isF32(gxs) && isF32(gws))
      this.kernels.rowsBackward.rmsnorm(xs, ws, rs, gs, gxs, gws, rows, n);
    else fused.rmsnormBackward(xs, ws, rs, gs, gxs, gws, rows, n);
  }

  swiglu(gate: Storage, up: Storage, out: Storage): void {
    const a = f(gate),
      b = f(up),
      o = f(out);
    if (this.kernels && fused.isF32(a) && fused.isF32(b) && fused.isF32(o)) this.kernels.swiglu.keep(a, b, o);
    else fused.swiglu(a, b, o);
  }

  swigluBackward(gate: Storage, up: Storage, g: Storage, dGate: Storage, dUp: Storage): void {
    fused.swigluBackward(f(gate), f(up), f(g), f(dGate), f(dUp));
  }

  swigluKeep(gate: Storage, up: Storage, out: Storage, sig: Storage): void {
    const a = f(gate),
      b = f(up),
      o = f(out),
      sg = d(sig) as Float64Array;
    if (this.kernels && fused.isF32(a) && fused.isF32(b) && fused.isF32(o)) this.kernels.swiglu.keep(a, b, o, sg);
    else fused.swigluKeep(a, b, o, sg);
  }

  swigluBackwardKept(gate: Storage, up: Storage, sig: Storage, g: Storage, dGate: Storage, dUp: Storage): void {
    const a = f(gate),
      b = f(up),
      gs = f(g),
      da = f(dGate),
      db = f(dUp),
      sg = d(sig) as Float64Array;
    const { isF32 } = fused;
    if (this.kernels && isF32(a) && isF32(b) && isF32(gs) && isF32(da) && isF32(db))
      this.kernels.swiglu.backward(a, b, sg, gs, da, db);
    else fused.swigluBackwardKept(a, b, sg, gs, da, db);
  }

  swigluScaledKeep(gate: Storage, up: Storage, w: Storage, out: Storage, sig: Storage, n: number): void {
    const a = f(gate),
      b = f(up),
      ws = f(w),
      o = f(out),
      sg = d(sig) as Float64Array;
    if (this.kernels && fused.isF32(a) && fused.isF32(b) && fused.isF32(ws) && fused.isF32(o))
      this.kernels.swiglu.scaledKeep(a, b, ws, o, sg, n);
    else fused.swigluScaledKeep(a, b, ws, o, sg, n);
  }

  swigluScaledBackwardKept(
    gate: Storage,
    up: Storage,
    w: Storage,
    sig: Storage,
    g: Storage,
    dGate: Storage,
    dUp: Storage,
    dw: Storage,
    n: number,
  ): void {
    const a = f(gate),
      b = f(up),
      ws = f(w),
      gs = f(g),
      da = f(dGate),
      db = f(dUp),
      dws = f(dw),
      sg = d(sig) as Float64Array;
    const { isF32 } = fused;
    if (this.kernels && isF32(a) && isF32(b) && isF32(ws) && isF32(gs) && isF32(da) && isF32(db) && isF32(dws))
      this.kernels.swiglu.scaledBackward(a, b, ws, sg, gs, [da, db, dws], n);
    else fused.swigluScaledBackwardKept(a, b, ws, sg, gs, da, db, dws, n);
  }

  logSoftmaxTake(x: Storage, targets: Storage, out: Storage, lse: Storage, rows: number, n: number): void {
    const xs = f(x),
      os = f(out),
      ts = d(targets) as Int32Array,
      ls = d(lse) as Float64Array;
    if (this.kernels && fused.isF32(xs) && fused.isF32(os)) this.kernels.crossEntropy.forward(xs, ts, os, ls, rows, n);
    else fused.logSoftmaxTake(xs, ts, os, ls, rows, n);
  }

  logSoftmaxTakeBackward(
    x: Storage,
    targets: Storage,
    lse: Storage,
    g: Storage,
    gx: Storage,
    rows: number,
    n: number,
  ): void {
    const xs = f(x),
      gs = f(g),
      gxs = f(gx),
      ts = d(targets) as Int32Array,
      ls = d(lse) as Float64Array,
      { isF32 } = fused;
    if (this.kernels && isF32(xs) && isF32(gs) && isF32(gxs))
      this.kernels.crossEntropy.backward(xs, ts, ls, gs, gxs, rows, n);
    else fused.logSoftmaxTakeBackward(xs, ts, ls, gs, gxs, rows, n);
  }

  adamw(param: Storage, grad: Storage, m: Storage, v: Storage, h: AdamWHyper): void {
    const p = d(param),
      g = d(grad),
      ms = d(m),
      vs = d(v);
    const bc1 = 1 - Math.pow(h.beta1, h.step),
      bc2 = 1 - Math.pow(h.beta2, h.step);
    const decay = 1 - h.lr * h.weightDecay;
    const { isF32 } = fused;
    if (this.kernels && isF32(p) && isF32(g) && isF32(ms) && isF32(vs) && g.length === p.length)
      if (ms.length === p.length && vs.length === p.length && this.kernels.adamw.run(p, g, ms, vs, h, bc1, bc2, decay))
        return;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]!;
      ms[i] = h.beta1 * ms[i]! + (1 - h.beta1) * gi;
      vs[i] = h.beta2 * vs[i]! + (1 - h.beta2) * gi * gi;
      const mHat = ms[i]! / bc1,
        vHat = vs[i]! / bc2;
      p[i] = p[i]! * decay - (h.lr * mHat) / (Math.sqrt(vHat) + h.eps);
    }
  }

  /** Stop worker threads (lets benchmarks switch thread counts cleanly). */
  async close(): Promise<void> {
    this.memory.clear();
    await Promise.all([this.pool.close(), this.simd?.close(), this.simd32?.close()]);
  }
}

/** Two threads by default (the laptop the project targets), fewer if the machine has fewer; TINYSEEK_THREADS overrides. */
export function defaultThreads(): number {
  const env = process.env.TINYSEEK_THREADS;
  if (env !== undefined && env !== '') {
    if (!/^[1-9]\d*$/.test(env)) throw new InputError(`TINYSEEK_THREADS must be a whole number ≥ 1, got '${env}'`);
    return Number(env);
  }
  return Math.max(1, Math.min(2, availableParallelism()));
}
