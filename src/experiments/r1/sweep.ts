// The trade-offs of the R1 pipeline (issue 14 item 5), each from a finished pipeline run directory:
//   weight      reasoning-rl rerun from the same cold-start checkpoint with language weight w ∈ {0, 0.25, 0.5, 1}:
//               held-out accuracy against mixing, the curve R1 eq. 7 trades along (R1 B.6 shows only w = 0 and 1)
//   cold-start  the cold-start SFT from the base on the first n curated zero traces, n ∈ sizes: what the set's
//               size buys or costs in accuracy and readability (R1 used "thousands" and reports no sweep)
// Each point is a stage directory of its own under <out>/sweep-<name>/; the points are in sweep-<name>.json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../core/fsio.ts';
import { svgLineChart } from '../../plot/svg.ts';
import type { R1Config } from './config.ts';
import { finishedRow, readRow, runStage, stageInputs, type R1Hooks, type StageRow } from './pipeline.ts';

export const SWEEPS = ['weight', 'cold-start'] as const;
export type SweepName = (typeof SWEEPS)[number];
export const DEFAULT_WEIGHTS = [0, 0.25, 0.5, 1];
export const DEFAULT_SIZES = [32, 64, 128, 256];

export interface SweepPoint {
  value: number;
  row: StageRow;
}

/** Run a sweep in a pipeline's run directory, with the pipeline's own config (r1.json) when it has one. */
export async function runSweep(
  given: R1Config,
  name: SweepName,
  values: readonly number[],
  hooks: Pick<R1Hooks, 'out' | 'onEvent' | 'signal'>,
): Promise<SweepPoint[]> {
  const saved = join(hooks.out, 'r1.json');
  const c: R1Config = existsSync(saved) ? (JSON.parse(readFileSync(saved, 'utf8')) as R1Config) : given;
  const need = name === 'weight' ? 'cold-start' : 'zero';
  if (!finishedRow(hooks.out, need))
    throw new InputError(
      `${hooks.out}: the ${name} sweep starts from ${need}, which is not finished there (run tinyseek r1 first)`,
    );
  const stage = name === 'weight' ? 'reasoning-rl' : 'cold-start';
  const inputs = stageInputs(stage, c.base, hooks.out);
  const points: SweepPoint[] = [];
  for (const value of values) {
    const dir = join(hooks.out, `sweep-${name}`, `${name === 'weight' ? 'w' : 'n'}-${value}`);
    const done = readRow(dir);
    const cfg: R1Config =
      name === 'weight'
        ? { ...c, reasoningRl: { ...c.reasoningRl, languageWeight: value } }
        : { ...c, coldStart: { ...c.coldStart, size: value } };
    const row = done ?? (await runStage(cfg, stage, hooks, dir, inputs));
    if (!row) break;
    points.push({ value, row });
  }
  writeJsonAtomic(join(hooks.out, `sweep-${name}.json`), {
    sweep: name,
    points: points.map((p) => ({ [name === 'weight' ? 'languageWeight' : 'size']: p.value, ...summaryOf(p.row) })),
  });
  writeFileAtomic(join(hooks.out, `sweep-${name}.svg`), sweepChart(name, points));
  return points;
}

const summaryOf = (r: StageRow) => ({
  greedy: r.greedy,
  pass1: r.pass1,
  passK: r.passK,
  mixing: r.mixing,
  mixingWords: r.byLanguage.words.mixing,
  readability: r.readability,
  format: r.format,
  flops: r.flops,
});

function sweepChart(name: SweepName, points: readonly SweepPoint[]): string {
  const s = (label: string, f: (r: StageRow) => number) => ({
    name: label,
    points: points.map((p) => [p.value, f(p.row)] as [number, number]),
  });
  return svgLineChart({
    title:
      name === 'weight'
        ? 'Reasoning RL: the language-consistency weight trades accuracy for consistency'
        : 'Cold start: what the size of the curated set buys',
    xLabel: name === 'weight' ? 'language reward weight w' : 'cold-start examples',
    yLabel: 'share',
    logX: name === 'cold-start',
    series: [
      s('greedy accuracy', (r) => r.greedy),
      s('pass@1', (r) => r.pass1),
      s('mixing', (r) => r.mixing),
      s('readability', (r) => r.readability),
    ],
  });
}
