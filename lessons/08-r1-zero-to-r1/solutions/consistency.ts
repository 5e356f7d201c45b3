// Exercise: R1's language-consistency reward (R1 §2.3.2, Nature eq. 7): the share of the thinking's words that
// are in the language the prompt asks for,
//   reward = Num(words in the target language) / Num(words that have a language)
// Here a "word" is a lexeme of a step: a number, an operator or the equals sign. Each one exists in both
// languages of thought — 12 / twelve, + / plus, = / is — so "7+5=12" and "seven plus five is twelve" both
// have five. Shared words ("so", "wait", "check") and the answer after "so" have no language.
//
// `lexemes(think)` below already splits a think and says each lexeme's language ('symbols', 'words' or null
// for no language). Finish `consistency(think, target)`: the share of lexemes WITH a language that are in
// `target`. A think with no such lexeme (an empty think, a direct answer) is vacuously consistent: 1.
//

export type Language = 'symbols' | 'words';

const NUMBER_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const WORD_LEXEMES = new Set([...NUMBER_WORDS, 'plus', 'minus', 'times', 'is']);

/** Lexemes of a think with their language; numbers after "so" are answers and have none. */
export function lexemes(think: string): { text: string; language: Language | null }[] {
  const out: { text: string; language: Language | null }[] = [];
  let afterSo = false;
  for (const chunk of think.split(/\s+/).filter((c) => c.length > 0)) {
    for (const m of chunk.matchAll(/[a-z]+|\d+|[+\-*=]/g)) {
      const t = m[0];
      if (afterSo && /^\d+$/.test(t)) out.push({ text: t, language: null });
      else if (/^(\d+|[+\-*=])$/.test(t)) out.push({ text: t, language: 'symbols' });
      else if (WORD_LEXEMES.has(t)) out.push({ text: t, language: 'words' });
      else out.push({ text: t, language: null });
      afterSo = t === 'so';
    }
  }
  return out;
}

export function consistency(think: string, target: Language): number {
  const counted = lexemes(think).filter((l) => l.language !== null);
  if (counted.length === 0) return 1;
  return counted.filter((l) => l.language === target).length / counted.length;
}
