// The check for lesson 10's exercise: the learner's `consistency` against the project's verification tally
// (src/world/countdown/verification.ts) on thinks chosen to teach one case each: a search that goes on after
// "no", a "no" followed only by the answer, a "yes" the search ignores, a checked step that is not a move.
import { missingExport, type CheckOutcome } from '../../src/tui/manifest.ts';

const THINKS: { think: string; why: string }[] = [
  {
    think: '3+5=8 8+7=15 no try 5+3=8 8*7=56 check 8*7=56 yes so (5+3)*7',
    why: 'a genuine search: it goes on after "no" and stops after "yes"',
  },
  { think: '3+5=8 8+7=15 no so 3+5+7', why: 'a "no" the search ignores: it answers anyway' },
  {
    think: '3+5=8 8*7=56 yes 7-5=2 3*2=6 no so (3+5)*7',
    why: 'a "yes" followed by more search, then a final "no" with no step after it',
  },
  {
    think: '3+5=8 8+7=56 check 8+7=15 no so 3+5+7',
    why: 'the word after "check" is a recomputation, not a step: nothing follows the "no"',
  },
  {
    think: '7*3=21 21-5=16 no try 7-5=2 3+2=5 no try 5+3=8 8*7=56 check 8*7=56 yes so (5+3)*7',
    why: 'two failed paths, then the right one',
  },
];

export async function checkConsistency(mod: Record<string, unknown>): Promise<CheckOutcome> {
  const f = mod['consistency'];
  if (typeof f !== 'function') return missingExport(mod, 'consistency');
  const { verificationTally } = await import('../../src/world/countdown/verification.ts');
  const { completionFrom } = await import('../../src/world/template.ts');
  const problem = {
    kind: 'countdown' as const,
    prompt: '3 5 7 to 56',
    answer: '(3+5)*7',
    difficulty: 3,
    numbers: [3, 5, 7],
    target: 56,
  };
  for (const { think, why } of THINKS) {
    const t = verificationTally(problem, completionFrom(think, think.split(' so ')[1]!));
    const want = {
      noVerdicts: t.noVerdicts,
      continuedAfterNo: t.continuedAfterNo,
      yesVerdicts: t.yesVerdicts,
      stoppedAfterYes: t.stoppedAfterYes,
    };
    let got: unknown;
    try {
      got = (f as (s: string) => unknown)(think);
    } catch (e) {
      return {
        pass: false,
        message: `consistency(${JSON.stringify(think)}) threw: ${e instanceof Error ? e.message : String(e)}\nwhy this case: ${why}`,
      };
    }
    const g = got as Record<string, unknown> | null;
    const ok =
      g !== null &&
      typeof g === 'object' &&
      (Object.keys(want) as (keyof typeof want)[]).every((k) => g[k] === want[k]);
    if (!ok)
      return {
        pass: false,
        message: `consistency(${JSON.stringify(think)}) returned ${JSON.stringify(got)}\nexpected ${JSON.stringify(want)}\nwhy this case: ${why}`,
      };
  }
  return { pass: true, message: `all ${THINKS.length} thinks match src/world/countdown/verification.ts` };
}
