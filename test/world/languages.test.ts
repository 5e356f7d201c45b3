// The two languages of thought (world/languages/): number words, the step parser, the rewriter, the mixing,
// readability and consistency measures, the language reward, and the two-language corpus.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../src/core/rng.ts';
import {
  completionFrom,
  documentFor,
  generateProblem,
  isReadable,
  languageConsistency,
  languageReward,
  makeLabeledCorpus,
  MAX_WORD_NUMBER,
  mixingRate,
  numberWord,
  parseThink,
  promptFor,
  readabilityProblems,
  reflectiveSolution,
  rewardBreakdown,
  rewriteCompletion,
  rewriteThink,
  thinkSteps,
  thinkText,
  workedSolution,
  wordValue,
  encode,
  type Problem,
  type ThinkStep,
} from '../../src/world/index.ts';

const add: Problem = { kind: 'add', prompt: '37+45', answer: '82', difficulty: 2, numbers: [37, 45] };
const inWords: Problem = { ...add, language: 'words' };
const columnProblem = fc
  .tuple(
    fc.integer({ min: 0, max: 1e6 }),
    fc.constantFrom('add' as const, 'sub' as const, 'mul' as const),
    fc.integer({ min: 1, max: 3 }),
  )
  .map(([s, kind, d]) => generateProblem(kind, new Rng(s), d));
const arithmetic = (s: ThinkStep) => ({ terms: s.terms, ops: s.ops, value: s.value });

describe('number words', () => {
  it('name every number 0..999 once, and read back', () => {
    const words = new Set<string>();
    for (let n = 0; n <= MAX_WORD_NUMBER; n++) {
      const w = numberWord(n);
      expect(w).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(wordValue(w)).toBe(n);
      words.add(w);
    }
    expect(words.size).toBe(MAX_WORD_NUMBER + 1);
    expect([numberWord(12), numberWord(42), numberWord(315), numberWord(100)]).toEqual([
      'twelve',
      'forty-two',
      'three-hundred-fifteen',
      'one-hundred',
    ]);
    expect(() => numberWord(1000)).toThrow(/0\.\.999/);
  });
  it('need no new token: every word and step is in the vocabulary', () => {
    for (let n = 0; n <= MAX_WORD_NUMBER; n++) expect(() => encode(numberWord(n))).not.toThrow();
    expect(promptFor(inWords)).toBe('<bos>q:37+45=? in words\na:<think>');
    expect(promptFor(add)).toBe('<bos>q:37+45=?\na:<think>');
  });
});

describe('the think parser', () => {
  it('reads steps in either language, and switches inside a step as mixed', () => {
    const items = parseThink('7+5=12 three plus four plus one is eight 7 plus 5 is twelve so 82');
    expect(items.map((i) => (i.kind === 'step' ? i.language : i.kind))).toEqual(['symbols', 'words', 'mixed', 'so']);
    const steps = thinkSteps('7+5=12 three plus four plus one is eight');
    expect(steps.map(arithmetic)).toEqual([
      { terms: [7, 5], ops: ['+'], value: 12 },
      { terms: [3, 4, 1], ops: ['+', '+'], value: 8 },
    ]);
  });
  it('keeps guesses, shared words and broken fragments apart from steps', () => {
    const kinds = parseThink('92 wait check 7+5 blah so').map((i) => i.kind);
    expect(kinds).toEqual(['number', 'word', 'word', 'broken', 'broken', 'so']);
  });
});

describe('the rewriter', () => {
  it('preserves the arithmetic of every step, right or wrong, and round-trips', () => {
    fc.assert(
      fc.property(columnProblem, fc.integer({ min: 0, max: 1e6 }), fc.boolean(), (p, s, reflective) => {
        const doc = reflective ? reflectiveSolution(p, new Rng(s)) : workedSolution(p);
        const think = thinkText(doc);
        const words = rewriteThink(think, 'words');
        expect(thinkSteps(words).map(arithmetic)).toEqual(thinkSteps(think).map(arithmetic));
        expect(thinkSteps(words).every((st) => st.language === 'words')).toBe(true);
        expect(rewriteThink(words, 'symbols')).toBe(think);
        expect(rewriteThink(think, 'symbols')).toBe(think);
      }),
      { numRuns: 60 },
    );
  });
  it('translates a code-switched think and keeps the answer block', () => {
    const text = completionFrom('seven plus five is 12 3+4+1=8 so 82', '82');
    expect(rewriteCompletion(text, 'words')).toBe(
      completionFrom('seven plus five is twelve three plus four plus one is eight so 82', '82'),
    );
    expect(rewriteCompletion(text, 'symbols')).toBe(completionFrom('7+5=12 3+4+1=8 so 82', '82'));
  });
});

describe('mixing, readability and the language-consistency share', () => {
  it('count hand-built traces exactly', () => {
    const pure = 'seven plus five is twelve three plus four plus one is eight so 82';
    const half = 'seven plus five is twelve 3+4+1=8 so 82';
    const inside = 'seven plus 5 is twelve three plus four plus one is eight so 82';
    expect([mixingRate(pure, 'words'), mixingRate(half, 'words'), mixingRate(inside, 'words')]).toEqual([0, 0.5, 0.5]);
    expect(mixingRate(half, 'symbols')).toBe(0.5);
    expect(mixingRate('so 82', 'words')).toBeNull();
    // Lexemes: "seven plus five is twelve" 5 in words; "3+4+1=8" 7 in symbols.
    expect(languageConsistency(pure, 'words')).toBe(1);
    expect(languageConsistency(half, 'words')).toBeCloseTo(5 / 12, 12);
    expect(languageConsistency(half, 'symbols')).toBeCloseTo(7 / 12, 12);
    expect(languageConsistency(inside, 'words')).toBeCloseTo(11 / 12, 12);
    expect(languageConsistency('', 'words')).toBe(1);
    expect(isReadable(pure)).toBe(true);
    expect(isReadable(half)).toBe(true);
    expect(readabilityProblems(inside)).toEqual(['a step switches language inside']);
    expect(readabilityProblems('7+5=12 7+5=12 so 82')).toEqual(['repeated step 7+5=12']);
    expect(readabilityProblems('7+5=12 ses so 82')).toEqual(['1 broken fragment']);
  });
  it('measure a step the same in both languages: the share never favours the shorter script', () => {
    fc.assert(
      fc.property(columnProblem, (p) => {
        const think = thinkText(workedSolution(p));
        const steps = thinkSteps(think).length;
        fc.pre(steps >= 2);
        const first = thinkSteps(think)[0]!;
        const switched = rewriteThink(think, 'words').replace(
          rewriteThink(`${first.terms.join(first.ops[0]!)}=${first.value}`, 'words'),
          `${first.terms.join(first.ops[0]!)}=${first.value}`,
        );
        const c = languageConsistency(switched, 'words') + languageConsistency(switched, 'symbols');
        expect(c).toBeCloseTo(1, 12);
        expect(mixingRate(switched, 'words')).toBeCloseTo(1 / steps, 12);
      }),
      { numRuns: 40 },
    );
  });
});

describe('the language-consistency reward (R1 eq. 7)', () => {
  const right = (think: string) => completionFrom(think, '82');
  it('is added to accuracy and format with its weight, on hand-built mixed and unmixed traces', () => {
    const pure = right('seven plus five is twelve three plus four plus one is eight so 82');
    const mixed = right('seven plus five is twelve 3+4+1=8 so 82');
    expect(languageReward(inWords, pure)).toBe(1);
    expect(languageReward(inWords, mixed)).toBeCloseTo(5 / 12, 12);
    expect(languageReward(add, mixed)).toBeCloseTo(7 / 12, 12);
    expect(rewardBreakdown(inWords, pure, { languageWeight: 1 })).toMatchObject({ total: 2.1, language: 1 });
    expect(rewardBreakdown(inWords, mixed, { languageWeight: 0.5 }).total).toBeCloseTo(1.1 + 0.5 * (5 / 12), 12);
    // A wrong answer in the right language never beats a right one (R1's worked example: 2.5 > 2).
    const wrong = completionFrom('seven plus five is twelve three plus four is seven so 72', '72');
    expect(rewardBreakdown(inWords, wrong, { languageWeight: 1 }).total).toBeLessThan(
      rewardBreakdown(inWords, mixed, { languageWeight: 1 }).total,
    );
    expect(rewardBreakdown(inWords, pure, { truncated: true, languageWeight: 1 })).toMatchObject({
      total: 0,
      language: 0,
    });
  });
  it('leaves R1-Zero rewards exactly as they were at weight 0', () => {
    const mixed = right('seven plus five is twelve 3+4+1=8 so 82');
    expect(rewardBreakdown(inWords, mixed, { languageWeight: 0 })).toEqual(rewardBreakdown(inWords, mixed));
    expect(rewardBreakdown(inWords, mixed)).not.toHaveProperty('language');
  });
});

describe('the two-language corpus', () => {
  const mix = {
    kinds: ['add' as const],
    difficulty: { add: [1, 2] as [number, number] },
    wordsFrac: 0.5,
    switchFrac: 0.2,
  };
  it('asks half of the prompts in words and writes their thinks in words, a few code-switched', () => {
    const docs = makeLabeledCorpus(new Rng(7), 400, mix);
    const words = docs.filter((d) => d.problem!.language === 'words');
    expect(words.length / docs.length).toBeGreaterThan(0.4);
    expect(words.length / docs.length).toBeLessThan(0.6);
    let switched = 0,
      withSteps = 0;
    for (const d of docs) {
      expect(d.text.startsWith(promptFor(d.problem!))).toBe(true);
      expect(documentFor(d.problem!, d.text.slice(promptFor(d.problem!).length))).toBe(d.text);
      const think = thinkText(d.text);
      const m = mixingRate(think, d.problem!.language!);
      if (m === null) continue;
      withSteps++;
      if (m > 0) switched++;
      // Whatever the notation, the steps are the worked solution's.
      expect(rewriteThink(think, 'symbols')).toBe(thinkText(rewriteCompletion(d.text, 'symbols')));
    }
    expect(switched).toBeGreaterThan(0);
    expect(switched / withSteps).toBeLessThan(0.4);
  });
  it('is a pure function of the seed, and the default mix draws nothing new', () => {
    expect(makeLabeledCorpus(new Rng(3), 50, mix)).toEqual(makeLabeledCorpus(new Rng(3), 50, mix));
    const plain = makeLabeledCorpus(new Rng(3), 50, { kinds: ['add'] });
    expect(plain.every((d) => d.problem!.language === undefined)).toBe(true);
    expect(() => makeLabeledCorpus(new Rng(3), 5, { wordsFrac: 0.5 })).toThrow(/words language is for add, sub, mul/);
  });
});
