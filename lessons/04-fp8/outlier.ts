// Lesson 04's first run: one activation outlier against three ways to choose FP8 scales.
// The chart sweeps the outlier from 10 to 10^6 and plots, for each scaling, the relative RMS error of the
// OTHER values (log10); the table is for the outlier size the learner picked. The numbers come from
// src/numerics/outlier-demo.ts (a [16, 512] matrix of N(0,1) activations with one outlier), the same
// function `tinyseek fp8 scale` runs. It is pure arithmetic and takes well under a second.
import type { Fp8FormatName } from '../../src/numerics/formats.ts';
import type { ScalingErrorRow } from '../../src/numerics/outlier-demo.ts';
import type { RunContext, RunResult } from '../../src/tui/manifest.ts';

/** Outlier sizes the chart sweeps. */
export const SWEEP = [10, 100, 1e3, 1e4, 1e5, 1e6];

const pct = (x: number): string =>
  x === 0 ? '0%' : x < 0.001 ? `${(x * 100).toPrecision(1)}%` : `${(x * 100).toFixed(1)}%`;
const sizeText = (x: number): string => (x >= 1000 ? `1e${Math.round(Math.log10(x))}` : String(x));

export async function outlierRun(ctx: RunContext): Promise<RunResult> {
  const { outlierScalingDemo } = await import('../../src/numerics/outlier-demo.ts');
  const { fp8Format } = await import('../../src/numerics/formats.ts');
  const format = String(ctx.knobs['format']) as Fp8FormatName;
  const tileSize = Number(ctx.knobs['tileSize']);
  const outlier = Number(ctx.knobs['outlier']);
  const fmt = fp8Format(format);
  const series = (rows: ScalingErrorRow[]) => ({
    'per-tensor': Math.log10(rows[1]!.relRmse),
    'tile 1xT': Math.log10(rows[2]!.relRmse),
    'block TxT': Math.log10(rows[3]!.relRmse),
  });
  for (const [i, size] of SWEEP.entries()) {
    if (ctx.signal.aborted) break;
    const rows = outlierScalingDemo({ format, tileSize, outlier: size });
    ctx.report({ kind: 'progress', step: i + 1, total: SWEEP.length + 1, metrics: series(rows) });
    await ctx.tick();
  }
  const rows = outlierScalingDemo({ format, tileSize, outlier });
  ctx.report({ kind: 'progress', step: SWEEP.length + 1, total: SWEEP.length + 1 });
  const others = 16 * 512 - 1;
  // A value x is stored as x/s with s = outlier/fmax; it is flushed to 0 below half the smallest subnormal.
  const minSub = 2 ** (fmt.emin - fmt.manBits);
  const flushBelow = (outlier / fmt.maxFinite) * (minSub / 2);
  // One sentence per row: result lines are wrapped as prose, so column alignment would not survive.
  const rowLine = (r: ScalingErrorRow) =>
    `${r.scaling}: ${r.scales} scale${r.scales === 1 ? '' : 's'}, error ${pct(r.relRmse)} (median ${pct(r.medianRelError)}), ${r.flushedToZero} flushed to 0 (${pct(r.flushedToZero / others)})`;
  const [clean, tensor, tile, block] = rows as [ScalingErrorRow, ScalingErrorRow, ScalingErrorRow, ScalingErrorRow];
  return {
    metrics: {
      outlier,
      fp8Max: fmt.maxFinite,
      flushBelow,
      relRmseClean: clean.relRmse,
      relRmseTensor: tensor.relRmse,
      relRmseTile: tile.relRmse,
      relRmseBlock: block.relRmse,
      flushedTensor: tensor.flushedToZero / others,
      flushedTile: tile.flushedToZero / others,
      flushedBlock: block.flushedToZero / others,
    },
    lines: [
      `${format.toUpperCase()}, a [16, 512] matrix of N(0,1) values with one outlier of ${sizeText(outlier)}; errors are over the other ${others} values:`,
      ...rows.map(rowLine),
      `With one scale for the tensor, s = ${sizeText(outlier)}/${fmt.maxFinite} = ${(outlier / fmt.maxFinite).toPrecision(3)}, and every |x| below ${flushBelow.toPrecision(2)} becomes 0.`,
      `A 1x${tileSize} tile shares its scale with ${tileSize - 1} values; a ${tileSize}x${tileSize} block (here 16 tokens x ${tileSize}) with ${16 * tileSize - 1}.`,
    ],
  };
}
