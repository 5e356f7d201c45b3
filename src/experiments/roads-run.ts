// `tinyseek experiment roads-not-taken`: runs the experiment (roads-not-taken.ts) and writes its run directory:
// summary.json (every table as rows: labels, bestOfN [{selector, n, accuracy}], mcts, prmRl, rounds,
// compute [{method, flops, tokens, accuracy}]), tables.md, compute.svg, best-of-n.svg, hacking.svg (held-out
// accuracy and PRM reward per evaluation), hacking-steps.svg (PRM reward vs oracle accuracy per RL step); the
// experiment command adds results.json, metrics.jsonl (one line per RL step per arm), table.md and plot.svg.
// Ctrl-C stops after the current RL step; every finished stage is kept in the run directory (roads-stages.ts),
// and --resume reads those back and runs the rest (a stage stopped half-way starts again).
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { writeFileAtomic, writeJsonAtomic } from '../core/fsio.ts';
import { RunInterrupted } from '../train/trainer.ts';
import type { ArchReport, ExperimentHooks } from './arch-report.ts';
import { ROADS_BUDGETS, runRoadsNotTaken, type RoadsBudget } from './roads-not-taken.ts';
import { bestOfNSvg, computeSvg, computeTable, hackingStepsSvg, hackingSvg, roadsTables } from './roads-report.ts';

export async function runRoadsExperiment(
  o: { seed: number; budget: RoadsBudget; steps?: number },
  out: string,
  h: ExperimentHooks,
): Promise<ArchReport> {
  const b = ROADS_BUDGETS[o.budget];
  const rl = o.steps ? { ...b.rl, steps: o.steps, evalEvery: Math.min(b.rl.evalEvery, o.steps) } : b.rl;
  const armSteps = rl.steps * rl.seeds.length * (1 + b.prmRl.forms.length);
  const total = armSteps + 8;
  let done = 0;
  // Wall-clock seconds per phase (timing.json), only when the caller passed a clock.
  const phases: { phase: string; seconds: number }[] = [];
  let phaseName = 'base greedy',
    phaseStart = h.now?.() ?? 0;
  const lap = (next: string) => {
    if (!h.now) return;
    const t = h.now();
    phases.push({ phase: phaseName, seconds: Math.round((t - phaseStart) / 100) / 10 });
    [phaseName, phaseStart] = [next, t];
  };
  const { summary, metrics } = await runRoadsNotTaken(
    { budget: o.budget, seed: o.seed, rl },
    {
      shouldStop: () => Boolean(h.signal?.aborted),
      dir: out,
      resume: h.resume,
      onEvent: async (e) => {
        if (e.type === 'phase') {
          lap(e.name);
          await h.onProgress?.(++done, total, e.name);
        } else if (e.type === 'resumed') {
          if (/^(grpo|prm-rl)-/.test(e.name)) done += rl.steps;
          await h.onProgress?.(done, total, `${e.name} (read back)`);
        } else if (e.step < e.steps)
          await h.onProgress?.(++done, total, `${e.arm} seed ${e.seed} step ${e.step + 1}/${e.steps}`);
      },
    },
  );
  if (h.signal?.aborted) throw new RunInterrupted();
  lap('');
  mkdirSync(out, { recursive: true });
  writeJsonAtomic(join(out, 'summary.json'), summary);
  writeFileAtomic(join(out, 'tables.md'), roadsTables(summary) + '\n');
  writeFileAtomic(join(out, 'compute.svg'), computeSvg(summary));
  writeFileAtomic(join(out, 'best-of-n.svg'), bestOfNSvg(summary));
  writeFileAtomic(join(out, 'hacking.svg'), hackingSvg(summary));
  writeFileAtomic(join(out, 'hacking-steps.svg'), hackingStepsSvg(summary));
  return {
    experiment: 'roads-not-taken',
    config: summary.config,
    summary: { compute: summary.compute },
    table: computeTable(summary),
    svg: computeSvg(summary),
    metrics,
    ...(h.now ? { timing: { phases } } : {}),
  };
}
