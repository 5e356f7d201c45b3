// Bit-level views of float32 and float64 numbers, the ground floor of every format in src/numerics.
//
// A float32 is 1 sign bit, 8 exponent bits (bias 127) and 23 fraction bits (IEEE 754 binary32). Writing a
// JS number into a Float32Array rounds it to nearest-even float32 exactly as Math.fround does, so
// `f32Bits(x)` is "round to float32, then look at the bits". The scratch views below are private
// conversion buffers, not state: every function here is pure from the caller's point of view.

const f32 = new Float32Array(1);
const f32u = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const f64u = new Uint32Array(f64.buffer); // little-endian on every platform Node 20 runs on: [lo, hi]

/** The binary32 bit pattern of `x` rounded to float32 (round to nearest even), as an unsigned integer. */
export function f32Bits(x: number): number {
  f32[0] = x;
  return f32u[0]!;
}

/** The float32 whose bit pattern is `bits` (the low 32 bits of the argument). */
export function f32FromBits(bits: number): number {
  f32u[0] = bits >>> 0;
  return f32[0]!;
}

/** floor(log2 |x|) for a finite, non-zero, normal double, read from its exponent field (exact, unlike Math.log2). */
export function exponentOf(x: number): number {
  f64[0] = x;
  return ((f64u[1]! >>> 20) & 0x7ff) - 1023;
}

// 2^e for every e a normal double can hold, built by repeated doubling/halving (each step is exact).
const POW2_MIN = -1022;
const POW2 = (() => {
  const t = new Float64Array(1023 - POW2_MIN + 1);
  t[-POW2_MIN] = 1;
  for (let e = 1; e <= 1023; e++) t[e - POW2_MIN] = t[e - 1 - POW2_MIN]! * 2;
  for (let e = -1; e >= POW2_MIN; e--) t[e - POW2_MIN] = t[e + 1 - POW2_MIN]! / 2;
  return t;
})();

/** 2^e exactly, for integer e in [-1022, 1023] (the normal doubles); Math.pow is not promised to be exact. */
export function pow2(e: number): number {
  const v = POW2[e - POW2_MIN]; // undefined for a non-integer or out-of-range e
  if (v === undefined) throw new RangeError(`pow2: exponent ${e} is not an integer in [-1022, 1023]`);
  return v;
}
