// Lesson 01's run: pretrain a tiny transformer from random weights on additions with direct answers
// (src/train/pretrain.ts), plot its loss against the loss of a uniform guess (ln V), then ask it held-out
// sums of 1, 2 and 3 digits (src/train/eval.ts, greedy). Knobs: steps, width d_model, learning rate.
// The corpus has only correct direct answers (no worked solutions, no wrong answers), so what the model
// learns here is a lookup of sums, digit by digit, with no room to work anything out (lesson 2's topic).
// Small budget: 20 steps of a d_model = 16 model and 4 problems per digit count; it learns nothing yet.
import type { CorpusMixInput } from '../../src/world/index.ts';
import type { RunContext, RunResult } from '../../src/tui/manifest.ts';

/** The lesson's corpus: additions of 1 to 3 digits, every answer direct and right. */
export const DIRECT_ADDITION_MIX: CorpusMixInput = {
  kinds: ['add'],
  difficulty: { add: [1, 3] },
  directFrac: 1,
  workedFrac: 0,
  reflectFrac: 0,
  wrongDirectFrac: 0,
  tinyThinkFrac: 0,
};

export const DIGITS = [1, 2, 3];

export async function trainRun(ctx: RunContext): Promise<RunResult> {
  const { pretrain, defaultPretrain } = await import('../../src/train/pretrain.ts');
  const { evaluate } = await import('../../src/train/eval.ts');
  const { transformerPolicy } = await import('../../src/model/policy.ts');
  const { Rng } = await import('../../src/core/rng.ts');
  const { parameterCount } = await import('../../src/model/config.ts');
  const { heldOutSet, vocabSize } = await import('../../src/world/index.ts');
  const small = ctx.budget === 'small';
  const steps = small ? 20 : Number(ctx.knobs['steps']);
  const dModel = small ? 16 : Number(ctx.knobs['dModel']);
  const lr = Number(ctx.knobs['lr']);
  const n = small ? 4 : 40;
  const heads = Math.max(1, dModel / 16); // head dim 16
  const model = {
    ...defaultPretrain.model,
    dModel,
    nHeads: heads,
    nKvHeads: heads,
    nLayers: 2,
    dFF: Math.round((dModel * 8) / 3 / 16) * 16,
    maxSeqLen: 64,
  };
  const lnV = Math.log(vocabSize);
  let firstLoss = NaN;
  let lastLoss = NaN;
  let done = 0;
  const { model: trained } = await pretrain(
    {
      ...defaultPretrain,
      model,
      steps,
      lr,
      warmup: Math.min(20, Math.floor(steps / 5)),
      batchSize: 16,
      seqLen: 64,
      mix: DIRECT_ADDITION_MIX,
      // Pretraining never trains on these 2-digit problems, so the 2-digit score below is on unseen sums.
      eval: { ...defaultPretrain.eval, kind: 'add', difficulty: 2, n, every: steps + 1, maxNewTokens: 8 },
    },
    {
      signal: ctx.signal,
      // Awaited once pretrain awaits its hook (as the RL trainer does); until then the tick is a no-op.
      onStep: async (m) => {
        if (Number.isNaN(firstLoss)) firstLoss = m.loss;
        lastLoss = m.loss;
        done = m.step;
        ctx.report({
          kind: 'progress',
          step: m.step,
          total: steps,
          metrics: { loss: m.loss, 'ln V (uniform guess)': lnV },
        });
        await ctx.tick();
      },
    },
  );
  if (done === 0) return { metrics: {}, lines: ['stopped before the first step'] };
  ctx.report({ kind: 'log', text: `asking the model ${n} held-out sums of each size` });
  const acc: Record<number, number> = {};
  const samples: string[] = [];
  for (const d of DIGITS) {
    if (ctx.signal.aborted) break;
    const r = await evaluate(transformerPolicy(trained), heldOutSet('add', d, n), {
      samples: 0,
      temperature: 0,
      maxNewTokens: 8,
      rng: new Rng(0),
    });
    acc[d] = r.greedyAccuracy;
    for (const s of r.greedyRollouts.slice(0, 2))
      samples.push(
        `${s.problem.prompt} → ${JSON.stringify(s.text.replace(/<eos>$/, '').slice(0, 40))} ${s.reward.accuracy === 1 ? '✓' : '✗'}`,
      );
    await ctx.tick();
  }
  const pct = (x: number | undefined) => (x === undefined ? 'not measured' : `${Math.round(x * 100)}%`);
  return {
    metrics: {
      params: parameterCount(model),
      steps: done,
      firstLoss,
      lastLoss,
      lnV,
      ...Object.fromEntries(DIGITS.filter((d) => acc[d] !== undefined).map((d) => [`acc${d}`, acc[d]!])),
    },
    lines: [
      `A ${model.nLayers}-layer transformer, d_model = ${dModel}, ${parameterCount(model).toLocaleString('en-US')} parameters, ${done} steps of 16 rows × 64 tokens at lr ${lr}.`,
      `Loss: ${firstLoss.toFixed(2)} at step 1 (a uniform guess over ${vocabSize} tokens: ln ${vocabSize} = ${lnV.toFixed(2)}), ${lastLoss.toFixed(2)} at step ${done}.`,
      `Held-out sums answered right: 1-digit ${pct(acc[1])}, 2-digit ${pct(acc[2])}, 3-digit ${pct(acc[3])} (${n} of each).`,
      `Some answers: ${samples.join('; ')}`,
      ...(small
        ? ['(small budget: 20 steps at d_model = 16 whatever the knobs say; the player runs the knobs as set)']
        : []),
      ...(done < steps ? [`(stopped after ${done} of ${steps} steps)`] : []),
    ],
  };
}
