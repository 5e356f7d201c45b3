// `tinyseek r1`: the R1 pipeline in miniature, stage by stage into one run directory (issue 14):
//   <out>/base.json                 the base's row of the table
//   <out>/<stage>/                  each stage's checkpoint and what it made; stage.json marks it finished
//   <out>/summary.json              stages: [{stage, greedy, pass1, passK, mixing, readability, tokens, flops, …}]
//   <out>/stages.svg, zero-mixing.svg
// A stage is finished when its stage.json exists (written last, atomically); resuming skips finished stages
// and redoes an unfinished one from its start, so an interrupted pipeline continues from the last finished
// stage and ends where an uninterrupted one would (every draw is keyed by seed and stage). Chaining:
//   base → zero → (base + zero's curated traces) cold-start → reasoning-rl → (base + its samples) rejection-sft → final-rl
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../core/fsio.ts';
import { ComputeLedger, type Spend } from '../../cost/ledger.ts';
import { loadCheckpoint } from '../../model/checkpoint.ts';
import { transformerPolicy } from '../../model/policy.ts';
import { DEFAULT_HELD_OUT_SEED } from '../../world/index.ts';
import { STAGES, validateR1, type R1Config, type StageName } from './config.ts';
import { scoreStage, type StageScores } from './measure.ts';
import { runColdStart, runRejectionSft, runRlStage, type StageContext, type StageOutcome } from './stages.ts';
import { mixingChart, stageChart } from './table.ts';

export interface StageRow extends StageScores {
  stage: StageName | 'base';
  /** Generated tokens and FLOPs the stage spent (scoring for this table excluded). */
  tokens: number;
  flops: number;
  spend: Record<string, Spend>;
  data?: StageOutcome['data'];
}

export interface R1Summary {
  seed: number;
  base: StageRow;
  stages: StageRow[];
}

export type R1Event =
  | { type: 'stage-start'; stage: StageName | 'base'; index: number }
  | {
      type: 'progress';
      stage: StageName;
      done: number;
      total: number;
      note: string;
      /** RL stages: this step's training accuracy and mixing. */
      rl?: { accuracy: number; mixing: number };
    }
  | { type: 'stage-done'; row: StageRow; resumed: boolean };

export interface R1Hooks {
  out: string;
  onEvent?: (e: R1Event) => void;
  /** Aborted (Ctrl-C): the running stage stops between steps and stays unfinished. */
  signal?: AbortSignal;
  /** Run only this stage (its input stage must be finished in `out`); default: every unfinished stage. */
  stage?: StageName;
}

/** The checkpoint a stage starts from, and the one it samples data from. */
export function stageInputs(stage: StageName, base: string, out: string): { from: string; source?: string } {
  const dir = (s: StageName) => join(out, s);
  switch (stage) {
    case 'zero':
      return { from: base };
    case 'cold-start':
      return { from: base, source: dir('zero') };
    case 'reasoning-rl':
      return { from: dir('cold-start') };
    case 'rejection-sft':
      return { from: base, source: dir('reasoning-rl') };
    case 'final-rl':
      return { from: dir('rejection-sft') };
  }
}

/** The stage whose checkpoint a stage needs, or null for zero. */
export const inputStage = (stage: StageName): StageName | null => {
  const i = STAGES.indexOf(stage);
  return i === 0 ? null : STAGES[i - 1]!;
};

const ROW_FILE = 'stage.json';

/** The row of a finished stage directory, or undefined while it is unfinished. */
export function readRow(dir: string): StageRow | undefined {
  const f = join(dir, ROW_FILE);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as StageRow) : undefined;
}

/** The finished row of a stage in `out`, or undefined. */
export const finishedRow = (out: string, stage: StageName): StageRow | undefined => readRow(join(out, stage));

export async function score(c: R1Config, dir: string): Promise<StageScores> {
  const policy = transformerPolicy(loadCheckpoint(dir, { requiresGrad: false }).model);
  return scoreStage(policy, {
    difficulty: c.difficulty,
    evalSize: c.evalSize,
    samples: c.evalSamples,
    temperature: c.evalTemperature,
    maxNewTokens: c.maxNewTokens,
    heldOutSeed: c.rl.heldOutSeed ?? DEFAULT_HELD_OUT_SEED,
    seed: c.seed,
  });
}

/** Run one stage into `dir` from `inputs` (the pipeline's chaining, or a sweep's); its row, or undefined when
 * it was stopped. */
export async function runStage(
  c: R1Config,
  stage: StageName,
  hooks: Pick<R1Hooks, 'onEvent' | 'signal'>,
  dir: string,
  inputs: { from: string; source?: string },
): Promise<StageRow | undefined> {
  rmSync(dir, { recursive: true, force: true }); // an unfinished attempt is redone from its start
  const ledger = new ComputeLedger();
  const ctx: StageContext = {
    stage,
    config: c,
    dir,
    ...inputs,
    ledger,
    hooks: {
      signal: hooks.signal,
      shouldStop: () => hooks.signal?.aborted === true,
      onProgress: (done, total, note, rl) =>
        hooks.onEvent?.({ type: 'progress', stage, done, total, note, ...(rl ? { rl } : {}) }),
    },
  };
  let outcome: StageOutcome;
  switch (stage) {
    case 'zero':
      outcome = await runRlStage(ctx, { steps: c.zero.steps, languageWeight: 0 });
      break;
    case 'cold-start':
      outcome = await runColdStart(ctx);
      break;
    case 'reasoning-rl':
      outcome = await runRlStage(ctx, { steps: c.reasoningRl.steps, languageWeight: c.reasoningRl.languageWeight });
      break;
    case 'rejection-sft':
      outcome = await runRejectionSft(ctx);
      break;
    case 'final-rl':
      outcome = await runRlStage(ctx, {
        steps: c.finalRl.steps,
        temperature: c.finalRl.temperature,
        languageWeight: c.finalRl.languageWeight,
      });
      break;
  }
  if (!outcome.finished || hooks.signal?.aborted) return undefined;
  const total = ledger.total();
  const row: StageRow = {
    stage,
    ...(await score(c, dir)),
    tokens: total.tokens,
    flops: total.flops,
    spend: ledger.toJSON(),
    ...(outcome.data ? { data: outcome.data } : {}),
  };
  writeJsonAtomic(join(dir, ROW_FILE), row);
  return row;
}

function writeSummary(out: string, summary: R1Summary): void {
  writeJsonAtomic(join(out, 'summary.json'), summary);
  writeFileAtomic(join(out, 'stages.svg'), stageChart(summary));
  const zero = join(out, 'zero', 'metrics.jsonl');
  if (existsSync(zero)) writeFileAtomic(join(out, 'zero-mixing.svg'), mixingChart(readFileSync(zero, 'utf8')));
}

/** Run (or continue) the pipeline for one seed in `hooks.out`. Returns the summary of the finished stages. */
export async function runR1(config: R1Config, hooks: R1Hooks): Promise<R1Summary> {
  const c = validateR1(config);
  if (!existsSync(join(c.base, 'config.json')))
    throw new InputError(`${c.base}: no base checkpoint here (config.json missing); see fixtures/r1-base/README.md`);
  if (hooks.stage) {
    const need = inputStage(hooks.stage);
    if (need && !finishedRow(hooks.out, need))
      throw new InputError(`${hooks.out}: stage ${hooks.stage} starts from ${need}, which is not finished there`);
  }
  mkdirSync(hooks.out, { recursive: true });
  const cfgPath = join(hooks.out, 'r1.json');
  if (existsSync(cfgPath)) {
    const before = readFileSync(cfgPath, 'utf8');
    if (before !== JSON.stringify(c, null, 2) + '\n')
      throw new InputError(`${hooks.out}: holds a pipeline run with another config (r1.json); use a new --out`);
  } else writeJsonAtomic(cfgPath, c);
  const basePath = join(hooks.out, 'base.json');
  let base: StageRow;
  if (existsSync(basePath)) base = JSON.parse(readFileSync(basePath, 'utf8')) as StageRow;
  else {
    hooks.onEvent?.({ type: 'stage-start', stage: 'base', index: -1 });
    base = { stage: 'base', ...(await score(c, c.base)), tokens: 0, flops: 0, spend: {} };
    writeJsonAtomic(basePath, base);
    hooks.onEvent?.({ type: 'stage-done', row: base, resumed: false });
  }
  const rows: StageRow[] = [];
  for (const [index, stage] of STAGES.entries()) {
    const done = finishedRow(hooks.out, stage);
    const run = hooks.stage ? hooks.stage === stage : !done;
    if (!run) {
      if (done) {
        rows.push(done);
        if (!hooks.stage) hooks.onEvent?.({ type: 'stage-done', row: done, resumed: true });
      }
      if (!done && !hooks.stage) break;
      continue;
    }
    if (hooks.signal?.aborted) break;
    hooks.onEvent?.({ type: 'stage-start', stage, index });
    const row = await runStage(c, stage, hooks, join(hooks.out, stage), stageInputs(stage, c.base, hooks.out));
    if (!row) break;
    rows.push(row);
    hooks.onEvent?.({ type: 'stage-done', row, resumed: false });
  }
  const summary: R1Summary = { seed: c.seed, base, stages: rows };
  writeSummary(hooks.out, summary);
  return summary;
}
