// Held-out evaluation: the problems RL never trains on (world's fixed split), scored two ways.
//   greedy accuracy = mean_j acc(argmax decode of q_j)
//   pass@1          = mean_j (1/k) Σ_{s=1..k} acc(o_{j,s}),  o_{j,s} ~ π at the eval temperature
// (R1 reports pass@1 as the mean over k samples, reference §2: temperature 0.6, k = 4..64.) The sampled
// completions also give the held-out lengths, think lengths and reflection rates. Sample s of problem j
// always draws from the stream `<rng>/p<j>/k<s>`, the same at every evaluation, so successive evaluations
// differ only because the policy changed (common random numbers).
import type { Rng } from '../core/rng.ts';
import type { Problem } from '../world/index.ts';
import type { PolicyModel } from './policy.ts';
import { rollout, type Rollout, type SamplingOptions } from './rollout.ts';
import { summarizeRollouts, type RolloutSummary } from './metrics.ts';

export interface EvalOptions extends SamplingOptions {
  /** k samples per problem for pass@1. */
  samples: number;
  rng: Rng;
  batchSize?: number;
}

export interface EvalResult {
  greedyAccuracy: number;
  pass1: number;
  /** Summary of the k sampled completions per problem. */
  sampled: RolloutSummary;
  /** Summary of the greedy completions. */
  greedy: RolloutSummary;
  greedyRollouts: Rollout[];
  sampledRollouts: Rollout[];
}

export async function evaluate(policy: PolicyModel, problems: readonly Problem[], opts: EvalOptions): Promise<EvalResult> {
  if (problems.length === 0) throw new Error('evaluate: no problems');
  const greedyRollouts = await rollout(policy, problems, {
    groupSize: 1,
    temperature: 0,
    maxNewTokens: opts.maxNewTokens,
    rngFor: (j) => opts.rng.child(`p${j}`).child('greedy'),
    batchSize: opts.batchSize,
  });
  const sampledRollouts = opts.samples > 0
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
  return { greedyAccuracy: greedy.accuracy, pass1: sampled.accuracy, sampled, greedy, greedyRollouts, sampledRollouts };
}
