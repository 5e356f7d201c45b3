// Countdown-style problems (as in TinyZero's task, reference §5, in miniature): reach `target` from the
// given numbers with + - * /, each number used at most once.  e.g. "3 5 7 to 56" → "(3+5)*7".
//   difficulty d = how many numbers are given (2..5), each in 1..COUNTDOWN_MAX_NUMBER.
// Every instance is solvable by construction: the target is the value of a random *chain*
// ((n1 op n2) op n3) op ... over all the numbers, in which every intermediate value is a positive
// integer (division only when exact) of at most COUNTDOWN_MAX_VALUE. That chain, with minimal parentheses,
// is the canonical answer.
import type { Rng } from '../../core/rng.ts';
import type { Problem } from './types.ts';
import { checkDifficulty } from './types.ts';

/** The miniature's scale of Countdown, one named setting (issue 16). Miniature departs: TinyZero plays numbers
 * 1..99 and targets up to 100 with a 3B model; ours are 1..9, targets 10..60 and every intermediate value ≤ 60,
 * because the arithmetic of a step must be a small fact table (~3,000 true steps, most of them with one digit) that a 100k-parameter model learns
 * in minutes of CPU; at 1..20 / ≤ 200 (last session's scale) it learned the shape of a search and none of
 * its arithmetic (README "Countdown"). 3 numbers is the default split, 4 the harder one. */
export const COUNTDOWN_SCALE = Object.freeze({ maxNumber: 9, minTarget: 10, maxTarget: 60, maxValue: 60 });
export const COUNTDOWN_MAX_NUMBER = COUNTDOWN_SCALE.maxNumber;
export const COUNTDOWN_MIN_TARGET = COUNTDOWN_SCALE.minTarget;
export const COUNTDOWN_MAX_TARGET = COUNTDOWN_SCALE.maxTarget;
/** The largest value a step of the search may make (larger results are not moves of the game). */
export const COUNTDOWN_MAX_VALUE = COUNTDOWN_SCALE.maxValue;
export const COUNTDOWN_MIN_NUMBERS = 2;
export const COUNTDOWN_MAX_NUMBERS = 5;
export type CountdownOp = '+' | '-' | '*' | '/';
export const COUNTDOWN_OPS: readonly CountdownOp[] = ['+', '-', '*', '/'];

/** a op b when it is a positive integer, else null (the chains of our world stay in positive integers). */
export function applyOp(a: number, op: CountdownOp, b: number): number | null {
  const v = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : b !== 0 && a % b === 0 ? a / b : NaN;
  return Number.isSafeInteger(v) && v > 0 ? v : null;
}

/** The steps of a chain: [{lhs:"3+5", value:8}, {lhs:"8*7", value:56}], or null if some step is invalid. */
export function chainSteps(
  values: readonly number[],
  ops: readonly CountdownOp[],
): { lhs: string; value: number }[] | null {
  const steps: { lhs: string; value: number }[] = [];
  let acc = values[0]!;
  for (let i = 0; i < ops.length; i++) {
    const v = applyOp(acc, ops[i]!, values[i + 1]!);
    if (v === null) return null;
    steps.push({ lhs: `${acc}${ops[i]}${values[i + 1]}`, value: v });
    acc = v;
  }
  return steps;
}

/** The chain as an expression with minimal parentheses: the left part is bracketed only when it is a
 * sum or difference and the next operator is * or /. [3,5,7],['+','*'] → "(3+5)*7". */
export function chainExpression(values: readonly number[], ops: readonly CountdownOp[]): string {
  let text = String(values[0]);
  let lowPrecedence = false;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const high = op === '*' || op === '/';
    if (high && lowPrecedence) text = `(${text})`;
    text = `${text}${op}${values[i + 1]}`;
    lowPrecedence = !high;
  }
  return text;
}

/** The question text: "3 5 7 to 56". */
export function countdownPrompt(numbers: readonly number[], target: number): string {
  return `${numbers.join(' ')} to ${target}`;
}

export function countdownProblem(rng: Rng, difficulty: number): Problem {
  checkDifficulty('countdown', difficulty, COUNTDOWN_MIN_NUMBERS, COUNTDOWN_MAX_NUMBERS);
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const numbers = Array.from({ length: difficulty }, () => rng.int(1, COUNTDOWN_MAX_NUMBER + 1));
    const order = rng.shuffle(numbers);
    const ops = Array.from({ length: difficulty - 1 }, () => rng.choice(COUNTDOWN_OPS));
    const steps = chainSteps(order, ops);
    if (steps === null || steps.some((s) => s.value > COUNTDOWN_MAX_VALUE)) continue;
    const target = steps[steps.length - 1]!.value;
    // A target that is one of the numbers is solved by copying it: not a search problem.
    if (target < COUNTDOWN_MIN_TARGET || target > COUNTDOWN_MAX_TARGET || numbers.includes(target)) continue;
    return {
      kind: 'countdown',
      prompt: countdownPrompt(numbers, target),
      answer: chainExpression(order, ops),
      difficulty,
      numbers,
      target,
    };
  }
  throw new Error('countdownProblem: no instance in 10000 draws (unreachable for the supported difficulties)');
}
