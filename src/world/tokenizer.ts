// The character-level tokenizer of the toy world: one token per character, plus a few special tokens.
//
// Vocabulary (ids are stable forever: checkpoints and golden traces depend on them; only ever append):
//   0 <pad>  1 <bos>  2 <eos>  3 <think>  4 </think>  5 <answer>  6 </answer>
//   7..16 '0'..'9'   17..24 + - * / ( ) = ?   25 space   26 newline   27 ':'   28..53 'a'..'z'
// Each special is written in text as its tag (e.g. "<think>") and is ONE token; `encode` matches the
// specials greedily before single characters, and '<' is not a character of the vocabulary, so a text has
// exactly one encoding and decode(encode(s)) === s, encode(decode(ids)) === ids.
// The R1-Zero template (reference/grpo-and-r1-zero.md §2) needs only the think/answer tags and BOS/EOS.

export const PAD = '<pad>';
export const BOS = '<bos>';
export const EOS = '<eos>';
export const THINK = '<think>';
export const THINK_END = '</think>';
export const ANSWER = '<answer>';
export const ANSWER_END = '</answer>';

/** The special tokens in id order; each is one token. */
export const SPECIAL_TOKENS = [PAD, BOS, EOS, THINK, THINK_END, ANSWER, ANSWER_END] as const;

const CHARACTERS = [...'0123456789', ...'+-*/()=?', ' ', '\n', ':', ...'abcdefghijklmnopqrstuvwxyz'];

/** Every token's text, indexed by id. */
export const VOCAB: readonly string[] = Object.freeze([...SPECIAL_TOKENS, ...CHARACTERS]);
export const vocabSize = VOCAB.length;

export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const THINK_ID = 3;
export const THINK_END_ID = 4;
export const ANSWER_ID = 5;
export const ANSWER_END_ID = 6;

const ID_OF = new Map<string, number>(VOCAB.map((t, i) => [t, i]));

/** The id of one token's text (a single character or a special tag); throws for anything else. */
export function tokenId(token: string): number {
  const id = ID_OF.get(token);
  if (id === undefined) throw new TokenizerError(`'${token}' is not a token of the vocabulary`);
  return id;
}

/** Bad input to the tokenizer: an unknown character or id. The message names it and its position. */
export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

function describeChar(ch: string): string {
  const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `${JSON.stringify(ch)} (U+${code})`;
}

/** Text → token ids. Specials first (greedy), then one id per character. */
export function encode(text: string): number[] {
  const ids: number[] = [];
  let i = 0;
  outer: while (i < text.length) {
    if (text[i] === '<') {
      for (let s = 0; s < SPECIAL_TOKENS.length; s++) {
        if (text.startsWith(SPECIAL_TOKENS[s]!, i)) {
          ids.push(s);
          i += SPECIAL_TOKENS[s]!.length;
          continue outer;
        }
      }
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    const id = ID_OF.get(ch);
    if (id === undefined || id < SPECIAL_TOKENS.length) {
      const context = JSON.stringify(text.slice(Math.max(0, i - 10), i + 10));
      throw new TokenizerError(`unknown character ${describeChar(ch)} at position ${i} (near ${context})`);
    }
    ids.push(id);
    i += ch.length;
  }
  return ids;
}

/** Token ids → text; an id outside the vocabulary is an error naming it and its position. */
export function decode(ids: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < ids.length; i++) {
    const t = VOCAB[ids[i]!];
    if (t === undefined)
      throw new TokenizerError(`unknown token id ${ids[i]} at position ${i} (vocabSize ${vocabSize})`);
    out += t;
  }
  return out;
}

/** Number of tokens a text takes (the length that matters for a model's context). */
export function tokenLength(text: string): number {
  return encode(text).length;
}
