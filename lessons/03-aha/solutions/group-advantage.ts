// Reference solution: GRPO's group-relative advantage for one group.
//
//   A_i = (r_i − mean(r)) / (std(r) + eps),   std the population std of the G rewards
//
// Centring makes the advantages sum to 0 (some answers pushed up, as many pushed down) and removes any
// constant added to every reward. Dividing by the std makes a group where one answer in eight is right
// pull as hard as one where half are. If all rewards are equal the numerator is 0 for everyone, and eps
// keeps 0/0 away: such a group teaches nothing.

export const EPS = 1e-4;

export function groupAdvantage(rewards: number[]): number[] {
  const g = rewards.length;
  const mean = rewards.reduce((a, b) => a + b, 0) / g;
  const std = Math.sqrt(rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / g);
  return rewards.map((r) => (r - mean) / (std + EPS));
}
