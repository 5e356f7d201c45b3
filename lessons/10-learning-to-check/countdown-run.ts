// Lesson 10's live runs on a shipped Countdown base, chosen by the knob `base`: the searching base whose paths name
// the number they keep (fixtures/countdown-search/kept, `tinyseek aha --task countdown`'s default: comparisons, no
// checks) or the primed `all` base (fixtures/countdown-primed/all: every behaviour, checks that catch slips).
//
// runCountdownLesson: the RL run of `tinyseek aha --task countdown` (src/experiments/aha.ts: RlTrainer from
// src/rl/trainer.ts on 3-number problems, that base's token budget and learning rate, countdownVerify from
// src/experiments/countdown-verify.ts at every evaluation), stepped here one RL step at a time so the player can
// chart and cancel between steps. Per step it charts Gandhi et al.'s behaviours per training answer (verdicts,
// checks, backtracks, subgoals; counted by world/countdown/parse.ts) and reports training accuracy; at each
// evaluation the held-out pass@1, step accuracy, check accuracy and the share of injected errors caught.
//
// runInterventionLesson: the intervention test (countdown-verify.ts runInterventions) on one held-out problem the
// learner picks: force-decode a dead-end path whose last step claims the target with a wrong value, and show the
// base's greedy continuation beside the continuation of the policy the RL step trained (kept in memory for the
// session), each judged caught / fooled / recovered.
//
// Budget 'small' (lessons check, CI): 2 RL steps on 2 prompts × 4 samples, 4 held-out problems, short answers,
// so it proves the plumbing, not the curve.
import { fileURLToPath } from 'node:url';
import type { KnobValue, RunContext, RunResult } from '../../src/tui/manifest.ts';
import type { Transformer } from '../../src/model/transformer.ts';
import type { CountdownVerifyResult } from '../../src/experiments/countdown-verify.ts';

/** The knob `base`: where each choice lives. */
export const BASES = {
  search: 'fixtures/countdown-search/kept',
  all: 'fixtures/countdown-primed/all',
} as const;
type BaseName = keyof typeof BASES;
const baseDir = (b: BaseName) => fileURLToPath(new URL(`../../${BASES[b]}/`, import.meta.url));
const baseOf = (knobs: Record<string, KnobValue>): BaseName => (knobs['base'] === 'all' ? 'all' : 'search');

export const CD_SERIES = {
  pass1: 'held-out pass@1 (%)',
  train: 'training accuracy (%)',
  caught: 'injected errors caught (%)',
  verdicts: 'verdicts ×10 per answer',
  checks: 'checks ×10 per answer',
  tries: 'backtracks ×10 per answer',
  subgoals: 'subgoals ×10 per answer',
} as const;

interface Plan {
  steps: number;
  promptsPerStep: number;
  groupSize: number;
  evalSize: number;
  evalSamples: number;
  evalEvery: number;
  maxNewTokens: number;
}

function plan(budget: 'small' | 'full', knobs: Record<string, KnobValue>, maxNewTokens: number): Plan {
  if (budget === 'small')
    return { steps: 2, promptsPerStep: 2, groupSize: 4, evalSize: 4, evalSamples: 1, evalEvery: 1, maxNewTokens: 48 };
  return {
    steps: Number(knobs['steps']),
    promptsPerStep: 8,
    groupSize: Number(knobs['groupSize']),
    evalSize: 32,
    evalSamples: 1,
    evalEvery: 5,
    maxNewTokens,
  };
}

/** The policy the last finished RL step trained, for the intervention step (null until one has run). */
let trained: { model: Transformer; steps: number; seed: number; base: BaseName } | null = null;

const pct = (x: number | null | undefined) => (x === null || x === undefined ? NaN : 100 * x);

export async function runCountdownLesson(ctx: RunContext): Promise<RunResult> {
  const { loadCheckpoint } = await import('../../src/model/checkpoint.ts');
  const { DEFAULT_RL, resolveRlConfig } = await import('../../src/rl/config.ts');
  const { freeze, transformerPolicy } = await import('../../src/model/policy.ts');
  const { RlTrainer } = await import('../../src/rl/trainer.ts');
  const { countdownVerify, pathOpeningOf } = await import('../../src/experiments/countdown-verify.ts');
  const { countBehaviours, parseSearch } = await import('../../src/world/countdown/index.ts');
  const { thinkText } = await import('../../src/world/index.ts');

  const { COUNTDOWN_RL, COUNTDOWN_SEARCH_RL } = await import('../../src/train/countdown-presets.ts');
  const base = baseOf(ctx.knobs);
  // The searching base runs as `tinyseek aha --task countdown` does; the primed base as the priming table's runs.
  const settings = base === 'search' ? COUNTDOWN_SEARCH_RL : { ...COUNTDOWN_RL, lr: DEFAULT_RL.lr };
  const p = plan(ctx.budget, ctx.knobs, settings.maxNewTokens);
  const seed = Number(ctx.knobs['seed'] ?? 0);
  const config = resolveRlConfig(
    {
      seed,
      lr: settings.lr,
      tasks: settings.tasks,
      steps: p.steps,
      promptsPerStep: p.promptsPerStep,
      groupSize: p.groupSize,
      maxNewTokens: p.maxNewTokens,
      evalSize: p.evalSize,
      evalSamples: p.evalSamples,
      evalEvery: p.evalEvery,
      warmupSteps: Math.min(3, p.steps - 1),
    },
    'lesson 10 run',
  );
  const loaded = loadCheckpoint(baseDir(base), { requiresGrad: true });
  const policy = transformerPolicy(loaded.model);
  const reference = transformerPolicy(loadCheckpoint(baseDir(base), { requiresGrad: false }).model);
  freeze(reference);
  const trainer = new RlTrainer({ policy, reference }, config);
  // The verification tests see the policy its evaluation saw: right after it, before the step's update.
  trainer.afterEval = () =>
    countdownVerify(policy.model, trainer.evalProblems, {
      maxNewTokens: config.maxNewTokens,
      budgets: [config.maxNewTokens],
      seed,
      batchSize: config.genBatch,
      opening: pathOpeningOf(loaded.meta),
    });
  ctx.report({
    kind: 'log',
    text: `GRPO on ${BASES[base]}: ${p.steps} steps of ${p.promptsPerStep} prompts × G=${p.groupSize}; held-out: ${p.evalSize} 3-number problems, verification tests every ${p.evalEvery} steps`,
  });

  type Held = { pass1: number; stepAcc: number; checkAcc: number; caught: number; fooled: number };
  let held: Held = { pass1: NaN, stepAcc: NaN, checkAcc: NaN, caught: NaN, fooled: NaN };
  let first: Held | undefined;
  const beh = { verdicts: [] as number[], checks: [] as number[], tries: [] as number[], subgoals: [] as number[] };
  const total = p.steps + 1;

  const evaluate = (r: Awaited<ReturnType<typeof trainer.trainStep>>) => {
    if (!r.eval) return;
    const v = r.evalExtra as CountdownVerifyResult;
    held = {
      pass1: pct(r.metrics.evalPass1),
      stepAcc: pct(v.stepAccuracy),
      checkAcc: pct(v.checkAccuracy),
      caught: pct(v.interventionCatchRate),
      fooled: pct(v.interventionFooledRate),
    };
    first ??= held;
  };
  const show = (step: number, r: Awaited<ReturnType<typeof trainer.trainStep>>) => {
    const counts = r.rollouts.map((x) =>
      countBehaviours(parseSearch(thinkText(x.text), x.problem.numbers!, x.problem.target!)),
    );
    const m = (f: (c: (typeof counts)[number]) => number) =>
      counts.length === 0 ? NaN : counts.reduce((a, c) => a + f(c), 0) / counts.length;
    const step10 = {
      verdicts: m((c) => c.verification),
      checks: m((c) => c.checks),
      tries: m((c) => c.backtracking),
      subgoals: m((c) => c.subgoals),
    };
    if (counts.length > 0) for (const k of Object.keys(beh) as (keyof typeof beh)[]) beh[k].push(step10[k]);
    const all = {
      [CD_SERIES.pass1]: held.pass1,
      [CD_SERIES.train]: pct(r.metrics.accuracy),
      [CD_SERIES.caught]: held.caught,
      [CD_SERIES.verdicts]: 10 * step10.verdicts,
      [CD_SERIES.checks]: 10 * step10.checks,
      [CD_SERIES.tries]: 10 * step10.tries,
      [CD_SERIES.subgoals]: 10 * step10.subgoals,
    };
    ctx.report({
      kind: 'progress',
      step,
      total,
      metrics: Object.fromEntries(Object.entries(all).filter(([, v]) => Number.isFinite(v))),
    });
  };

  let done = 0;
  while (done < p.steps && !ctx.signal.aborted) {
    const r = await trainer.trainStep();
    evaluate(r);
    done++;
    show(done, r);
    await ctx.tick();
  }
  const last = await trainer.finalEval();
  evaluate(last);
  show(total, last);
  await ctx.tick();
  trained = { model: policy.model, steps: done, seed, base };

  const f = first!,
    l = held;
  // Per-step counts are noisy (one step is 64 answers at most): each end is the mean of up to 3 steps.
  const avg = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
  const ends = (xs: number[]) => {
    const w = Math.max(1, Math.min(3, Math.floor(xs.length / 2)));
    return { a: avg(xs.slice(0, w)), b: avg(xs.slice(-w)) };
  };
  const v = ends(beh.verdicts),
    t = ends(beh.tries);
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
  return {
    metrics: Object.fromEntries(
      Object.entries({
        steps: done,
        pass1First: f.pass1,
        pass1Last: l.pass1,
        stepAccFirst: f.stepAcc,
        stepAccLast: l.stepAcc,
        checkAccFirst: f.checkAcc,
        checkAccLast: l.checkAcc,
        caughtFirst: f.caught,
        caughtLast: l.caught,
        verdictsFirst: v.a,
        verdictsLast: v.b,
        triesFirst: t.a,
        triesLast: t.b,
      }).filter(([, x]) => Number.isFinite(x)),
    ),
    lines: [
      `held-out pass@1: ${fmt(f.pass1)}% → ${fmt(l.pass1)}% after ${done} RL steps (${p.evalSize} problems, so roughly ±${(100 / Math.sqrt(p.evalSize * p.evalSamples)).toFixed(0)} points of noise)`,
      `steps written right: ${fmt(f.stepAcc)}% → ${fmt(l.stepAcc)}%; checks that recompute right: ${fmt(f.checkAcc)}% → ${fmt(l.checkAcc)}%`,
      `injected wrong claims caught: ${fmt(f.caught)}% → ${fmt(l.caught)}% (accepted: ${fmt(f.fooled)}% → ${fmt(l.fooled)}%)`,
      `per training answer, first → last steps: ${v.a.toFixed(1)} → ${v.b.toFixed(1)} verdicts, ${t.a.toFixed(1)} → ${t.b.toFixed(1)} backtracks`,
      'the next step puts a wrong claim into a problem you choose and shows this policy beside the base',
      ...(ctx.budget === 'small'
        ? ['(small budget: 2 steps prove the loop runs; the curve needs the full budget)']
        : []),
      ...(done < p.steps ? [`(stopped after ${done} of ${p.steps} steps)`] : []),
    ],
  };
}

/** The intervention knob's problems: the first six of the RL run's held-out set (heldOutSet('countdown', 3, n,
 * DEFAULT_RL.heldOutSeed)), written out so the knob can show them; test/tui/lesson-10-runs.test.ts checks that. */
export const INTERVENTION_PROBLEMS = [
  '4 9 6 to 33',
  '4 4 6 to 14',
  '4 8 8 to 20',
  '8 7 3 to 17',
  '3 6 5 to 14',
  '2 1 6 to 12',
];

export async function runInterventionLesson(ctx: RunContext): Promise<RunResult> {
  const { loadCheckpoint } = await import('../../src/model/checkpoint.ts');
  const { runInterventions, pathOpeningOf } = await import('../../src/experiments/countdown-verify.ts');
  const { COUNTDOWN_RL, COUNTDOWN_SEARCH_RL } = await import('../../src/train/countdown-presets.ts');
  const { heldOutSet } = await import('../../src/world/index.ts');
  const { Rng } = await import('../../src/core/rng.ts');
  const { DEFAULT_RL } = await import('../../src/rl/config.ts');

  const chosen = String(ctx.knobs['problem']);
  const seed = Number(ctx.knobs['seed'] ?? 0);
  const problem = heldOutSet('countdown', 3, 32, DEFAULT_RL.heldOutSeed).find((p) => p.prompt === chosen);
  if (!problem) throw new Error(`'${chosen}' is not among the RL run's held-out problems`);
  const which = baseOf(ctx.knobs);
  const budget = (which === 'search' ? COUNTDOWN_SEARCH_RL : COUNTDOWN_RL).maxNewTokens;
  const maxNewTokens = ctx.budget === 'small' ? 48 : budget;
  // The same injected path for both models: the same problem index and the same stream.
  const stream = () => new Rng(seed).child('lesson-10-intervention').child(chosen);
  const { model: base, meta } = loadCheckpoint(baseDir(which), { requiresGrad: false });
  const models: [string, Transformer][] = [[`base (${BASES[which]})`, base]];
  const mine = trained?.base === which ? trained : null;
  if (mine) models.push([`after ${mine.steps} RL steps (seed ${mine.seed})`, mine.model]);
  const lines: string[] = [];
  const metrics: Record<string, number> = {};
  for (const [i, [name, model]] of models.entries()) {
    const [r] = await runInterventions(model, [problem], stream(), maxNewTokens, 1, pathOpeningOf(meta));
    if (!r) throw new Error(`${problem.prompt.trim()}: every path touches the target; choose another problem`);
    if (i === 0) {
      lines.push(`problem: ${problem.prompt.trim()}`);
      lines.push(
        `forced prefix: ${r.intervention.prefix.trim()}   (the last step is wrong: ${r.intervention.step.a}${r.intervention.step.op}${r.intervention.step.b} is ${r.intervention.trueValue})`,
      );
    }
    const o = r.outcome;
    const verdict = o.caught
      ? 'CAUGHT the error'
      : o.fooled
        ? 'FOOLED: accepted the wrong claim'
        : 'neither caught nor accepted it';
    lines.push(`${name}: …${r.continuation}`);
    lines.push(`  → ${verdict}; final answer ${o.recovered ? 'right' : 'wrong'}`);
    const key = i === 0 ? 'base' : 'rl';
    metrics[`${key}Caught`] = o.caught ? 1 : 0;
    metrics[`${key}Fooled`] = o.fooled ? 1 : 0;
    metrics[`${key}Recovered`] = o.recovered ? 1 : 0;
    ctx.report({ kind: 'progress', step: i + 1, total: models.length });
    await ctx.tick();
  }
  if (!mine) lines.push(`(run the RL step on the ${which} base first to see the trained policy beside it)`);
  return { metrics, lines };
}
