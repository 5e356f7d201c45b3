// A think read as items in either language of thought (lexicon.ts), so that mixing and readability can be
// counted exactly. Grammar over lexemes (whitespace is free):
//   step    = NUMBER (OP NUMBER)+ EQUALS NUMBER      "7+5=12", "seven plus five is twelve", "7+5 is twelve"
//   number  = a NUMBER not followed by an OP          the quick guess of a reflective trace ("92 wait check ...")
//   so      = "so" [NUMBER]                           the conclusion, "so 82"
//   word    = a reflection word or "easy"/"no"/"try"  the same in both languages
//   broken  = anything else: a step cut short, a stray sign or an unknown word
// A step's language is the one all of its lexemes share, or 'mixed' when it switches inside (code-switching
// within a step, as R1-Zero did within a sentence).
import { REFLECTION_WORDS } from '../reflection.ts';
import { lex, renderLexeme, type Language, type Lexeme } from './lexicon.ts';

type NumberLexeme = Extract<Lexeme, { kind: 'number' }>;

export type ThinkItem =
  | {
      kind: 'step';
      /** The step's lexemes in order: numbers, operators, the equals and the result. */
      lexemes: Lexeme[];
      language: Language | 'mixed';
      terms: number[];
      ops: string[];
      value: number;
    }
  | { kind: 'number'; lexeme: NumberLexeme }
  | { kind: 'so'; answer: NumberLexeme | null }
  | { kind: 'word'; text: string }
  | { kind: 'broken'; lexemes: Lexeme[] };

export type ThinkStep = Extract<ThinkItem, { kind: 'step' }>;

/** Words that belong to both languages: reflection markers and the corpus's filler words. */
export const SHARED_WORDS: ReadonlySet<string> = new Set([...REFLECTION_WORDS, 'easy', 'no', 'try']);

const isNumber = (l: Lexeme | undefined): l is NumberLexeme => l?.kind === 'number';

/** The items of a think, in order. */
export function parseThink(think: string): ThinkItem[] {
  const lx = lex(think);
  const items: ThinkItem[] = [];
  let i = 0;
  while (i < lx.length) {
    const l = lx[i]!;
    if (isNumber(l)) {
      let j = i + 1;
      while (lx[j]?.kind === 'op' && isNumber(lx[j + 1])) j += 2;
      if (j === i + 1) {
        items.push({ kind: 'number', lexeme: l });
        i++;
      } else if (lx[j]?.kind === 'equals' && isNumber(lx[j + 1])) {
        const lexemes = lx.slice(i, j + 2);
        const langs = new Set(lexemes.map((x) => (x.kind === 'other' ? null : x.language)));
        const language = langs.size === 1 ? [...langs][0]! : 'mixed';
        const terms = lexemes
          .filter((x, k) => k % 2 === 0 && k < lexemes.length - 2)
          .map((x) => (x as NumberLexeme).value);
        const ops = lexemes.flatMap((x) => (x.kind === 'op' ? [x.op] : []));
        items.push({
          kind: 'step',
          lexemes,
          language: language ?? 'mixed',
          terms,
          ops,
          value: (lx[j + 1] as NumberLexeme).value,
        });
        i = j + 2;
      } else {
        items.push({ kind: 'broken', lexemes: lx.slice(i, j) });
        i = j;
      }
    } else if (l.kind === 'other' && l.text === 'so') {
      const answer = isNumber(lx[i + 1]) ? (lx[i + 1] as NumberLexeme) : null;
      items.push({ kind: 'so', answer });
      i += answer ? 2 : 1;
    } else if (l.kind === 'other' && SHARED_WORDS.has(l.text)) {
      items.push({ kind: 'word', text: l.text });
      i++;
    } else {
      items.push({ kind: 'broken', lexemes: [l] });
      i++;
    }
  }
  return items;
}

/** The steps of a think. */
export function thinkSteps(think: string): ThinkStep[] {
  return parseThink(think).filter((it): it is ThinkStep => it.kind === 'step');
}

/** A step written wholly in one language: "7+5=12" or "seven plus five is twelve". */
export function renderStep(s: Pick<ThinkStep, 'lexemes'>, language: Language): string {
  return s.lexemes.map((l) => renderLexeme(l, language)).join(language === 'symbols' ? '' : ' ');
}

/** One item in a language; numbers that stand for answers (a guess, the conclusion) stay as written. */
export function renderItem(item: ThinkItem, language: Language): string {
  switch (item.kind) {
    case 'step':
      return renderStep(item, language);
    case 'number':
      return item.lexeme.text;
    case 'so':
      return item.answer ? `so ${item.answer.text}` : 'so';
    case 'word':
      return item.text;
    case 'broken':
      return item.lexemes.map((l) => renderLexeme(l, language)).join(' ');
  }
}
