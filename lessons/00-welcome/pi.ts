// Lesson 00's run: estimate π two ways for the same amount of work N and watch both errors fall.
//   series: π = 4·(1 − 1/3 + 1/5 − 1/7 + …) (Leibniz). After N terms the error is about 1/N.
//   darts:  N points uniform in the unit square; the fraction inside the quarter circle x² + y² < 1 tends
//           to π/4. Its error is a binomial count's noise, about 1.64/√N: each extra digit costs 100×.
// The darts come from the project's seeded streams (src/core/rng.ts), so a seed always gives the same
// curve. Cancelling stops between reports and returns what was measured so far.
import { Rng } from '../../src/core/rng.ts';
import type { RunContext, RunResult } from '../../src/tui/manifest.ts';

/** Progress reports (chart points) per run. */
export const REPORTS = 40;
/** N on the small budget (`lessons check`, CI). */
export const SMALL_SAMPLES = 2000;

/** `140×`, `3.2×` */
export const times = (r: number): string => (r >= 10 ? `${Math.round(r)}×` : `${r.toPrecision(2)}×`);

const log10Error = (estimate: number) => Math.log10(Math.max(Math.abs(estimate - Math.PI), 1e-16));

export async function estimatePi(ctx: RunContext): Promise<RunResult> {
  const n = ctx.budget === 'small' ? SMALL_SAMPLES : Number(ctx.knobs['samples']);
  const seed = Number(ctx.knobs['seed']);
  const darts = new Rng(seed).child('darts');
  let sum = 0; // the series' partial sum
  let inside = 0; // darts inside the quarter circle
  let done = 0; // terms added = darts thrown
  for (let r = 1; r <= REPORTS && !ctx.signal.aborted; r++) {
    const upto = Math.round((n * r) / REPORTS);
    for (; done < upto; done++) {
      sum += (done % 2 === 0 ? 4 : -4) / (2 * done + 1);
      const x = darts.next();
      const y = darts.next();
      if (x * x + y * y < 1) inside++;
    }
    ctx.report({
      kind: 'progress',
      step: r,
      total: REPORTS,
      metrics: { 'series log10 error': log10Error(sum), 'darts log10 error': log10Error((4 * inside) / done) },
    });
    await ctx.tick();
  }
  if (done === 0) return { metrics: {}, lines: ['stopped before the first dart'] };

  const dartsEstimate = (4 * inside) / done;
  const seriesError = Math.abs(sum - Math.PI);
  const dartsError = Math.abs(dartsEstimate - Math.PI);
  const ratio = dartsError / seriesError;
  const closer =
    ratio >= 1
      ? `For the same work the series ended ${times(ratio)} closer to π.`
      : `For the same work the darts ended ${times(1 / ratio)} closer to π.`;
  return {
    metrics: { samples: done, seriesError, dartsError },
    lines: [
      `series: π ≈ ${sum.toFixed(8)} after ${done} terms (error ${seriesError.toExponential(1)})`,
      `darts:  π ≈ ${dartsEstimate.toFixed(5)} from ${done} darts, seed ${seed} (error ${dartsError.toExponential(1)})`,
      closer,
      ...(done < n ? [`(stopped after ${done} of ${n})`] : []),
    ],
  };
}
