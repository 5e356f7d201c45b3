import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ANSWER_END_ID,
  ANSWER_ID,
  BOS_ID,
  decode,
  encode,
  EOS_ID,
  PAD_ID,
  SPECIAL_TOKENS,
  THINK_END_ID,
  THINK_ID,
  tokenId,
  TokenizerError,
  VOCAB,
  vocabSize,
} from '../../src/world/tokenizer.ts';

const CHARS = VOCAB.slice(SPECIAL_TOKENS.length);
const token = fc.constantFrom(...VOCAB);

describe('tokenizer vocabulary', () => {
  it('keeps its ids stable (checkpoints depend on them)', () => {
    expect([PAD_ID, BOS_ID, EOS_ID, THINK_ID, THINK_END_ID, ANSWER_ID, ANSWER_END_ID]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(VOCAB.slice(0, 7)).toEqual(['<pad>', '<bos>', '<eos>', '<think>', '</think>', '<answer>', '</answer>']);
    expect(VOCAB.slice(7).join('')).toBe('0123456789+-*/()=? \n:abcdefghijklmnopqrstuvwxyz');
    expect(vocabSize).toBe(54);
  });

  it('encodes every special tag as one token', () => {
    for (const [i, s] of SPECIAL_TOKENS.entries()) expect(encode(s)).toEqual([i]);
    expect(encode('<bos>q:1+2=?\na:<think>')).toEqual([BOS_ID, ...encode('q:1+2=?\na:'), THINK_ID]);
  });

  it('has no duplicate tokens', () => {
    expect(new Set(VOCAB).size).toBe(VOCAB.length);
  });
});

describe('tokenizer round trip', () => {
  it('decode(encode(text)) === text for any text over the vocabulary', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 80 }), (parts) => {
        const text = parts.join('');
        expect(decode(encode(text))).toBe(text);
      }),
    );
  });

  it('encode(decode(ids)) === ids for any ids (the encoding is unique)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: vocabSize - 1 }), { maxLength: 80 }), (ids) => {
        expect(encode(decode(ids))).toEqual(ids);
      }),
    );
  });

  it('maps each plain character to exactly one token', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CHARS), { maxLength: 50 }), (chars) => {
        expect(encode(chars.join('')).length).toBe(chars.length);
      }),
    );
  });
});

describe('tokenizer errors', () => {
  it('names an unknown character and its position', () => {
    expect(() => encode('12+x€3')).toThrow(TokenizerError);
    expect(() => encode('12+x€3')).toThrow(/"€" \(U\+20AC\) at position 4/);
    expect(() => encode('Q:1')).toThrow(/"Q" .*position 0/);
  });

  it('rejects a "<" that does not start a special tag', () => {
    expect(() => encode('1<2')).toThrow(/"<" .*position 1/);
    expect(() => encode('<thin>')).toThrow(/position 0/);
  });

  it('rejects an unknown id with its position', () => {
    expect(() => decode([7, vocabSize])).toThrow(/unknown token id 54 at position 1/);
    expect(() => decode([-1])).toThrow(TokenizerError);
    expect(() => tokenId('ab')).toThrow(/not a token/);
    expect(tokenId('a')).toBe(28);
  });
});
