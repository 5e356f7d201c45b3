// Primed bases, Gandhi et al.'s design (arXiv 2503.01307 §4; reference/r1-story-beyond-zero.md §5.1) with
// programmatic traces instead of Claude's: one Countdown completion per condition, all from search-trace.ts.
//   direct       the successful path's steps only (negative control: no search, no checks)
//   backtrack    failed paths abandoned with "try", no evaluation text
//   verify       backtrack + verdicts and checks (with caught slips, search-trace.ts)
//   subgoal      backtrack + "need g from ..."
//   backward     backtrack + the inverse step from the target
//   all          all four strategies
//   empty        an empty think
//   filler       "? ? ?..." as long as the `all` think of the same problem (Gandhi: " ." repeated; '.' is not in
//                our vocabulary)
//   no_positive  `all`, but the search gives up and answers a failed path: every answer wrong
// Equal token counts per base come from pretraining: every base reads the same steps × rows of tokens.
import type { Rng } from '../../core/rng.ts';
import type { Problem } from '../problems/types.ts';
import { completionFrom } from '../template.ts';
import { verify } from '../verifier.ts';
import {
  ALL_STRATEGIES,
  NO_STRATEGIES,
  searchTrace,
  type SearchTraceOptions,
  type Strategies,
} from './search-trace.ts';

export const PRIMING_CONDITIONS = [
  'direct',
  'backtrack',
  'verify',
  'subgoal',
  'backward',
  'all',
  'empty',
  'filler',
  'no_positive',
] as const;
export type PrimingCondition = (typeof PRIMING_CONDITIONS)[number];

export function isPrimingCondition(s: string): s is PrimingCondition {
  return (PRIMING_CONDITIONS as readonly string[]).includes(s);
}

const STRATEGIES: Readonly<Record<'direct' | 'backtrack' | 'verify' | 'subgoal' | 'backward' | 'all', Strategies>> = {
  direct: NO_STRATEGIES,
  backtrack: { ...NO_STRATEGIES, backtrack: true },
  verify: { ...NO_STRATEGIES, backtrack: true, verify: true },
  subgoal: { ...NO_STRATEGIES, backtrack: true, subgoal: true },
  backward: { ...NO_STRATEGIES, backtrack: true, backward: true },
  all: ALL_STRATEGIES,
};

export const FILLER = '?';

/** The completion a base primed with `condition` reads for `problem`, and whether its answer is right. */
export function primedCompletion(
  problem: Problem,
  condition: PrimingCondition,
  rng: Rng,
  options: Partial<SearchTraceOptions> = {},
): { completion: string; correct: boolean } {
  switch (condition) {
    case 'empty':
      return { completion: completionFrom('', problem.answer), correct: true };
    case 'filler': {
      const n = searchTrace(problem, ALL_STRATEGIES, rng, options).think.length;
      // "? ? ?": n characters, ending in '?' (n odd) or "? " trimmed to n.
      const think = Array.from({ length: Math.ceil(n / 2) }, () => FILLER)
        .join(' ')
        .slice(0, n)
        .trimEnd();
      return { completion: completionFrom(think, problem.answer), correct: true };
    }
    case 'no_positive': {
      // Wrong unless no dead-end path was found to give up on (rare; the label says so).
      const t = searchTrace(problem, ALL_STRATEGIES, rng, { ...options, wrongAnswer: true });
      const completion = completionFrom(t.think, t.answer);
      return { completion, correct: verify(problem, completion).correct };
    }
    default: {
      const t = searchTrace(problem, STRATEGIES[condition], rng, options);
      const completion = completionFrom(t.think, t.answer);
      return { completion, correct: t.guessed ? verify(problem, completion).correct : true };
    }
  }
}

/** Longest primed document, in tokens: at the miniature's scale (COUNTDOWN_SCALE) 3-number `all` documents are
 * ~116 tokens at the median and ≤ ~175, so the cap drops none of them; 4-number ones reach ~215 (longer draws are
 * replaced by the next problem of the stream, so the cap trims the longest searches). */
export const PRIMING_MAX_TOKENS = 190;

/** Share of a primed corpus's documents that are the arithmetic drill (drill.ts), the same for every condition. */
export const PRIMING_DRILL_FRAC = 0.3;

/** The corpus mix of a primed base: 3-number Countdown (RL's default split; 4 numbers is the harder split it is
 * also measured on), every trace of one condition, and the shared arithmetic drill. Miniature departs: Gandhi
 * et al. prime with 3-4 numbers; one size concentrates a few minutes of pretraining on the task RL plays. */
export function primingMix(condition: PrimingCondition): {
  kinds: ['countdown'];
  difficulty: { countdown: [number, number] };
  countdownPriming: PrimingCondition;
  drillFrac: number;
  maxTokens: number;
} {
  return {
    kinds: ['countdown'],
    difficulty: { countdown: [3, 3] },
    countdownPriming: condition,
    drillFrac: PRIMING_DRILL_FRAC,
    maxTokens: PRIMING_MAX_TOKENS,
  };
}
