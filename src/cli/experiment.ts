// `tinyseek experiment <name>`: run one of the paper's stories end to end and write its run directory
// (results.json, metrics.jsonl, table.md, plot.svg, and timing.json where a clock matters). A thin wrapper:
// the experiments live in src/experiments; this file lists them, parses flags and shows progress.
import { performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { writeArchReport, type ArchReport, type ExperimentHooks } from '../experiments/arch-report.ts';
import { MLA_CACHE_DEFAULTS, runMlaCache } from '../experiments/mla-cache.ts';
import { MOE_BALANCE_DEFAULTS, runMoeBalance } from '../experiments/moe-balance.ts';
import { MOE_VS_DENSE_DEFAULTS, runMoeVsDense } from '../experiments/moe-vs-dense.ts';
import { MTP_DEFAULTS, runMtp } from '../experiments/mtp.ts';
import { PRIMING_BUDGETS, runPriming } from '../experiments/priming.ts';
import { bool, closest, num, optNum, optStr, str, UsageError } from './args.ts';
import { defineCommand, type Command } from './command.ts';
import { readCommand, saveCommand } from './command-file.ts';
import { installInterrupt } from './interrupt.ts';
import { RunInterrupted } from '../train/trainer.ts';
import { checkOutDir } from './output.ts';
import { ProgressBar } from './progress.ts';

type Budget = 'small' | 'default';

/** What `tinyseek experiment` was asked (saved as command.json, which --resume reads). */
interface ExperimentSettings {
  steps?: number;
  seed: number;
  budget: Budget;
}

export interface ExperimentEntry {
  name: string;
  summary: string;
  run(
    /** `steps` undefined: the experiment's own default. */
    opts: { steps?: number; seed: number },
    hooks: ExperimentHooks,
    extra: { budget: Budget; out: string },
  ): Promise<ArchReport>;
}

/** The experiments this command runs (others are added here as they are written). */
export const EXPERIMENTS: ExperimentEntry[] = [
  {
    name: 'moe-balance',
    summary: "auxiliary loss vs V3's aux-loss-free bias: expert-load MaxVio over training, final loss",
    run: (o, h) =>
      runMoeBalance({ ...MOE_BALANCE_DEFAULTS, seed: o.seed, steps: o.steps ?? MOE_BALANCE_DEFAULTS.steps }, h),
  },
  {
    name: 'mla-cache',
    summary: 'KV bytes per token and held-out accuracy for MHA, GQA and MLA at equal parameters',
    run: (o, h) => runMlaCache({ ...MLA_CACHE_DEFAULTS, seed: o.seed, steps: o.steps ?? MLA_CACHE_DEFAULTS.steps }, h),
  },
  {
    name: 'mtp',
    summary: 'loss with and without multi-token prediction; acceptance and speedup of MTP speculative decoding',
    run: (o, h) => runMtp({ ...MTP_DEFAULTS, seed: o.seed, steps: o.steps ?? MTP_DEFAULTS.steps }, h),
  },
  {
    name: 'moe-vs-dense',
    summary: 'DeepSeekMoE vs a dense FFN with the same activated parameters',
    run: (o, h) =>
      runMoeVsDense({ ...MOE_VS_DENSE_DEFAULTS, seed: o.seed, steps: o.steps ?? MOE_VS_DENSE_DEFAULTS.steps }, h),
  },
  {
    name: 'priming',
    summary:
      'Countdown bases primed with each cognitive behaviour (shipped in fixtures/countdown-primed), then the same GRPO with 3 seeds: accuracy, behaviours, injected errors caught; the runs go one per core',
    run: (o, h, x) => {
      const b = PRIMING_BUDGETS[x.budget];
      const steps = o.steps ?? b.rl.steps!;
      return runPriming(
        {
          ...b,
          seeds: b.seeds.map((s) => s + o.seed),
          rl: { ...b.rl, steps, evalEvery: Math.min(b.rl.evalEvery!, steps) },
          parallel: availableParallelism(),
        },
        x.out,
        h,
      );
    },
  },
  {
    name: 'distill-vs-rl',
    summary:
      "distillation vs RL on a 15k student at equal compute (R1 Table 6 in miniature): accuracy vs FLOPs, pass@k up to 64; --steps sets C's RL steps",
    // Loaded on use: the other experiments start without the distillation modules.
    run: async (o, h, x) => {
      const { DISTILL_BUDGETS, runDistillVsRl } = await import('../experiments/distill-vs-rl.ts');
      const b = DISTILL_BUDGETS[x.budget];
      return runDistillVsRl({ ...b, seed: o.seed, rlSteps: o.steps ?? b.rlSteps }, x.out, h);
    },
  },
  {
    name: 'roads-not-taken',
    summary:
      'PRM and MCTS against GRPO at equal compute: Math-Shepherd labels, best-of-N, PRM hacking, MCTS, rounds (--budget small: ~1 min; --steps 48: long enough to see the PRM hacked; Ctrl-C keeps finished stages for --resume)',
    // Loaded on use, like distill-vs-rl.
    run: async (o, h, x) => {
      const { runRoadsExperiment } = await import('../experiments/roads-run.ts');
      return runRoadsExperiment({ seed: o.seed, budget: x.budget, ...(o.steps ? { steps: o.steps } : {}) }, x.out, h);
    },
  },
];

export const experimentCommand: Command = defineCommand(
  {
    name: 'experiment',
    summary:
      'run an experiment (moe-balance, mla-cache, mtp, moe-vs-dense, priming, distill-vs-rl, roads-not-taken): a table, a plot, a run directory',
    usage: 'tinyseek experiment <name> [--steps N] [--seed S] [--out DIR] [--budget small]',
    positionals: ['name'],
    flags: {
      steps: {
        type: 'int',
        help: "training steps per variant (default: the experiment's own, each run under ~2 minutes)",
        min: 1,
        meta: 'N',
      },
      seed: { type: 'int', help: 'seed of data and initial weights', default: 0, min: 0, meta: 'S' },
      out: { type: 'string', help: 'run directory (default runs/<name>)', meta: 'DIR' },
      budget: {
        type: 'string',
        help: 'priming: small (4 conditions, 1 seed) or default (9 conditions, 3 seeds); roads-not-taken: small (~1 min) or default (~10 min); distill-vs-rl: small (≤ 3 minutes) or default (≤ 15)',
        default: 'default',
        choices: ['small', 'default'],
      },
      resume: {
        type: 'bool',
        help: 'continue a run stopped by Ctrl-C in --out (its other flags come from its command.json)',
      },
    },
    examples: EXPERIMENTS.map((e) => `tinyseek experiment ${e.name}    # ${e.summary}`),
  },
  async (args, io) => {
    const name = args.positionals[0];
    const entry = EXPERIMENTS.find((e) => e.name === name);
    if (!entry) {
      const known = EXPERIMENTS.map((e) => e.name);
      const guess = name === undefined ? undefined : closest(name, known);
      throw new UsageError(
        `${name === undefined ? 'missing experiment name' : `unknown experiment '${name}'`}${guess ? `; did you mean '${guess}'?` : ''} (known: ${known.join(', ')})`,
      );
    }
    const out = optStr(args, 'out') ?? join('runs', entry.name);
    checkOutDir(out);
    const resume = bool(args, 'resume');
    const settings = resume
      ? readCommand<ExperimentSettings>(out, `experiment ${entry.name}`)
      : {
          steps: optNum(args, 'steps'),
          seed: num(args, 'seed'),
          budget: str(args, 'budget') as Budget,
        };
    if (!resume) saveCommand(out, settings);
    let bar: ProgressBar | undefined,
      last = 0;
    const stop = installInterrupt({ io, resume: `tinyseek experiment ${entry.name} --out ${out} --resume` });
    let report: ArchReport;
    try {
      report = await entry.run(
        { steps: settings.steps, seed: settings.seed },
        {
          now: () => performance.now(),
          onProgress: (done, total, info) => {
            bar ??= new ProgressBar({ total, label: entry.name, io });
            bar.tick(done - last, info);
            last = done;
          },
          out,
          resume,
          signal: stop.signal,
        },
        { budget: settings.budget, out },
      );
    } catch (e) {
      if (!(e instanceof RunInterrupted)) throw e;
      return stop.finish();
    } finally {
      stop.dispose();
    }
    bar?.done();
    writeArchReport(out, report);
    io.out(
      `${report.table}\nwrote ${out}/: table.md, plot.svg, results.json, metrics.jsonl${report.timing ? ', timing.json' : ''}\n`,
    );
    return 0;
  },
);
