// Worked solutions: the step-by-step documents of the pretraining "internet", written for a tiny
// char-level transformer. Every step needs only nearby context, and the final "so <answer>" is assembled
// from the step results, which the model can copy back from right to left.
//   add  37+45   → 7+5=12 3+4+1=8 so 82          column sums from the right; "+1" is the carry in;
//                                                 answer = last sum, then the other sums' units, reversed
//   sub  732-458 → 12-8=4 13-1-5=7 7-1-4=2 so 274 a leading "1" on the top digit = borrowed; "-1" = paid back
//   mul  347*6   → 7*6=42 4*6+4=28 3*6+2=20 so 2082  like add: "+c" is the carry in
//   expr 23+45*7 → 45*7=315 23+315=338 so 338       one operation per step, '*' first
//   countdown 3 5 7 to 56 → 3+5=8 8+7=15 no 3+5=8 8-7=1 no 3+5=8 8*7=56 so (3+5)*7  (countdownSearch.ts)
import type { Problem } from '../problems/types.ts';
import { digitsLsbFirst } from '../problems/digits.ts';
import { expressionSteps, parseExpressionPrompt } from '../problems/expression.ts';
import { chainExpression, chainSteps } from '../problems/countdown.ts';
import type { Chain } from './countdownSearch.ts';
import { searchChains } from './countdownSearch.ts';
import type { Trace, TraceItem } from './trace.ts';
import { step, traceCompletion, word } from './trace.ts';

/** How many failed chains a worked Countdown solution writes out before the one that works. */
export const COUNTDOWN_SHOWN_FAILS = 2;

function operands(problem: Problem, op: string): [number, number] {
  const parts = problem.prompt.split(op);
  if (parts.length !== 2 || !/^\d+$/.test(parts[0]!) || !/^\d+$/.test(parts[1]!)) {
    throw new Error(`${problem.kind}: cannot read two operands from '${problem.prompt}'`);
  }
  return [Number(parts[0]), Number(parts[1])];
}

/** Answer of a column method: the last column's full result, then the earlier columns' units, reversed. */
function assemble(columnValues: readonly number[]): string {
  const last = columnValues[columnValues.length - 1]!;
  const units = columnValues
    .slice(0, -1)
    .map((v) => v % 10)
    .reverse();
  return String(last) + units.join('');
}

function additionTrace(problem: Problem): Trace {
  const [a, b] = operands(problem, '+');
  const da = digitsLsbFirst(a);
  const db = digitsLsbFirst(b);
  const items: TraceItem[] = [];
  const sums: number[] = [];
  let carry = 0;
  for (let i = 0; i < Math.max(da.length, db.length); i++) {
    const x = da[i] ?? 0;
    const y = db[i] ?? 0;
    const s = x + y + carry;
    items.push(step(`${x}+${y}${carry ? `+${carry}` : ''}`, s));
    sums.push(s);
    carry = s >= 10 ? 1 : 0;
  }
  return { items, answer: assemble(sums) };
}

function subtractionTrace(problem: Problem): Trace {
  const [a, b] = operands(problem, '-');
  if (a < b) throw new Error(`sub: negative results are outside the world: '${problem.prompt}'`);
  const da = digitsLsbFirst(a);
  const db = digitsLsbFirst(b);
  const items: TraceItem[] = [];
  const digits: number[] = [];
  let borrowIn = 0;
  for (let i = 0; i < da.length; i++) {
    const y = db[i] ?? 0;
    const borrow = da[i]! - borrowIn < y ? 1 : 0;
    const top = da[i]! + 10 * borrow;
    const d = top - borrowIn - y;
    items.push(step(`${top}${borrowIn ? '-1' : ''}-${y}`, d));
    digits.push(d);
    borrowIn = borrow;
  }
  const answer = digits
    .reverse()
    .join('')
    .replace(/^0+(?=\d)/, '');
  return { items, answer };
}

function multiplicationTrace(problem: Problem): Trace {
  const [a, m] = operands(problem, '*');
  const items: TraceItem[] = [];
  const products: number[] = [];
  let carry = 0;
  for (const x of digitsLsbFirst(a)) {
    const p = x * m + carry;
    items.push(step(`${x}*${m}${carry ? `+${carry}` : ''}`, p));
    products.push(p);
    carry = Math.floor(p / 10);
  }
  // A zero multiplicand would give "00..."; the column method's answer is read as a number.
  return { items, answer: String(Number(assemble(products))) };
}

function expressionTrace(problem: Problem): Trace {
  const { terms, ops } = parseExpressionPrompt(problem.prompt);
  const { steps, value } = expressionSteps(terms, ops);
  return { items: steps.map((s) => step(s.lhs, s.value)), answer: String(value) };
}

function countdownTrace(problem: Problem): Trace {
  const { numbers, target } = problem;
  if (numbers === undefined || target === undefined) throw new Error('countdown: problem without numbers or target');
  const { fails, solution } = searchChains(numbers, target, COUNTDOWN_SHOWN_FAILS);
  if (solution === null) throw new Error(`countdown: no chain reaches ${target} from ${numbers.join(' ')}`);
  const items: TraceItem[] = [];
  const chainItems = (c: Chain): TraceItem[] => chainSteps(c.values, c.ops)!.map((s) => step(s.lhs, s.value));
  for (const f of fails) items.push(...chainItems(f), word('no'));
  items.push(...chainItems(solution));
  return { items, answer: chainExpression(solution.values, solution.ops) };
}

/** The worked solution of a problem as a trace (see the formats above). */
export function workedTrace(problem: Problem): Trace {
  switch (problem.kind) {
    case 'add':
      return additionTrace(problem);
    case 'sub':
      return subtractionTrace(problem);
    case 'mul':
      return multiplicationTrace(problem);
    case 'expr':
      return expressionTrace(problem);
    case 'countdown':
      return countdownTrace(problem);
  }
}

/** The worked solution as a completion: think steps, "so <answer>", then the answer block and <eos>. */
export function workedSolution(problem: Problem): string {
  return traceCompletion(workedTrace(problem));
}
