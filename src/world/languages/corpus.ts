// Documents of the two-language "internet" the R1 pipeline's base reads (issue 14 item 1): each corpus document
// (world/corpus.ts) gets a prompt language, and its think is written in that language, except in a few
// code-switched documents where some steps are in the other one.
//   language  = words with probability wordsFrac, else symbols
//   switched  with probability switchFrac: each step in the other language with probability 1/2 (at least one)
// The switched documents are what RL can amplify: when a step is easier in one script, the policy has seen
// that writing it there is allowed, as R1-Zero had seen mixed-language text in pretraining.
import type { Rng } from '../../core/rng.ts';
import type { Problem } from '../problems/types.ts';
import { completionOf } from '../template.ts';
import { THINK_END } from '../tokenizer.ts';
import { otherLanguage, type Language } from './lexicon.ts';
import { thinkSteps } from './parse.ts';
import { writeSteps } from './rewrite.ts';

export interface LanguageMix {
  /** Share of documents whose prompt asks for thinking in words. */
  wordsFrac: number;
  /** Share of documents whose steps switch language. */
  switchFrac: number;
}

/** The kinds whose steps the words language can say (column arithmetic; numbers up to 999). */
export const LANGUAGE_KINDS: readonly Problem['kind'][] = ['add', 'sub', 'mul'];

/** A document's problem and completion in its drawn language. Draws, in order: language, switched, then one
 * draw per step when switched. */
export function inLanguage(
  problem: Problem,
  completion: string,
  mix: LanguageMix,
  rng: Rng,
): { problem: Problem; completion: string; switched: boolean } {
  const language: Language = rng.next() < mix.wordsFrac ? 'words' : 'symbols';
  const switched = rng.next() < mix.switchFrac;
  const c = completionOf(completion);
  const end = c.indexOf(THINK_END);
  const think = end < 0 ? c : c.slice(0, end);
  const rest = end < 0 ? '' : c.slice(end);
  let flips: boolean[] = [];
  if (switched) {
    const stepRng = rng.child('steps');
    const n = thinkSteps(think).length;
    flips = Array.from({ length: n }, () => stepRng.next() < 0.5);
    if (n > 0 && !flips.some(Boolean)) flips[stepRng.int(0, n)] = true;
  }
  const written = writeSteps(think, (k) => (flips[k] ? otherLanguage(language) : language));
  return { problem: { ...problem, language }, completion: written + rest, switched: flips.some(Boolean) };
}
