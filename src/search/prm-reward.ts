// A PRM as the RL reward, and the reward hacking it invites (reference/r1-story-beyond-zero.md §1.4).
// For an answer with PRM step scores s_1..s_m (the answer step last):
//   outcome  r = the rule-based reward (world/rewards.ts): what R1-Zero uses
//   sum      r = Σ_i s_i                 the DeepSeekMath process return collapsed to one number per answer:
//                                        every extra step the PRM likes adds reward (Gao et al.'s hack)
//   min      r = Σ_i softmax(−s/T)_i s_i  PURE's min-form credit, → min_i s_i as T → 0 (T = 0.1)
//   mix      r = Σ_i s_i + the outcome reward   (the PRM with the verifier beside it)
// GRPO then normalises r within each group as usual. What a hacked policy does is measured exactly: steps per
// answer, steps that repeat an earlier one, and steps that are true but off the solution path ("9+0=9" padding).
import type { ScoredTrace } from './scored-steps.ts';

export const PRM_REWARDS = ['outcome', 'sum', 'min', 'mix'] as const;
export type PrmRewardForm = (typeof PRM_REWARDS)[number];

export const MIN_FORM_T = 0.1;

export function minForm(scores: readonly number[], T = MIN_FORM_T): number {
  const lo = Math.min(...scores);
  const w = scores.map((s) => Math.exp(-(s - lo) / T));
  const z = w.reduce((a, b) => a + b, 0);
  return scores.reduce((a, s, i) => a + (w[i]! / z) * s, 0);
}

export function prmReward(form: PrmRewardForm, scores: readonly number[], outcome: number): number {
  const sum = scores.reduce((a, b) => a + b, 0);
  switch (form) {
    case 'outcome':
      return outcome;
    case 'sum':
      return sum;
    case 'min':
      return minForm(scores);
    case 'mix':
      return sum + outcome;
  }
}

export interface StepHabits {
  /** Intermediate steps per answer. */
  stepsPerAnswer: number;
  /** Share of steps whose text repeats an earlier step of the same answer. */
  repeatedFrac: number;
  /** Share of steps whose arithmetic is right but that are off the solution path. */
  offPathTrueFrac: number;
}

export function stepHabits(traces: readonly ScoredTrace[]): StepHabits {
  let steps = 0,
    repeated = 0,
    offPath = 0;
  for (const t of traces) {
    const seen = new Set<string>();
    for (const s of t.steps) {
      if (s.answer) continue;
      steps++;
      if (seen.has(s.text)) repeated++;
      seen.add(s.text);
      if (s.right && !s.oracle) offPath++;
    }
  }
  return {
    stepsPerAnswer: traces.length ? steps / traces.length : 0,
    repeatedFrac: steps ? repeated / steps : 0,
    offPathTrueFrac: steps ? offPath / steps : 0,
  };
}

/** Where PRM reward and oracle accuracy part ways: the first evaluation at which held-out accuracy has fallen
 * `drop` or more below its best so far while the PRM reward is at or above its value at that best; null if
 * they never part. Inputs: per evaluation, the step, the held-out accuracy and the PRM reward (mean since the
 * previous evaluation). */
export function hackingOnset(
  evals: readonly { step: number; accuracy: number; prm: number }[],
  drop = 0.05,
): number | null {
  let best = 0;
  for (let i = 1; i < evals.length; i++) {
    if (evals[i - 1]!.accuracy > evals[best]!.accuracy) best = i - 1;
    const e = evals[i]!;
    if (e.accuracy <= evals[best]!.accuracy - drop && e.prm >= evals[best]!.prm) return e.step;
  }
  return null;
}
