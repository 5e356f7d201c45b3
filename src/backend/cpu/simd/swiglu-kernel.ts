// SwiGLU's forward as WebAssembly SIMD emitted by TypeScript: out = SiLU(gate)·up and σ(gate) kept for the
// backward, with the bits of fused.ts's swigluKeep, whose cost is one Math.exp per element (a call into V8's C
// code, about 10 ns; 14% of a lesson training step).
//
//   σ(x) = (x ≥ 0 ? 1 : e) / (1 + e),  e = exp(−|x|)      (fused.ts's exp(−x) for x ≥ 0 and exp(x) for x < 0)
//   out  = fround(fround(x·σ)·up)
//
// And its backward from the kept σ, fused.ts's swigluBackwardKept (no exp; 4% of the step as a loop):
//   dGate = fround(fround(g·up) · fround(σ·(1 + x·(1 − σ)))),  dUp = fround(g · fround(x·σ))
// With the MoE's combine weight w[r] per row (fused.ts's swigluScaledKeep and its backward), out is rounded once
// more after ·w[r], dGate and dUp see g' = fround(g·w[r]) for g, and ∂w[r] = Σ_j fround(g · fround(fround(x·σ)·up)).
// e is exp-neg-abs.ts's: Math.exp's algorithm, four pairs of lanes interleaved (2.2–2.5× Math.exp's loop with its
// copies in and out; 1.6× with one pair: a pair's chain of ~40 dependent operations leaves the core idle).
import * as fused from '../fused.ts';
import { KernelMemory } from './kernel-memory.ts';
import { expNegAbs, pairLoop, PAIRS, V128Constants } from './exp-neg-abs.ts';
import { FunctionBody } from './wasm-emitter.ts';

const PER_PASS = 2 * PAIRS;

/**
 * swiglu(gate, up, sig, out, n): byte offsets of float32 gate and up, float64 sig, float32 out; n a multiple of 8.
 * Scaled, swigluScaled(gate, up, sig, out, n, w, rowLen) also multiplies row r's outputs by the float32 w[r]
 * (rows of rowLen, a multiple of 8, so that a pass lies in one row): out = fround(out·w[r]).
 */
function emitSwiglu(scaled: boolean): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32', ...(scaled ? (['i32', 'i32'] as const) : [])]);
  const [gate, up, sig, out, n, w, rowLen] = [0, 1, 2, 3, 4, 5, 6];
  const i = f.local('i32');
  const weight = scaled ? rowWeight(f, i, w, rowLen) : undefined;
  const pairs = () => Array.from({ length: PAIRS }, () => f.local('v128'));
  const [x, e] = [pairs(), pairs()];
  const k = new V128Constants(f);
  const F = (v: number) => k.f64(v);
  const at = (base: number, bytes: number) => f.get(base).get(i).i32(bytes).i32Mul().i32Add();
  // One statement each; emitted pair by pair, so the four pairs' chains interleave.
  const statements: ((p: number) => void)[] = [
    (p) =>
      at(gate, 4)
        .v128Load64Zero(8 * p)
        .f64x2PromoteLowF32x4()
        .set(x[p]!),
    ...expNegAbs(f, k, x, e),
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
    // out = fround(fround(x·σ)·up), then fround(out·w[r]) when scaled
    (p) => {
      at(out, 4).get(x[p]!).get(e[p]!).f64x2Mul().f32x4DemoteF64x2Zero().f64x2PromoteLowF32x4();
      at(up, 4)
        .v128Load64Zero(8 * p)
        .f64x2PromoteLowF32x4();
      f.f64x2Mul().f32x4DemoteF64x2Zero();
      if (weight) f.f64x2PromoteLowF32x4().get(weight.local).f64x2Mul().f32x4DemoteF64x2Zero();
      f.v128Store64Lane0(8 * p);
    },
  ];
  pairLoop(f, k, i, n, weight ? [weight.statement, ...statements] : statements);
  return f;
}

/**
 * A pass's row weight: a statement (emitted for pair 0 only) setting `local` to w[i / rowLen] in both float64
 * lanes, where w and rowLen are parameters (a byte offset of float32 weights, and the row length).
 */
function rowWeight(f: FunctionBody, i: number, w: number, rowLen: number) {
  const local = f.local('v128');
  const statement = (p: number) => {
    if (p === 0)
      f.get(w).get(i).get(rowLen).i32DivU().i32(4).i32Mul().i32Add().f32Load().f64PromoteF32().f64x2Splat().set(local);
  };
  return { local, statement };
}

/**
 * swigluBackward(gate, up, sig, g, dGate, dUp, n): byte offsets (float64 sig, the rest float32); n a multiple of 8.
 * Scaled, swigluScaledBackward(…, n, w, rowLen, gh) takes g times row r's weight, gw = fround(g·w[r]), for dGate
 * and dUp, and stores gh = fround(g · fround(fround(x·σ)·up)), the terms of ∂w[r] = Σ_j gh (summed by the caller).
 */
function emitSwigluBackward(scaled: boolean): FunctionBody {
  const f = new FunctionBody([
    ...(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'] as const),
    ...(scaled ? (['i32', 'i32', 'i32'] as const) : []),
  ]);
  const [gate, up, sig, g, dGate, dUp, n, w, rowLen, gh] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const i = f.local('i32');
  const weight = scaled ? rowWeight(f, i, w, rowLen) : undefined;
  const pairs = () => Array.from({ length: PAIRS }, () => f.local('v128'));
  const [x, sg, gi, gw] = [pairs(), pairs(), pairs(), pairs()];
  const k = new V128Constants(f);
  const at = (base: number, bytes: number) => f.get(base).get(i).i32(bytes).i32Mul().i32Add();
  const round = () => f.f32x4DemoteF64x2Zero().f64x2PromoteLowF32x4();
  const statements: ((p: number) => void)[] = [
    (p) =>
      at(gate, 4)
        .v128Load64Zero(8 * p)
        .f64x2PromoteLowF32x4()
        .set(x[p]!),
    (p) =>
      at(sig, 8)
        .v128Load(16 * p)
        .set(sg[p]!),
    (p) =>
      at(g, 4)
        .v128Load64Zero(8 * p)
        .f64x2PromoteLowF32x4()
        .set(gi[p]!),
    // the gradient dGate and dUp see: g, or fround(g·w[r])
    (p) => {
      f.get(gi[p]!);
      if (weight) {
        f.get(weight.local).f64x2Mul();
        round();
      }
      f.set(gw[p]!);
    },
    (p) => {
      at(dGate, 4).get(gw[p]!);
      at(up, 4)
        .v128Load64Zero(8 * p)
        .f64x2PromoteLowF32x4()
        .f64x2Mul();
      round();
      f.get(sg[p]!);
      k.f64(1);
      f.get(x[p]!);
      k.f64(1);
      f.get(sg[p]!).f64x2Sub().f64x2Mul().f64x2Add().f64x2Mul();
      round();
      f.f64x2Mul()
        .f32x4DemoteF64x2Zero()
        .v128Store64Lane0(8 * p);
    },
    (p) => {
      at(dUp, 4).get(gw[p]!).get(x[p]!).get(sg[p]!).f64x2Mul();
      round();
      f.f64x2Mul()
        .f32x4DemoteF64x2Zero()
        .v128Store64Lane0(8 * p);
    },
  ];
  if (weight)
    statements.push((p) => {
      at(gh, 4).get(gi[p]!).get(x[p]!).get(sg[p]!).f64x2Mul();
      round();
      at(up, 4)
        .v128Load64Zero(8 * p)
        .f64x2PromoteLowF32x4()
        .f64x2Mul();
      round();
      f.f64x2Mul()
        .f32x4DemoteF64x2Zero()
        .v128Store64Lane0(8 * p);
    });
  pairLoop(f, k, i, n, weight ? [weight.statement, ...statements] : statements);
  return f;
}

/** Below this many elements the plain loop is as fast (views and the call cost more than they save). */
const MIN_ELEMENTS = 64;

/** The kernel over this thread's arena (kernel-memory.ts): tensors in it are read and written in place. */
export class SimdSwiglu {
  private readonly memory = new KernelMemory();
  private readonly fns = this.memory.instantiate([
    { name: 'swiglu', body: emitSwiglu(false) },
    { name: 'swigluScaled', body: emitSwiglu(true) },
    { name: 'backward', body: emitSwigluBackward(false) },
    { name: 'backwardScaled', body: emitSwigluBackward(true) },
  ]) as Record<'swiglu' | 'swigluScaled' | 'backward' | 'backwardScaled', (...offsets: number[]) => void>;

  /** out = SiLU(a)·b, sig = σ(a) where given: fused.swigluKeep's (or fused.swiglu's) bits. */
  keep(a: Float32Array, b: Float32Array, out: Float32Array, sig?: Float64Array): void {
    if (!this.forward(a, b, out, sig)) {
      if (sig) fused.swigluKeep(a, b, out, sig);
      else fused.swiglu(a, b, out);
    }
  }

  /** keep with each row of n times its weight w[row]: fused.swigluScaledKeep's bits (its rounding, then ·w). */
  scaledKeep(a: Float32Array, b: Float32Array, w: Float32Array, out: Float32Array, sig: Float64Array, n: number) {
    if (!this.forward(a, b, out, sig, { w, n })) fused.swigluScaledKeep(a, b, w, out, sig, n);
  }

  /** The kernel's forward, rows scaled where w is given; false (nothing written) where the loop should run. */
  private forward(a: Float32Array, b: Float32Array, out: Float32Array, sig?: Float64Array, rows?: RowWeights) {
    const n = a.length,
      padded = Math.ceil(n / PER_PASS) * PER_PASS;
    if (n < MIN_ELEMENTS || (rows && rows.n % PER_PASS !== 0)) return false;
    const call = this.memory.call([4 * padded, 4 * padded, 8 * padded, 4 * padded, 4 * (rows?.w.length ?? 0)]);
    if (!call) return false;
    const [gate, up] = [call.in(0, a), call.in(1, b)];
    // σ goes to the caller's array when given, else to scratch (read by nobody)
    const sg = sig ? call.out(2, sig.subarray(0, n)) : call.at[2]!;
    const o = call.out(3, out);
    if (rows) this.fns.swigluScaled(gate, up, sg, o, padded, call.in(4, rows.w), rows.n);
    else this.fns.swiglu(gate, up, sg, o, padded);
    call.finish();
    return true;
  }

  /** dGate and dUp from the kept σ: fused.swigluBackwardKept's bits. */
  backward(a: Float32Array, b: Float32Array, sig: Float64Array, g: Float32Array, da: Float32Array, db: Float32Array) {
    if (!this.backwardRun(a, b, sig, g, [da, db])) fused.swigluBackwardKept(a, b, sig, g, da, db);
  }

  /**
   * The row-weighted form's backward, fused.swigluScaledBackwardKept's bits: the kernel's dGate and dUp of
   * fround(g·w[r]), and dw[r] = Σ_j fround(g·fround(SiLU(a)·b)) [r, j], the kernel's terms summed here in float64.
   */
  scaledBackward(
    a: Float32Array,
    b: Float32Array,
    w: Float32Array,
    sig: Float64Array,
    g: Float32Array,
    [da, db, dw]: [Float32Array, Float32Array, Float32Array],
    n: number,
  ) {
    const terms = this.backwardRun(a, b, sig, g, [da, db], { w, n });
    if (!terms) return fused.swigluScaledBackwardKept(a, b, w, sig, g, da, db, dw, n);
    for (let r = 0; r < a.length / n; r++) {
      let s = 0;
      for (let j = r * n; j < (r + 1) * n; j++) s += terms[j]!;
      dw[r] = s;
    }
  }

  /**
   * The kernel's backward into da and db (and, rows scaled, the terms of ∂w, returned as a view of the kernel's
   * memory, good until its next call); null, with nothing written, where the loop should run.
   */
  private backwardRun(
    a: Float32Array,
    b: Float32Array,
    sig: Float64Array,
    g: Float32Array,
    [da, db]: [Float32Array, Float32Array],
    rows?: RowWeights,
  ): Float32Array | null {
    const n = a.length,
      padded = Math.ceil(n / PER_PASS) * PER_PASS,
      v = 4 * padded;
    if (n < MIN_ELEMENTS || (rows && rows.n % PER_PASS !== 0)) return null;
    const call = this.memory.call([v, v, v, 2 * v, v, v, 4 * (rows?.w.length ?? 0), v]);
    if (!call) return null;
    const [gate, up, gs, sg] = [call.in(0, a), call.in(1, b), call.in(2, g), call.in(3, sig.subarray(0, n))];
    const [dGate, dUp] = [call.out(4, da), call.out(5, db)];
    const gh = call.at[7]!;
    if (rows) this.fns.backwardScaled(gate, up, sg, gs, dGate, dUp, padded, call.in(6, rows.w), rows.n, gh);
    else this.fns.backward(gate, up, sg, gs, dGate, dUp, padded);
    call.finish();
    return this.memory.f32(gh, n);
  }
}

/** A weight per row of n (the MoE's combine weights). */
interface RowWeights {
  w: Float32Array;
  n: number;
}
