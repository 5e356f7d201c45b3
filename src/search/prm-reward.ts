// A PRM as the RL reward, and the reward hacking it invites (reference/r1-story-beyond-zero.md §1.4).
// For an answer with PRM step scores s_1..s_m (the answer step last):
//   outcome  r = the rule-based reward (world/rewards.ts): what R1-Zero uses
//   sum      per-step credit, DeepSeekMath's process supervision: step j earns s_j at the token that ends it,
//            and token t's advantage is the sum of the group-normalised rewards of the steps ending at or after t
//            (rl/advantages.ts processAdvantages). Every extra step the PRM scores above the group's mean adds
//            advantage to everything before it: Gao et al.'s hack. Its one-number summary is Σ_i s_i.
//   min      r = Σ_i softmax(−s/T)_i s_i  PURE's min-form credit, → min_i s_i as T → 0 (T = 0.1), one per answer
//   mix      the sum's per-step credit with the outcome reward added to the answer step (the PRM with the
//            verifier beside it); its summary is Σ_i s_i + the outcome reward
// What a hacked policy does is measured exactly: steps per answer, steps that repeat an earlier one, steps that
// are true but off the solution path ("9+0=9" padding), and trivially-true steps (every operand but one is 0).
import type { StepRewards } from '../rl/advantages.ts';
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

/** The per-step credit of the sum and mix forms (null for the forms that give one number per answer). */
export function stepCredit(
  form: PrmRewardForm,
  trace: ScoredTrace,
  scores: readonly number[],
  outcome: number,
): StepRewards | null {
  if (form !== 'sum' && form !== 'mix') return null;
  const r = [...scores];
  if (form === 'mix' && r.length > 0) r[r.length - 1]! += outcome;
  return { pos: trace.steps.map((s) => s.pos), r };
}

/** "a+0=a", "0+0=0", "0+7+0=7": a right step in which every operand but (at most) one is 0. */
export function triviallyTrue(text: string, right: boolean): boolean {
  const lhs = /^([0-9+]+)=/.exec(text)?.[1];
  if (!right || lhs === undefined) return false;
  return lhs.split('+').filter((x) => Number(x) !== 0).length <= 1;
}

export interface StepHabits {
  /** Intermediate steps per answer. */
  stepsPerAnswer: number;
  /** Share of steps whose text repeats an earlier step of the same answer. */
  repeatedFrac: number;
  /** Share of steps whose arithmetic is right but that are off the solution path. */
  offPathTrueFrac: number;
  /** Share of steps that are trivially true (triviallyTrue). */
  trivialFrac: number;
}

export function stepHabits(traces: readonly ScoredTrace[]): StepHabits {
  let steps = 0,
    repeated = 0,
    offPath = 0,
    trivial = 0;
  for (const t of traces) {
    const seen = new Set<string>();
    for (const s of t.steps) {
      if (s.answer) continue;
      steps++;
      if (seen.has(s.text)) repeated++;
      seen.add(s.text);
      if (s.right && !s.oracle) offPath++;
      if (triviallyTrue(s.text, s.right)) trivial++;
    }
  }
  return {
    stepsPerAnswer: traces.length ? steps / traces.length : 0,
    repeatedFrac: steps ? repeated / steps : 0,
    offPathTrueFrac: steps ? offPath / steps : 0,
    trivialFrac: steps ? trivial / steps : 0,
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
