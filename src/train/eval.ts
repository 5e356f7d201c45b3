// Held-out evaluation, the one module every stage uses (pretraining, SFT, RL, the experiments).
//   greedy accuracy = mean_j acc(argmax decode of q_j)
//   pass@1          = mean_j c_j / n                       (n samples per problem at temperature τ; R1: τ = 0.6)
//   pass@k          = mean_j [1 − C(n − c_j, k) / C(n, k)]  (the unbiased estimator of Chen et al. 2021, k ≤ n)
// with c_j the right answers among problem j's n samples. Lengths, think length, format and reflection rates
// come from the sampled completions (the greedy ones when n = 0). Sample s of problem j always draws from the
// stream `<rng>/p<j>/k<s>`, so successive evaluations differ only because the policy changed (common random
// numbers). For runs with nothing to decode, `nextTokenEval` gives held-out next-token loss and accuracy.
import { noGrad } from '../core/autograd.ts';
import { crossEntropy, topk } from '../core/ops/index.ts';
import { transformerPolicy, type PolicyModel } from '../model/policy.ts';
import type { Transformer } from '../model/transformer.ts';
import { Rng } from '../core/rng.ts';
import { encode, heldOutSet, promptFor, type Problem, type ProblemKind } from '../world/index.ts';
import type { Batch } from './batch.ts';
import { rollout, summarizeRollouts, type Rollout, type RolloutSummary, type SamplingOptions } from './rollout.ts';

export interface EvalOptions extends SamplingOptions {
  /** n samples per problem at `temperature` for pass@1 and pass@k (0: greedy only). */
  samples: number;
  rng: Rng;
  /** The k of pass@k to report (each ≤ samples). */
  passAtK?: readonly number[];
  /** Rows per generate call; results are the same for any value. */
  batchSize?: number;
}

export interface Evaluation {
  greedyAccuracy: number;
  /** Mean accuracy of the sampled completions (the greedy accuracy when samples = 0). */
  pass1: number;
  /** pass@k by k, for the k asked for. */
  passAtK: Record<number, number>;
  greedy: RolloutSummary;
  /** Summary of the n sampled completions per problem (the greedy ones when samples = 0). */
  sampled: RolloutSummary;
  greedyRollouts: Rollout[];
  sampledRollouts: Rollout[];
}

/** The unbiased pass@k estimate for one problem with c right answers among n samples: 1 − C(n−c, k)/C(n, k). */
export function passAtK(n: number, c: number, k: number): number {
  if (!(Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k) && 0 <= c && c <= n && 1 <= k && k <= n)) {
    throw new RangeError(`passAtK: need integers 0 ≤ c ≤ n and 1 ≤ k ≤ n, got n=${n} c=${c} k=${k}`);
  }
  if (n - c < k) return 1;
  // The product form Π_{i=n−c+1..n} (1 − k/i) avoids the large binomials (Chen et al.'s numerically stable form).
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

export async function evaluate(
  policy: PolicyModel,
  problems: readonly Problem[],
  opts: EvalOptions,
): Promise<Evaluation> {
  if (problems.length === 0) throw new Error('evaluate: no problems');
  for (const k of opts.passAtK ?? [])
    if (!(Number.isInteger(k) && k >= 1 && k <= opts.samples))
      throw new RangeError(`evaluate: pass@${k} needs 1 ≤ k ≤ samples (${opts.samples})`);
  const greedyRollouts = await rollout(policy, problems, {
    groupSize: 1,
    temperature: 0,
    maxNewTokens: opts.maxNewTokens,
    rngFor: (j) => opts.rng.child(`p${j}`).child('greedy'),
    batchSize: opts.batchSize,
  });
  const sampledRollouts =
    opts.samples > 0
      ? await rollout(policy, problems, {
          groupSize: opts.samples,
          temperature: opts.temperature,
          topK: opts.topK,
          topP: opts.topP,
          maxNewTokens: opts.maxNewTokens,
          rngFor: (j, s) => opts.rng.child(`p${j}`).child(`k${s}`),
          batchSize: opts.batchSize,
        })
      : [];
  const greedy = summarizeRollouts(greedyRollouts);
  const sampled = sampledRollouts.length ? summarizeRollouts(sampledRollouts) : greedy;
  const passAt: Record<number, number> = {};
  for (const k of opts.passAtK ?? []) {
    let s = 0;
    for (let j = 0; j < problems.length; j++) {
      let c = 0;
      for (let i = 0; i < opts.samples; i++) c += sampledRollouts[j * opts.samples + i]!.reward.accuracy;
      s += passAtK(opts.samples, c, k);
    }
    passAt[k] = s / problems.length;
  }
  return {
    greedyAccuracy: greedy.accuracy,
    pass1: sampled.accuracy,
    passAtK: passAt,
    greedy,
    sampled,
    greedyRollouts,
    sampledRollouts,
  };
}

/** Held-out next-token cross-entropy (token-weighted over the batches) and argmax accuracy. */
export async function nextTokenEval(
  model: Transformer,
  batches: readonly Batch[],
): Promise<{ loss: number; accuracy: number; tokens: number }> {
  let lossSum = 0,
    right = 0,
    tokens = 0;
  for (const b of batches) {
    const logits = noGrad(() => model.forward(b.inputs));
    lossSum += (await noGrad(() => crossEntropy(logits, b.targets)).item()) * b.tokens;
    const [best, y] = [await topk(logits, 1).indices.data(), await b.targets.data()];
    for (let i = 0; i < y.length; i++) if (y[i]! >= 0 && best[i] === y[i]) right++;
    tokens += b.tokens;
  }
  return { loss: lossSum / tokens, accuracy: right / tokens, tokens };
}

/** The held-out problems a training run evaluates on, and how often. */
export interface EvalSpec {
  /** Evaluate every `every` steps (and after the last). */
  every: number;
  kind: ProblemKind;
  difficulty: number;
  n: number;
  maxNewTokens: number;
}

/** The greedy held-out evaluation of pretraining and SFT runs (the eval row of their metrics.jsonl). */
export async function heldOutEval(model: Transformer, e: EvalSpec) {
  const problems = heldOutSet(e.kind, e.difficulty, e.n);
  // A small model's context may hold fewer new tokens than asked for: answers stop where the context ends.
  const longest = Math.max(...problems.map((p) => encode(promptFor(p)).length));
  const r = await evaluate(transformerPolicy(model), problems, {
    samples: 0,
    temperature: 0,
    maxNewTokens: Math.min(e.maxNewTokens, model.config.maxSeqLen - longest),
    rng: new Rng(0).child('eval'),
    batchSize: 64,
  });
  const g = r.greedy;
  return {
    accuracy: g.accuracy,
    formatRate: g.formatRate,
    meanLength: g.lenAll,
    meanThinkLength: g.thinkLen,
    truncatedRate: g.truncationRate,
  };
}
