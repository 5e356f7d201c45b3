// The check for lesson 09's exercise: the learner's `passAtK(n, c, k)` against the project's own
// (src/train/eval.ts) on cases that each teach one thing: k = 1 is the plain fraction, a problem never solved
// stays 0, fewer wrong answers than k gives 1, the estimate grows with k, and n = 64 needs the product form.
import { missingExport, type CheckOutcome } from '../../src/tui/manifest.ts';

interface Case {
  n: number;
  c: number;
  k: number;
  why: string;
}

const CASES: Case[] = [
  { n: 4, c: 1, k: 1, why: 'k = 1 is the plain fraction right: 1/4' },
  { n: 4, c: 1, k: 2, why: 'two draws of four: 1 − C(3,2)/C(4,2) = 1 − 3/6 = 0.5' },
  { n: 8, c: 0, k: 4, why: 'never right in 8 samples: no k helps, 0' },
  { n: 8, c: 6, k: 4, why: 'only 2 wrong answers, so any 4 draws hold a right one: 1' },
  { n: 64, c: 1, k: 16, why: 'one right answer in 64, 16 draws: 16/64 = 0.25' },
  { n: 64, c: 3, k: 32, why: 'n = 64: the binomials overflow the exact integers of a double, the product does not' },
  { n: 64, c: 10, k: 64, why: 'k = n: right if any of the n is right, 1' },
];

const TOLERANCE = 1e-9;

export async function checkPassAtK(mod: Record<string, unknown>): Promise<CheckOutcome> {
  const f = mod['passAtK'];
  if (typeof f !== 'function') return missingExport(mod, 'passAtK');
  const { passAtK } = await import('../../src/train/eval.ts');
  for (const c of CASES) {
    const call = `passAtK(${c.n}, ${c.c}, ${c.k})`;
    let got: unknown;
    try {
      got = (f as (n: number, c: number, k: number) => unknown)(c.n, c.c, c.k);
    } catch (e) {
      return { pass: false, message: `${call} threw: ${e instanceof Error ? e.message : String(e)}\nwhy: ${c.why}` };
    }
    const want = passAtK(c.n, c.c, c.k);
    if (typeof got !== 'number' || !Number.isFinite(got) || Math.abs(got - want) > TOLERANCE)
      return { pass: false, message: `${call} returned ${String(got)}, expected ${want}\nwhy this case: ${c.why}` };
  }
  return { pass: true, message: `all ${CASES.length} cases match the unbiased estimator` };
}
