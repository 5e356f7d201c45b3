// Exercise: GRPO's group-relative advantage for one group.
//
//   A_i = (r_i − mean(r)) / (std(r) + eps)
//
// r holds the rewards of the G answers the model sampled for ONE question. mean and std are over those
// G rewards only (std is the population std: divide by G, not G − 1). The group is its own baseline:
// an answer is good if it beat its siblings, so no value network is needed.
//
// This starter returns the raw rewards. Finish it; save the file and the player re-checks it.

export const EPS = 1e-4;

export function groupAdvantage(rewards: number[]): number[] {
  return rewards.map((r) => r);
}
