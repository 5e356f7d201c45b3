import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/core/rng.ts';
import { completionFrom, completionOf, documentFor, parseCompletion, promptFor } from '../../src/world/template.ts';
import { DIFFICULTY_RANGE, generateProblem, PROBLEM_KINDS } from '../../src/world/problems/index.ts';
import { encode, SPECIAL_TOKENS, VOCAB } from '../../src/world/tokenizer.ts';

describe('R1-Zero template in miniature', () => {
  it('prompts end right after <think>', () => {
    expect(promptFor({ prompt: '37+85' })).toBe('<bos>q:37+85=?\na:<think>');
  });

  it('documents are prompt + completion and always tokenizable', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(...PROBLEM_KINDS), (s, kind) => {
        const p = generateProblem(kind, new Rng(s), DIFFICULTY_RANGE[kind][0] + 1);
        const doc = documentFor(p, completionFrom('', p.answer));
        expect(doc).toBe(`<bos>q:${p.prompt}=?\na:<think></think><answer>${p.answer}</answer><eos>`);
        expect(() => encode(doc)).not.toThrow();
        expect(completionOf(doc)).toBe(completionFrom('', p.answer));
      }),
      { numRuns: 50 },
    );
  });
});

describe('parseCompletion', () => {
  it('splits think and answer of a well-formed completion', () => {
    expect(parseCompletion('7+5=12 so 12</think><answer>12</answer><eos>')).toEqual({
      think: '7+5=12 so 12',
      answer: '12',
      hasEos: true,
      problems: [],
    });
  });

  it('tolerates whitespace around tags, a missing <eos>, and padding after <eos>', () => {
    for (const text of [
      '</think><answer>12</answer>',
      ' x </think>\n<answer> 12 </answer>\n',
      'so 12</think> <answer>\n12\n</answer> <eos>',
      '</think><answer>12</answer><eos><pad><pad>',
      '\n</think>\n\n<answer>12</answer>\n<eos>\n',
    ]) {
      const r = parseCompletion(text);
      expect(r.problems, text).toEqual([]);
      expect(r.answer).toBe('12');
    }
  });

  it('names every structural problem', () => {
    const cases: [string, RegExp][] = [
      ['12', /no <\/think>/],
      ['</think>12<eos>', /no answer tag/],
      ['</think><answer>12</answer><answer>12</answer>', /two answer tags/],
      ['</think><answer>12</answer></answer>', /two <\/answer> tags/],
      ['</think><answer><answer>12</answer></answer>', /two answer tags/],
      ['</think><answer>12', /truncated/],
      ['</think></think><answer>12</answer>', /two <\/think> tags/],
      ['<think>x</think><answer>12</answer>', /repeated <think>/],
      ['</answer><answer>12</think>', /<\/answer> before <answer>/],
      ['<answer>12</answer></think>', /tags out of order/],
      ['</think> so <answer>12</answer>', /text between <\/think> and <answer>/],
      ['</think><answer>12</answer> 13', /text after <\/answer>/],
      ['</think><answer>12</answer><eos>13', /text after <eos>/],
      ['</think><answer>12</answer><eos><eos>', /two <eos> tags/],
      ['</think><answer> </answer>', /empty answer/],
      ['</think><answer>1<think>2</answer>', /<think>/],
      ['</think><answer>12</answer><pad><eos>', /<pad> before <eos>/],
      ['<bos></think><answer>12</answer>', /<bos>/],
    ];
    for (const [text, why] of cases) {
      const r = parseCompletion(text);
      expect(r.problems.join('; '), text).toMatch(why);
    }
  });

  it('never throws, and a text without problems has an answer', () => {
    const piece = fc.constantFrom(...VOCAB, ...SPECIAL_TOKENS, ...SPECIAL_TOKENS, 'x', '  ');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const r = parseCompletion(parts.join(''));
        if (r.problems.length === 0) expect(r.answer).not.toBeNull();
      }),
      { numRuns: 2000 },
    );
  });
});
