// The check for lesson 00's exercise: the learner's `softmax` against a trusted reference on a few
// inputs chosen to teach something each (small scores, ties, one score, a large shift, very negative
// scores, mixed signs). On a failure it shows the input, what came back, what was expected and why the
// case matters, never a bare diff. It also checks that the input array is left unchanged.
import { missingExport, type CheckOutcome } from '../../src/tui/manifest.ts';

interface Case {
  input: number[];
  why: string;
}

const CASES: Case[] = [
  { input: [1, 2, 3], why: 'three small scores' },
  { input: [0, 0, 0, 0], why: 'equal scores share the probability equally' },
  { input: [5], why: 'a single score gets all of it' },
  {
    input: [1000, 1001, 1002],
    why: 'adding 1000 to every score must not change the answer, but Math.exp(1000) is Infinity',
  },
  { input: [-10000, -9999], why: 'very negative scores: Math.exp(-10000) is 0, and 0 / 0 is NaN' },
  { input: [3, -1, 0.5, 2], why: 'mixed signs' },
];

const TOLERANCE = 1e-9;

/** The stable formula, trusted: exp(x − max) / Σ exp(x − max). */
function reference(xs: number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

const show = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v);
  return v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v));
};

function judgeCase(f: (xs: number[]) => unknown, c: Case): string | undefined {
  const input = [...c.input];
  const call = `softmax(${show(c.input)})`;
  let got: unknown;
  try {
    got = f(input);
  } catch (e) {
    return `${call} threw: ${e instanceof Error ? e.message : String(e)}\nwhy this case: ${c.why}`;
  }
  const want = reference(c.input);
  const expected = `expected ≈ ${show(want)} (within ${TOLERANCE})`;
  if (show(input) !== show(c.input)) return `${call} changed its input to ${show(input)}; return a new array instead`;
  const ok =
    Array.isArray(got) &&
    got.length === want.length &&
    got.every((v, i) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v - want[i]!) <= TOLERANCE);
  if (ok) return undefined;
  return `${call} returned ${show(got)}\n${expected}\nwhy this case: ${c.why}`;
}

export function checkSoftmax(mod: Record<string, unknown>): CheckOutcome {
  const f = mod['softmax'];
  if (typeof f !== 'function') return missingExport(mod, 'softmax');
  for (const c of CASES) {
    const problem = judgeCase(f as (xs: number[]) => unknown, c);
    if (problem) return { pass: false, message: problem };
  }
  return { pass: true, message: `all ${CASES.length} inputs match the reference, including scores of ±10000` };
}
