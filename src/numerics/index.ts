// src/numerics: number formats and the FP8 machinery of DeepSeek-V3 in software — the OCP FP8 formats E4M3
// and E5M2 bit-exact (plain and saturating casts, batch casts over typed arrays), BF16, UE8M0 power-of-two
// scales, per-tensor / 1×T tile / T×T block scaling, and the FP8 GEMM with a limited-precision accumulator
// and promotion to FP32 every N_C elements. Source: reference/deepseek-v3-architecture.md §4.
export * from './formats.ts';
export * from './fp8.ts';
export * from './fp8-array.ts';
export * from './bf16.ts';
export * from './ue8m0.ts';
export * from './accumulator.ts';
export * from './scaling.ts';
export * from './fp8-gemm.ts';
export * from './outlier-demo.ts';
export { f32Bits, f32FromBits, exponentOf, pow2 } from './float-bits.ts';
