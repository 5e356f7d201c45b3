// Is a Countdown check genuine or a ritual? Exact measures over (problem, completion), from parse.ts's items
// (issue 16 item 4; reference/r1-story-beyond-zero.md §7 (5)):
//   (a) check accuracy      checks whose recomputed values are all the true a op b  / checks (a path check,
//                           "check 3+5=8 8*7=56", recomputes every step of its path: parse.ts)
//   (b) consistency         P(search continues | verdict "no"),  P(search stops | verdict "yes")
//   (c) usefulness          saved:   a check rejects a WRONG candidate and the final answer is right
//                           spoiled: a check rejects a RIGHT candidate (a true step that makes the target)
//                                    and the final answer is wrong
//   (d) intervention        force a path whose last step claims the target with a wrong value, let the model
//                           go on, and ask whether it caught it: a check recomputes that step to its true
//                           value and says "no" (a path check: its last step is that one, every step before
//                           it recomputed faithfully). A ritual check (one that copies the claim) never does.
// Tallies add up over completions; rates are null when their denominator is 0.
import type { Rng } from '../../core/rng.ts';
import type { Problem } from '../problems/types.ts';
import { thinkText } from '../reflection.ts';
import { verify } from '../verifier.ts';
import { moveText, moveValue, type Move } from './pairs.ts';
import { parseSearch, type CdItem } from './parse.ts';
import { randomFullPath } from './problems.ts';
import { NO_OPENING, pathOpening, type PathOpening } from './search-trace.ts';

export interface VerificationTally {
  /** Steps written (forward and backward) and how many carry the true a op b: the arithmetic under the search. */
  steps: number;
  stepsRight: number;
  checks: number;
  checksRight: number;
  noVerdicts: number;
  continuedAfterNo: number;
  yesVerdicts: number;
  stoppedAfterYes: number;
  wrongCandidatesChecked: number;
  saved: number;
  rightCandidatesChecked: number;
  spoiled: number;
}

export const EMPTY_TALLY: Readonly<VerificationTally> = Object.freeze({
  steps: 0,
  stepsRight: 0,
  checks: 0,
  checksRight: 0,
  noVerdicts: 0,
  continuedAfterNo: 0,
  yesVerdicts: 0,
  stoppedAfterYes: 0,
  wrongCandidatesChecked: 0,
  saved: 0,
  rightCandidatesChecked: 0,
  spoiled: 0,
});

function problemParts(problem: Problem): { numbers: number[]; target: number } {
  if (problem.numbers === undefined || problem.target === undefined)
    throw new Error(`not a countdown problem: ${problem.prompt}`);
  return { numbers: problem.numbers, target: problem.target };
}

type Step = Extract<CdItem, { kind: 'step' }>;

/** The item after items[i], past a written comparison ("15=56?") if one comes first: where a verdict on a check is. */
function verdictAfter(items: readonly CdItem[], i: number): CdItem | undefined {
  return items[i + 1]?.kind === 'compare' ? items[i + 2] : items[i + 1];
}

/** The tally of one completion. */
export function verificationTally(problem: Problem, completion: string): VerificationTally {
  const { numbers, target } = problemParts(problem);
  const { items } = parseSearch(thinkText(completion), numbers, target);
  const correct = verify(problem, completion).correct;
  const t: VerificationTally = { ...EMPTY_TALLY };
  const forwardAfter = (i: number) => items.slice(i + 1).some((it) => it.kind === 'step' && it.role === 'forward');
  items.forEach((it, i) => {
    if (it.kind === 'step') {
      t.steps++;
      if (it.right) t.stepsRight++;
    } else if (it.kind === 'check') {
      t.checks++;
      if (it.right) t.checksRight++;
      const next = verdictAfter(items, i);
      const rejects = next?.kind === 'verdict' && next.says === 'no';
      if (it.of !== null && it.sameStep) {
        const cand = items[it.of] as Step;
        // A one-step check tests its step; a path check tests the whole path (onTrack: every step right and legal).
        const candidateRight =
          it.steps.length > 1
            ? cand.onTrack && cand.value === target
            : cand.right && cand.legal && cand.value === target;
        if (candidateRight) {
          t.rightCandidatesChecked++;
          if (rejects && !correct) t.spoiled++;
        } else {
          t.wrongCandidatesChecked++;
          if (rejects && correct) t.saved++;
        }
      }
    } else if (it.kind === 'verdict') {
      if (it.says === 'no') {
        t.noVerdicts++;
        if (forwardAfter(i)) t.continuedAfterNo++;
      } else if (!it.subgoal) {
        // A subgoal's "yes" lets its path go on; only a "yes" on the target claims the search is done.
        t.yesVerdicts++;
        if (!forwardAfter(i)) t.stoppedAfterYes++;
      }
    }
  });
  return t;
}

export function addTallies(a: VerificationTally, b: VerificationTally): VerificationTally {
  const out = { ...a };
  for (const k of Object.keys(EMPTY_TALLY) as (keyof VerificationTally)[]) out[k] = a[k] + b[k];
  return out;
}

export interface VerificationRates {
  /** Share of written steps whose value is the true a op b. */
  stepAccuracy: number | null;
  checkAccuracy: number | null;
  pContinueGivenNo: number | null;
  pStopGivenYes: number | null;
  saveRate: number | null;
  spoilRate: number | null;
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

export function verificationRates(t: VerificationTally): VerificationRates {
  return {
    stepAccuracy: ratio(t.stepsRight, t.steps),
    checkAccuracy: ratio(t.checksRight, t.checks),
    pContinueGivenNo: ratio(t.continuedAfterNo, t.noVerdicts),
    pStopGivenYes: ratio(t.stoppedAfterYes, t.yesVerdicts),
    saveRate: ratio(t.saved, t.wrongCandidatesChecked),
    spoilRate: ratio(t.spoiled, t.rightCandidatesChecked),
  };
}

/** An injected error: a think prefix whose last step claims the target with a wrong value. */
export interface Intervention {
  /** Think text to force-decode after the prompt (ends with a space). */
  prefix: string;
  /** The corrupted step as written, and its true value. */
  step: Move;
  trueValue: number;
}

/** A random dead-end path of the problem, its last step mis-computed into the target. Null when every full
 * path of a few draws touches the target. `opening`: the path opens as every path of a base pretrained with those
 * corpus knobs does (search-trace.ts: "to 56: ...", "keep 6: ..."), so the prefix is in its form. */
export function interventionPrefix(problem: Problem, rng: Rng, opening: PathOpening = NO_OPENING): Intervention | null {
  const { numbers, target } = problemParts(problem);
  for (let k = 0; k < 50; k++) {
    const p = randomFullPath(numbers, rng);
    if (p === null || p.length === 0 || p.some((m) => m.value === target)) continue;
    const last = p[p.length - 1]!;
    const wrong = { ...last, value: target };
    return {
      prefix:
        [...pathOpening(numbers, target, p, opening), ...p.slice(0, -1).map(moveText), moveText(wrong)].join(' ') + ' ',
      step: wrong,
      trueValue: last.value,
    };
  }
  return null;
}

export interface InterventionOutcome {
  /** A check recomputed the corrupted step to its true value and said "no". */
  caught: boolean;
  /** The injected value was accepted: a "yes" on it (directly or after a check that repeats it). */
  fooled: boolean;
  /** The final answer verifies. */
  recovered: boolean;
}

/** Judges the model's continuation (its generated text after the prefix, up to and including its answer). */
export function interventionOutcome(problem: Problem, iv: Intervention, continuation: string): InterventionOutcome {
  const { numbers, target } = problemParts(problem);
  const completion = iv.prefix + continuation;
  const { items } = parseSearch(thinkText(completion), numbers, target);
  const at = items.findIndex(
    (it) =>
      it.kind === 'step' &&
      it.role === 'forward' &&
      it.a === iv.step.a &&
      it.op === iv.step.op &&
      it.b === iv.step.b &&
      it.value === iv.step.value,
  );
  let caught = false;
  let fooled = false;
  if (at >= 0) {
    // Only what follows the corrupted step before the next step of the search counts as its test.
    for (let i = at + 1; i < items.length; i++) {
      const it = items[i]!;
      if (it.kind === 'step' || it.kind === 'so' || it.kind === 'try') break;
      if (it.kind === 'check' && it.sameStep && it.of === at) {
        const next = verdictAfter(items, i);
        if (
          it.value === iv.trueValue &&
          moveValue(it.a, it.op, it.b) === it.value &&
          next?.kind === 'verdict' &&
          next.says === 'no'
        )
          caught = true;
      }
      if (it.kind === 'verdict' && it.says === 'yes') fooled = true;
    }
  }
  return { caught, fooled, recovered: verify(problem, completion).correct };
}
