// The R1-Zero "aha" experiment in miniature (R1 §2.2, reference/grpo-and-r1-zero.md §2): from a base model,
// with the fixed <think>/<answer> template and a reward for a right answer in the right format only, run GRPO
// and measure held-out accuracy, think length and re-checking as they rise — the reward never looks at length.
// The base must sit in a window where worked traces are right and direct answers are not (train/presets.ts
// `aha`; lessons/03-aha explains the measured runs). Writes a run directory per seed (seed-<s>/ when there are
// several): config.json, metrics.jsonl (+ timing.jsonl with a clock), samples.jsonl, aha.svg, summary.json and
// the trained policy (model.safetensors: the directory is a checkpoint), and the mean over seeds at the top.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../core/fsio.ts';
import { loadCheckpoint, readCheckpointConfig, saveCheckpoint } from '../model/checkpoint.ts';
import { ahaChart, firstLast } from '../rl/curves.ts';
import { resolveRlConfig, type RlConfig } from '../rl/config.ts';
import { freeze, transformerPolicy } from '../model/policy.ts';
import { ValueModel } from '../rl/ppo.ts';
import { metricsLine, parseMetrics, type RlStepMetrics } from '../rl/step-metrics.ts';
import { trainRl, type RlResumeState, type StepReport } from '../rl/trainer.ts';
import { finishedRun, keptLines, removeStoppedFiles, resumeParts, saveStoppedRun, stoppedRun } from './aha-resume.ts';
import { pretrain, type PretrainConfig } from '../train/pretrain.ts';
import { PRETRAIN_PRESETS } from '../train/presets.ts';
import { NO_OPENING } from '../world/countdown/index.ts';
import { encode, heldOutSet, promptFor, vocabSize } from '../world/index.ts';
import { countdownVerify, pathOpeningOf, type CountdownVerifyResult } from './countdown-verify.ts';
import {
  countdownEvalsOf,
  countdownMetrics,
  meanCountdown,
  summarizeCountdown,
  withCountdownMetrics,
  type CountdownMetrics,
  type CountdownSummary,
} from './countdown-metrics.ts';

/** Where the shipped aha base checkpoint lives, relative to the repository root (`--preset aha`). */
export const DEFAULT_BASE = 'fixtures/aha-base';
/** The shipped searching Countdown base whose paths name the number they keep (`--preset countdown-search-kept`),
 * the default of `--task countdown`. */
export const COUNTDOWN_BASE = 'fixtures/countdown-search/kept';
/** A shipped base's directory wherever the command runs from. */
const shipped = (rel: string): string => fileURLToPath(new URL(`../../${rel}`, import.meta.url));

export interface AhaConfig {
  /** Base checkpoint directory (ignored when fromScratch). */
  base: string;
  /** Pretrain the base first: the `aha` preset (plus `pretrain` overrides). */
  fromScratch: boolean;
  pretrain: Partial<PretrainConfig>;
  seeds: number[];
  /** Overrides of the RL config (variant, steps, lr, …); the seed comes from `seeds`. */
  rl: Partial<RlConfig>;
  /** Held-out greedy completions written to samples.jsonl (prompt–completion JSONL) at each evaluation. */
  samplesPerEval: number;
}

export const AHA_DEFAULTS: AhaConfig = {
  base: DEFAULT_BASE,
  fromScratch: false,
  pretrain: {},
  seeds: [0],
  rl: {},
  samplesPerEval: 4,
};

export type AhaEvent =
  | { type: 'pretrain-start'; steps: number; out: string }
  | { type: 'pretrain-step'; step: number; steps: number; loss: number }
  | { type: 'seed-start'; seed: number; index: number; seeds: number; steps: number; dir: string }
  | {
      type: 'rl-step';
      seed: number;
      report: StepReport;
      history: RlStepMetrics[];
      /** Countdown runs: this step's verification columns */ countdown?: CountdownMetrics;
    }
  | { type: 'seed-done'; seed: number; dir: string; summary: AhaSummary }
  | { type: 'done'; out: string; summary: AhaSummary };

export interface AhaHooks {
  out: string;
  onEvent?: (e: AhaEvent) => void;
  /** A clock (ms) for timing.jsonl; the CLI passes one, tests may not. */
  now?: () => number;
  /** Checked between steps; true ends the current seed after a final evaluation and skips the rest. */
  shouldStop?: () => boolean;
  /** Continue a stopped run in `out`: finished seeds are kept, a stopped one resumes from its saved state. */
  resume?: boolean;
  /** Aborts the base's pretraining (--from-scratch) after a step; it resumes too. */
  signal?: AbortSignal;
}

/** First and last held-out evaluation (mean over seeds), and whether the aha criteria of issue 3 hold. */
export interface AhaSummary {
  seeds: number[];
  steps: number;
  greedyAccuracy: { first: number; last: number } | null;
  pass1: { first: number; last: number } | null;
  thinkLength: { first: number; last: number } | null;
  responseLength: { first: number; last: number } | null;
  reflectiveFrac: { first: number; last: number } | null;
  reflectionRate: { first: number; last: number } | null;
  /** Length (tokens) of the training rollouts' wrong answers, mean of the first and of the last 10 steps: the
   * quantity behind Dr. GRPO's length bias (ablation dr_grpo). */
  incorrectLength: { first: number; last: number } | null;
  /** pass@1 up ≥ 30 points, think length ×2 or more, re-checking answers up ≥ 5 points. */
  criteria: { accuracyUp30: boolean; thinkDoubled: boolean; reflectionUp: boolean };
  /** Countdown runs only: the verification tests of the base (first) and the final policy (last). */
  countdown?: CountdownSummary;
}

/** How far the share of re-checking answers must rise to count: 5 points, above the noise of 64 problems ×
 * 4 samples (the shuffled-reward control moved it by 2). */
const REFLECTION_RISE = 0.05;
/** Steps averaged at each end of the (noisy, per-step) incorrect-answer length. */
const INCORRECT_WINDOW = 10;

export function summarizeAha(runs: RlStepMetrics[][], seeds: number[]): AhaSummary {
  const fl = (k: Parameters<typeof firstLast>[1]) => firstLast(runs, k);
  const pass1 = fl('evalPass1'),
    think = fl('evalThinkLen'),
    refl = fl('evalReflectiveFrac');
  return {
    seeds,
    steps: Math.max(0, ...runs.map((r) => r.length - 1)),
    greedyAccuracy: fl('evalGreedyAcc'),
    pass1,
    thinkLength: think,
    responseLength: fl('evalLen'),
    reflectiveFrac: refl,
    reflectionRate: fl('evalReflectionRate'),
    incorrectLength: firstLast(runs, 'lenIncorrect', INCORRECT_WINDOW),
    criteria: {
      accuracyUp30: pass1 !== null && pass1.last - pass1.first >= 0.3,
      thinkDoubled: think !== null && think.last >= 2 * think.first && think.last > 0,
      reflectionUp: refl !== null && refl.last - refl.first >= REFLECTION_RISE,
    },
  };
}

/** The base checkpoint: the given directory, or a fresh pretraining run in `<out>/base`. */
async function baseDir(config: AhaConfig, rl: RlConfig, hooks: AhaHooks): Promise<string> {
  if (!config.fromScratch) {
    const isShipped = config.base === DEFAULT_BASE || config.base === COUNTDOWN_BASE;
    const dir = isShipped && !existsSync(config.base) ? shipped(config.base) : config.base;
    if (!existsSync(join(dir, 'config.json'))) {
      throw new InputError(
        `${config.base}: no base checkpoint here (config.json missing); pass a checkpoint directory or use --from-scratch`,
      );
    }
    return dir;
  }
  const out = join(hooks.out, 'base');
  // The pretraining corpus leaves out RL's held-out problems (its own evaluation set is drawn from them).
  const task = rl.tasks[0]!;
  const preset = PRETRAIN_PRESETS.aha;
  // On the preset's own task its held-out set (a superset of RL's) is kept, so the default base is fixtures/aha-base.
  const sameTask = task.kind === preset.eval.kind && task.difficulty === preset.eval.difficulty;
  const evalSpec = sameTask
    ? { ...preset.eval, n: Math.max(preset.eval.n, rl.evalSize) }
    : { ...preset.eval, kind: task.kind, difficulty: task.difficulty, n: rl.evalSize };
  const pc: PretrainConfig = { ...preset, eval: evalSpec, ...config.pretrain };
  hooks.onEvent?.({ type: 'pretrain-start', steps: pc.steps, out });
  await pretrain(pc, {
    out,
    resume: hooks.resume && existsSync(join(out, 'config.json')),
    signal: hooks.signal,
    onStep: (m) => hooks.onEvent?.({ type: 'pretrain-step', step: m.step, steps: pc.steps, loss: m.loss }),
  });
  return out;
}

/** Policy, frozen reference (and PPO's critic): the same checkpoint loaded two (three) times. */
function loadParts(dir: string, rl: RlConfig) {
  const policy = transformerPolicy(loadCheckpoint(dir, { requiresGrad: true }).model);
  const reference = transformerPolicy(loadCheckpoint(dir, { requiresGrad: false }).model);
  freeze(reference);
  const critic = rl.algorithm === 'ppo' ? new ValueModel(loadCheckpoint(dir, { requiresGrad: true }).model) : undefined;
  const cfg = policy.model.config;
  if (cfg.vocabSize !== vocabSize)
    throw new InputError(`${dir}: vocabSize ${cfg.vocabSize} is not the tokenizer's ${vocabSize}`);
  const longest = Math.max(
    ...heldOutSet(rl.tasks[0]!.kind, rl.tasks[0]!.difficulty, 1, rl.heldOutSeed).map(
      (p) => encode(promptFor(p)).length,
    ),
  );
  if (longest + rl.maxNewTokens > cfg.maxSeqLen) {
    throw new InputError(
      `${dir}: maxSeqLen ${cfg.maxSeqLen} is too short for prompts of ${longest} tokens plus maxNewTokens ${rl.maxNewTokens}`,
    );
  }
  return { policy, reference, critic };
}

/** One seed's RL run into `dir`; the files are rewritten atomically after every step. */
async function runSeed(
  base: string,
  rl: RlConfig,
  dir: string,
  config: AhaConfig,
  hooks: AhaHooks,
  index: number,
): Promise<RlStepMetrics[]> {
  mkdirSync(dir, { recursive: true });
  const saved = hooks.resume ? stoppedRun(dir) : undefined;
  const resumed = saved ? resumeParts(base, dir, rl, saved) : undefined;
  const parts = resumed ?? loadParts(base, rl);
  if (!saved) writeJsonAtomic(join(dir, 'config.json'), { model: parts.policy.model.config, base, rl });
  // A resumed run keeps what its first part wrote before the step it stopped at (its last evaluation is redone).
  const before = (file: string) => (saved ? keptLines(join(dir, file), saved.step) : []);
  const lines: string[] = before('metrics.jsonl'),
    timing: string[] = before('timing.jsonl'),
    samples: string[] = before('samples.jsonl');
  const history: RlStepMetrics[] = parseMetrics(lines.join('\n'));
  // Countdown tasks: the verification tests (countdown-verify.ts) on the same held-out problems at every evaluation.
  const cdProblems = rl.tasks
    .filter((t) => t.kind === 'countdown')
    .flatMap((t) => heldOutSet(t.kind, t.difficulty, rl.evalSize, rl.heldOutSeed));
  const cdEvals: CountdownMetrics[] = cdProblems.length ? countdownEvalsOf(lines) : [];
  const opening = cdProblems.length > 0 ? pathOpeningOf(readCheckpointConfig(base).meta) : NO_OPENING;
  let end: RlResumeState | undefined;
  hooks.onEvent?.({ type: 'seed-start', seed: rl.seed, index, seeds: config.seeds.length, steps: rl.steps, dir });
  await trainRl(parts, rl, {
    // The verification tests measure the policy the evaluation saw: after it, before the step's update.
    afterEval: cdProblems.length
      ? () =>
          countdownVerify(parts.policy.model, cdProblems, {
            maxNewTokens: rl.maxNewTokens,
            budgets: [1, 2, 3, 4].map((q) => Math.round((q * rl.maxNewTokens) / 4)),
            seed: rl.seed,
            batchSize: rl.genBatch,
            opening,
          })
      : undefined,
    now: hooks.now,
    shouldStop: hooks.shouldStop,
    start: resumed?.state,
    onEnd: (state) => void (end = state),
    onStep: async (report) => {
      let line = metricsLine(report.metrics);
      // The history is what metrics.jsonl holds (rounded), so a resumed run, which reads it back, summarises alike.
      history.push(parseMetrics(line)[0]!);
      let cdm: CountdownMetrics | undefined;
      if (cdProblems.length > 0) {
        const v = report.eval ? (report.evalExtra as CountdownVerifyResult) : null;
        cdm = countdownMetrics(v);
        if (v) cdEvals.push(cdm);
        line = withCountdownMetrics(line, cdm);
      }
      lines.push(line);
      writeFileAtomic(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
      if (report.timing) {
        timing.push(JSON.stringify({ step: report.metrics.step, ...report.timing }));
        writeFileAtomic(join(dir, 'timing.jsonl'), timing.join('\n') + '\n');
      }
      if (report.eval && config.samplesPerEval > 0) {
        for (const r of report.eval.greedyRollouts.slice(0, config.samplesPerEval)) {
          // Prompt–completion records (train/sft-data.ts), so `tinyseek sft --data samples.jsonl` reads them as they are.
          samples.push(
            JSON.stringify({
              prompt: promptFor(r.problem),
              completion: r.text,
              step: report.metrics.step,
              problem: r.problem.prompt,
              answer: r.problem.answer,
              reward: r.reward.total,
              reason: r.reward.reason,
            }),
          );
        }
        writeFileAtomic(join(dir, 'samples.jsonl'), samples.join('\n') + '\n');
      }
      hooks.onEvent?.({ type: 'rl-step', seed: rl.seed, report, history, ...(cdm ? { countdown: cdm } : {}) });
    },
  });
  writeFileAtomic(join(dir, 'aha.svg'), ahaChart([history], `R1-Zero aha, seed ${rl.seed}`));
  // The trained policy: the run directory is a checkpoint (`tinyseek sample --model <dir>`); a stopped run also
  // keeps what resuming needs.
  if (end && end.step < rl.steps) await saveStoppedRun(dir, parts, { base, rl }, end);
  else {
    await saveCheckpoint(dir, parts.policy.model, { base, rl, step: history.length - 1 });
    removeStoppedFiles(dir);
  }
  const summary = summarizeAha([history], [rl.seed]);
  const cd = summarizeCountdown(cdEvals);
  if (cd) summary.countdown = cd;
  writeJsonAtomic(join(dir, 'summary.json'), summary);
  hooks.onEvent?.({ type: 'seed-done', seed: rl.seed, dir, summary });
  return history;
}

/** The Countdown part of the summary.json a seed's run wrote (absent for other tasks). */
function readSeedCountdown(dir: string): CountdownSummary | undefined {
  const path = join(dir, 'summary.json');
  if (!existsSync(path)) return undefined;
  return (JSON.parse(readFileSync(path, 'utf8')) as AhaSummary).countdown;
}

/** Run the experiment for every seed; returns the summary over seeds (also in `<out>/summary.json`). */
export async function runAha(
  partial: Partial<AhaConfig>,
  hooks: AhaHooks,
): Promise<{ summary: AhaSummary; runs: RlStepMetrics[][] }> {
  const config: AhaConfig = { ...AHA_DEFAULTS, ...partial };
  if (config.seeds.length === 0) throw new InputError('aha: at least one seed');
  if (new Set(config.seeds).size !== config.seeds.length)
    throw new InputError(`aha: seeds repeat (${config.seeds.join(',')})`);
  const rls = config.seeds.map((seed) => resolveRlConfig({ ...config.rl, seed }, 'aha rl config'));
  mkdirSync(hooks.out, { recursive: true });
  writeJsonAtomic(join(hooks.out, 'experiment.json'), {
    experiment: 'aha',
    ...config,
    rl: rls[0],
    rlOverrides: config.rl,
  });
  const base = await baseDir(config, rls[0]!, hooks);
  if (hooks.signal?.aborted) return { summary: summarizeAha([], []), runs: [] }; // stopped while pretraining the base
  const runs: RlStepMetrics[][] = [];
  const countdowns: CountdownSummary[] = [];
  for (const [i, rl] of rls.entries()) {
    if (i > 0 && hooks.shouldStop?.()) break;
    const dir = config.seeds.length === 1 ? hooks.out : join(hooks.out, `seed-${rl.seed}`);
    const done = hooks.resume ? finishedRun(dir) : undefined;
    runs.push(done ?? (await runSeed(base, rl, dir, config, hooks, i)));
    const cd = readSeedCountdown(dir);
    if (cd) countdowns.push(cd);
  }
  const summary = summarizeAha(runs, config.seeds.slice(0, runs.length));
  const cd = meanCountdown(countdowns);
  if (cd) summary.countdown = cd;
  if (config.seeds.length > 1) {
    writeFileAtomic(join(hooks.out, 'aha.svg'), ahaChart(runs, 'R1-Zero aha'));
    writeJsonAtomic(join(hooks.out, 'summary.json'), summary);
  }
  hooks.onEvent?.({ type: 'done', out: hooks.out, summary });
  return { summary, runs };
}
