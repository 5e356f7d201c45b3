// exp(−|x|) on float64 pairs of lanes as WebAssembly SIMD: the statements a kernel interleaves into its loop
// (swiglu-kernel.ts, softmax-kernel.ts). Computed the way Math.exp computes it (V8's ieee754::exp, fdlibm's
// e_exp.c), every step the same IEEE operation in the same order, so it has Math.exp's bits (tested against it on
// millions of arguments and on random bit patterns). For v = −|x| ≤ 0:
//   k = trunc(v/ln2 − ½) where |v| > ln2/2 (fdlibm compares the high word with 0x3fd62e42), else 0
//   hi = v − k·ln2hi,  lo = k·ln2lo,  r = hi − lo,  t = r²
//   c = r − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
//   e = 2^k · (1 − ((lo − r·c/(2 − c)) − hi))      (k = 0 gives fdlibm's k = 0 form to the bit)
//   2^k from k's bits (k + 2^52 + 2^51 holds k in its low mantissa bits); k < −1021: 2^(k+1000), then ·2^−1000.
//   Edges as fdlibm: |v| < 2^−28 → 1 + v; v < −745.13… → 0; NaN → NaN.
// Each branch of the scalar code is taken by every lane and a select keeps the right one. A kernel works on
// PAIRS independent pairs per pass, their statements interleaved: one pair's chain of ~40 dependent operations
// leaves the core idle (SwiGLU: 2.2–2.5× Math.exp's loop with 4 pairs, 1.6× with 1; this 2-core EPYC).
import { FunctionBody } from './wasm-emitter.ts';

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
export const PAIRS = 4;

/** v128 constants held in locals, set once before a kernel's loop (a v128.const inside it is rebuilt every pass). */
export class V128Constants {
  private readonly pre = new FunctionBody([]);
  private readonly at = new Map<string, number>();
  constructor(private readonly f: FunctionBody) {}

  private get(key: string, lanes: readonly [number, number] | readonly [bigint, bigint]): void {
    let at = this.at.get(key);
    if (at === undefined) {
      at = this.f.local('v128');
      this.at.set(key, at);
      this.pre.v128Const(lanes).set(at);
    }
    this.f.get(at);
  }
  /** Pushes a float64 pair. */
  f64(v: number): void {
    this.get(`f${v}`, [v, v]);
  }
  /** Pushes the float64 pair (a, b): lane 0 a, lane 1 b. */
  f64Pair(a: number, b: number): void {
    this.get(`f${a},${b}`, [a, b]);
  }
  /** Pushes an int64 pair. */
  i64(v: bigint): void {
    this.get(`i${v}`, [v, v]);
  }
  /** Sets them all at `codeIndex` of the function (before its loop). */
  setAt(codeIndex: number): void {
    this.f.code.splice(codeIndex, 0, ...this.pre.code);
  }
}

/** Each statement for pair 0, 1, …, PAIRS−1 in turn: one pass, the pairs' chains interleaved. */
export function interleave(statements: ((p: number) => void)[]): void {
  for (const statement of statements) for (let p = 0; p < PAIRS; p++) statement(p);
}

/**
 * for (i = 0; i < n; i += 2·PAIRS) { each statement for pair 0, 1, …, PAIRS−1 in turn }, with `k`'s constants set
 * before the loop: the pass loop of a kernel over pairs of float64 lanes (n is the i32 parameter or local `n`).
 */
export function pairLoop(f: FunctionBody, k: V128Constants, i: number, n: number, statements: ((p: number) => void)[]) {
  const head = f.code.length;
  f.forRange(
    i,
    () => f.i32(0),
    () => f.get(n),
    2 * PAIRS,
    () => {
      interleave(statements);
    },
  );
  k.setAt(head);
}

/**
 * Statements setting e[p] = exp(−|x[p]|) (Math.exp's bits) from the float64 pairs in x[p], for p < PAIRS; the
 * caller emits each statement for every pair in turn, so that the pairs' chains interleave.
 */
export function expNegAbs(f: FunctionBody, k: V128Constants, x: number[], e: number[]): ((p: number) => void)[] {
  const pairs = () => Array.from({ length: PAIRS }, () => f.local('v128'));
  const [ax, kd, hi, lo, r, t, c, y, s] = Array.from({ length: 9 }, pairs);
  const F = (v: number) => k.f64(v);
  const I = (v: bigint) => k.i64(v);
  /** 2^(k + bias) as float64 bits, from kd (integral) */
  const pow2 = (p: number, bias: number) => {
    f.get(kd[p]!);
    F(MAGIC + bias);
    f.f64x2Add();
    I(1023n - MAGIC_BITS);
    f.i64x2Add().i32(52).i64x2Shl();
  };
  return [
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
  ];
}
