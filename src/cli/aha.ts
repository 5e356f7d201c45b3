// `tinyseek aha`: R1-Zero RL from the shipped base (or --from-scratch), with a live terminal chart, a run
// directory (metrics.jsonl, timing.jsonl, samples.jsonl, aha.svg, summary.json) and the teaching controls
// (--ablation dr_grpo|no_worked|shuffle). A thin wrapper over src/experiments/aha.ts and aha-ablations.ts;
// the only clock reads of the experiment happen here.
import { InputError } from '../core/errors.ts';
import { terminalLineChart } from '../plot/terminal.ts';
import { ABLATIONS, runAblation, type AblationName } from '../experiments/aha-ablations.ts';
import {
  AHA_DEFAULTS,
  COUNTDOWN_BASE,
  DEFAULT_BASE,
  runAha,
  type AhaConfig,
  type AhaEvent,
  type AhaSummary,
} from '../experiments/aha.ts';
import { DEFAULT_RL, parseTasks, resolveRlConfig, VARIANT_NAMES, type RlConfig, type Variant } from '../rl/config.ts';
import type { RlStepMetrics } from '../rl/step-metrics.ts';
import { UsageError, bool, num, optStr, str, type Parsed } from './args.ts';
import { readCommand, saveCommand } from './command-file.ts';
import { installInterrupt } from './interrupt.ts';
import { defineCommand, type IO } from './command.ts';
import { checkOutDir } from './output.ts';
import { ProgressBar } from './progress.ts';
import { colorFor } from '../tui/style.ts';
import { COUNTDOWN_SEARCH_RL, countdownPreset } from '../train/countdown-presets.ts';
import type { CountdownMetricKey, CountdownMetrics } from '../experiments/countdown-metrics.ts';
import { PRIMING_CONDITIONS, type PrimingCondition } from '../world/countdown/priming.ts';

const d = DEFAULT_RL;

/** RL overrides from the flags that were given (the rest stay at the variant's defaults). */
function rlOverrides(a: Parsed): Partial<RlConfig> {
  const o: Partial<RlConfig> = { variant: str(a, 'variant') as Variant };
  const set = <K extends keyof RlConfig>(flag: string, key: K) => {
    if (a.flags[flag] !== undefined) o[key] = a.flags[flag] as RlConfig[K];
  };
  set('steps', 'steps');
  set('prompts', 'promptsPerStep');
  set('group-size', 'groupSize');
  set('temperature', 'temperature');
  set('max-new-tokens', 'maxNewTokens');
  set('lr', 'lr');
  set('kl-coef', 'klCoef');
  set('repetition-weight', 'repetitionWeight');
  set('clip-eps', 'clipEps');
  set('clip-eps-high', 'clipEpsHigh');
  set('overlong', 'overlong');
  set('overlong-buffer', 'overlongBuffer');
  set('mu', 'mu');
  set('minibatches', 'minibatches');
  set('ref-reset', 'refResetEvery');
  set('eval-every', 'evalEvery');
  set('eval-size', 'evalSize');
  set('eval-samples', 'evalSamples');
  if (a.flags['clip-eps'] !== undefined && a.flags['clip-eps-high'] === undefined) o.clipEpsHigh = o.clipEps!;
  const tasks = optStr(a, 'tasks');
  if (tasks !== undefined) {
    try {
      o.tasks = parseTasks(tasks, '--tasks');
    } catch (e) {
      throw e instanceof InputError ? new UsageError(e.message) : e;
    }
  }
  return o;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '  -' : `${(100 * x).toFixed(0)}%`);
const f1 = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(1));

/** Carry the last eval value forward so a live chart shows held-out accuracy as a step line. */
function filled(history: RlStepMetrics[], key: 'evalPass1' | 'evalThinkLen' | 'evalReflectiveFrac'): number[] {
  let last = NaN;
  return history.map((m) => (last = m[key] ?? last));
}

/** Countdown runs: behaviours per held-out answer and injected errors caught, carried between evaluations. */
function behaviourChart(cd: readonly (CountdownMetrics | undefined)[], colors: boolean): string {
  const carry = (k: CountdownMetricKey) => {
    let last = NaN;
    return cd.map((c) => (last = typeof c?.[k] === 'number' ? (c[k] as number) : last));
  };
  return terminalLineChart({
    title: 'behaviours per held-out answer (Countdown)',
    width: 72,
    height: 9,
    colors,
    series: [
      { name: 'verdicts', values: carry('behVerification') },
      { name: 'backtracks', values: carry('behBacktracking') },
      { name: 'subgoals', values: carry('behSubgoals') },
      { name: 'errors caught', values: carry('interventionCatchRate') },
    ],
  });
}

function liveChart(
  history: RlStepMetrics[],
  colors: boolean,
  cd: readonly (CountdownMetrics | undefined)[] = [],
): string {
  const acc = terminalLineChart({
    title: 'accuracy and re-checking',
    width: 72,
    height: 9,
    colors,
    series: [
      { name: 'train accuracy', values: history.map((m) => m.accuracy ?? NaN) },
      { name: 'held-out pass@1', values: filled(history, 'evalPass1') },
      { name: 'held-out answers that re-check', values: filled(history, 'evalReflectiveFrac') },
    ],
  });
  const len = terminalLineChart({
    title: 'length',
    width: 72,
    height: 9,
    colors,
    series: [
      { name: 'response (tokens)', values: history.map((m) => m.lenAll ?? NaN) },
      { name: 'held-out think (chars)', values: filled(history, 'evalThinkLen') },
    ],
  });
  return acc + '\n' + len + (cd.some((c) => c !== undefined) ? '\n' + behaviourChart(cd, colors) : '');
}

function summaryText(s: AhaSummary): string {
  const fl = (name: string, v: { first: number; last: number } | null, as: (x: number) => string) =>
    `  ${name.padEnd(22)} ${v ? `${as(v.first)} → ${as(v.last)}` : '-'}`;
  const c = s.criteria;
  return (
    [
      `after ${s.steps} steps, ${s.seeds.length > 1 ? `mean of seeds ${s.seeds.join(',')}` : `seed ${s.seeds[0]}`} (first → last held-out evaluation):`,
      fl('accuracy (greedy)', s.greedyAccuracy, (x) => pct(x)),
      fl('accuracy (pass@1)', s.pass1, (x) => pct(x)),
      fl('think length (chars)', s.thinkLength, f1),
      fl('response (tokens)', s.responseLength, f1),
      fl('answers that re-check', s.reflectiveFrac, (x) => pct(x)),
      fl('wrong answers (tokens)', s.incorrectLength, f1) + '   (training rollouts, first → last 10 steps)',
      s.countdown
        ? countdownCriteria(s)
        : `  criteria: accuracy +30 points ${yn(c.accuracyUp30)}, think length ×2 ${yn(c.thinkDoubled)}, re-checking up ≥5 points ${yn(c.reflectionUp)}`,
    ].join('\n') + '\n'
  );
}

const yn = (b: boolean) => (b ? 'yes' : 'no');

/** Issue 16's goals for a Countdown run: pass@1 up ≥ 25 points while the think grows, and a final policy that
 * catches at least half of the injected errors. */
function countdownCriteria(s: AhaSummary): string {
  const caught = s.countdown?.interventionCatchRate.last ?? null;
  return [
    `  criteria: accuracy +25 points ${yn(s.pass1 !== null && s.pass1.last - s.pass1.first >= 0.25)}`,
    `think longer ${yn(s.thinkLength !== null && s.thinkLength.last > s.thinkLength.first)}`,
    `injected errors caught ≥50% ${yn(caught !== null && caught >= 0.5)} (${caught === null ? '-' : pct(caught)})`,
  ].join(', ');
}

/** Draws progress: a redrawn chart on a TTY, plain lines elsewhere. */
function makeView(io: IO, now: () => number) {
  const colors = colorFor(process.env, io.isTTY); // the live chart is drawn on stderr
  let drawn = 0;
  let bar: ProgressBar | undefined;
  let cd: (CountdownMetrics | undefined)[] = [];
  let prefix = '';
  return {
    setPrefix(p: string) {
      prefix = p;
    },
    event(e: AhaEvent) {
      switch (e.type) {
        case 'pretrain-start':
          bar = new ProgressBar({ total: e.steps, label: `${prefix}pretrain base`, io, now });
          return;
        case 'pretrain-step':
          bar?.tick(1, `loss ${e.loss.toFixed(3)}`);
          if (e.step === e.steps) bar?.done();
          return;
        case 'seed-start':
          drawn = 0;
          cd = [];
          bar = new ProgressBar({
            total: e.steps,
            label: `${prefix}seed ${e.seed} (${e.index + 1}/${e.seeds})`,
            io,
            now,
          });
          return;
        case 'rl-step': {
          const m = e.report.metrics;
          cd.push(e.countdown);
          if (m.reward !== null)
            bar?.tick(
              1,
              `reward ${m.reward.toFixed(2)} acc ${pct(m.accuracy)} len ${f1(m.lenAll)} kl ${m.kl?.toFixed(3)}`,
            );
          if (io.isTTY) {
            const block = liveChart(e.history, colors, cd) + '\n';
            io.err((drawn ? `\x1b[${drawn}F\x1b[J` : '\n') + block);
            drawn = block.split('\n').length - 1;
          } else if (m.evalGreedyAcc !== null) {
            io.err(
              `${prefix}step ${m.step}: held-out greedy ${pct(m.evalGreedyAcc)} pass@1 ${pct(m.evalPass1)} think ${f1(m.evalThinkLen)} chars, re-checks ${pct(m.evalReflectiveFrac)}\n`,
            );
          }
          const c = e.countdown;
          if (c && c.checkAccuracy !== undefined && m.evalGreedyAcc !== null) {
            const n = (x: unknown) => (typeof x === 'number' ? x.toFixed(2) : '-');
            io.err(
              `${prefix}  per answer: verdicts ${n(c.behVerification)} checks ${n(c.behChecks)} backtracks ${n(c.behBacktracking)} subgoals ${n(c.behSubgoals)} backward ${n(c.behBackwardChaining)}, a path written twice ${pct(c.repeatedPaths as number | null)}; check accuracy ${pct(c.checkAccuracy as number | null)}, injected errors caught ${pct(c.interventionCatchRate as number | null)}\n`,
            );
          }
          return;
        }
        case 'seed-done':
          bar?.done();
          drawn = 0;
          io.err(`${prefix}seed ${e.seed}: ${e.dir}\n`);
          return;
        case 'done':
          return;
      }
    },
  };
}

export const ahaCommand = defineCommand(
  {
    name: 'aha',
    summary: 'R1-Zero in miniature: GRPO from the base model, accuracy and thinking length rise together',
    usage:
      'tinyseek aha [--out DIR] [--base DIR | --from-scratch] [--seeds 0,1,2] [--variant V] [--ablation A] [RL flags]',
    flags: {
      out: { type: 'string', default: 'runs/aha', help: 'run directory to write', meta: 'DIR' },
      base: { type: 'string', default: DEFAULT_BASE, help: 'base checkpoint directory', meta: 'DIR' },
      'from-scratch': { type: 'bool', help: 'pretrain the base first (the aha preset, ~7 min on 2 cores), then RL' },
      seeds: {
        type: 'intlist',
        default: [0],
        min: 0,
        help: 'seeds to run; the plot shows their mean with a band',
        meta: 'LIST',
      },
      variant: { type: 'string', default: d.variant, choices: VARIANT_NAMES, help: 'RL algorithm / loss variant' },
      ablation: { type: 'string', choices: ABLATIONS, help: 'a control in two arms, plotted together' },
      task: {
        type: 'string',
        default: 'add',
        choices: ['add', 'countdown'],
        help: `add: 2-digit addition; countdown: 3-number Countdown with the verification tests, from ${COUNTDOWN_BASE} unless --base or --from-scratch`,
      },
      priming: {
        type: 'string',
        default: 'all',
        choices: PRIMING_CONDITIONS,
        help: 'with --task countdown --from-scratch: the primed corpus of the base',
      },
      'no-worked-base': {
        type: 'string',
        help: 'base pretrained without worked solutions, for --ablation no_worked (tinyseek pretrain --preset aha --no-worked; else it is pretrained here)',
        meta: 'DIR',
      },
      steps: {
        type: 'int',
        min: 1,
        help: `RL steps (default ${d.steps}; --task countdown ${COUNTDOWN_SEARCH_RL.steps})`,
      },
      prompts: { type: 'int', min: 1, help: `questions per step (default ${d.promptsPerStep})` },
      'group-size': {
        type: 'int',
        min: 1,
        help: `G, samples per question (default ${d.groupSize}; --task countdown ${COUNTDOWN_SEARCH_RL.groupSize})`,
      },
      temperature: { type: 'float', min: 0.01, help: `sampling temperature (default ${d.temperature})` },
      'max-new-tokens': {
        type: 'int',
        min: 1,
        help: `completion budget in tokens (default ${d.maxNewTokens}; --task countdown ${COUNTDOWN_SEARCH_RL.maxNewTokens})`,
      },
      lr: {
        type: 'float',
        min: 0,
        help: `learning rate (default ${d.lr}; --task countdown ${COUNTDOWN_SEARCH_RL.lr})`,
      },
      'kl-coef': { type: 'float', min: 0, help: `β of the k3 KL to the reference (default ${d.klCoef})` },
      'repetition-weight': {
        type: 'float',
        min: 0,
        help: `--task countdown: subtract w × the share of a think's paths that repeat an earlier one (default ${d.repetitionWeight})`,
      },
      'clip-eps': { type: 'float', min: 0, help: `ε of the clipped ratio (default ${d.clipEps})` },
      'clip-eps-high': { type: 'float', min: 0, help: 'upper ε (clip-higher); default = --clip-eps' },
      overlong: {
        type: 'string',
        choices: ['none', 'mask', 'soft'],
        help: `answers that reach the budget: none (rewarded as they are), mask (left out of the loss), soft (DAPO's length penalty over the budget's last --overlong-buffer tokens) (default ${d.overlong}; --variant dapo mask)`,
      },
      'overlong-buffer': {
        type: 'int',
        min: 1,
        help: `L_cache, the tokens before the budget's end where --overlong soft starts to subtract (default ${d.overlongBuffer})`,
      },
      mu: { type: 'int', min: 1, help: `μ, passes over each batch (default ${d.mu})` },
      minibatches: { type: 'int', min: 1, help: `updates per pass (default ${d.minibatches})` },
      'ref-reset': { type: 'int', min: 0, help: 'reset the reference to the policy every N steps (0: never)' },
      tasks: {
        type: 'string',
        help: `training/held-out tasks as kind:difficulty,… (default ${d.tasks.map((t) => `${t.kind}:${t.difficulty}`).join(',')})`,
        meta: 'LIST',
      },
      'eval-every': { type: 'int', min: 1, help: `held-out evaluation interval (default ${d.evalEvery})` },
      'eval-size': { type: 'int', min: 1, help: `held-out problems per task (default ${d.evalSize})` },
      'eval-samples': { type: 'int', min: 0, help: `k samples per problem for pass@1 (default ${d.evalSamples})` },
      resume: {
        type: 'bool',
        help: 'continue a run stopped by Ctrl-C in --out, exactly where it stopped (the other flags come from its command.json)',
      },
    },
    examples: [
      'tinyseek aha',
      'tinyseek aha --seeds 0,1,2 --out runs/aha3',
      'tinyseek aha --from-scratch --out runs/aha-scratch',
      'tinyseek aha --ablation dr_grpo',
      'tinyseek aha --ablation no_worked --no-worked-base runs/aha-base-no-worked',
      'tinyseek aha --variant ppo --steps 20',
      'tinyseek aha --task countdown',
      'tinyseek aha --task countdown --from-scratch --priming all',
      'tinyseek aha --out runs/aha --resume',
    ],
  },
  async (a, io) => {
    const out = str(a, 'out');
    checkOutDir(out);
    const resume = bool(a, 'resume');
    const { config, ablation, noWorkedBase } = resume ? readCommand<AhaSettings>(out, 'aha') : settingsOf(a);
    if (!resume) saveCommand(out, { config, ablation, noWorkedBase });
    const seeds = config.seeds;
    const now = () => performance.now();
    const view = makeView(io, now);
    const interrupt = installInterrupt({
      io,
      what: 'this step and a last evaluation',
      resume: `tinyseek aha --out ${out} --resume`,
    });
    const shouldStop = () => interrupt.signal.aborted;
    const t0 = now();
    try {
      if (ablation) {
        const arms = await runAblation(
          ablation,
          config,
          {
            out,
            now,
            shouldStop,
            resume,
            signal: interrupt.signal,
            onEvent: (e) => {
              if (e.type === 'arm') {
                view.setPrefix(`[${e.arm}] `);
                view.event(e.event);
              }
            },
          },
          { noWorkedBase },
        );
        for (const [name, s] of Object.entries(arms)) io.out(`${name}:\n${summaryText(s)}`);
        io.out(
          `ablation ${ablation}: ${out}/${ablation}.svg (arms in ${Object.keys(arms)
            .map((n) => `${out}/${n}`)
            .join(', ')})\n`,
        );
      } else {
        const { summary, runs } = await runAha(config, {
          out,
          now,
          shouldStop,
          resume,
          signal: interrupt.signal,
          onEvent: (e) => view.event(e),
        });
        if (!io.isTTY && runs.length) io.out(liveChart(runs[runs.length - 1]!, false) + '\n');
        io.out(summaryText(summary));
        const model = seeds.length > 1 ? `${out}/seed-${seeds[0]}` : out;
        io.out(
          `run directory: ${out} (metrics.jsonl, aha.svg, summary.json, the trained model${seeds.length > 1 ? ' in each seed-*/' : ''})\n`,
        );
        const example = config.rl.tasks?.[0]?.kind === 'countdown' ? '4 4 6 to 14' : '49+70';
        io.out(`read its answers: tinyseek sample --model ${model} --problem '${example}' --n 8 --temperature 1\n`);
      }
      io.out(`wall time ${((now() - t0) / 1000).toFixed(0)} s\n`);
      return interrupt.finish();
    } finally {
      interrupt.dispose();
    }
  },
);

/** What a fresh `tinyseek aha` runs, from its flags (also saved as command.json, which --resume reads). */
interface AhaSettings {
  config: AhaConfig;
  ablation?: AblationName;
  noWorkedBase?: string;
}

function settingsOf(a: Parsed): AhaSettings {
  const seeds = a.flags.seeds as number[];
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds repeats a seed: ${seeds.join(',')}`);
  const ablation = optStr(a, 'ablation') as AblationName | undefined;
  if (optStr(a, 'no-worked-base') !== undefined && ablation !== 'no_worked')
    throw new UsageError('--no-worked-base only goes with --ablation no_worked');
  const config: AhaConfig = {
    ...AHA_DEFAULTS,
    base: str(a, 'base'),
    fromScratch: bool(a, 'from-scratch'),
    seeds,
    rl: rlOverrides(a),
  };
  if (str(a, 'task') === 'countdown') {
    if (ablation) throw new UsageError('--ablation is for the addition task');
    if (config.base === DEFAULT_BASE) config.base = COUNTDOWN_BASE;
    const cd = COUNTDOWN_SEARCH_RL;
    config.rl.tasks ??= cd.tasks;
    config.rl.maxNewTokens ??= cd.maxNewTokens;
    config.rl.evalEvery ??= cd.evalEvery;
    config.rl.evalSamples ??= cd.evalSamples;
    config.rl.lr ??= cd.lr;
    config.rl.groupSize ??= cd.groupSize;
    config.rl.steps ??= cd.steps;
    config.pretrain = countdownPreset(str(a, 'priming') as PrimingCondition);
  } else if (a.flags.priming !== undefined && str(a, 'priming') !== 'all')
    throw new UsageError('--priming goes with --task countdown');
  // flags that pass one by one but not together (e.g. --overlong-buffer past the budget) stop here, before the
  // run directory is written
  try {
    resolveRlConfig({ ...config.rl, seed: seeds[0] }, 'aha');
  } catch (e) {
    throw e instanceof InputError ? new UsageError(e.message) : e;
  }
  return { config, ablation, noWorkedBase: optStr(a, 'no-worked-base') };
}
