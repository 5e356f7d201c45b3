// The policy's exact probability of finishing correctly from a step prefix, by exhaustive completion — the truth
// a value head V(s) estimates (AlphaZero's v ≈ E[z | s]; rStar-Math's Q; issue 13 part 7). Under the sampling
// distribution p_τ(x | s) = softmax(z/τ) (model/sampling.ts, the rollouts' sampler):
//   P(success | s) = Σ_{c ∈ C(s)} p_τ(c | s) · [verify(s ⊕ c)]
// over every completion c that ends at a stop id or at the token limit (truncated: scored 0, like the reward).
// The completion tree is walked level by level; a branch whose path probability p_τ(c_{1..t} | s) falls below
// `threshold` is cut and its mass counted as uncovered. With covered = (mass of finished completions),
//   lower = Σ_{finished, right} p        ≤ P(success | s) ≤ lower + (1 − covered) = upper,
// so the number is exact up to the stated bound 1 − covered, and the bound only shrinks as the threshold falls
// (a path kept at ε is kept at every ε' < ε: path probabilities never grow along a path). At most 1/ε branches
// are alive at any depth, so the walk costs at most maxNewTokens/ε next-token distributions.
// `successTree` is the walk on any next-token distribution and judge (hand-checkable); `exactSuccess` wires it
// to a policy and the world's outcome check (world/rewards.ts). A transformer reads each level with its KV cache
// (prefill the prefix once; each level keeps its parents' cache rows, a parent's row repeated per child, and
// reads one token per branch); any other policy by one teacher-forced forward per level (every branch of a level
// has the same length).
import { noGrad } from '../core/autograd.ts';
import { intTensor } from '../core/tensor.ts';
import { lastRow } from '../model/generate.ts';
import { KVCache } from '../model/kvcache.ts';
import type { PolicyModel } from '../model/policy.ts';
import type { Transformer } from '../model/transformer.ts';
import { samplingProbs } from '../model/sampling.ts';
import { STOP_IDS } from '../train/rollout.ts';
import { decode, rewardBreakdown, type Problem } from '../world/index.ts';

export interface SuccessBound {
  /** Probability mass of right finished completions: the exact success probability up to `1 − covered`. */
  lower: number;
  /** lower + the uncovered mass. */
  upper: number;
  /** Mass of the completions that were followed to their end (≤ 1). */
  covered: number;
  /** Next-token distributions read. */
  expansions: number;
}

export interface TreeOptions {
  /** Branches with path probability below this are cut (their mass is uncovered). */
  threshold: number;
  maxNewTokens: number;
  stopIds: readonly number[];
}

/** Next-token distributions of `rows`; after the first call, row i extends row parents[i] of the previous call by
 * one token. */
export type Dists = (rows: number[][], parents: number[] | null) => Promise<ArrayLike<number>[]>;

/**
 * Walk every completion of `prefix` with path probability ≥ threshold.
 * dists(rows) gives each row's next-token distribution (rows of one call all have the same length);
 * judge(completion, truncated) ∈ [0, 1] scores a finished completion.
 */
export async function successTree(
  prefix: readonly number[],
  dists: Dists,
  judge: (completion: number[], truncated: boolean) => number,
  o: TreeOptions,
): Promise<SuccessBound> {
  if (!(o.threshold > 0 && o.threshold <= 1)) throw new Error(`successTree: threshold ${o.threshold} not in (0, 1]`);
  let frontier: { ids: number[]; p: number; parent: number }[] = [{ ids: [], p: 1, parent: -1 }];
  let lower = 0,
    covered = 0,
    expansions = 0;
  for (let d = 0; d < o.maxNewTokens && frontier.length > 0; d++) {
    const ps = await dists(
      frontier.map((f) => [...prefix, ...f.ids]),
      d === 0 ? null : frontier.map((f) => f.parent),
    );
    expansions += frontier.length;
    const next: typeof frontier = [];
    frontier.forEach((f, r) => {
      const dist = ps[r]!;
      for (let v = 0; v < dist.length; v++) {
        const q = f.p * dist[v]!;
        if (q <= 0 || q < o.threshold) continue;
        const ids = [...f.ids, v];
        const stop = o.stopIds.includes(v);
        if (stop || d === o.maxNewTokens - 1) {
          covered += q;
          lower += q * judge(ids, !stop);
        } else next.push({ ids, p: q, parent: r });
      }
    });
    frontier = next;
  }
  covered = Math.min(1, covered);
  return { lower, upper: Math.min(1, lower + (1 - covered)), covered, expansions };
}

export interface ExactOptions {
  temperature: number;
  maxNewTokens: number;
  threshold: number;
}

/** The sampling distribution after each row (all of one length) under the policy, read by one forward. */
export function policyDists(policy: PolicyModel, temperature: number): Dists {
  return async (rows) => {
    const T = rows[0]!.length,
      V = policy.vocabSize;
    const backend = policy.parameters()[0]?.backend;
    const ids = intTensor(Int32Array.from(rows.flat()), [rows.length, T], backend);
    const z = await lastRow(noGrad(() => policy.forward(ids)));
    return rows.map((_, b) => samplingProbs(z, { temperature }, b * V, V));
  };
}

/** The same distributions from a transformer's KV cache (one token per branch after the prefill). */
export function cachedDists(model: Transformer, temperature: number): Dists {
  const backend = model.parameters()[0]!.backend,
    V = model.config.vocabSize;
  const cache = new KVCache(model.config.nLayers, model.config.maxSeqLen);
  return async (rows, parents) => {
    if (parents !== null) cache.keepRows(parents);
    const ids =
      parents === null
        ? intTensor(Int32Array.from(rows.flat()), [rows.length, rows[0]!.length], backend)
        : intTensor(
            Int32Array.from(rows, (r) => r.at(-1)!),
            [rows.length, 1],
            backend,
          );
    const z = await lastRow(noGrad(() => model.forward(ids, { cache })));
    return rows.map((_, b) => samplingProbs(z, { temperature }, b * V, V));
  };
}

/** P(the policy finishes `problem` correctly | prompt ⊕ state), exact up to the returned bound. `prompt` is the
 * encoded prompt; `state` the completion tokens so far. Truncation at maxNewTokens new tokens (or the model's
 * context) scores 0, as in rollouts. */
export async function exactSuccess(
  policy: PolicyModel & { model?: Transformer },
  problem: Problem,
  prompt: readonly number[],
  state: readonly number[],
  o: ExactOptions,
): Promise<SuccessBound> {
  const prefix = [...prompt, ...state];
  return successTree(
    prefix,
    policy.model ? cachedDists(policy.model, o.temperature) : policyDists(policy, o.temperature),
    (c, truncated) => rewardBreakdown(problem, decode([...state, ...c]), { truncated }).accuracy,
    {
      threshold: o.threshold,
      maxNewTokens: Math.min(o.maxNewTokens, policy.maxSeqLen - prefix.length),
      stopIds: STOP_IDS,
    },
  );
}
