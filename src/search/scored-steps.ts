// Where a reward model reads a completion: the token that closes each step (world/steps.ts splits the think
// into "lhs=value" steps with an exact oracle) plus the completion's last token, the "answer step". TRL's
// PRMConfig and Math-Shepherd put one label at each step separator in the same way
// (reference/r1-story-beyond-zero.md §1.3). The oracle label of a step is `onTrack` (the problem can still be
// solved from here); the answer step's oracle is the outcome check itself, so an ORM is the same head read at
// the last position only.
import { decode, rewardBreakdown, splitSteps, THINK, type Problem, type TraceStep } from '../world/index.ts';

export interface ScoredStep {
  /** Index in the completion of the token that closes the step. */
  pos: number;
  /** "7+5=12", or the answer text for the answer step. */
  text: string;
  /** The step's arithmetic is right (the answer step: the answer verifies). */
  right: boolean;
  /** Exact oracle: the problem can still be solved after this step (the answer step: it is solved). */
  oracle: boolean;
  answer: boolean;
}

export interface ScoredTrace {
  problem: Problem;
  completion: number[];
  steps: ScoredStep[];
  correct: boolean;
  /** Some step's arithmetic is wrong (Uesato's trace error). */
  wrongStep: boolean;
  /** The extracted answer, or null when there is none. */
  answer: string | null;
}

/** Character offset → index of the token holding it (one token per character, specials are several). */
function tokenAt(completion: readonly number[]): number[] {
  const owner: number[] = [];
  completion.forEach((id, i) => {
    for (let k = 0; k < decode([id]).length; k++) owner.push(i);
  });
  return owner;
}

/** The reward-model read positions of one completion, with their oracle labels. */
export function scoreSteps(problem: Problem, completion: readonly number[], truncated = false): ScoredTrace {
  const text = decode([...completion]);
  const reward = rewardBreakdown(problem, text, { truncated });
  // splitSteps measures offsets in the think, which starts after a <think> the completion may (rarely) repeat.
  const at = text.indexOf(THINK);
  const shift = at < 0 ? 0 : at + THINK.length;
  const owner = tokenAt(completion);
  const correct = reward.accuracy === 1;
  const steps: ScoredStep[] = splitSteps(problem, text).map((s: TraceStep) => ({
    pos: owner[shift + s.end - 1]!,
    text: s.text,
    right: s.right,
    oracle: s.onTrack,
    answer: false,
  }));
  if (completion.length > 0)
    steps.push({
      pos: completion.length - 1,
      text: reward.extracted ?? '',
      right: correct,
      oracle: correct,
      answer: true,
    });
  return {
    problem,
    completion: [...completion],
    steps,
    correct,
    wrongStep: steps.some((s) => !s.answer && !s.right),
    answer: reward.extracted ?? null,
  };
}
