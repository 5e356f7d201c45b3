// The answer checker: a deterministic rule, as R1-Zero's accuracy reward is (reference §2: "a deterministic
// check"). It reads the single <answer>…</answer> block of a completion and compares it *exactly*:
//   add/sub/mul/expr: the answer must be the canonical integer literal ("082" and "41+41" are rejected);
//   countdown: the answer is an expression (restricted mathjs parse, arith.ts) whose literals form a
//   sub-multiset of the given numbers and whose exact value equals the target.
// It never throws: malformed text gives { correct: false } and a reason ('no answer tag', 'uses 7 twice',
// 'value 23 ≠ 24', ...), so RL logs can count why answers fail.
import type { Problem } from './problems/types.ts';
import { parseCompletion } from './template.ts';
import { evaluateArithmetic, fractionText } from './arith.ts';

export interface Verdict {
  correct: boolean;
  /** 'correct', or why not. */
  reason: string;
  /** The trimmed answer text, when a single answer block was found. */
  extracted?: string;
}

function checkInteger(problem: Problem, answer: string): Verdict {
  if (!/^-?\d+$/.test(answer)) return { correct: false, reason: `not a number: ${answer}`, extracted: answer };
  if (/^-?0\d/.test(answer) || answer === '-0')
    return { correct: false, reason: `not canonical: ${answer}`, extracted: answer };
  if (answer !== problem.answer) return { correct: false, reason: `${answer} ≠ ${problem.answer}`, extracted: answer };
  return { correct: true, reason: 'correct', extracted: answer };
}

function usageProblem(used: readonly number[], given: readonly number[]): string | null {
  const left = new Map<number, number>();
  for (const n of given) left.set(n, (left.get(n) ?? 0) + 1);
  const uses = new Map<number, number>();
  for (const n of used) uses.set(n, (uses.get(n) ?? 0) + 1);
  for (const [n, k] of uses) {
    const avail = left.get(n) ?? 0;
    if (avail === 0) return `uses ${n}, which is not given`;
    if (k > avail) return k === 2 && avail === 1 ? `uses ${n} twice` : `uses ${n} ${k} times (given ${avail})`;
  }
  return null;
}

function checkCountdown(problem: Problem, answer: string): Verdict {
  if (problem.numbers === undefined || problem.target === undefined) {
    return { correct: false, reason: 'countdown problem without numbers or target', extracted: answer };
  }
  const r = evaluateArithmetic(answer);
  if (!r.ok) return { correct: false, reason: r.reason, extracted: answer };
  const misuse = usageProblem(r.numbers, problem.numbers);
  if (misuse !== null) return { correct: false, reason: misuse, extracted: answer };
  if (!r.value.equals(problem.target)) {
    return { correct: false, reason: `value ${fractionText(r.value)} ≠ ${problem.target}`, extracted: answer };
  }
  return { correct: true, reason: 'correct', extracted: answer };
}

/** Is the answer in this completion exactly right? Structure beyond the answer block is the format
 * reward's business (rewards.ts), not this function's. */
export function verify(problem: Problem, completionText: string): Verdict {
  try {
    const parsed = parseCompletion(completionText);
    if (parsed.answer === null) {
      const why = parsed.problems.find((p) => /answer|truncated/.test(p)) ?? parsed.problems[0] ?? 'no answer';
      return { correct: false, reason: why };
    }
    if (parsed.answer === '') return { correct: false, reason: 'empty answer', extracted: '' };
    return problem.kind === 'countdown' ? checkCountdown(problem, parsed.answer) : checkInteger(problem, parsed.answer);
  } catch (e) {
    // Unreachable by design (the fuzz tests look for it); kept so a bug never kills an RL run.
    return { correct: false, reason: `internal verifier error: ${(e as Error).message}` };
  }
}
