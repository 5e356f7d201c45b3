// The two languages of thought of the addition world, lexeme by lexeme (issue 14; R1 §2.3.2 "language mixing").
//   symbols  7+5=12 3+4+1=8         numbers as digits, operators as signs, "=" before the result
//   words    seven plus five is twelve three plus four plus one is eight
// A step is NUMBER (OP NUMBER)+ EQUALS NUMBER in either language, and each lexeme has exactly one counterpart in
// the other: 12 ↔ twelve, + ↔ plus, - ↔ minus, * ↔ times, = ↔ is. So a step has as many lexemes in words as in
// symbols (5 for "7+5=12"), and a share of lexemes measures language without favouring the longer script.
// Numbers 0..999 have words: 0-19 one word, tens "twenty".."ninety", "twenty-one", "three-hundred-fifteen".
// Both languages use only characters the tokenizer already has (letters, digits, "+-*=", space): adding a
// language changed no token id, so every checkpoint and golden file stays valid.

export const LANGUAGES = ['symbols', 'words'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(s: string): s is Language {
  return (LANGUAGES as readonly string[]).includes(s);
}

/** The other language. */
export const otherLanguage = (l: Language): Language => (l === 'symbols' ? 'words' : 'symbols');

const ONES = [
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
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** The largest number the words language can say. */
export const MAX_WORD_NUMBER = 999;

/** A number 0..999 in words: 12 → "twelve", 42 → "forty-two", 315 → "three-hundred-fifteen". */
export function numberWord(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > MAX_WORD_NUMBER)
    throw new RangeError(`numberWord: the words language says integers 0..${MAX_WORD_NUMBER}, got ${n}`);
  if (n < 20) return ONES[n]!;
  if (n < 100) return TENS[Math.floor(n / 10)]! + (n % 10 ? `-${ONES[n % 10]}` : '');
  return `${ONES[Math.floor(n / 100)]}-hundred` + (n % 100 ? `-${numberWord(n % 100)}` : '');
}

const WORD_VALUE = new Map<string, number>(
  Array.from({ length: MAX_WORD_NUMBER + 1 }, (_, n) => [numberWord(n), n] as const),
);

/** The value of a number word, or undefined when the word is not one. */
export const wordValue = (w: string): number | undefined => WORD_VALUE.get(w);

export const OP_WORDS: Readonly<Record<string, string>> = Object.freeze({ '+': 'plus', '-': 'minus', '*': 'times' });
const OP_SIGNS = new Map(Object.entries(OP_WORDS).map(([s, w]) => [w, s] as const));
export const EQUALS_WORD = 'is';

/** One lexeme of a think: its role in a step, its value, and the language it is written in (null: both). */
export type Lexeme =
  | { kind: 'number'; value: number; language: Language; text: string }
  | { kind: 'op'; op: string; language: Language; text: string }
  | { kind: 'equals'; language: Language; text: string }
  | { kind: 'other'; text: string };

/** Splits a whitespace-free chunk ("7+5=12", "forty-two", "wait") into lexemes. */
function lexChunk(chunk: string): Lexeme[] {
  const out: Lexeme[] = [];
  for (const m of chunk.matchAll(/[a-z]+(?:-[a-z]+)*|\d+|[+\-*=]|[^a-z\d+\-*=]+/g)) {
    const t = m[0];
    if (/^\d+$/.test(t)) out.push({ kind: 'number', value: Number(t), language: 'symbols', text: t });
    else if (t === '=') out.push({ kind: 'equals', language: 'symbols', text: t });
    else if (t in OP_WORDS) out.push({ kind: 'op', op: t, language: 'symbols', text: t });
    else if (t === EQUALS_WORD) out.push({ kind: 'equals', language: 'words', text: t });
    else if (OP_SIGNS.has(t)) out.push({ kind: 'op', op: OP_SIGNS.get(t)!, language: 'words', text: t });
    else if (wordValue(t) !== undefined) out.push({ kind: 'number', value: wordValue(t)!, language: 'words', text: t });
    else out.push({ kind: 'other', text: t });
  }
  return out;
}

/** The lexemes of a think text, in order (whitespace separates; signs and digits split within a chunk). */
export function lex(think: string): Lexeme[] {
  return think
    .split(/\s+/)
    .filter((c) => c.length > 0)
    .flatMap(lexChunk);
}

/** A lexeme written in a language (an 'other' lexeme is the same in both). */
export function renderLexeme(l: Lexeme, language: Language): string {
  switch (l.kind) {
    case 'number':
      return language === 'symbols' ? String(l.value) : numberWord(l.value);
    case 'op':
      return language === 'symbols' ? l.op : OP_WORDS[l.op]!;
    case 'equals':
      return language === 'symbols' ? '=' : EQUALS_WORD;
    case 'other':
      return l.text;
  }
}
