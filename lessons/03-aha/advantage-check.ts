// The check for lesson 03's exercise: the learner's `groupAdvantage` against the project's own
// groupAdvantages (src/rl/advantages.ts) on groups chosen to teach one law each: the advantages sum to 0,
// adding a constant to every reward changes nothing, an all-equal group gives zeros (not NaN), and the
// std is the population one. A failure shows the rewards, what came back and what was expected.
import { missingExport, type CheckOutcome } from '../../src/tui/manifest.ts';

interface Case {
  rewards: number[];
  why: string;
}

const CASES: Case[] = [
  { rewards: [1, 0, 0, 1], why: 'two right, two wrong: ±1 each (mean 0.5, population std 0.5)' },
  { rewards: [1, 0, 0, 0, 0, 0, 0, 0], why: 'one right answer in eight: it gets a large push, the seven small ones' },
  { rewards: [11, 10, 10, 11], why: 'the first group plus 10 on every reward: the advantages must not change' },
  { rewards: [1, 1, 1, 1], why: 'all right: nothing to learn, every advantage is 0 (and not NaN from 0/0)' },
  { rewards: [0, 0, 0], why: 'all wrong: zeros again' },
  { rewards: [1.1, 0.1, 1, 0, 0.1], why: 'format bonus 0.1 on top of accuracy 1: unequal rewards' },
];

const TOLERANCE = 1e-6;

const show = (v: unknown): string => {
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return `[${Array.from(v as ArrayLike<unknown>, show).join(', ')}]`;
  if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v);
  return v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v));
};

export async function checkGroupAdvantage(mod: Record<string, unknown>): Promise<CheckOutcome> {
  const f = mod['groupAdvantage'];
  if (typeof f !== 'function') return missingExport(mod, 'groupAdvantage');
  const { groupAdvantages, ADV_EPS } = await import('../../src/rl/advantages.ts');
  for (const c of CASES) {
    const call = `groupAdvantage(${show(c.rewards)})`;
    let got: unknown;
    try {
      got = (f as (r: number[]) => unknown)([...c.rewards]);
    } catch (e) {
      return {
        pass: false,
        message: `${call} threw: ${e instanceof Error ? e.message : String(e)}\nwhy this case: ${c.why}`,
      };
    }
    const want = Array.from(groupAdvantages(c.rewards, c.rewards.length, 'group', ADV_EPS));
    const ok =
      Array.isArray(got) &&
      got.length === want.length &&
      got.every(
        (v, i) =>
          typeof v === 'number' &&
          Number.isFinite(v) &&
          Math.abs(v - want[i]!) <= TOLERANCE * Math.max(1, Math.abs(want[i]!)),
      );
    if (!ok) {
      const sum =
        Array.isArray(got) && got.every((v) => typeof v === 'number')
          ? ` (they sum to ${show((got as number[]).reduce((a, b) => a + b, 0))}; they should sum to 0)`
          : '';
      return {
        pass: false,
        message: `${call} returned ${show(got)}${sum}\nexpected ≈ ${show(want)} (eps = ${ADV_EPS})\nwhy this case: ${c.why}`,
      };
    }
  }
  return {
    pass: true,
    message: `all ${CASES.length} groups match src/rl/advantages.ts: sums are 0, a shift changes nothing, equal rewards give zeros`,
  };
}
