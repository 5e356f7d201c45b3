// What a batch of rollouts says about the policy: the numbers the aha curve is made of.
//   reward, accuracy, format and truncation rates: means over completions;
//   length (tokens) over all / correct / incorrect completions (Dr. GRPO's length-bias lens, §7);
//   think length (characters), reflection rate (mean share of reflection words in a think) and the share of
//   completions that reflect at all (R1's "wait" frequency, reference §2);
//   zero-variance groups: groups whose G rewards are all equal carry no signal (TRL's frac_reward_zero_std).
// Means of an empty subset are null (JSON has no NaN). Sums run in rollout order.
import type { Rollout } from './rollout.ts';
import { zeroVarianceGroups } from './advantages.ts';

export interface RolloutSummary {
  count: number;
  reward: number;
  accuracy: number;
  formatRate: number;
  truncationRate: number;
  lenAll: number;
  lenCorrect: number | null;
  lenIncorrect: number | null;
  thinkLen: number;
  reflectionRate: number;
  reflectiveFrac: number;
}

function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

export function summarizeRollouts(rs: readonly Rollout[]): RolloutSummary {
  if (rs.length === 0) throw new Error('summarizeRollouts: no rollouts');
  const m = (f: (r: Rollout) => number) => mean(rs.map(f))!;
  return {
    count: rs.length,
    reward: m((r) => r.reward.total),
    accuracy: m((r) => r.reward.accuracy),
    formatRate: m((r) => r.reward.format),
    truncationRate: m((r) => (r.reward.truncated ? 1 : 0)),
    lenAll: m((r) => r.length),
    lenCorrect: mean(rs.filter((r) => r.reward.accuracy === 1).map((r) => r.length)),
    lenIncorrect: mean(rs.filter((r) => r.reward.accuracy === 0).map((r) => r.length)),
    thinkLen: m((r) => r.thinkLength),
    reflectionRate: m((r) => r.reflectionRate),
    reflectiveFrac: m((r) => (r.reflectionWords > 0 ? 1 : 0)),
  };
}

/** Fraction of groups of `groupSize` consecutive rewards that are all equal. */
export function zeroVarianceFraction(rewards: readonly number[], groupSize: number): number {
  const z = zeroVarianceGroups(rewards, groupSize);
  return z.filter(Boolean).length / z.length;
}

/** Round for the metrics log: 6 significant digits keep the file short and byte-stable. */
export function round6(x: number | null): number | null {
  if (x === null || !Number.isFinite(x)) return null;
  return Number(x.toPrecision(6));
}
