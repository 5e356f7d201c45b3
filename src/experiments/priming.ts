// The priming table (issue 16 item 6; Gandhi et al. 2025 Fig. 3-4, reference/r1-story-beyond-zero.md §5.1):
// for each priming condition and seed, pretrain a primed base (train/countdown-presets.ts), run the same GRPO on
// Countdown (aha.ts with a countdown task), and report accuracy before → after RL with the behaviour rates and
// the verification tests of the base and of the final policy (the first and last evaluation rows).
//   table.md     one row per condition, means over seeds
//   plot.svg     bars per condition: pass@1 before, after, and the final intervention catch rate
// Each base and RL run keeps its own directory (<out>/<condition>-s<seed>/{base,rl}).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { svgBarChart } from '../plot/svg.ts';
import type { RlConfig } from '../rl/config.ts';
import { pretrain, type PretrainConfig } from '../train/pretrain.ts';
import { PRIMING_CONDITIONS, type PrimingCondition } from '../world/countdown/priming.ts';
import { runAha } from './aha.ts';
import { RunInterrupted } from '../train/trainer.ts';
import { markdownTable, type ArchReport, type ExperimentHooks } from './arch-report.ts';
import { COUNTDOWN_EVAL, countdownPreset } from '../train/countdown-presets.ts';

export interface PrimingConfig {
  conditions: PrimingCondition[];
  seeds: number[];
  pretrainSteps: number;
  /** Overrides of the primed bases' pretraining (tests use a tiny model). */
  pretrain: Partial<PretrainConfig>;
  rl: Partial<RlConfig>;
}

/** Named budgets. Neither fits the wall-clock goal on 2 cores (README "Countdown"): a primed base
 * learns its arithmetic only after ~1,000-2,500 pretraining steps (the loss drops from ~0.7 to ~0.3 between
 * steps 600 and 1,500; 0.3-0.5 s a step on a free core), so 27 bases take hours, and only the `all` base is
 * shipped (fixtures/countdown-base). `small` proves the plumbing on bases that have not learned yet. */
export const PRIMING_BUDGETS: Readonly<Record<'small' | 'default', PrimingConfig>> = {
  small: {
    conditions: ['direct', 'verify', 'all', 'no_positive'],
    seeds: [0],
    pretrainSteps: 100,
    pretrain: {},
    rl: { steps: 5, evalEvery: 5, evalSize: 16, evalSamples: 1, maxNewTokens: 160 },
  },
  default: {
    conditions: [...PRIMING_CONDITIONS],
    seeds: [0, 1, 2],
    pretrainSteps: 1500,
    pretrain: {},
    rl: { steps: 60, evalEvery: 20, evalSize: 64, evalSamples: 2, maxNewTokens: 160 },
  },
};

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
  const rows: Row[] = [];
  const total = config.conditions.length * config.seeds.length;
  let done = 0;
  for (const condition of config.conditions) {
    for (const seed of config.seeds) {
      const dir = join(out, `${condition}-s${seed}`);
      const preset = countdownPreset(condition, {
        seed,
        steps: config.pretrainSteps,
        eval: { ...COUNTDOWN_EVAL, every: config.pretrainSteps, n: 8 },
      });
      const baseOut = join(dir, 'base');
      await pretrain(
        { ...preset, ...config.pretrain },
        {
          out: baseOut,
          resume: Boolean(hooks.resume && existsSync(join(baseOut, 'config.json'))),
          signal: hooks.signal,
        },
      );
      if (hooks.signal?.aborted) throw new RunInterrupted();
      const rlDir = join(dir, 'rl');
      await runAha(
        {
          base: join(dir, 'base'),
          seeds: [seed],
          samplesPerEval: 2,
          rl: { tasks: [{ kind: 'countdown', difficulty: 3 }], ...config.rl },
        },
        { out: rlDir, resume: hooks.resume, signal: hooks.signal, shouldStop: () => hooks.signal?.aborted === true },
      );
      if (hooks.signal?.aborted) throw new RunInterrupted();
      const lines = readFileSync(join(rlDir, 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const evals = lines.filter((l) => l.evalPass1 !== null);
      rows.push({ condition, seed, before: evals[0]!, after: evals[evals.length - 1]! });
      await hooks.onProgress?.(++done, total, `${condition} seed ${seed}`);
    }
  }
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
    `Countdown priming (3 numbers, ${config.seeds.length} seed${config.seeds.length > 1 ? 's' : ''}, ${config.pretrainSteps} pretraining steps, ${config.rl.steps ?? '-'} RL steps; behaviours after RL)\n\n` +
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
