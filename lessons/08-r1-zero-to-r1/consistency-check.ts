// The check for lesson 08's exercise: the learner's `consistency` against the project's language-consistency
// share (src/world/languages/measures.ts) on thinks that each teach one case.
import { missingExport, type CheckOutcome } from '../../src/tui/manifest.ts';

const CASES: { think: string; target: 'symbols' | 'words'; why: string }[] = [
  { think: 'seven plus five is twelve three plus four plus one is eight so 82', target: 'words', why: 'all in words' },
  {
    think: 'seven plus five is twelve 3+4+1=8 so 82',
    target: 'words',
    why: 'one step switched to symbols (5 of 12 lexemes in words)',
  },
  { think: 'seven plus five is twelve 3+4+1=8 so 82', target: 'symbols', why: 'the same think, asked in symbols' },
  {
    think: '92 wait check 7+5=12 3+4+1=8 so 82',
    target: 'words',
    why: 'shared words and the answers carry no language',
  },
  { think: '', target: 'words', why: 'a direct answer: nothing in the wrong language' },
  { think: 'seven plus 5 is twelve', target: 'words', why: 'a switch inside one step' },
];

export async function checkConsistency(mod: Record<string, unknown>): Promise<CheckOutcome> {
  const f = mod['consistency'];
  if (typeof f !== 'function') return missingExport(mod, 'consistency');
  const { languageConsistency } = await import('../../src/world/languages/measures.ts');
  for (const { think, target, why } of CASES) {
    const want = languageConsistency(think, target);
    let got: unknown;
    try {
      got = (f as (t: string, l: string) => unknown)(think, target);
    } catch (e) {
      return {
        pass: false,
        message: `consistency(${JSON.stringify(think)}, '${target}') threw: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    if (typeof got !== 'number' || Math.abs(got - want) > 1e-9)
      return {
        pass: false,
        message: `consistency(${JSON.stringify(think)}, '${target}') returned ${String(got)}; expected ${want.toFixed(4)}\nwhy this case: ${why}`,
      };
  }
  return { pass: true, message: `all ${CASES.length} thinks score as R1's eq. 7 does` };
}
