// SwiGLU's forward as WebAssembly SIMD emitted by TypeScript: out = SiLU(gate)·up and σ(gate) kept for the
// backward, with the bits of fused.ts's swigluKeep, whose cost is one Math.exp per element (a call into V8's C
// code, about 10 ns; 14% of a lesson training step).
//
//   σ(x) = (x ≥ 0 ? 1 : e) / (1 + e),  e = exp(−|x|)      (fused.ts's exp(−x) for x ≥ 0 and exp(x) for x < 0)
//   out  = fround(fround(x·σ)·up)
//
// e is computed the way Math.exp computes it (V8's ieee754::exp, fdlibm's e_exp.c), every step the same IEEE
// operation in the same order, so it has Math.exp's bits (tested against it on millions of arguments and on
// random bit patterns). For v = −|x| ≤ 0:
//   k = trunc(v/ln2 − ½) where |v| > ln2/2 (fdlibm compares the high word with 0x3fd62e42), else 0
//   hi = v − k·ln2hi,  lo = k·ln2lo,  r = hi − lo,  t = r²
//   c = r − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
//   e = 2^k · (1 − ((lo − r·c/(2 − c)) − hi))      (k = 0 gives fdlibm's k = 0 form to the bit)
//   2^k from k's bits (k + 2^52 + 2^51 holds k in its low mantissa bits); k < −1021: 2^(k+1000), then ·2^−1000.
//   Edges as fdlibm: |v| < 2^−28 → 1 + v; v < −745.13… → 0; NaN → NaN.
// Each branch of the scalar code is taken by every lane and a select keeps the right one. One pass handles 8
// elements as 4 independent pairs whose statements interleave: one pair's chain of ~40 dependent operations
// leaves the core idle (2.2–2.5× Math.exp's loop with 4 pairs, 1.6× with 1; this 2-core EPYC).
import * as fused from '../fused.ts';
import { emitModule, FunctionBody } from './wasm-emitter.ts';

const INV_LN2 = 1.4426950408889634;
const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const P = [
  1.66666666666666019037e-1, -2.77777777770155933842e-3, 6.61375632143793436117e-5, -1.6533902205465251539e-6,
  4.13813679705723846039e-8,
] as const;
const U_THRESHOLD = -7.4513321910194110842e2;

function fromBits(bits: bigint): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setBigUint64(0, bits);
  return v.getFloat64(0);
}
/** |v| ≥ this ⇔ v's high word > 0x3fd62e42, fdlibm's test for |v| > ln2/2. */
const HALF_LN2 = fromBits(0x3fd62e4300000000n);
/** |v| < this ⇔ v's high word < 0x3e300000: 2^−28. */
const TINY = fromBits(0x3e30000000000000n);
/** 2^52 + 2^51: adding it to an integral k of magnitude < 2^51 leaves k in the low bits of the sum's bits. */
const MAGIC = 6755399441055744;
const MAGIC_BITS = 0x4338000000000000n;

/** Independent pairs of lanes per pass. */
const PAIRS = 4;
const PER_PASS = 2 * PAIRS;
const MAX_PAGES = 16384;

/** swiglu(gate, up, sig, out, n): byte offsets of float32 gate and up, float64 sig, float32 out; n a multiple of 8. */
function emitSwiglu(): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32']);
  const [gate, up, sig, out, n] = [0, 1, 2, 3, 4];
  const i = f.local('i32');
  const pairs = () => Array.from({ length: PAIRS }, () => f.local('v128'));
  const [x, ax, kd, hi, lo, r, t, c, y, e, s] = Array.from({ length: 11 }, pairs) as number[][];
  // Constants live in locals, set once before the loop (a v128.const inside it is rebuilt on every pass).
  const pre = new FunctionBody([]);
  const consts = new Map<string, number>();
  const constant = (key: string, lanes: readonly [number, number] | readonly [bigint, bigint]) => {
    let at = consts.get(key);
    if (at === undefined) {
      at = f.local('v128');
      consts.set(key, at);
      pre.v128Const(lanes).set(at);
    }
    f.get(at);
  };
  const F = (v: number) => constant(`f${v}`, [v, v]);
  const I = (v: bigint) => constant(`i${v}`, [v, v]);
  /** 2^(k + bias) as float64 bits, from kd (integral) */
  const pow2 = (p: number, bias: number) => {
    f.get(kd[p]!);
    F(MAGIC + bias);
    f.f64x2Add();
    I(1023n - MAGIC_BITS);
    f.i64x2Add().i32(52).i64x2Shl();
  };
  const at = (base: number, bytes: number) => f.get(base).get(i).i32(bytes).i32Mul().i32Add();
  // One statement each; emitted pair by pair, so the four pairs' chains interleave.
  const statements: ((p: number) => void)[] = [
    (p) =>
      at(gate, 4)
        .v128Load64Zero(8 * p)
        .f64x2PromoteLowF32x4()
        .set(x[p]!),
    (p) => f.get(x[p]!).f64x2Abs().set(ax[p]!),
    // kd = trunc(v/ln2 − ½) where |v| ≥ HALF_LN2, else 0 (v = −|x|)
    (p) => {
      f.get(ax[p]!);
      F(-INV_LN2);
      f.f64x2Mul();
      F(-0.5);
      f.f64x2Add().f64x2Trunc().get(ax[p]!);
      F(HALF_LN2);
      f.f64x2Ge().v128And().set(kd[p]!);
    },
    (p) => {
      F(0);
      f.get(ax[p]!).f64x2Sub().get(kd[p]!);
      F(LN2_HI);
      f.f64x2Mul().f64x2Sub().set(hi[p]!);
    },
    (p) => {
      f.get(kd[p]!);
      F(LN2_LO);
      f.f64x2Mul().set(lo[p]!);
    },
    (p) => f.get(hi[p]!).get(lo[p]!).f64x2Sub().set(r[p]!),
    (p) => f.get(r[p]!).get(r[p]!).f64x2Mul().set(t[p]!),
    (p) => {
      f.get(t[p]!);
      F(P[4]);
      f.f64x2Mul();
      F(P[3]);
      f.f64x2Add().set(c[p]!);
    },
    ...[P[2], P[1], P[0]].map((coef) => (p: number) => {
      f.get(t[p]!).get(c[p]!).f64x2Mul();
      F(coef);
      f.f64x2Add().set(c[p]!);
    }),
    (p) => f.get(r[p]!).get(t[p]!).get(c[p]!).f64x2Mul().f64x2Sub().set(c[p]!),
    (p) => {
      f.get(r[p]!).get(c[p]!).f64x2Mul();
      F(2);
      f.get(c[p]!).f64x2Sub().f64x2Div().set(y[p]!);
    },
    (p) => {
      F(1);
      f.get(lo[p]!).get(y[p]!).f64x2Sub().get(hi[p]!).f64x2Sub().f64x2Sub().set(y[p]!);
    },
    // s = 2^k, or 2^(k+1000) where k < −1021
    (p) => {
      pow2(p, 1000);
      pow2(p, 0);
      f.get(kd[p]!);
      F(-1021);
      f.f64x2Lt().v128Bitselect().set(s[p]!);
    },
    (p) => f.get(y[p]!).get(s[p]!).f64x2Mul().set(e[p]!),
    // the edges: k < −1021 → ·2^−1000; |v| < 2^−28 → 1 + v; v < U → 0; NaN
    (p) => {
      f.get(e[p]!);
      F(2 ** -1000);
      f.f64x2Mul().get(e[p]!).get(kd[p]!);
      F(-1021);
      f.f64x2Lt().v128Bitselect().set(e[p]!);
    },
    (p) => {
      F(1);
      f.get(ax[p]!).f64x2Sub().get(e[p]!).get(ax[p]!);
      F(TINY);
      f.f64x2Lt().v128Bitselect().set(e[p]!);
    },
    (p) => {
      F(0);
      f.get(e[p]!).get(ax[p]!);
      F(-U_THRESHOLD);
      f.f64x2Gt().v128Bitselect().set(e[p]!);
    },
    (p) => f.get(x[p]!).get(x[p]!).f64x2Add().get(e[p]!).get(x[p]!).get(x[p]!).f64x2Ne().v128Bitselect().set(e[p]!),
    // σ = (x ≥ 0 ? 1 : e) / (1 + e), kept in e
    (p) => {
      F(1);
      f.get(e[p]!).get(x[p]!);
      F(0);
      f.f64x2Ge().v128Bitselect();
      F(1);
      f.get(e[p]!).f64x2Add().f64x2Div().set(e[p]!);
    },
    (p) =>
      at(sig, 8)
        .get(e[p]!)
        .v128Store(16 * p),
    // out = fround(fround(x·σ)·up)
    (p) => {
      at(out, 4).get(x[p]!).get(e[p]!).f64x2Mul().f32x4DemoteF64x2Zero().f64x2PromoteLowF32x4();
      at(up, 4)
        .v128Load64Zero(8 * p)
        .f64x2PromoteLowF32x4();
      f.f64x2Mul()
        .f32x4DemoteF64x2Zero()
        .v128Store64Lane0(8 * p);
    },
  ];
  f.i32(0).set(i);
  const head = f.code.length;
  f.block().loop();
  f.get(i).get(n).i32GeU().brIf(1);
  for (const statement of statements) for (let p = 0; p < PAIRS; p++) statement(p);
  f.get(i).i32(PER_PASS).i32Add().set(i);
  f.br(0);
  f.end().end();
  f.code.splice(head, 0, ...pre.code);
  return f;
}

/** Below this many elements the plain loop is as fast (views and the call cost more than they save). */
const MIN_ELEMENTS = 64;

/** The kernel over its own (unshared) memory: operands are copied in, results out. */
export class SimdSwiglu {
  private readonly memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES });
  private readonly fn: (gate: number, up: number, sig: number, out: number, n: number) => void;

  constructor() {
    const bytes = emitModule([{ name: 'swiglu', body: emitSwiglu() }], {
      initialPages: 1,
      maxPages: MAX_PAGES,
      shared: false,
    });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: this.memory } });
    this.fn = instance.exports.swiglu as typeof this.fn;
  }

  /** out = SiLU(a)·b, sig = σ(a) where given: fused.swigluKeep's (or fused.swiglu's) bits. */
  keep(a: Float32Array, b: Float32Array, out: Float32Array, sig?: Float64Array): void {
    const n = a.length,
      padded = Math.ceil(n / PER_PASS) * PER_PASS;
    const at = { gate: 0, up: 4 * padded, sig: 8 * padded, out: 16 * padded },
      bytes = 20 * padded;
    if (n < MIN_ELEMENTS || bytes > MAX_PAGES * 65536) {
      if (sig) fused.swigluKeep(a, b, out, sig);
      else fused.swiglu(a, b, out);
      return;
    }
    if (bytes > this.memory.buffer.byteLength)
      this.memory.grow(Math.ceil((bytes - this.memory.buffer.byteLength) / 65536));
    const buf = this.memory.buffer;
    new Float32Array(buf, at.gate, n).set(a);
    new Float32Array(buf, at.up, n).set(b);
    this.fn(at.gate, at.up, at.sig, at.out, padded);
    if (sig) sig.set(new Float64Array(buf, at.sig, n));
    out.set(new Float32Array(buf, at.out, n));
  }

  /** keep with each row of n times its weight w[row]: fused.swigluScaledKeep's bits (its rounding, then ·w). */
  scaledKeep(a: Float32Array, b: Float32Array, w: Float32Array, out: Float32Array, sig: Float64Array, n: number) {
    this.keep(a, b, out, sig);
    const rows = n > 0 ? a.length / n : 0;
    for (let r = 0; r < rows; r++) {
      const wr = w[r]!;
      for (let j = r * n; j < (r + 1) * n; j++) out[j] = out[j]! * wr;
    }
  }
}
