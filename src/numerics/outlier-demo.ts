// Why V3 scales FP8 per tile: one activation outlier ruins a per-tensor scale for every other value.
//
// With s = amax/fp8max, a single outlier of size O sets s = O/448 (E4M3), so an ordinary value x lands at
// x·448/O in FP8 units. Once that falls under the smallest normal (2^-6) the value keeps fewer than 4
// significant bits, and under half the smallest subnormal (2^-10) it is flushed to zero. A 1×T tile or T×T
// block confines the damage to the group that holds the outlier [V3 §3.3, "outliers" motivation].
// The matrix is [tokens, channels] of N(0,1) activations with one outlier; errors are over the other values.
import { InputError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import type { Fp8FormatName } from './formats.ts';
import { dequantise, quantise, type Granularity } from './scaling.ts';

export interface OutlierDemoOptions {
  format: Fp8FormatName;
  tokens: number;
  channels: number;
  tileSize: number;
  /** Value of the single outlier (its sign is kept). */
  outlier: number;
  seed: number;
  ue8m0Scales: boolean;
}

export const OUTLIER_DEMO_DEFAULTS: OutlierDemoOptions = {
  format: 'e4m3',
  tokens: 16,
  channels: 512,
  tileSize: 128,
  outlier: 1e5,
  seed: 0,
  ue8m0Scales: false,
};

export interface ScalingErrorRow {
  scaling: string;
  granularity: Granularity;
  withOutlier: boolean;
  /** How many scales the matrix needs. */
  scales: number;
  /** sqrt(Σ(x̂ - x)² / Σx²) over the ordinary values. */
  relRmse: number;
  medianRelError: number;
  maxRelError: number;
  /** Ordinary non-zero values that came back as 0. */
  flushedToZero: number;
  /** Relative error of the outlier itself (null in the row without one). */
  outlierRelError: number | null;
}

export function outlierScalingDemo(opts: Partial<OutlierDemoOptions> = {}): ScalingErrorRow[] {
  const o = { ...OUTLIER_DEMO_DEFAULTS, ...opts };
  if (!Number.isFinite(Math.fround(o.outlier)) || o.outlier === 0)
    throw new InputError(`outlier must be a non-zero number within float32 range, got ${o.outlier}`);
  if (!(o.tokens * o.channels >= 2))
    throw new InputError(
      `need at least 2 values (the outlier and one ordinary value), got [${o.tokens}, ${o.channels}]`,
    );
  const { tokens, channels, tileSize } = o;
  const rng = new Rng(o.seed).child('fp8-outlier-demo');
  const clean = new Float32Array(tokens * channels);
  for (let i = 0; i < clean.length; i++) clean[i] = rng.normal();
  // Put the outlier somewhere unremarkable: the middle token, a third of the way along the channels.
  const at = Math.floor(tokens / 2) * channels + Math.floor(channels / 3);
  const spiked = clean.slice();
  spiked[at] = o.outlier;
  const cases: [string, Granularity, boolean][] = [
    ['per-tensor, no outlier', 'tensor', false],
    ['per-tensor', 'tensor', true],
    [`tile 1x${tileSize}`, 'tile', true],
    [`block ${tileSize}x${tileSize}`, 'block', true],
  ];
  return cases.map(([scaling, granularity, withOutlier]) => {
    const x = withOutlier ? spiked : clean;
    const q = quantise(x, tokens, channels, { format: o.format, granularity, tileSize, ue8m0Scales: o.ue8m0Scales });
    const xh = dequantise(q);
    let se = 0,
      sx = 0,
      flushed = 0;
    const rel: number[] = [];
    for (let i = 0; i < x.length; i++) {
      if (withOutlier && i === at) continue;
      const err = xh[i]! - x[i]!;
      se += err * err;
      sx += x[i]! * x[i]!;
      if (x[i] !== 0) rel.push(Math.abs(err / x[i]!));
      if (x[i] !== 0 && xh[i] === 0) flushed++;
    }
    rel.sort((a, b) => a - b);
    return {
      scaling,
      granularity,
      withOutlier,
      scales: q.scales.length,
      relRmse: Math.sqrt(se / sx),
      medianRelError: rel[Math.floor(rel.length / 2)]!,
      maxRelError: rel[rel.length - 1]!,
      flushedToZero: flushed,
      outlierRelError: withOutlier ? Math.abs((xh[at]! - x[at]!) / x[at]!) : null,
    };
  });
}
