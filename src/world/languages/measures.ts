// What the R1 pipeline measures about a think's language (issue 14; R1 §2.3.2 and Nature eq. 7):
//   consistency(think, L) = lexemes in L / language-bearing lexemes            (R1 eq. 7: Num(Words_L)/Num(Words))
//                           over the numbers, operators and equals of its steps and fragments; 1 when there are none
//   mixing(think, L)      = steps not wholly in L / steps                      (null when there are no steps)
//   readable(think)       = every item parses, no step switches language inside, no step is repeated verbatim
// Lexemes, not characters: a step has as many lexemes in words as in symbols (lexicon.ts), so the share does
// not reward the shorter script. Answers (a guess, "so 82") and shared words ("wait check") carry no language.
import type { Language } from './lexicon.ts';
import { parseThink, renderStep, type ThinkItem } from './parse.ts';

function languageLexemes(items: readonly ThinkItem[]) {
  return items.flatMap((it) =>
    it.kind === 'step' || it.kind === 'broken' ? it.lexemes.filter((l) => l.kind !== 'other') : [],
  ) as { language: Language }[];
}

/** R1's language-consistency share, in [0, 1]. */
export function languageConsistency(think: string, target: Language): number {
  const lx = languageLexemes(parseThink(think));
  if (lx.length === 0) return 1;
  return lx.filter((l) => l.language === target).length / lx.length;
}

/** Steps of the think, and how many are not wholly in the target language. */
export function mixedSteps(think: string, target: Language): { steps: number; mixed: number } {
  const steps = parseThink(think).filter((it) => it.kind === 'step');
  return { steps: steps.length, mixed: steps.filter((s) => s.language !== target).length };
}

/** The share of steps not in the target language, or null for a think without steps. */
export function mixingRate(think: string, target: Language): number | null {
  const { steps, mixed } = mixedSteps(think, target);
  return steps === 0 ? null : mixed / steps;
}

/** Why a think is not readable (empty when it is): broken fragments, switches inside a step, repeats. */
export function readabilityProblems(think: string): string[] {
  const items = parseThink(think);
  const out: string[] = [];
  const broken = items.filter((it) => it.kind === 'broken').length;
  if (broken > 0) out.push(`${broken} broken fragment${broken > 1 ? 's' : ''}`);
  const steps = items.filter((it) => it.kind === 'step');
  if (steps.some((s) => s.language === 'mixed')) out.push('a step switches language inside');
  const seen = new Set<string>();
  for (const s of steps) {
    const key = renderStep(s, 'symbols');
    if (seen.has(key)) {
      out.push(`repeated step ${key}`);
      break;
    }
    seen.add(key);
  }
  return out;
}

export const isReadable = (think: string): boolean => readabilityProblems(think).length === 0;
