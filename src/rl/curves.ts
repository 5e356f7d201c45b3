// Curves from RL metrics: one metric against step, averaged over seeds with a mean ± std band, and the
// charts the aha experiment draws from them (the R1 picture: accuracy and response length rising together).
//   mean_s(step) = (1/S) Σ_seeds m_seed(step)      band = mean ± std over the seeds (population std), clipped
//   to the range the seeds span at that step, so a band never shows a value no seed had (a negative length,
//   an accuracy above 1: two seeds at 0 and one at 30 give mean 10, std 14.1, band [0, 24.1], not [−4.1, 24.1]).
// Only steps where every seed has a value count, so a shorter (interrupted) seed never skews the mean.
import { svgLineChart, type LineSeries } from '../plot/svg.ts';
import type { MetricKey, RlStepMetrics } from './step-metrics.ts';

export interface Curve {
  /** [step, mean] */
  points: [number, number][];
  /** [step, max(mean − std, min), min(mean + std, max)] over the seeds; empty for a single seed. */
  band: [number, number, number][];
}

export function meanCurve(runs: readonly (readonly RlStepMetrics[])[], key: MetricKey): Curve {
  const bySeed = runs.map(
    (lines) => new Map(lines.filter((l) => l[key] !== null).map((l) => [l.step, l[key] as number])),
  );
  const steps = [...(bySeed[0]?.keys() ?? [])].filter((s) => bySeed.every((m) => m.has(s))).sort((a, b) => a - b);
  const points: [number, number][] = [];
  const band: [number, number, number][] = [];
  for (const s of steps) {
    const vs = bySeed.map((m) => m.get(s)!);
    const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
    points.push([s, mean]);
    if (vs.length > 1) {
      const std = Math.sqrt(vs.reduce((a, b) => a + (b - mean) ** 2, 0) / vs.length);
      band.push([s, Math.max(mean - std, Math.min(...vs)), Math.min(mean + std, Math.max(...vs))]);
    }
  }
  return { points, band };
}

/** A chart series for a metric, with its band when there are several seeds. */
export function curveSeries(
  name: string,
  runs: readonly (readonly RlStepMetrics[])[],
  key: MetricKey,
  dashed?: boolean,
): LineSeries {
  const c = meanCurve(runs, key);
  const s: LineSeries = { name, points: c.points };
  if (c.band.length) s.band = c.band;
  if (dashed !== undefined) s.dashed = dashed;
  return s;
}

/** First and last value of a metric (mean over seeds; with `window`, the mean of the first and of the last
 * `window` measured steps, for noisy per-step metrics), or null when it was never measured. */
export function firstLast(
  runs: readonly (readonly RlStepMetrics[])[],
  key: MetricKey,
  window = 1,
): { first: number; last: number } | null {
  const v = meanCurve(runs, key).points.map((p) => p[1]);
  if (!v.length) return null;
  const w = Math.min(window, v.length);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { first: mean(v.slice(0, w)), last: mean(v.slice(-w)) };
}

/** The aha chart: held-out accuracy (greedy and pass@1) and the share of answers that re-check on the left,
 * think and response length on the right. */
export function ahaChart(runs: readonly (readonly RlStepMetrics[])[], title: string): string {
  const seeds = runs.length > 1 ? ` (mean ± std of ${runs.length} seeds)` : '';
  return svgLineChart({
    title: title + seeds,
    xLabel: 'RL step',
    yLabel: 'held-out accuracy, share re-checking',
    series: [
      curveSeries('accuracy (greedy)', runs, 'evalGreedyAcc'),
      curveSeries('accuracy (pass@1)', runs, 'evalPass1'),
      curveSeries('answers that re-check, held-out', runs, 'evalReflectiveFrac', true),
      curveSeries('think length, held-out (chars)', runs, 'evalThinkLen'),
      curveSeries('response length, training (tokens)', runs, 'lenAll'),
    ],
    yRight: { label: 'length', series: [3, 4] },
  });
}

/** Several arms of an ablation on one chart: `key` per arm, e.g. incorrect-answer length for grpo vs dr_grpo. */
export function compareChart(
  arms: { name: string; runs: readonly (readonly RlStepMetrics[])[] }[],
  key: MetricKey,
  title: string,
  yLabel: string,
  right?: { key: MetricKey; label: string },
): string {
  const series: LineSeries[] = arms.map((a) => curveSeries(`${a.name}: ${yLabel}`, a.runs, key));
  if (right) series.push(...arms.map((a) => curveSeries(`${a.name}: ${right.label}`, a.runs, right.key, true)));
  return svgLineChart({
    title,
    xLabel: 'RL step',
    yLabel,
    series,
    ...(right ? { yRight: { label: right.label, series: arms.map((_, i) => arms.length + i) } } : {}),
  });
}
