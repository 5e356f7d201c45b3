// The priming table (issue 16 item 6; Gandhi et al. 2025 Fig. 3-4, reference/r1-story-beyond-zero.md §5.1):
// one primed base per condition (train/countdown-presets.ts; shipped in fixtures/countdown-primed/<condition>),
// the same GRPO on Countdown from each (aha.ts with a countdown task) with several RL seeds, and accuracy before
// → after RL with the behaviour rates and the verification tests of the base and of the final policy (the
// first and last evaluation rows). Gandhi et al. likewise prime one base per condition and run RL on it.
//   table.md     one row per condition, means over seeds
//   plot.svg     bars per condition: pass@1 before, after, and the final intervention catch rate
// Each RL run keeps its own directory (<out>/<condition>-s<seed>); the runs are independent, so they go
// `parallel` at a time as child processes (job-pool.ts), which changes no number.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors.ts';
import { svgBarChart } from '../plot/svg.ts';
import type { RlConfig } from '../rl/config.ts';
import { PRIMING_CONDITIONS, type PrimingCondition } from '../world/countdown/priming.ts';
import { runAha } from './aha.ts';
import { RunInterrupted } from '../train/trainer.ts';
import { markdownTable, type ArchReport, type ExperimentHooks } from './arch-report.ts';
import { COUNTDOWN_RL } from '../train/countdown-presets.ts';
import { runJobs } from './job-pool.ts';

/** The shipped primed bases, one directory per condition (`tinyseek pretrain --preset countdown-<condition>`). */
export const PRIMED_BASES = fileURLToPath(new URL('../../fixtures/countdown-primed/', import.meta.url));

export interface PrimingConfig {
  conditions: PrimingCondition[];
  /** RL seeds per base. */
  seeds: number[];
  /** Directory with one primed base per condition (<bases>/<condition>). */
  bases: string;
  rl: Partial<RlConfig>;
  /** Runs at once, each a child process on one matmul thread; 1 runs them one after another in this process. */
  parallel: number;
}

/** The RL of every run: the aha run's Countdown settings, 20 steps, evaluated before and after (64 held-out
 * problems, 2 samples each, and the verification tests), so that 27 runs fit ~25 minutes on 2 cores. */
export const PRIMING_RL: Partial<RlConfig> = { steps: 20, evalEvery: 20, evalSize: 64, evalSamples: 2 };

/** Named budgets, both from the shipped bases (pretraining all nine takes ~1 CPU-hour: fixtures/countdown-primed). */
export const PRIMING_BUDGETS: Readonly<Record<'small' | 'default', Omit<PrimingConfig, 'parallel'>>> = {
  small: {
    conditions: ['direct', 'verify', 'all', 'no_positive'],
    seeds: [0],
    bases: PRIMED_BASES,
    rl: { ...PRIMING_RL, steps: 5, evalEvery: 5, evalSize: 32 },
  },
  default: { conditions: [...PRIMING_CONDITIONS], seeds: [0, 1, 2], bases: PRIMED_BASES, rl: PRIMING_RL },
};

/** One RL run of the experiment: what a child process receives. */
export interface PrimingJob {
  condition: PrimingCondition;
  seed: number;
  base: string;
  out: string;
  rl: Partial<RlConfig>;
  resume: boolean;
}

export function primingJobs(config: PrimingConfig, out: string, resume = false): PrimingJob[] {
  return config.conditions.flatMap((condition) =>
    config.seeds.map((seed) => ({
      condition,
      seed,
      base: join(config.bases, condition),
      out: join(out, `${condition}-s${seed}`),
      rl: { ...COUNTDOWN_RL, ...config.rl },
      resume,
    })),
  );
}

/** Runs one job here (a finished run is read back when resuming). */
export async function runPrimingJob(job: PrimingJob, signal?: AbortSignal): Promise<void> {
  await runAha(
    { base: job.base, seeds: [job.seed], samplesPerEval: 2, rl: job.rl },
    { out: job.out, resume: job.resume, signal, shouldStop: () => signal?.aborted === true },
  );
}

interface Row {
  condition: PrimingCondition;
  seed: number;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

const num = (x: unknown): number | null => (typeof x === 'number' ? x : null);
const meanOf = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
};
const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(0)}%`);
const f2 = (x: number | null) => (x === null ? '–' : x.toFixed(2));

export async function runPriming(config: PrimingConfig, out: string, hooks: ExperimentHooks = {}): Promise<ArchReport> {
  for (const c of config.conditions)
    if (!existsSync(join(config.bases, c, 'config.json')))
      throw new InputError(
        `priming: no primed base for '${c}' in ${config.bases} (make one: tinyseek pretrain --preset countdown-${c} --out ${join(config.bases, c)})`,
      );
  const jobs = primingJobs(config, out, hooks.resume === true);
  let done = 0;
  const progress = (i: number) =>
    hooks.onProgress?.(++done, jobs.length, `${jobs[i]!.condition} seed ${jobs[i]!.seed}`);
  if (config.parallel === 1) {
    for (const [i, job] of jobs.entries()) {
      await runPrimingJob(job, hooks.signal);
      if (hooks.signal?.aborted) throw new RunInterrupted();
      await progress(i);
    }
  } else {
    const { interrupted } = await runJobs(
      jobs.map((job) => ({ job, log: join(job.out, 'job.log') })),
      {
        entry: new URL('./priming-job.ts', import.meta.url),
        parallel: config.parallel,
        signal: hooks.signal,
        onDone: progress,
      },
    );
    if (interrupted) throw new RunInterrupted();
  }
  const rows: Row[] = jobs.map((job) => {
    const evals = readFileSync(join(job.out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.evalPass1 !== null);
    return { condition: job.condition, seed: job.seed, before: evals[0]!, after: evals[evals.length - 1]! };
  });
  const by = (c: PrimingCondition, side: 'before' | 'after', k: string) =>
    meanOf(rows.filter((r) => r.condition === c).map((r) => num(r[side][k])));
  const header = [
    'condition',
    'pass@1 before',
    'pass@1 after',
    'verdicts/answer',
    'backtracks/answer',
    'subgoals/answer',
    'backward/answer',
    'check accuracy',
    'caught before',
    'caught after',
  ];
  const tableRows = config.conditions.map((c) => [
    c,
    pct(by(c, 'before', 'evalPass1')),
    pct(by(c, 'after', 'evalPass1')),
    f2(by(c, 'after', 'behVerification')),
    f2(by(c, 'after', 'behBacktracking')),
    f2(by(c, 'after', 'behSubgoals')),
    f2(by(c, 'after', 'behBackwardChaining')),
    pct(by(c, 'after', 'checkAccuracy')),
    pct(by(c, 'before', 'interventionCatchRate')),
    pct(by(c, 'after', 'interventionCatchRate')),
  ]);
  const table =
    `Countdown priming (3 numbers, ${config.seeds.length} RL seed${config.seeds.length > 1 ? 's' : ''} per base, ${config.rl.steps ?? '-'} RL steps; behaviours after RL)\n\n` +
    markdownTable(header, tableRows);
  const bar = (side: 'before' | 'after', k: string) => config.conditions.map((c) => by(c, side, k) ?? 0);
  const svg = svgBarChart({
    title: 'Countdown priming: accuracy before and after RL, injected errors caught',
    categories: config.conditions,
    groups: [
      { name: 'pass@1 before RL', values: bar('before', 'evalPass1') },
      { name: 'pass@1 after RL', values: bar('after', 'evalPass1') },
      { name: 'injected errors caught after RL', values: bar('after', 'interventionCatchRate') },
    ],
    yLabel: 'share of held-out problems',
  });
  const summary = Object.fromEntries(
    config.conditions.map((c) => [
      c,
      {
        pass1: { before: by(c, 'before', 'evalPass1'), after: by(c, 'after', 'evalPass1') },
        interventionCatchRate: {
          before: by(c, 'before', 'interventionCatchRate'),
          after: by(c, 'after', 'interventionCatchRate'),
        },
        checkAccuracy: { before: by(c, 'before', 'checkAccuracy'), after: by(c, 'after', 'checkAccuracy') },
      },
    ]),
  );
  return {
    experiment: 'priming',
    config,
    summary,
    table,
    svg,
    metrics: rows.map((r) => ({ condition: r.condition, seed: r.seed, before: r.before, after: r.after })),
  };
}
