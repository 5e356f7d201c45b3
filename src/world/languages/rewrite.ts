// The deterministic rewriter of the cold start: a think translated into one language of thought, step by step
// (R1's cold-start data had DeepSeek-V3 "translate the thinking into the question's language"; here the
// translation is exact because every lexeme has one counterpart, lexicon.ts). It changes notation only: every
// step keeps its terms, operators and value, right or wrong, and every other item stays where it was.
//   rewriteThink("seven plus five is twelve 3+4+1=8 so 82", 'symbols') = "7+5=12 3+4+1=8 so 82"
// Items are joined by single spaces, so a well-spaced think in one language is its own rewrite.
import { completionOf } from '../template.ts';
import { THINK_END } from '../tokenizer.ts';
import type { Language } from './lexicon.ts';
import { parseThink, renderItem, renderStep, type ThinkItem } from './parse.ts';

/** The think with every step (and every cut-short fragment) written in `language`. */
export function rewriteThink(think: string, language: Language): string {
  return parseThink(think)
    .map((it) => renderItem(it, language))
    .join(' ');
}

/** The think with step k written in languages(k) (the corpus's code-switched documents). */
export function writeSteps(think: string, languageOf: (stepIndex: number, item: ThinkItem) => Language): string {
  let k = 0;
  return parseThink(think)
    .map((it) => (it.kind === 'step' ? renderStep(it, languageOf(k++, it)) : renderItem(it, languageOf(k, it))))
    .join(' ');
}

/** A completion (or document) with its think rewritten; everything from </think> on is kept as it is. */
export function rewriteCompletion(text: string, language: Language): string {
  const c = completionOf(text);
  const end = c.indexOf(THINK_END);
  if (end < 0) return rewriteThink(c, language);
  return rewriteThink(c.slice(0, end), language) + c.slice(end);
}
