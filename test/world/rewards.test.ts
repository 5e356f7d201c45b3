import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/core/rng.ts';
import { accuracyReward, formatReward, REWARD_WEIGHTS, rewardBreakdown } from '../../src/world/rewards.ts';
import { completionFrom } from '../../src/world/template.ts';
import { DIFFICULTY_RANGE, generateProblem, PROBLEM_KINDS } from '../../src/world/problems/index.ts';
import type { Problem } from '../../src/world/problems/index.ts';
import { workedTrace } from '../../src/world/solutions/worked.ts';
import { renderItem } from '../../src/world/solutions/trace.ts';
import { SPECIAL_TOKENS, VOCAB } from '../../src/world/tokenizer.ts';

const add: Problem = { kind: 'add', prompt: '37+45', answer: '82', difficulty: 2, numbers: [37, 45] };
const RIGHT = REWARD_WEIGHTS.accuracy + REWARD_WEIGHTS.format;
const problemArb = fc
  .tuple(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(...PROBLEM_KINDS))
  .chain(([s, kind]) =>
    fc.integer({ min: DIFFICULTY_RANGE[kind][0], max: 3 }).map((d) => generateProblem(kind, new Rng(s), d)),
  );

describe('rewards for well-formed answers', () => {
  it('a well-formed correct answer gets accuracy 1 and format 1', () => {
    for (const text of [
      '7+5=12 3+4+1=8 so 82</think><answer>82</answer><eos>',
      '</think><answer>82</answer>',
      ' </think>\n<answer>\n82\n</answer>\n<eos>',
      '7+5=12\n3+4+1=8\n</think> <answer> 82 </answer> <eos><pad><pad>',
    ]) {
      expect(rewardBreakdown(add, text), text).toEqual({
        accuracy: 1,
        format: 1,
        total: RIGHT,
        reason: 'correct',
        truncated: false,
        extracted: '82',
      });
      expect(accuracyReward(add, text)).toBe(1);
      expect(formatReward(text)).toBe(1);
    }
  });

  it('every generated problem with its answer in the template earns the full reward', () => {
    fc.assert(
      fc.property(problemArb, (p) => {
        expect(rewardBreakdown(p, completionFrom('', p.answer)).total).toBe(RIGHT);
      }),
      { numRuns: 200 },
    );
  });

  it('a well-formed wrong answer gets only the format weight', () => {
    expect(rewardBreakdown(add, '</think><answer>81</answer><eos>')).toMatchObject({
      accuracy: 0,
      format: 1,
      total: REWARD_WEIGHTS.format,
      reason: '81 ≠ 82',
    });
  });

  it('total is the documented weighted sum', () => {
    expect(REWARD_WEIGHTS).toEqual({ accuracy: 1, format: 0.1 });
    const piece = fc.constantFrom(...VOCAB, '</think>', '<answer>', '82', '</answer>');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const r = rewardBreakdown(add, parts.join(''));
        expect(r.total).toBe(REWARD_WEIGHTS.accuracy * r.accuracy + REWARD_WEIGHTS.format * r.format);
        expect(r.accuracy <= r.format).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('rewards against tag gaming', () => {
  const gaming = [
    '</think><answer>82</answer></answer>',
    '</think><answer>82</answer></answer></answer></answer>',
    '</think><answer><answer>82</answer></answer>',
    '</think><answer>82</answer><answer>82</answer>',
    '</think></think><answer>82</answer>',
    '<think></think><answer>82</answer>',
    '<answer>82</answer></think>',
    '</think><answer>82</answer>82',
    '</think><answer>82</answer><eos>82',
    '</think>82<answer>82</answer>',
    '<answer>82</answer>',
    '</think><answer>82<eos></answer>',
    '82</think><answer>82',
  ];
  it('gives no format and no accuracy reward, with a reason, even when the number inside is right', () => {
    for (const text of gaming) {
      const r = rewardBreakdown(add, text);
      expect(r.format, text).toBe(0);
      expect(r.accuracy, text).toBe(0);
      expect(r.total, text).toBe(0);
      expect(r.reason, text).toMatch(/^format: ./);
    }
  });
});

describe('truncated completions', () => {
  it('earn 0 and are flagged, even if the text looks right', () => {
    const r = rewardBreakdown(add, '7+5=12 3+4+1=8 so 82</think><answer>82</answer>', { truncated: true });
    expect(r).toEqual({ accuracy: 0, format: 0, total: 0, reason: 'truncated', truncated: true });
  });

  it('a cut-off completion fails on its own too', () => {
    expect(rewardBreakdown(add, '7+5=12 3+4+1=8 so 8')).toMatchObject({ total: 0, reason: 'format: no </think>' });
    expect(rewardBreakdown(add, '7+5=12 so 82</think><answer>8')).toMatchObject({
      total: 0,
      reason: expect.stringMatching(/truncated/),
    });
  });
});

describe('rewards do not look at length', () => {
  it('padding the think with more correct steps does not change the reward', () => {
    fc.assert(
      fc.property(problemArb, fc.integer({ min: 0, max: 6 }), fc.boolean(), (p, k, right) => {
        const steps = workedTrace(p).items.map(renderItem).join(' ');
        const answer = right ? p.answer : `${p.answer}1`;
        const short = completionFrom('', answer);
        const long = completionFrom(Array.from({ length: k }, () => steps).join(' '), answer);
        expect(rewardBreakdown(p, long)).toEqual(rewardBreakdown(p, short));
      }),
      { numRuns: 300 },
    );
  });

  it('any think text without tags leaves the reward unchanged', () => {
    const plain = fc
      .array(fc.constantFrom(...VOCAB.slice(SPECIAL_TOKENS.length)), { maxLength: 200 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(problemArb, plain, (p, think) => {
        expect(rewardBreakdown(p, completionFrom(think, p.answer))).toEqual(
          rewardBreakdown(p, completionFrom('', p.answer)),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('every rejection has a reason', () => {
  it('a completion that loses reward says why', () => {
    const piece = fc.constantFrom(...VOCAB, ...SPECIAL_TOKENS, '82', '</answer>', '<answer>');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), fc.boolean(), (parts, truncated) => {
        const r = rewardBreakdown(add, parts.join(''), { truncated });
        if (r.total < RIGHT) {
          expect(r.reason).not.toBe('correct');
          expect(r.reason.length).toBeGreaterThan(0);
        } else expect(r.reason).toBe('correct');
      }),
      { numRuns: 2000 },
    );
  });
});
