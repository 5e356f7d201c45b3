// The check for lesson 02's exercise: the learner's `workedThink(a, b)` against the think text of
// tinyseek's worked solutions (src/world/solutions/worked.ts, rendered by renderThink) on sums chosen to
// teach one thing each: no carry, a carry out of one column, a carry in, operands of different lengths,
// a carry rippling through every column. On a failure: the call, what came back, what was expected, why.
import { missingExport, type CheckOutcome } from '../../src/tui/manifest.ts';

const CASES: [number, number, string][] = [
  [3, 4, 'one column, no carry'],
  [7, 5, 'one column whose sum is 12: the whole sum is the answer'],
  [37, 45, 'the carry out of 7+5 goes into the next column, written "+1"'],
  [52, 31, 'no carry anywhere'],
  [99, 1, 'operands of different lengths: the missing digit is 0, and the carry still ripples'],
  [505, 495, 'a carry through every column'],
  [0, 0, 'zero'],
  [999, 999, 'the largest 3-digit sum'],
];

export async function checkWorkedThink(mod: Record<string, unknown>): Promise<CheckOutcome> {
  const f = mod['workedThink'];
  if (typeof f !== 'function') return missingExport(mod, 'workedThink');
  const { renderThink, workedTrace } = await import('../../src/world/index.ts');
  const reference = (a: number, b: number): string =>
    renderThink(
      workedTrace({
        kind: 'add',
        prompt: `${a}+${b}`,
        answer: String(a + b),
        difficulty: String(Math.max(a, b)).length,
        numbers: [a, b],
      }),
    );
  for (const [a, b, why] of CASES) {
    const want = reference(a, b);
    const call = `workedThink(${a}, ${b})`;
    let got: unknown;
    try {
      got = (f as (a: number, b: number) => unknown)(a, b);
    } catch (e) {
      return {
        pass: false,
        message: `${call} threw: ${e instanceof Error ? e.message : String(e)}\nwhy this case: ${why}`,
      };
    }
    if (got !== want)
      return {
        pass: false,
        message: `${call} returned ${JSON.stringify(got)}\nexpected ${JSON.stringify(want)}\nwhy this case: ${why}`,
      };
  }
  return {
    pass: true,
    message: `all ${CASES.length} sums match the corpus's worked solutions, e.g. workedThink(505, 495) = "${reference(505, 495)}"`,
  };
}
