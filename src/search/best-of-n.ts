// Best-of-N reranking (Cobbe et al. 2021; Lightman et al. 2023; Math-Shepherd §4): draw N answers, let a
// selector pick one, score the pick. Selectors:
//   random       one of the N, uniformly (what sampling once gives)
//   majority     the most frequent answer (self-consistency; ties → the earliest)
//   orm          argmax of the outcome reward model's score at the last token
//   prm-min      argmax_j min_i s_{j,i}   (Math-Shepherd, Lightman)
//   prm-product  argmax_j Π_i s_{j,i}     (Lightman)
//   prm-last     argmax_j s_{j,last}      (the PRM read as an ORM)
//   oracle       right if any of the N is right: pass@N, the ceiling of every selector
// Ties go to the earliest candidate, so every selector picks candidate 0 at N = 1. Also measured: how often a
// selected *right* answer comes from a trace with a wrong step (Uesato et al.'s trace error; exact here).
import type { Rng } from '../core/rng.ts';
import type { ScoredTrace } from './scored-steps.ts';

export const SELECTORS = ['random', 'majority', 'orm', 'prm-min', 'prm-product', 'prm-last'] as const;
export type Selector = (typeof SELECTORS)[number];

export interface Candidate {
  answer: string | null;
  correct: boolean;
  wrongStep: boolean;
  /** The ORM's score (last position). */
  orm: number;
  /** The PRM's scores at every read position (answer step last). */
  prm: number[];
}

/** Groups traces sampled N per problem (problem j's are traces[jN .. jN+N)) into candidates, with each trace's
 * PRM scores and the ORM's score at its last read position. */
export function candidatesOf(
  traces: readonly ScoredTrace[],
  prm: readonly number[][],
  orm: readonly number[][],
  n: number,
): Candidate[][] {
  return Array.from({ length: traces.length / n }, (_, j) =>
    traces.slice(j * n, (j + 1) * n).map((t, i) => ({
      answer: t.answer,
      correct: t.correct,
      wrongStep: t.wrongStep,
      orm: orm[j * n + i]!.at(-1)!,
      prm: prm[j * n + i]!,
    })),
  );
}

const argmax = (xs: readonly number[]): number => xs.reduce((best, x, i) => (x > xs[best]! ? i : best), 0);

/** The index among `cands` that `selector` picks; `rng` is used by `random` only. */
export function select(selector: Selector, cands: readonly Candidate[], rng: Rng): number {
  if (cands.length === 0) throw new RangeError('best-of-N: no candidates');
  switch (selector) {
    case 'random':
      return rng.int(0, cands.length);
    case 'majority': {
      const votes = new Map<string, number>();
      for (const c of cands) if (c.answer !== null) votes.set(c.answer, (votes.get(c.answer) ?? 0) + 1);
      let best: string | null = null;
      for (const c of cands)
        if (c.answer !== null && (best === null || votes.get(c.answer)! > votes.get(best)!)) best = c.answer;
      return best === null ? 0 : cands.findIndex((c) => c.answer === best);
    }
    case 'orm':
      return argmax(cands.map((c) => c.orm));
    case 'prm-min':
      return argmax(cands.map((c) => Math.min(...c.prm)));
    case 'prm-product':
      // Σ log s rather than Π s: the same order, without underflow on long traces.
      return argmax(cands.map((c) => c.prm.reduce((a, s) => a + Math.log(Math.max(s, 1e-300)), 0)));
    case 'prm-last':
      return argmax(cands.map((c) => c.prm[c.prm.length - 1]!));
  }
}

export interface BestOfNRow {
  selector: Selector | 'oracle';
  n: number;
  accuracy: number;
  /** Among selected right answers, the share whose trace has a wrong step (null when none was right). */
  wrongStepOfRight: number | null;
}

/** Accuracy of every selector at every N, over problems; problem j's candidates are its first N samples. */
export function bestOfN(problems: readonly Candidate[][], ns: readonly number[], rng: Rng): BestOfNRow[] {
  const rows: BestOfNRow[] = [];
  for (const n of ns) {
    for (const sel of [...SELECTORS, 'oracle'] as const) {
      let right = 0,
        wrongStep = 0;
      problems.forEach((cands, j) => {
        if (cands.length < n) throw new RangeError(`best-of-N: problem ${j} has ${cands.length} samples, N = ${n}`);
        const first = cands.slice(0, n);
        if (sel === 'oracle') {
          if (first.some((c) => c.correct)) right++;
          return;
        }
        const pick = first[select(sel, first, rng.child(`p${j}`).child(`n${n}`))]!;
        if (pick.correct) {
          right++;
          if (pick.wrongStep) wrongStep++;
        }
      });
      rows.push({
        selector: sel,
        n,
        accuracy: right / problems.length,
        wrongStepOfRight: sel === 'oracle' || right === 0 ? null : wrongStep / right,
      });
    }
  }
  return rows;
}
