// SwiGLU's forward as WebAssembly SIMD emitted by TypeScript: out = SiLU(gate)·up and σ(gate) kept for the
// backward, with the bits of fused.ts's swigluKeep, whose cost is one Math.exp per element (a call into V8's C
// code, about 10 ns; 14% of a lesson training step).
//
//   σ(x) = (x ≥ 0 ? 1 : e) / (1 + e),  e = exp(−|x|)      (fused.ts's exp(−x) for x ≥ 0 and exp(x) for x < 0)
//   out  = fround(fround(x·σ)·up)
//
// And its backward from the kept σ, fused.ts's swigluBackwardKept (no exp; 4% of the step as a loop):
//   dGate = fround(fround(g·up) · fround(σ·(1 + x·(1 − σ)))),  dUp = fround(g · fround(x·σ))
// e is exp-neg-abs.ts's: Math.exp's algorithm, four pairs of lanes interleaved (2.2–2.5× Math.exp's loop with its
// copies in and out; 1.6× with one pair: a pair's chain of ~40 dependent operations leaves the core idle).
import * as fused from '../fused.ts';
import { KernelMemory } from './kernel-memory.ts';
import { expNegAbs, pairLoop, PAIRS, V128Constants } from './exp-neg-abs.ts';
import { FunctionBody } from './wasm-emitter.ts';

const PER_PASS = 2 * PAIRS;

/** swiglu(gate, up, sig, out, n): byte offsets of float32 gate and up, float64 sig, float32 out; n a multiple of 8. */
function emitSwiglu(): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32']);
  const [gate, up, sig, out, n] = [0, 1, 2, 3, 4];
  const i = f.local('i32');
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
  pairLoop(f, k, i, n, statements);
  return f;
}

/** swigluBackward(gate, up, sig, g, dGate, dUp, n): byte offsets (float64 sig, the rest float32); n a multiple of 8. */
function emitSwigluBackward(): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [gate, up, sig, g, dGate, dUp, n] = [0, 1, 2, 3, 4, 5, 6];
  const i = f.local('i32');
  const pairs = () => Array.from({ length: PAIRS }, () => f.local('v128'));
  const [x, sg, gi] = [pairs(), pairs(), pairs()];
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
    (p) => {
      at(dGate, 4).get(gi[p]!);
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
      at(dUp, 4).get(gi[p]!).get(x[p]!).get(sg[p]!).f64x2Mul();
      round();
      f.f64x2Mul()
        .f32x4DemoteF64x2Zero()
        .v128Store64Lane0(8 * p);
    },
  ];
  pairLoop(f, k, i, n, statements);
  return f;
}

/** Below this many elements the plain loop is as fast (views and the call cost more than they save). */
const MIN_ELEMENTS = 64;

/** The kernel over its own memory (kernel-memory.ts): operands are copied in, results out. */
export class SimdSwiglu {
  private readonly memory = new KernelMemory();
  private readonly fns = this.memory.instantiate([
    { name: 'swiglu', body: emitSwiglu() },
    { name: 'backward', body: emitSwigluBackward() },
  ]);
  private readonly fn = this.fns.swiglu as (gate: number, up: number, sig: number, out: number, n: number) => void;
  private readonly backwardFn = this.fns.backward as (...offsets: number[]) => void;

  /** out = SiLU(a)·b, sig = σ(a) where given: fused.swigluKeep's (or fused.swiglu's) bits. */
  keep(a: Float32Array, b: Float32Array, out: Float32Array, sig?: Float64Array): void {
    const n = a.length,
      padded = Math.ceil(n / PER_PASS) * PER_PASS;
    const at = { gate: 0, up: 4 * padded, sig: 8 * padded, out: 16 * padded };
    if (n < MIN_ELEMENTS || !this.memory.fit(20 * padded)) {
      if (sig) fused.swigluKeep(a, b, out, sig);
      else fused.swiglu(a, b, out);
      return;
    }
    this.memory.f32(at.gate, n).set(a);
    this.memory.f32(at.up, n).set(b);
    this.fn(at.gate, at.up, at.sig, at.out, padded);
    if (sig) sig.set(this.memory.f64(at.sig, n));
    out.set(this.memory.f32(at.out, n));
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

  /** dGate and dUp from the kept σ: fused.swigluBackwardKept's bits. */
  backward(a: Float32Array, b: Float32Array, sig: Float64Array, g: Float32Array, da: Float32Array, db: Float32Array) {
    const n = a.length,
      padded = Math.ceil(n / PER_PASS) * PER_PASS;
    const at = { gate: 0, up: 4 * padded, g: 8 * padded, sig: 12 * padded, dGate: 20 * padded, dUp: 24 * padded };
    if (n < MIN_ELEMENTS || !this.memory.fit(28 * padded)) return fused.swigluBackwardKept(a, b, sig, g, da, db);
    this.memory.f32(at.gate, n).set(a);
    this.memory.f32(at.up, n).set(b);
    this.memory.f32(at.g, n).set(g);
    this.memory.f64(at.sig, n).set(sig.subarray(0, n));
    this.backwardFn(at.gate, at.up, at.sig, at.g, at.dGate, at.dUp, padded);
    da.set(this.memory.f32(at.dGate, n));
    db.set(this.memory.f32(at.dUp, n));
  }
}
