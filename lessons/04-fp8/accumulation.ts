// Lesson 04's second run: the error of an emulated FP8 GEMM's accumulator as the reduction length K grows,
// with the partial sum kept in the tensor core's narrow register for the whole K ("no promotion") or moved
// to an FP32 accumulator every 128 elements (V3's fix). Both operands are quantised per tensor, and the
// error is measured against FP64 of the *dequantised* FP8 operands, so it is the accumulator's alone.
// Same matrices as src/experiments/fp8-gemm-error.ts (its stream per distribution and K); the register
// width is a knob here, which that study keeps fixed. Small budget: 8x8 outputs instead of 32x32.
import type { RunContext, RunResult } from '../../src/tui/manifest.ts';

export const K_MIN = 128;

const pct = (x: number): string =>
  x === 0 ? '0%' : x * 100 >= 0.01 ? `${(x * 100).toFixed(2)}%` : `${(x * 100).toExponential(1)}%`;

export async function accumulationRun(ctx: RunContext): Promise<RunResult> {
  const { Rng } = await import('../../src/core/rng.ts');
  const { quantise, dequantise } = await import('../../src/numerics/scaling.ts');
  const { fp8GemmQuantised, gemmF64 } = await import('../../src/numerics/fp8-gemm.ts');
  const { errorStats } = await import('../../src/experiments/fp8-gemm-error.ts');
  const dist = String(ctx.knobs['dist']) as 'uniform' | 'normal';
  const bits = Number(ctx.knobs['bits']);
  const maxK = Number(ctx.knobs['maxK']);
  const size = ctx.budget === 'small' ? 8 : 32;
  const metric = dist === 'uniform' ? 'maxRel' : 'normwise';
  const ks: number[] = [];
  for (let k = K_MIN; k <= maxK; k *= 2) ks.push(k);
  const rows: { k: number; plain: number; promoted: number }[] = [];
  for (const [i, k] of ks.entries()) {
    if (ctx.signal.aborted) break;
    const rng = new Rng(0).child('fp8-gemm-error').child(`${dist}-k${k}`);
    const draw = dist === 'normal' ? () => rng.normal() : () => rng.next();
    const a = Float32Array.from({ length: size * k }, draw); // [m, k]
    const bT = Float32Array.from({ length: size * k }, draw); // B^T [n, k]
    const qa = quantise(a, size, k, { format: 'e4m3', granularity: 'tensor', tileSize: 128 });
    const qb = quantise(bT, size, k, { format: 'e4m3', granularity: 'tensor', tileSize: 128 });
    const ref = gemmF64(dequantise(qa, 'f64'), dequantise(qb, 'f64'), size, k, size, true);
    const register = { accumulatorMantissaBits: bits, accumulatorRounding: 'truncate', mmaK: 32 } as const;
    const plain = errorStats(fp8GemmQuantised(qa, qb, { ...register, promoteInterval: null }), ref)[metric];
    const promoted = errorStats(fp8GemmQuantised(qa, qb, { ...register, promoteInterval: 128 }), ref)[metric];
    rows.push({ k, plain, promoted });
    ctx.report({
      kind: 'progress',
      step: i + 1,
      total: ks.length,
      metrics: {
        'no promotion': Math.log10(Math.max(plain, 1e-12)),
        'promote every 128': Math.log10(Math.max(promoted, 1e-12)),
      },
    });
    await ctx.tick();
  }
  if (rows.length === 0) return { metrics: {}, lines: ['stopped before the first K'] };
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const what =
    metric === 'maxRel' ? 'largest relative error over the outputs' : 'normwise relative error ||C − C64|| / ||C64||';
  return {
    metrics: {
      bits,
      kFirst: first.k,
      kLast: last.k,
      plainFirst: first.plain,
      plainLast: last.plain,
      promotedLast: last.promoted,
      growth: last.plain / first.plain,
    },
    lines: [
      `${size}x${size} outputs, ${dist} entries in E4M3, per-tensor scales, a register of ${bits} fraction bits truncated every 32 products; ${what}:`,
      ...rows.map((r) => `K = ${r.k}: ${pct(r.plain)} without promotion, ${pct(r.promoted)} promoting every 128`),
      `From K = ${first.k} to K = ${last.k} (${last.k / first.k}x longer) the error without promotion grew ${(last.plain / first.plain).toFixed(1)}x; with promotion it ended at ${pct(last.promoted)}.`,
      ...(rows.length < ks.length ? [`(stopped after K = ${last.k})`] : []),
    ],
  };
}
