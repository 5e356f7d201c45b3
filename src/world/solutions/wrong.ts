// Wrong answers as the real internet has them, for the "direct answer" documents of the corpus:
//   a systematic slip of the method: add/mul forget every carry, sub takes the smaller digit from the
//   larger instead of borrowing, expr ignores precedence (left to right), countdown swaps one operator;
//   or a one-digit typo (one digit of the right answer off by one).
// Each kind falls back to the typo when its slip happens to give the right answer, so the result is
// always a well-formed answer that the verifier rejects.
import type { Rng } from '../../core/rng.ts';
import type { Problem } from '../problems/types.ts';
import { digitsLsbFirst } from '../problems/digits.ts';
import { parseExpressionPrompt } from '../problems/expression.ts';
import { evaluateArithmetic } from '../arith.ts';

export type Mistake = 'slip' | 'typo';

/** One digit of a non-negative integer literal changed by ±1, never creating a leading zero. */
export function digitTypo(value: string, rng: Rng): string {
  const digits = value.split('');
  const i = rng.int(0, digits.length);
  const d = Number(digits[i]);
  const lowest = i === 0 && digits.length > 1 ? 1 : 0;
  const options = [d - 1, d + 1].filter((x) => x >= lowest && x <= 9);
  digits[i] = String(rng.choice(options));
  return digits.join('');
}

function operands(prompt: string, op: string): [number, number] {
  const [a, b] = prompt.split(op);
  return [Number(a), Number(b)];
}

/** The right method with one systematic slip, as an answer string (may equal the right answer). */
function slip(problem: Problem, rng: Rng): string {
  switch (problem.kind) {
    case 'add': {
      const [a, b] = operands(problem.prompt, '+');
      const da = digitsLsbFirst(a);
      const db = digitsLsbFirst(b);
      const n = Math.max(da.length, db.length);
      const cols = Array.from({ length: n }, (_, i) => (da[i] ?? 0) + (db[i] ?? 0));
      return (
        String(cols[n - 1]) +
        cols
          .slice(0, -1)
          .map((c) => c % 10)
          .reverse()
          .join('')
      );
    }
    case 'sub': {
      const [a, b] = operands(problem.prompt, '-');
      const da = digitsLsbFirst(a);
      const db = digitsLsbFirst(b);
      const cols = da.map((x, i) => Math.abs(x - (db[i] ?? 0)));
      return cols
        .reverse()
        .join('')
        .replace(/^0+(?=\d)/, '');
    }
    case 'mul': {
      const [a, m] = operands(problem.prompt, '*');
      const cols = digitsLsbFirst(a).map((x) => x * m);
      return String(
        Number(
          String(cols[cols.length - 1]) +
            cols
              .slice(0, -1)
              .map((c) => c % 10)
              .reverse()
              .join(''),
        ),
      );
    }
    case 'expr': {
      const { terms, ops } = parseExpressionPrompt(problem.prompt);
      let v = terms[0]!;
      ops.forEach((op, i) => {
        const t = terms[i + 1]!;
        v = op === '+' ? v + t : op === '-' ? v - t : v * t;
      });
      return v >= 0 ? String(v) : problem.answer;
    }
    case 'countdown': {
      const chars = problem.answer.split('');
      const at = chars.flatMap((c, i) => ('+-*/'.includes(c) ? [i] : []));
      const i = rng.choice(at);
      for (const op of rng.shuffle(['+', '-', '*', '/'].filter((o) => o !== chars[i]))) {
        const candidate = [...chars.slice(0, i), op, ...chars.slice(i + 1)].join('');
        const r = evaluateArithmetic(candidate);
        if (r.ok && !r.value.equals(problem.target!)) return candidate;
      }
      return problem.answer;
    }
  }
}

/** A countdown "typo": one number of the right expression replaced by a neighbour (so the value moves). */
function countdownTypo(problem: Problem, rng: Rng): string {
  const nums = [...problem.answer.matchAll(/\d+/g)];
  const m = rng.choice(nums);
  const n = Number(m[0]);
  const replacement = n <= 1 ? n + 1 : rng.choice([n - 1, n + 1]);
  const candidate = problem.answer.slice(0, m.index) + replacement + problem.answer.slice(m.index! + m[0].length);
  const r = evaluateArithmetic(candidate);
  // Changing one number of a chain always changes its value unless it is multiplied or divided by zero,
  // which chains never contain; keep a guard anyway.
  return r.ok && !r.value.equals(problem.target!) ? candidate : `${problem.numbers![0]}`;
}

/** A plausible wrong answer to `problem` (never the right one). */
export function wrongAnswer(problem: Problem, rng: Rng, mistake: Mistake = rng.next() < 0.5 ? 'slip' : 'typo'): string {
  if (mistake === 'slip') {
    const s = slip(problem, rng);
    if (s !== problem.answer) return s;
  }
  return problem.kind === 'countdown' ? countdownTypo(problem, rng) : digitTypo(problem.answer, rng);
}
