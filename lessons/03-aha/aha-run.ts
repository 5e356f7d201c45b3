// Lesson 03's run: the R1-Zero recipe of src/experiments/aha.ts on the shipped base model (fixtures/aha-base),
// stepped here one RL step at a time so the player can redraw, chart and cancel between steps. It is the
// same loop as `tinyseek aha` (RlTrainer from src/rl/trainer.ts), without the run directory: policy and
// frozen reference are two loads of the same checkpoint, rewards are rule-based (right answer + format).
// Budget 'small' (lessons check, CI): 2 RL steps on 2 prompts × 4 samples, 8 held-out problems, so it
// proves the plumbing, not the curve. Budget 'full': the knobs' settings, still far shorter than the
// experiment's 60 steps of 8 × 8, because the laptop CPU is slow; the lesson's prose says what that costs.
import { fileURLToPath } from 'node:url';
import type { KnobValue, RunContext, RunResult } from '../../src/tui/manifest.ts';

const BASE_DIR = fileURLToPath(new URL('../../fixtures/aha-base/', import.meta.url));

export const SERIES = {
  acc: 'held-out pass@1 (%)',
  train: 'training accuracy (%)',
  refl: 'held-out answers that re-check (%)',
  think: 'think length (chars)',
  len: 'response length (tokens)',
} as const;

interface Plan {
  steps: number;
  promptsPerStep: number;
  groupSize: number;
  evalSize: number;
  evalSamples: number;
  evalEvery: number;
}

function plan(budget: 'small' | 'full', knobs: Record<string, KnobValue>): Plan {
  if (budget === 'small')
    return { steps: 2, promptsPerStep: 2, groupSize: 4, evalSize: 8, evalSamples: 1, evalEvery: 1 };
  return {
    steps: Number(knobs['steps']),
    promptsPerStep: 8,
    groupSize: Number(knobs['groupSize']),
    evalSize: 32,
    evalSamples: 2,
    evalEvery: 5,
  };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? NaN : 100 * x);
const num = (x: number | null | undefined) => (x === null || x === undefined ? NaN : x);

export async function runAhaLesson(ctx: RunContext): Promise<RunResult> {
  const { loadCheckpoint } = await import('../../src/model/checkpoint.ts');
  const { resolveRlConfig } = await import('../../src/rl/config.ts');
  const { freeze, transformerPolicy } = await import('../../src/model/policy.ts');
  const { RlTrainer } = await import('../../src/rl/trainer.ts');
  type Variant = import('../../src/rl/config.ts').Variant;

  const p = plan(ctx.budget, ctx.knobs);
  const variant = String(ctx.knobs['variant']) as Variant;
  const config = resolveRlConfig(
    {
      variant,
      seed: Number(ctx.knobs['seed'] ?? 0),
      steps: p.steps,
      promptsPerStep: p.promptsPerStep,
      groupSize: p.groupSize,
      klCoef: Number(ctx.knobs['klCoef']),
      temperature: Number(ctx.knobs['temperature']),
      evalSize: p.evalSize,
      evalSamples: p.evalSamples,
      evalEvery: p.evalEvery,
      warmupSteps: Math.min(3, p.steps - 1),
    },
    'lesson 03 run',
  );

  const policy = transformerPolicy(loadCheckpoint(BASE_DIR, { requiresGrad: true }).model);
  const reference = transformerPolicy(loadCheckpoint(BASE_DIR, { requiresGrad: false }).model);
  freeze(reference);
  const trainer = new RlTrainer({ policy, reference }, config);
  ctx.report({
    kind: 'log',
    text: `${variant}: ${p.steps} steps of ${p.promptsPerStep} prompts × G=${p.groupSize}, β=${config.klCoef}, T=${config.temperature}; held-out: ${p.evalSize} problems of ${config.tasks.map((t) => `${t.kind}:${t.difficulty}`).join(', ')}`,
  });

  // Held-out numbers change only at evaluations; between them the chart holds the last value.
  let held = { acc: NaN, think: NaN, len: NaN, refl: NaN };
  let first: typeof held | undefined;
  let lastExample = '';
  const total = p.steps + 1;
  const show = (step: number, m: { reward: number | null; accuracy: number | null }) => {
    const all = {
      [SERIES.acc]: held.acc,
      [SERIES.train]: pct(m.accuracy),
      [SERIES.refl]: held.refl,
      [SERIES.think]: held.think,
      [SERIES.len]: held.len,
      reward: num(m.reward),
    };
    ctx.report({
      kind: 'progress',
      step,
      total,
      metrics: Object.fromEntries(Object.entries(all).filter(([, v]) => Number.isFinite(v))),
    });
  };
  const absorb = (r: Awaited<ReturnType<typeof trainer.trainStep>>) => {
    if (!r.eval) return;
    const m = r.metrics;
    held = { acc: pct(m.evalPass1), think: num(m.evalThinkLen), len: num(m.evalLen), refl: pct(m.evalReflectiveFrac) };
    first ??= held;
    const g = r.eval.greedyRollouts[0];
    if (g) lastExample = `${g.problem.prompt.trim()} → ${JSON.stringify(g.text)} (${g.reward.reason})`;
  };

  let done = 0;
  while (done < p.steps && !ctx.signal.aborted) {
    const r = await trainer.trainStep();
    absorb(r);
    done++;
    show(done, r.metrics);
    await ctx.tick();
  }
  const last = await trainer.finalEval();
  absorb(last);
  show(total, { reward: null, accuracy: null });
  await ctx.tick();

  const f = first!,
    l = held;
  return {
    metrics: {
      steps: done,
      pass1First: f.acc,
      pass1Last: l.acc,
      thinkFirst: f.think,
      thinkLast: l.think,
      lenFirst: f.len,
      lenLast: l.len,
      reflFirst: f.refl,
      reflLast: l.refl,
    },
    lines: [
      `held-out pass@1: ${f.acc.toFixed(1)}% → ${l.acc.toFixed(1)}% after ${done} RL steps (${p.evalSize} problems × ${p.evalSamples} samples, so roughly ±${(100 / Math.sqrt(p.evalSize * p.evalSamples)).toFixed(0)} points of noise)`,
      `think length: ${f.think.toFixed(1)} → ${l.think.toFixed(1)} characters; response length ${f.len.toFixed(1)} → ${l.len.toFixed(1)} tokens`,
      `answers that re-check ("wait check"): ${f.refl.toFixed(0)}% → ${l.refl.toFixed(0)}%`,
      `a held-out greedy answer at the end: ${lastExample}`,
      ...(ctx.budget === 'small'
        ? ['(small budget: 2 steps prove the loop runs; the curve needs the full budget)']
        : []),
      ...(done < p.steps ? [`(stopped after ${done} of ${p.steps} steps)`] : []),
    ],
  };
}
