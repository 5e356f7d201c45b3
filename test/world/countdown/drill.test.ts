import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../../src/core/rng.ts';
import { makeLabeledCorpus, PRIMING_HELD_OUT } from '../../../src/world/corpus.ts';
import { countdownPairProblem } from '../../../src/world/countdown/problems.ts';
import { primingMix } from '../../../src/world/countdown/priming.ts';
import { heldOutSet } from '../../../src/world/index.ts';
import { promptFor } from '../../../src/world/template.ts';
import {
  COMPARISON_FACTS,
  comparisonDrillDocument,
  PROMPTED_COMPARISONS,
  DRILL_FACTS,
  drillDocument,
  drillFacts,
} from '../../../src/world/countdown/drill.ts';
import { parseStepText } from '../../../src/world/countdown/parse.ts';
import { moveValue } from '../../../src/world/countdown/pairs.ts';
import { COUNTDOWN_MAX_NUMBER, COUNTDOWN_MAX_VALUE, COUNTDOWN_OPS } from '../../../src/world/problems/countdown.ts';
import { BOS, EOS, encode } from '../../../src/world/tokenizer.ts';

describe('the arithmetic drill', () => {
  it('holds every true step a ≥ b with b a given number, and nothing else', () => {
    const facts = drillFacts();
    let n = 0;
    for (const op of COUNTDOWN_OPS)
      for (let b = 1; b <= COUNTDOWN_MAX_NUMBER; b++)
        for (let a = b; a <= COUNTDOWN_MAX_VALUE; a++) {
          const v = moveValue(a, op, b);
          const listed = facts[op].some((f) => f.a === a && f.b === b);
          expect(listed).toBe(v !== null && v <= COUNTDOWN_MAX_VALUE);
          if (listed) n++;
        }
    expect(COUNTDOWN_OPS.map((op) => facts[op].length)).toEqual([459, 495, 134, 168]);
    expect(n).toBe(459 + 495 + 134 + 168);
  });

  it('a drill document is DRILL_FACTS true steps in the trace language, and is reproducible', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (seed) => {
        const doc = drillDocument(new Rng(seed));
        expect(doc).toBe(drillDocument(new Rng(seed)));
        expect(doc.startsWith(BOS) && doc.endsWith(EOS)).toBe(true);
        const steps = doc.slice(BOS.length, -EOS.length).split(' ').map(parseStepText);
        expect(steps).toHaveLength(DRILL_FACTS);
        for (const s of steps) {
          expect(s).not.toBeNull();
          expect(moveValue(s!.a, s!.op, s!.b)).toBe(s!.value);
        }
        expect(encode(doc).length).toBeLessThanOrEqual(128);
      }),
      { numRuns: 50 },
    );
  });

  it('drillFrac 0 leaves a corpus as it was; a share of documents becomes drills otherwise', () => {
    const mix = { kinds: ['countdown' as const] };
    const plain = makeLabeledCorpus(new Rng(2), 200, mix);
    expect(makeLabeledCorpus(new Rng(2), 200, { ...mix, drillFrac: 0 })).toEqual(plain);
    const drilled = makeLabeledCorpus(new Rng(2), 200, { ...mix, drillFrac: 0.5 });
    const drills = drilled.filter((d) => d.style === 'drill');
    expect(drills.length).toBeGreaterThan(70);
    expect(drills.length).toBeLessThan(130);
    // The other documents are the plain corpus's, on the same slots.
    drilled.forEach((d, i) => d.style !== 'drill' && expect(d).toEqual(plain[i]));
    expect(() => makeLabeledCorpus(new Rng(2), 1, { ...mix, drillFrac: 1.5 })).toThrow(/drillFrac/);
  });
});

describe('the comparison drill', () => {
  it('is a target and COMPARISON_FACTS comparisons against it, each verdict true, about half equal, the rest mostly near', () => {
    let equal = 0,
      near = 0,
      all = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), (seed) => {
        const doc = comparisonDrillDocument(new Rng(seed));
        expect(doc).toBe(comparisonDrillDocument(new Rng(seed)));
        const head = /^<bos>to (\d+): /.exec(doc);
        expect(head).not.toBeNull();
        expect(doc.endsWith(EOS)).toBe(true);
        const body = doc.slice(head![0].length, -EOS.length);
        const items = [...body.matchAll(/(\d+)=(\d+)\? (yes|no)( |$)/g)];
        expect(items.map((m) => m[0]).join('')).toBe(body);
        expect(items).toHaveLength(COMPARISON_FACTS);
        for (const [, v, t, says] of items) {
          all++;
          expect(t).toBe(head![1]);
          expect(says).toBe(v === t ? 'yes' : 'no');
          expect(Number(v)).toBeGreaterThanOrEqual(1);
          expect(Number(v)).toBeLessThanOrEqual(COUNTDOWN_MAX_VALUE);
          if (v === t) equal++;
          else if (Math.abs(Number(v) - Number(t)) <= 10 || v === [...t!].reverse().join('')) near++;
        }
        expect(encode(doc).length).toBeLessThanOrEqual(128);
      }),
      { numRuns: 100, seed: 3 },
    );
    expect(equal / all).toBeGreaterThan(0.4);
    expect(equal / all).toBeLessThan(0.6);
    expect(near / (all - equal)).toBeGreaterThan(0.6);
  });

  it("prompted: the problem's prompt, then comparisons against its target in the think, no answer", () => {
    const problem = countdownPairProblem(new Rng(7), 3);
    const doc = comparisonDrillDocument(new Rng(1), problem);
    expect(doc.startsWith(promptFor(problem))).toBe(true);
    const body = doc.slice(promptFor(problem).length, -EOS.length);
    const items = [...body.matchAll(/(\d+)=(\d+)\? (yes|no)/g)];
    expect(items).toHaveLength(PROMPTED_COMPARISONS);
    for (const [, v, t, says] of items) {
      expect(Number(t)).toBe(problem.target);
      expect(says).toBe(v === t ? 'yes' : 'no');
    }
    expect(encode(doc).length).toBeLessThanOrEqual(128);
    // in a corpus: every prompted drill is a 3-number problem outside the held-out splits
    const mix = { ...primingMix('verify'), drillFrac: 0.3, comparisonDrillFrac: 0.4, comparisonDrillPrompts: true };
    const drills = makeLabeledCorpus(new Rng(2), 200, mix).filter((d) => d.text.includes('?') && d.style === 'drill');
    expect(drills.length).toBeGreaterThan(50);
    const held = new Set(heldOutSet('countdown', 3, PRIMING_HELD_OUT).map((p) => p.prompt));
    for (const d of drills) {
      const prompt = /q:(.*)=\?/.exec(d.text)![1]!;
      expect(held.has(prompt)).toBe(false);
      expect(d.text).not.toContain('</think>');
    }
  });

  it('comparisonDrillFrac 0 leaves a corpus as it was; otherwise that share of documents, beside the arithmetic drill', () => {
    const mix = { kinds: ['countdown' as const], drillFrac: 0.3 };
    const plain = makeLabeledCorpus(new Rng(2), 300, mix);
    expect(makeLabeledCorpus(new Rng(2), 300, { ...mix, comparisonDrillFrac: 0 })).toEqual(plain);
    const drilled = makeLabeledCorpus(new Rng(2), 300, { ...mix, comparisonDrillFrac: 0.3 });
    const comparisons = drilled.filter((d) => d.style === 'drill' && d.text.includes('?'));
    expect(comparisons.length).toBeGreaterThan(60);
    expect(comparisons.length).toBeLessThan(120);
    // the arithmetic drills and the problems keep their slots
    drilled.forEach((d, i) => !d.text.includes('?') && d.style !== 'drill' && expect(d).toEqual(plain[i]));
    drilled.forEach((d, i) => d.style === 'drill' && !d.text.includes('?') && expect(d).toEqual(plain[i]));
    expect(() => makeLabeledCorpus(new Rng(2), 1, { ...mix, comparisonDrillFrac: 0.8 })).toThrow(
      /drillFrac \+ comparisonDrillFrac/,
    );
  });
});
