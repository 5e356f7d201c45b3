// Multi-step expressions: EXPR_TERMS terms joined by + - *, evaluated with the usual precedence.
//   difficulty d = digits of the terms added or subtracted; a factor of '*' is always 1-digit (2..9), so
//   every step is an addition, a subtraction or a multiplication by one digit, e.g. "23+45*7" → "338".
// Evaluation order (also the order of a worked solution's steps): every '*' left to right, then + and -
// left to right. Instances are redrawn until every intermediate value is >= 0 (no negatives in our world).
import type { Rng } from '../../core/rng.ts';
import type { Problem } from './types.ts';
import { checkDifficulty } from './types.ts';
import { randomWithDigits } from './digits.ts';

export const EXPR_TERMS = 3;
export const EXPR_MAX_DIGITS = 3;
export type ExprOp = '+' | '-' | '*';
const OPS: readonly ExprOp[] = ['+', '-', '*'];

/** One evaluated operation: "45*7" = 315. */
export interface EvalStep {
  lhs: string;
  value: number;
}

/** Splits "23+45*7" into terms [23, 45, 7] and ops ['+', '*']. */
export function parseExpressionPrompt(prompt: string): { terms: number[]; ops: ExprOp[] } {
  const parts = prompt.match(/\d+|[+\-*]/g) ?? [];
  if (parts.join('') !== prompt || parts.length % 2 === 0) throw new Error(`not an expression prompt: '${prompt}'`);
  const terms: number[] = [];
  const ops: ExprOp[] = [];
  parts.forEach((p, i) => {
    if (i % 2 === 0) terms.push(Number(p));
    else ops.push(p as ExprOp);
  });
  return { terms, ops };
}

/** Evaluates with precedence, one operation per step; `nonNegative` is false if any intermediate < 0. */
export function expressionSteps(
  terms: readonly number[],
  ops: readonly ExprOp[],
): { steps: EvalStep[]; value: number; nonNegative: boolean } {
  const vals = terms.slice();
  const rest = ops.slice();
  const steps: EvalStep[] = [];
  let nonNegative = true;
  const apply = (i: number, op: ExprOp): void => {
    const a = vals[i]!;
    const b = vals[i + 1]!;
    const v = op === '*' ? a * b : op === '+' ? a + b : a - b;
    if (v < 0) nonNegative = false;
    steps.push({ lhs: `${a}${op}${b}`, value: v });
    vals.splice(i, 2, v);
    rest.splice(i, 1);
  };
  for (let i = rest.indexOf('*'); i >= 0; i = rest.indexOf('*')) apply(i, '*');
  while (rest.length > 0) apply(0, rest[0]!);
  return { steps, value: vals[0]!, nonNegative };
}

export function expressionProblem(rng: Rng, difficulty: number): Problem {
  checkDifficulty('expr', difficulty, 1, EXPR_MAX_DIGITS);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const ops = Array.from({ length: EXPR_TERMS - 1 }, () => rng.choice(OPS));
    const terms = Array.from({ length: EXPR_TERMS }, (_, i) => {
      const nearStar = ops[i - 1] === '*' || ops[i] === '*';
      if (nearStar) return rng.int(2, 10);
      return difficulty === 1 ? rng.int(1, 10) : randomWithDigits(rng, difficulty);
    });
    const { value, nonNegative } = expressionSteps(terms, ops);
    if (!nonNegative) continue;
    const prompt = terms.map((t, i) => (i === 0 ? `${t}` : `${ops[i - 1]}${t}`)).join('');
    return { kind: 'expr', prompt, answer: String(value), difficulty, numbers: terms };
  }
  throw new Error(
    'expressionProblem: no non-negative instance in 1000 draws (unreachable for the supported difficulties)',
  );
}
