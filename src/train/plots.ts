// The pretraining plot: loss against step, with held-out accuracy on a second axis.
import { writeFileAtomic } from '../core/fsio.ts';
import { svgLineChart } from '../plot/svg.ts';
import type { TrainStep } from './trainer.ts';

export function lossChart(metrics: TrainStep[], title = 'Pretraining'): string {
  const evals = metrics.filter((m) => m.eval);
  return svgLineChart({
    title,
    xLabel: 'step',
    yLabel: 'loss (nats/token)',
    series: [
      { name: 'training loss', points: metrics.map((m) => [m.step, m.loss]) },
      { name: 'held-out accuracy', points: evals.map((m) => [m.step, m.eval!.accuracy]) },
    ],
    yRight: { label: 'accuracy', series: [1] },
  });
}

export function writeLossPlot(path: string, metrics: TrainStep[]): void {
  writeFileAtomic(path, lossChart(metrics));
}
