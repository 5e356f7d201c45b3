// The check for lesson 7's exercise: the learner's `puctScore` against src/search/puct.ts on children that each
// teach one case (unvisited, visited, a large parent count where c(N) has grown), then the law that follows
// from it: with equal priors and no values, a search tries every child once before any twice.
import { missingExport, type CheckOutcome } from '../../src/tui/manifest.ts';

type Child = { prior: number; visits: number; valueSum: number };
const CASES: { child: Child; parent: number; why: string }[] = [
  { child: { prior: 0.5, visits: 0, valueSum: 0 }, parent: 4, why: 'an unvisited child: Q = 0' },
  { child: { prior: 0.25, visits: 3, valueSum: 1.5 }, parent: 10, why: 'a visited child: Q = W/n = 0.5' },
  { child: { prior: 0.1, visits: 2, valueSum: -2 }, parent: 60000, why: 'many visits: c(N) has grown well above 1.25' },
  { child: { prior: 1, visits: 0, valueSum: 0 }, parent: 0, why: 'no visits at all: the bonus is 0' },
];

export async function checkPuct(mod: Record<string, unknown>): Promise<CheckOutcome> {
  const f = mod['puctScore'];
  if (typeof f !== 'function') return missingExport(mod, 'puctScore');
  const score = f as (c: Child, n: number) => number;
  const ref = await import('../../src/search/puct.ts');
  for (const c of CASES) {
    const want = ref.puctScore(c.child, c.parent);
    const got = score(c.child, c.parent);
    if (!(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want))))
      return {
        pass: false,
        message: `puctScore(${JSON.stringify(c.child)}, ${c.parent}) returned ${got}, expected ${want} (${c.why})`,
      };
  }
  // The law: K children, equal priors, zero values: K selections visit K different children.
  const kids: Child[] = Array.from({ length: 5 }, () => ({ prior: 0.2, visits: 0, valueSum: 0 }));
  for (let i = 0; i < 5; i++) {
    const s = kids.map((k) => score(k, 1 + i));
    const j = s.indexOf(Math.max(...s));
    if (kids[j]!.visits > 0)
      return { pass: false, message: `selection ${i + 1} revisited child ${j} before trying every child once` };
    kids[j]!.visits++;
  }
  return { pass: true, message: 'puctScore matches AlphaZero on every case, and a search tries each child once first' };
}
