// Lesson 02's run: the same base model answers held-out additions three ways, and we count right answers
// and tokens spent for 1-, 2- and 3-digit sums.
//   direct: the prompt is closed for it — promptFor(p) + '</think><answer>' — so it must write the answer now;
//   worked: the think is opened with ONE forced token, the units digit of the first operand, which in this
//           corpus only a worked solution starts with (a direct answer's think is empty or "easy");
//   free:   the plain prompt; the model picks a style itself (greedy decoding).
// Accuracy is the rule-based reward's (format and answer, src/world/rewards.ts); tokens are counted from
// <think> to </answer>, forced ones included. The model is the base checkpoint in fixtures/base when it
// exists; otherwise a small model is pretrained here on the same kind of corpus (and the run says so).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Transformer } from '../../src/model/transformer.ts';
import type { Problem } from '../../src/world/index.ts';
import type { RunContext, RunResult } from '../../src/tui/manifest.ts';

export const BASE_DIR = fileURLToPath(new URL('../../fixtures/base', import.meta.url));
export const MODES = ['direct', 'worked', 'free'] as const;
export type Mode = (typeof MODES)[number];
export const DIGITS = [1, 2, 3];

export interface ModeResult {
  accuracy: number;
  meanTokens: number;
  /** Worked mode: the model's steps against the true worked trace, position by position. */
  steps?: StepStats;
  /** The first right and the first wrong completion, as text (either may be missing). */
  samples: string[];
}

export interface StepStats {
  /** Steps the true trace has, over all problems. */
  total: number;
  /** Steps written exactly right ("3+4+1=8"). */
  right: number;
  /** Steps whose left side is wrong: the model read the wrong digits (or the wrong carry). */
  misread: number;
  /** Steps whose left side is right but whose sum is wrong: an arithmetic slip. */
  misadded: number;
}

/** Compares the steps of a worked think ("8+9=17 3+3+1=7 ...") with the true ones, position by position. */
export function compareSteps(think: string, truth: readonly string[]): StepStats {
  const written = think.split(' ').filter((w) => w.includes('='));
  const out: StepStats = { total: truth.length, right: 0, misread: 0, misadded: 0 };
  truth.forEach((t, i) => {
    const w = written[i];
    if (w === undefined) return; // a missing step counts in total only
    const [lhs, value] = t.split('=');
    const [wl, wv] = w.split('=');
    if (wl !== lhs) out.misread++;
    else if (wv !== value) out.misadded++;
    else out.right++;
  });
  return out;
}

/** Greedy completions of `problems` in one mode: accuracy, mean tokens, and a few samples as text. */
export async function answerIn(
  model: Transformer,
  problems: Problem[],
  mode: Mode,
  maxNewTokens: number,
): Promise<ModeResult> {
  const { generate } = await import('../../src/model/generate.ts');
  const { Rng } = await import('../../src/core/rng.ts');
  const w = await import('../../src/world/index.ts');
  const forced = problems.map((p) =>
    mode === 'direct' ? `${w.THINK_END}${w.ANSWER}` : mode === 'worked' ? String(p.numbers![0]! % 10) : '',
  );
  const gens = await generate(
    model,
    problems.map((p, i) => w.encode(w.promptFor(p) + forced[i]!)),
    {
      maxNewTokens,
      temperature: 0,
      stopIds: [w.EOS_ID, w.ANSWER_END_ID],
      padId: w.PAD_ID,
      rng: new Rng(0),
    },
  );
  let right = 0;
  let tokens = 0;
  const steps: StepStats = { total: 0, right: 0, misread: 0, misadded: 0 };
  let firstRight: string | undefined;
  let firstWrong: string | undefined;
  gens.forEach((g, i) => {
    const completion = forced[i]! + w.decode(g.tokens);
    const r = w.rewardBreakdown(problems[i]!, completion, { truncated: g.finish === 'length' });
    right += r.accuracy;
    tokens += w.encode(completion).length;
    if (mode === 'worked') {
      const truth = w
        .workedTrace(problems[i]!)
        .items.flatMap((it) => (it.kind === 'step' ? [`${it.lhs}=${it.value}`] : []));
      const c = compareSteps(w.thinkText(completion), truth);
      steps.total += c.total;
      steps.right += c.right;
      steps.misread += c.misread;
      steps.misadded += c.misadded;
    }
    const text = `${problems[i]!.prompt} → ${completion.replace(/<\/answer>|<eos>/g, '')} ${r.accuracy ? '✓' : '✗'}`;
    if (r.accuracy) firstRight ??= text;
    else firstWrong ??= text;
  });
  const samples = [firstRight, firstWrong].filter((t): t is string => t !== undefined);
  const result: ModeResult = {
    accuracy: right / Math.max(1, problems.length),
    meanTokens: tokens / Math.max(1, problems.length),
    samples,
  };
  if (mode === 'worked') result.steps = steps;
  return result;
}

/** The base model, or a stand-in trained now. Reports what it did as log lines. */
async function baseModel(ctx: RunContext): Promise<{ model: Transformer; source: string }> {
  if (existsSync(join(BASE_DIR, 'config.json'))) {
    const { loadCheckpoint } = await import('../../src/model/checkpoint.ts');
    const { model, meta } = loadCheckpoint(BASE_DIR);
    const step = typeof meta['step'] === 'number' ? `, ${meta['step']} steps` : '';
    return {
      model,
      source: `the base checkpoint fixtures/base (${model.config.nLayers} layers, d = ${model.config.dModel}${step})`,
    };
  }
  const { pretrain, defaultPretrain } = await import('../../src/train/pretrain.ts');
  const steps = ctx.budget === 'small' ? 10 : 400;
  ctx.report({
    kind: 'log',
    text: `fixtures/base is missing: pretraining a small stand-in for ${steps} steps first (its accuracies will be low)`,
  });
  const { model } = await pretrain(
    {
      ...defaultPretrain,
      model: { ...defaultPretrain.model, dModel: 32, nHeads: 2, nKvHeads: 2, dFF: 80, maxSeqLen: 64 },
      steps,
      warmup: Math.min(20, steps),
      batchSize: 16,
      seqLen: 64,
      mix: { kinds: ['add'], difficulty: { add: [1, 3] } },
      eval: { ...defaultPretrain.eval, kind: 'add', difficulty: 3, n: 1, every: steps + 1, maxNewTokens: 8 },
    },
    {
      signal: ctx.signal,
      // Awaited once pretrain awaits its hook (as the RL trainer does); until then the tick is a no-op.
      onStep: async (m) => {
        ctx.report({ kind: 'progress', step: m.step, total: steps, metrics: { 'stand-in loss': m.loss } });
        await ctx.tick();
      },
    },
  );
  return { model, source: `a stand-in pretrained here for ${steps} steps (fixtures/base is missing)` };
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;

export async function thinkingRun(ctx: RunContext): Promise<RunResult> {
  const { heldOutSet } = await import('../../src/world/index.ts');
  const { model, source } = await baseModel(ctx);
  const n = ctx.budget === 'small' ? 4 : Number(ctx.knobs['problems']);
  const results: Record<number, Record<Mode, ModeResult>> = {};
  for (const [i, d] of DIGITS.entries()) {
    if (ctx.signal.aborted) break;
    // The 2-digit held-out split is the one pretraining excludes; 1-digit sums are too few to hold out.
    const problems = heldOutSet('add', d, n);
    const row = {} as Record<Mode, ModeResult>;
    for (const mode of MODES) {
      row[mode] = await answerIn(model, problems, mode, d * 12 + 16);
      await ctx.tick();
    }
    results[d] = row;
    ctx.report({
      kind: 'progress',
      step: i + 1,
      total: DIGITS.length,
      metrics: {
        'direct %': 100 * row.direct.accuracy,
        'worked %': 100 * row.worked.accuracy,
        'free %': 100 * row.free.accuracy,
      },
    });
  }
  const done = DIGITS.filter((d) => results[d] !== undefined);
  if (done.length === 0) return { metrics: {}, lines: ['stopped before the first digit count'] };
  const metrics: Record<string, number> = { problems: n };
  for (const d of done)
    for (const mode of MODES) {
      metrics[`${mode}${d}`] = results[d]![mode].accuracy;
      metrics[`${mode}Tokens${d}`] = results[d]![mode].meanTokens;
    }
  for (const d of done) {
    const st = results[d]!.worked.steps!;
    const of = Math.max(1, st.total);
    metrics[`stepsRight${d}`] = st.right / of;
    metrics[`misread${d}`] = st.misread / of;
    metrics[`misadded${d}`] = st.misadded / of;
  }
  const last = done[done.length - 1]!;
  return {
    metrics,
    lines: [
      `Model: ${source}. ${n} held-out additions per digit count, greedy decoding.`,
      ...done.flatMap((d) => {
        const r = results[d]!;
        return [
          `${d}-digit: direct ${pct(r.direct.accuracy)} right in ${r.direct.meanTokens.toFixed(1)} tokens, worked ${pct(r.worked.accuracy)} in ${r.worked.meanTokens.toFixed(1)}, free ${pct(r.free.accuracy)} in ${r.free.meanTokens.toFixed(1)}`,
          `  direct, e.g. ${r.direct.samples.join('; ')}`,
          `  worked, e.g. ${r.worked.samples.join('; ')}`,
          `  worked steps: ${pct(metrics[`stepsRight${d}`]!)} right, ${pct(metrics[`misread${d}`]!)} with misread digits, ${pct(metrics[`misadded${d}`]!)} with a wrong sum (of ${r.worked.steps!.total} steps${metrics[`stepsRight${d}`]! + metrics[`misread${d}`]! + metrics[`misadded${d}`]! < 0.995 ? '; the rest never written' : ''})`,
        ];
      }),
      ...(done.length < DIGITS.length ? [`(stopped after ${last}-digit sums)`] : []),
    ],
  };
}
