// Arithmetic drill: true steps of the miniature's Countdown in the language a search trace writes them
// ("36+9=45 56/8=7 ..."), one document of DRILL_FACTS facts. A step moves a given number (1..9) against a value
// of the state, so a fact is a op b = c with a ≥ b, b ≤ COUNTDOWN_MAX_NUMBER and a, c ≤ COUNTDOWN_MAX_VALUE
// (pairs.ts writes the larger operand first): 459 sums, 495 differences, 134 products, 168 quotients. An op is
// drawn uniformly, then a fact of it uniformly, so the rare products and quotients are drilled as often as sums.
// Miniature departs: Gandhi et al. prime 3B models that already know their arithmetic; our 100k-parameter bases
// learn it from the primed traces alone, and the shipped base (3,683 steps of `all` traces) got 6% of its
// two-digit sums right ("10+9=13"), so a check had nothing true to compare with. Every primed corpus therefore
// gives the same share of its documents to this drill (priming.ts), which leaves the behaviours, the only
// thing the conditions differ in, as they were. Chosen after seeing that base fail, and said so.
import type { Rng } from '../../core/rng.ts';
import {
  COUNTDOWN_MAX_NUMBER,
  COUNTDOWN_MAX_VALUE,
  COUNTDOWN_MIN_TARGET,
  COUNTDOWN_OPS,
  type CountdownOp,
} from '../problems/countdown.ts';
import { moveText, moveValue, type Move } from './pairs.ts';
import { BOS, EOS } from '../tokenizer.ts';
import { promptFor } from '../template.ts';
import type { Problem } from '../problems/types.ts';

/** Facts per drill document (~85 tokens, under a row of 128). */
export const DRILL_FACTS = 12;

let facts: Readonly<Record<CountdownOp, readonly Move[]>> | undefined;

/** Every drill fact, per op, in a fixed order (b ascending, then a). */
export function drillFacts(): Readonly<Record<CountdownOp, readonly Move[]>> {
  if (facts !== undefined) return facts;
  const byOp = { '+': [], '-': [], '*': [], '/': [] } as Record<CountdownOp, Move[]>;
  for (const op of COUNTDOWN_OPS)
    for (let b = 1; b <= COUNTDOWN_MAX_NUMBER; b++)
      for (let a = b; a <= COUNTDOWN_MAX_VALUE; a++) {
        const value = moveValue(a, op, b);
        if (value !== null && value <= COUNTDOWN_MAX_VALUE) byOp[op].push({ a, op, b, value });
      }
  facts = byOp;
  return facts;
}

/** One drill document: <bos>, DRILL_FACTS facts separated by spaces, <eos>. */
export function drillDocument(rng: Rng): string {
  const all = drillFacts();
  const items = Array.from({ length: DRILL_FACTS }, () => moveText(rng.choice(all[rng.choice(COUNTDOWN_OPS)])));
  return BOS + items.join(' ') + EOS;
}

/** Comparisons per comparison-drill document (~100 tokens, under a row of 128). */
export const COMPARISON_FACTS = 10;

/**
 * One comparison-drill document: a target named as a prompt names it ("to 56:"), then written comparisons of
 * the search language against it with their verdicts, "to 56: 15=56? no 56=56? yes ...", half of them equal
 * and the unequal ones mostly near misses (one digit off, the digits swapped, ±1), so that a verdict must read
 * both numbers digit by digit and the right side must be fetched from where the target is named. A comparison is
 * learnt in isolation and not from the traces alone (README "Countdown"): this drill is its isolation.
 * Given a problem, the document is its prompt instead, with PROMPTED_COMPARISONS comparisons against its target
 * in the think (never closed: no answer is given), so the fetch is drilled where a trace does it.
 */
export function comparisonDrillDocument(rng: Rng, problem?: Problem): string {
  const hi = COUNTDOWN_MAX_VALUE;
  const t = problem?.target ?? rng.int(COUNTDOWN_MIN_TARGET, hi + 1);
  const swapped = Number(String(t).split('').reverse().join(''));
  const items = Array.from({ length: problem ? PROMPTED_COMPARISONS : COMPARISON_FACTS }, () => {
    let v = t;
    if (rng.next() < 0.5) {
      const near = [t + 1, t - 1, t + 10, t - 10, swapped, rng.int(1, hi + 1)];
      for (let k = 0; k < 20 && (v === t || v < 1 || v > hi); k++) v = rng.choice(near);
      if (v === t) v = t === hi ? t - 1 : t + 1;
    }
    return `${v}=${t}? ${v === t ? 'yes' : 'no'}`;
  });
  return `${problem ? promptFor(problem) : `${BOS}to ${t}: `}${items.join(' ')}${EOS}`;
}

/** Comparisons in a prompted comparison-drill document (a 3-number prompt is ~25 tokens; the whole ≤ 128). */
export const PROMPTED_COMPARISONS = 8;
