// A restricted, exact evaluator for arithmetic answers, on top of mathjs's parser and its Fraction type.
// Allowed: non-negative integer literals (no leading zeros), binary + - * /, unary -, parentheses, spaces.
// Everything else (letters, '=', '^', '!', '%', '.', implicit multiplication "2(3)", functions, symbols)
// is rejected with a reason before or after parsing; arithmetic is done in exact fractions, so "7/2*2" is
// exactly 7 and a tolerance is never needed (TinyZero compares floats with 1e-5, reference §5).
import { fraction, parse } from 'mathjs';
import type { Fraction, MathNode, OperatorNode } from 'mathjs';

export type ArithResult =
  | { ok: true; value: Fraction; /** the literals used, in reading order */ numbers: number[] }
  | { ok: false; reason: string };

/** Longest expression we look at: answers in our world are a few characters; this bounds parser work. */
export const MAX_EXPRESSION_CHARS = 80;

const BINARY: Record<string, (a: Fraction, b: Fraction) => Fraction> = {
  add: (a, b) => a.add(b),
  subtract: (a, b) => a.sub(b),
  multiply: (a, b) => a.mul(b),
  divide: (a, b) => a.div(b),
};

class Rejected extends Error {}

function walk(node: MathNode, numbers: number[]): Fraction {
  switch (node.type) {
    case 'ConstantNode': {
      const v = (node as unknown as { value: unknown }).value;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
        throw new Rejected(`not a whole number: ${String(v)}`);
      numbers.push(v);
      return fraction(v);
    }
    case 'ParenthesisNode':
      return walk((node as unknown as { content: MathNode }).content, numbers);
    case 'OperatorNode': {
      const op = node as OperatorNode;
      if (op.implicit) throw new Rejected('implicit multiplication (a number next to a bracket)');
      if ((op.fn === 'unaryMinus' || op.fn === 'unaryPlus') && op.args.length === 1) {
        const x = walk(op.args[0]!, numbers);
        return op.fn === 'unaryMinus' ? x.neg() : x;
      }
      const f = BINARY[op.fn];
      if (f === undefined || op.args.length !== 2) throw new Rejected(`operator '${op.op}' not allowed`);
      const a = walk(op.args[0]!, numbers);
      const b = walk(op.args[1]!, numbers);
      if (op.fn === 'divide' && b.equals(0)) throw new Rejected('division by zero');
      return f(a, b);
    }
    default:
      throw new Rejected(`${node.type} not allowed`);
  }
}

/** Evaluates an arithmetic answer exactly, or says why it is not one. Never throws. */
export function evaluateArithmetic(text: string): ArithResult {
  const src = text.trim();
  if (src.length === 0) return { ok: false, reason: 'empty expression' };
  if (src.length > MAX_EXPRESSION_CHARS)
    return { ok: false, reason: `expression longer than ${MAX_EXPRESSION_CHARS} characters` };
  const bad = src.match(/[^0-9+\-*/() ]/);
  if (bad) return { ok: false, reason: `character ${JSON.stringify(bad[0])} not allowed` };
  const zero = src.match(/\d+/g)?.find((n) => n.length > 1 && n.startsWith('0'));
  if (zero !== undefined) return { ok: false, reason: `leading zero in ${zero}` };
  let node: MathNode;
  try {
    node = parse(src);
  } catch (e) {
    return { ok: false, reason: `not an expression: ${(e as Error).message}` };
  }
  try {
    const numbers: number[] = [];
    const value = walk(node, numbers);
    return { ok: true, value, numbers };
  } catch (e) {
    if (e instanceof Rejected) return { ok: false, reason: e.message };
    return { ok: false, reason: `cannot evaluate: ${(e as Error).message}` };
  }
}

/** "47/2", "24", "-3": a fraction as the reason strings show it. */
export function fractionText(f: Fraction): string {
  return f.toFraction();
}
