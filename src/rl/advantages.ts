// Advantages from outcome rewards: GRPO's group-relative baseline and the variants a learner meets elsewhere.
//   grpo (DeepSeekMath §4.1.2):   Â_i = (r_i − mean(r_group)) / (std(r_group) + eps)
//   dr_grpo (Dr. GRPO §3.2):      Â_i =  r_i − mean(r_group)          (no std: no question-difficulty bias)
//   reinforce (plain baseline):   Â_i =  r_i − mean(r_batch)          (one baseline for the whole batch)
// Every token of o_i gets Â_i (outcome supervision). std is the population std of the G rewards (the formula's
// std(r)); TRL uses the Bessel-corrected one, which only rescales Â by √(G/(G−1)) per group.
// Process supervision (DeepSeekMath §4.1.3; reference/r1-story-beyond-zero.md §1.4): step rewards r_{i,j} sit on
// the token index(j) that ends step j of o_i; they are normalised over every step of the group,
// r̃ = (r − mean(R)) / (std(R) + eps), and token t gets the sum of the normalised rewards of the steps that end at
// or after it: Â_{i,t} = Σ_{index(j) ≥ t} r̃_{i,j} (a sum-form return, so every extra step above the mean pays).
// Source: reference/grpo-and-r1-zero.md §1, §3, §7.
import type { Rng } from '../core/rng.ts';

export type RewardScaling = 'group' | 'none';

/** Small constant added to the std, so an all-equal group gives Â = 0 rather than 0/0. */
export const ADV_EPS = 1e-4;

function checkGroups(n: number, groupSize: number): void {
  if (!Number.isInteger(groupSize) || groupSize < 1)
    throw new RangeError(`groupSize must be a positive integer, got ${groupSize}`);
  if (n % groupSize !== 0) throw new RangeError(`${n} rewards do not split into groups of ${groupSize}`);
}

/** Mean and population std of rewards[from, from+n), summed in index order. */
export function groupStats(rewards: ArrayLike<number>, from: number, n: number): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < n; i++) s += rewards[from + i]!;
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (rewards[from + i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / n) };
}

/**
 * Group-relative advantages: rewards are laid out group by group (G consecutive samples of one prompt).
 * scaling 'group' divides by the group's std (GRPO), 'none' keeps the centred reward (Dr. GRPO).
 */
export function groupAdvantages(
  rewards: ArrayLike<number>,
  groupSize: number,
  scaling: RewardScaling = 'group',
  eps = ADV_EPS,
): Float64Array {
  checkGroups(rewards.length, groupSize);
  const out = new Float64Array(rewards.length);
  for (let g = 0; g < rewards.length; g += groupSize) {
    const { mean, std } = groupStats(rewards, g, groupSize);
    // A group whose rewards are all equal carries no signal; make its advantages exactly 0 (floating-point
    // noise in the mean would otherwise be amplified by 1/eps).
    const flat = isZeroVariance(rewards, g, groupSize);
    for (let i = 0; i < groupSize; i++) {
      out[g + i] = flat ? 0 : scaling === 'group' ? (rewards[g + i]! - mean) / (std + eps) : rewards[g + i]! - mean;
    }
  }
  return out;
}

/** REINFORCE with one baseline for the batch: Â_i = r_i − mean(r). */
export function batchBaselineAdvantages(rewards: ArrayLike<number>): Float64Array {
  const { mean } = groupStats(rewards, 0, rewards.length);
  return Float64Array.from(rewards, (r) => r - mean);
}

function isZeroVariance(rewards: ArrayLike<number>, from: number, n: number): boolean {
  for (let i = 1; i < n; i++) if (rewards[from + i] !== rewards[from]) return false;
  return true;
}

/** For each group, whether all its rewards are equal (DAPO's dynamic sampling drops these). */
export function zeroVarianceGroups(rewards: ArrayLike<number>, groupSize: number): boolean[] {
  checkGroups(rewards.length, groupSize);
  const out: boolean[] = [];
  for (let g = 0; g < rewards.length; g += groupSize) out.push(isZeroVariance(rewards, g, groupSize));
  return out;
}

/**
 * Ablation (c): the rewards of each group permuted at random. Every group keeps its multiset of rewards (so
 * the reward curve looks alive) but a reward no longer belongs to the answer that earned it: no signal.
 */
export function shuffleWithinGroups(rewards: ArrayLike<number>, groupSize: number, rng: Rng): number[] {
  checkGroups(rewards.length, groupSize);
  const out: number[] = [];
  for (let g = 0; g < rewards.length; g += groupSize) {
    out.push(...rng.shuffle(Array.from({ length: groupSize }, (_, i) => rewards[g + i]!)));
  }
  return out;
}

/** Fraction of groups of `groupSize` consecutive rewards that are all equal. */
export function zeroVarianceFraction(rewards: readonly number[], groupSize: number): number {
  const z = zeroVarianceGroups(rewards, groupSize);
  return z.filter(Boolean).length / z.length;
}

/** One answer's step rewards: step j ends at completion token pos[j] (increasing) and earns r[j]. */
export interface StepRewards {
  pos: readonly number[];
  r: readonly number[];
}

/** Process-supervision advantages, one per completion token (lengths[i] tokens for answer i), groups of G. */
export function processAdvantages(
  steps: readonly StepRewards[],
  lengths: readonly number[],
  groupSize: number,
  eps = ADV_EPS,
): Float64Array[] {
  checkGroups(steps.length, groupSize);
  const out: Float64Array[] = lengths.map((L) => new Float64Array(L));
  for (let g = 0; g < steps.length; g += groupSize) {
    const all = steps.slice(g, g + groupSize).flatMap((s) => [...s.r]);
    if (all.length === 0 || isZeroVariance(all, 0, all.length)) continue;
    const { mean, std } = groupStats(all, 0, all.length);
    for (let i = g; i < g + groupSize; i++) {
      const { pos, r } = steps[i]!;
      const adv = out[i]!;
      // Walk the tokens backwards, adding each step's normalised reward once its end token is reached.
      let acc = 0,
        j = pos.length - 1;
      for (let t = adv.length - 1; t >= 0; t--) {
        while (j >= 0 && pos[j]! >= t) acc += (r[j--]! - mean) / (std + eps);
        adv[t] = acc;
      }
    }
  }
  return out;
}
