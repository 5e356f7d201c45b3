// Reflective solutions: worked solutions that make one mistake, notice it, and fix it. They are the rare
// "aha" documents of the corpus (R1 v1 Table 3: "Wait, wait. ... let's reevaluate"), and every one
// ends with the right answer. Three shapes, all built from the worked trace:
//   step  : one step's result is off, caught at once        7+5=12 3+4+1=9 wait check 3+4+1=8 so 82
//   guess : a wrong quick answer, then the worked check      92 wait check 7+5=12 3+4+1=8 so 82
//   confirm: a right quick answer, then the worked check     82 wait check 7+5=12 3+4+1=8 so 82
//           (only when asked for: CorpusMix.confirmFrac)
//   claim : (countdown) a failed chain mis-added to the target, claimed, rechecked, and the search goes on
//           3+5=8 8+7=56 so 3+5+7 wait recheck 8+7=15 no ... 8*7=56 so (3+5)*7
import type { Rng } from '../../core/rng.ts';
import type { Problem } from '../problems/types.ts';
import { chainExpression, chainSteps } from '../problems/countdown.ts';
import { searchChains } from './countdownSearch.ts';
import type { Trace, TraceItem } from './trace.ts';
import { step, traceCompletion, word } from './trace.ts';
import { COUNTDOWN_SHOWN_FAILS, workedTrace } from './worked.ts';
import { digitTypo, wrongAnswer } from './wrong.ts';

export type ReflectionShape = 'step' | 'guess' | 'confirm' | 'claim';

/** The words a reflective trace uses to flag its re-check. */
export const CHECK_PHRASE = 'wait check';
export const RECHECK_PHRASE = 'wait recheck';

function stepMistake(trace: Trace, rng: Rng): Trace {
  const stepAt = trace.items.flatMap((it, i) => (it.kind === 'step' ? [i] : []));
  const i = rng.choice(stepAt);
  const right = trace.items[i] as Extract<TraceItem, { kind: 'step' }>;
  const items = [
    ...trace.items.slice(0, i),
    step(right.lhs, digitTypo(right.value, rng)),
    word(CHECK_PHRASE),
    right,
    ...trace.items.slice(i + 1),
  ];
  return { items, answer: trace.answer };
}

function guessMistake(problem: Problem, trace: Trace, rng: Rng): Trace {
  return { items: [word(wrongAnswer(problem, rng)), word(CHECK_PHRASE), ...trace.items], answer: trace.answer };
}

function guessConfirmed(trace: Trace): Trace {
  return { items: [word(trace.answer), word(CHECK_PHRASE), ...trace.items], answer: trace.answer };
}

/** Countdown only: the first failed chain is mis-computed into the target and claimed; the recheck catches
 * it and the search continues as in the worked solution. Null when the search shows no failed chain. */
function claimMistake(problem: Problem, trace: Trace): Trace | null {
  const { fails } = searchChains(problem.numbers!, problem.target!, COUNTDOWN_SHOWN_FAILS);
  const first = fails[0];
  if (first === undefined) return null;
  const steps = chainSteps(first.values, first.ops)!;
  const last = steps[steps.length - 1]!;
  const claimed: TraceItem[] = [
    ...steps.slice(0, -1).map((s) => step(s.lhs, s.value)),
    step(last.lhs, problem.target!),
    word(`so ${chainExpression(first.values, first.ops)}`),
    word(RECHECK_PHRASE),
    step(last.lhs, last.value),
    word('no'),
  ];
  // The worked trace starts with the same failed chain (its steps and 'no'): replace it.
  return { items: [...claimed, ...trace.items.slice(steps.length + 1)], answer: trace.answer };
}

/** A reflective trace of the given (or a random) shape. */
export function reflectiveTrace(problem: Problem, rng: Rng, shape?: ReflectionShape): Trace {
  const worked = workedTrace(problem);
  const chosen =
    shape ??
    (problem.kind === 'countdown'
      ? rng.choice(['step', 'guess', 'claim'] as const)
      : rng.choice(['step', 'guess'] as const));
  if (chosen === 'claim') {
    if (problem.kind !== 'countdown')
      throw new Error(`the 'claim' reflection is for countdown problems, not ${problem.kind}`);
    return claimMistake(problem, worked) ?? stepMistake(worked, rng);
  }
  if (chosen === 'confirm') return guessConfirmed(worked);
  return chosen === 'guess' ? guessMistake(problem, worked, rng) : stepMistake(worked, rng);
}

/** A reflective solution as a completion; its final answer is always right. */
export function reflectiveSolution(problem: Problem, rng: Rng, shape?: ReflectionShape): string {
  return traceCompletion(reflectiveTrace(problem, rng, shape));
}
