import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { DEFAULT_MIX, lengthStats, makeCorpus, makeLabeledCorpus, NO_WORKED_MIX } from '../../src/world/corpus.ts';
import {
  reflectionCount,
  reflectionRate,
  REFLECTION_WORDS,
  thinkLength,
  thinkText,
} from '../../src/world/reflection.ts';
import { heldOutKeys, problemKey } from '../../src/world/problems/index.ts';
import { completionOf } from '../../src/world/template.ts';
import { encode } from '../../src/world/tokenizer.ts';
import { rewardBreakdown } from '../../src/world/rewards.ts';

const N = 4000;
const docs = makeLabeledCorpus(new Rng(11), N);

/** |observed - expected| within 4 binomial standard deviations. */
function near(count: number, n: number, p: number): void {
  const sd = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(count - n * p)).toBeLessThanOrEqual(4 * sd + 1);
}

describe('pretraining corpus', () => {
  it('is deterministic per seed', () => {
    expect(makeCorpus(new Rng(11), 200)).toEqual(docs.slice(0, 200).map((d) => d.text));
    expect(makeCorpus(new Rng(12), 50)).not.toEqual(docs.slice(0, 50).map((d) => d.text));
  });

  it('documents are in the template, tokenizable, within maxTokens, and labelled truthfully', () => {
    for (const d of docs) {
      expect(d.text.startsWith(`<bos>q:${d.problem!.prompt}=?\na:<think>`)).toBe(true);
      expect(encode(d.text).length).toBe(d.tokens);
      expect(d.tokens).toBeLessThanOrEqual(DEFAULT_MIX.maxTokens);
      const r = rewardBreakdown(d.problem!, completionOf(d.text));
      expect(r.format).toBe(1);
      expect(r.accuracy === 1).toBe(d.correct);
    }
  });

  it('mixes styles and wrong direct answers in the configured proportions', () => {
    const count = (style: string): number => docs.filter((d) => d.style === style).length;
    near(count('direct'), N, DEFAULT_MIX.directFrac);
    near(count('worked'), N, DEFAULT_MIX.workedFrac);
    near(count('reflect'), N, DEFAULT_MIX.reflectFrac);
    const direct = docs.filter((d) => d.style === 'direct');
    near(direct.filter((d) => !d.correct).length, direct.length, DEFAULT_MIX.wrongDirectFrac);
    expect(docs.filter((d) => d.style !== 'direct').every((d) => d.correct)).toBe(true);
    for (const kind of DEFAULT_MIX.kinds)
      near(docs.filter((d) => d.problem!.kind === kind).length, N, 1 / DEFAULT_MIX.kinds.length);
  });

  it('makes long, careful thinking rare: only worked and reflective documents think', () => {
    const thinking = docs.filter((d) => thinkLength(d.text) > 4);
    expect(thinking.every((d) => d.style !== 'direct')).toBe(true);
    expect(thinking.length / N).toBeLessThan(0.22);
    expect(thinking.length / N).toBeGreaterThan(0.12);
    const reflective = docs.filter((d) => reflectionCount(d.text) > 0);
    expect(reflective.every((d) => d.style === 'reflect')).toBe(true);
  });

  it('keeps 3-digit addition documents short (≤ 120 tokens)', () => {
    const add3 = docs.filter((d) => d.problem!.kind === 'add' && d.problem!.difficulty === 3);
    expect(add3.length).toBeGreaterThan(100);
    expect(Math.max(...add3.map((d) => d.tokens))).toBeLessThanOrEqual(120);
  });

  it('the no-worked ablation has the same problems, and nothing but direct answers', () => {
    const ablation = makeLabeledCorpus(new Rng(11), 500, NO_WORKED_MIX);
    expect(ablation.map((d) => d.problem!)).toEqual(docs.slice(0, 500).map((d) => d.problem!));
    for (const d of ablation) {
      expect(d.style).toBe('direct');
      expect(['', 'easy']).toContain(thinkText(d.text));
    }
  });

  it('with confirmFrac, some self-checks confirm a right quick answer; nothing else changes', () => {
    const mix = { reflectFrac: 0.5, confirmFrac: 0.5 };
    const plain = makeLabeledCorpus(new Rng(11), 400, { reflectFrac: 0.5 });
    const confirming = makeLabeledCorpus(new Rng(11), 400, mix);
    const add = (d: (typeof docs)[number]) => d.style === 'reflect' && d.problem!.kind !== 'countdown';
    let confirmed = 0,
      reflective = 0;
    confirming.forEach((d, i) => {
      expect(d.problem!).toEqual(plain[i]!.problem);
      if (d.style !== 'reflect') return expect(d.text).toBe(plain[i]!.text);
      if (!add(d)) return;
      reflective++;
      const first = thinkText(d.text).split(' ')[0];
      if (first === d.problem!.answer && thinkText(d.text).startsWith(`${first} wait check`)) confirmed++;
    });
    near(confirmed, reflective, 0.5);
    expect(makeLabeledCorpus(new Rng(11), 400, { reflectFrac: 0.5, confirmFrac: 0 })).toEqual(plain);
  });

  it('can leave out the held-out split', () => {
    const held = new Set([...heldOutKeys('add', 1, 40), ...heldOutKeys('sub', 1, 40)]);
    const mix = { kinds: ['add', 'sub'] as const, difficulty: { add: [1, 1] as const, sub: [1, 1] as const } };
    const leaky = makeLabeledCorpus(new Rng(2), 600, mix);
    expect(leaky.some((d) => held.has(problemKey(d.problem!)))).toBe(true);
    const clean = makeLabeledCorpus(new Rng(2), 600, mix, { exclude: held });
    expect(clean.some((d) => held.has(problemKey(d.problem!)))).toBe(false);
  });

  it('respects maxTokens by redrawing, and says so when nothing fits', () => {
    const small = makeLabeledCorpus(new Rng(4), 300, {
      kinds: ['countdown'],
      difficulty: { countdown: [4, 4] },
      maxTokens: 120,
    });
    expect(Math.max(...small.map((d) => d.tokens))).toBeLessThanOrEqual(120);
    expect(() => makeCorpus(new Rng(4), 5, { maxTokens: 10 })).toThrow(/fits maxTokens 10/);
  });

  it('rejects a bad mix with a clear error', () => {
    expect(() => makeCorpus(new Rng(1), 1, { workedFrac: -1 })).toThrow(/workedFrac/);
    expect(() => makeCorpus(new Rng(1), 1, { directFrac: 0, workedFrac: 0, reflectFrac: 0 })).toThrow(/> 0/);
    expect(() => makeCorpus(new Rng(1), 1, { kinds: [] })).toThrow(/kinds is empty/);
    expect(() => makeCorpus(new Rng(1), 1, { difficulty: { countdown: [1, 3] } })).toThrow(/countdown.*\[2, 5\]/);
    expect(() => makeCorpus(new Rng(1), 1, { wrongDirectFrac: 2 })).toThrow(/\[0, 1\]/);
    expect(() => makeCorpus(new Rng(1), 1, { confirmFrac: 1.5 })).toThrow(/confirmFrac.*\[0, 1\]/);
  });
});

describe('think measures', () => {
  it('thinkLength counts the characters inside the think, of a completion or a document', () => {
    expect(thinkLength('7+5=12 so 12</think><answer>12</answer>')).toBe(12);
    expect(thinkLength('<bos>q:7+5=?\na:<think>7+5=12 so 12</think><answer>12</answer>')).toBe(12);
    expect(thinkLength('</think><answer>12</answer>')).toBe(0);
    expect(thinkLength('7+5=12 so 1')).toBe(11);
  });

  it('reflectionCount counts whole reflection words in the think only', () => {
    expect(reflectionCount('9 wait check 7+5=12 so 12</think><answer>12</answer>')).toBe(2);
    expect(reflectionCount('recheck rechecking</think><answer>wait</answer>')).toBe(1);
    expect(
      reflectionCount(
        '9 wait check so 12</think>',
        REFLECTION_WORDS.filter((w) => w !== 'wait'),
      ),
    ).toBe(1);
    expect(reflectionRate('a wait b check</think>')).toBe(0.5);
    expect(reflectionRate('</think><answer>1</answer>')).toBe(0);
    expect(REFLECTION_WORDS).toEqual(expect.arrayContaining(['wait', 'check', 'recheck', 'verify']));
  });
});

describe('lengthStats', () => {
  it('summarises token lengths', () => {
    const s = lengthStats(['<bos>12', '<bos>1234', '<bos>']);
    expect(s).toMatchObject({ count: 3, min: 1, max: 5, p50: 3 });
    expect(s.mean).toBe(3);
    expect(lengthStats([]).count).toBe(0);
  });
});
