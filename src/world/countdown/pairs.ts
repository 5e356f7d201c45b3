// Countdown by pair combination, as Stream of Search, TinyZero and Gandhi et al. (2025) play it
// (reference/r1-story-beyond-zero.md §5): a state is the multiset of numbers not yet used; a move takes ANY two
// of them, a ≥ b, and replaces them by one of a+b, a-b, a*b, a/b — kept only when the result is a positive
// integer (a-b needs a > b, a/b must be exact) of at most COUNTDOWN_MAX_VALUE (the miniature's bound on
// intermediate values; `moveValue` stays the plain arithmetic truth a step is judged by). The problem is solved once a move produces the target (the
// verifier accepts an expression over any sub-multiset of the numbers, so the unused rest does not matter).
//   move: {a, op, b} on state S → S − {a, b} + {a op b}          written "a op b=c", larger operand first
// `solvable` is the exact oracle for "can the target still be reached from here": exhaustive search with a
// memo keyed by (sorted state, target); 5 numbers are at most ~50k leaves.
import { applyOp, COUNTDOWN_MAX_VALUE, COUNTDOWN_OPS, type CountdownOp } from '../problems/countdown.ts';

export interface Move {
  a: number;
  op: CountdownOp;
  b: number;
  value: number;
}

/** "8*7=56": how a move is written in a trace. */
export function moveText(m: Pick<Move, 'a' | 'op' | 'b' | 'value'>): string {
  return `${m.a}${m.op}${m.b}=${m.value}`;
}

/** The exact value of a op b over the positive integers, or null (same rule as applyOp). */
export function moveValue(a: number, op: CountdownOp, b: number): number | null {
  return applyOp(a, op, b);
}

/** The state after a move: the two operands removed (one occurrence each), the result added. Throws if an
 * operand is not in the state. */
export function applyMove(state: readonly number[], m: Pick<Move, 'a' | 'b' | 'value'>): number[] {
  const next = removeOnce(state, [m.a, m.b]);
  if (next === null) throw new Error(`applyMove: ${m.a} and ${m.b} are not both in [${state.join(' ')}]`);
  next.push(m.value);
  return next;
}

/** `state` with one occurrence of each of `xs` removed, or null when some x is missing. */
export function removeOnce(state: readonly number[], xs: readonly number[]): number[] | null {
  const rest = state.slice();
  for (const x of xs) {
    const i = rest.indexOf(x);
    if (i < 0) return null;
    rest.splice(i, 1);
  }
  return rest;
}

/** Every legal move from a state, distinct, in a fixed order: pairs by position (i < j), ops + - * /; a result
 * above COUNTDOWN_MAX_VALUE is not a move. */
export function legalMoves(state: readonly number[]): Move[] {
  const out: Move[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < state.length; i++) {
    for (let j = i + 1; j < state.length; j++) {
      const a = Math.max(state[i]!, state[j]!);
      const b = Math.min(state[i]!, state[j]!);
      for (const op of COUNTDOWN_OPS) {
        const value = moveValue(a, op, b);
        if (value === null || value > COUNTDOWN_MAX_VALUE) continue;
        const key = `${a}${op}${b}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ a, op, b, value });
      }
    }
  }
  return out;
}

const memo = new Map<string, boolean>();
const MEMO_LIMIT = 200_000;

/** Can some sequence of moves from `state` produce `target`? (A number already in the state does not count:
 * a problem never lists its target, and a trace's state only holds it after the move that made it.) */
export function solvable(state: readonly number[], target: number): boolean {
  if (state.length < 2) return false;
  const key = `${state
    .slice()
    .sort((x, y) => x - y)
    .join(' ')}>${target}`;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  let ok = false;
  for (const m of legalMoves(state)) {
    if (m.value === target || solvable(applyMove(state, m), target)) {
      ok = true;
      break;
    }
  }
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, ok);
  return ok;
}

/** A value with the expression that makes it, for rendering the answer of a path of moves. */
export interface Made {
  value: number;
  /** Minimal-parenthesis expression over the original numbers. */
  expr: string;
  /** 0 a literal, 1 a sum or difference, 2 a product or quotient. */
  level: 0 | 1 | 2;
}

/** a op b as an expression, brackets only where precedence needs them. */
export function combine(x: Made, op: CountdownOp, y: Made, value: number): Made {
  const wrap = (m: Made, need: boolean) => (need ? `(${m.expr})` : m.expr);
  // a-(b+c), (a+b)*c, a*(b-c), (a+b)/c and a/(b*c) need brackets; a+b-c and a*b/c do not.
  const left = wrap(x, (op === '*' || op === '/') && x.level === 1);
  const right = wrap(y, op === '-' ? y.level === 1 : op === '*' ? y.level === 1 : op === '/' ? y.level >= 1 : false);
  return { value, expr: `${left}${op}${right}`, level: op === '+' || op === '-' ? 1 : 2 };
}

/** Replays moves from the numbers and returns the expression of the last move's result. Throws when a move's
 * operands are not available or its value is not the true a op b. */
export function pathExpression(numbers: readonly number[], moves: readonly Move[]): string {
  let made: Made[] = numbers.map((n) => ({ value: n, expr: String(n), level: 0 }));
  let last: Made | null = null;
  for (const m of moves) {
    if (moveValue(m.a, m.op, m.b) !== m.value) throw new Error(`pathExpression: ${moveText(m)} is not true`);
    const ia = made.findIndex((x) => x.value === m.a);
    if (ia < 0) throw new Error(`pathExpression: ${m.a} is not available`);
    const x = made[ia]!;
    made = made.filter((_, i) => i !== ia);
    const ib = made.findIndex((y) => y.value === m.b);
    if (ib < 0) throw new Error(`pathExpression: ${m.b} is not available`);
    const y = made[ib]!;
    made = made.filter((_, i) => i !== ib);
    last = combine(x, m.op, y, m.value);
    made.push(last);
  }
  if (last === null) throw new Error('pathExpression: no moves');
  return last.expr;
}
