import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.ts';
import { makeLabeledCorpus } from '../../../src/world/corpus.ts';
import { generateProblem } from '../../../src/world/problems/index.ts';
import { countBehaviours, parseSearch } from '../../../src/world/countdown/parse.ts';
import {
  FILLER,
  PRIMING_CONDITIONS,
  primedCompletion,
  primingMix,
  PRIMING_MAX_TOKENS,
  type PrimingCondition,
} from '../../../src/world/countdown/priming.ts';
import { completionOf, parseCompletion } from '../../../src/world/template.ts';
import { rewardBreakdown } from '../../../src/world/rewards.ts';
import { encode } from '../../../src/world/tokenizer.ts';

const N = 150;
const corpus = (c: PrimingCondition) =>
  makeLabeledCorpus(new Rng(5), N, primingMix(c)).filter((d) => d.style === 'primed');
const behaviours = (c: PrimingCondition) =>
  corpus(c).map((d) =>
    countBehaviours(parseSearch(parseCompletion(completionOf(d.text)).think!, d.problem!.numbers!, d.problem!.target!)),
  );
const share = (xs: readonly boolean[]) => xs.filter(Boolean).length / xs.length;

describe('primed Countdown corpora', () => {
  it('every condition gives well-formed, tokenizable documents within the cap, labelled truthfully', () => {
    for (const c of PRIMING_CONDITIONS) {
      for (const d of corpus(c)) {
        expect(d.style).toBe('primed');
        expect(d.tokens).toBeLessThanOrEqual(PRIMING_MAX_TOKENS);
        expect(encode(d.text)).toHaveLength(d.tokens);
        const r = rewardBreakdown(d.problem!, completionOf(d.text));
        expect(r.format).toBe(1);
        expect(r.accuracy === 1).toBe(d.correct);
      }
    }
  });

  it('each condition holds exactly its behaviours', () => {
    const has = (c: PrimingCondition, k: 'verification' | 'backtracking' | 'subgoals' | 'backwardChaining') =>
      share(behaviours(c).map((b) => b[k] > 0));
    for (const c of ['direct', 'empty', 'filler'] as const) {
      for (const k of ['verification', 'backtracking', 'subgoals', 'backwardChaining'] as const)
        expect(has(c, k)).toBe(0);
    }
    expect(has('backtrack', 'backtracking')).toBeGreaterThan(0.4);
    expect(has('backtrack', 'verification')).toBe(0);
    expect(has('verify', 'verification')).toBe(1);
    expect(has('verify', 'subgoals')).toBe(0);
    expect(has('subgoal', 'subgoals')).toBeGreaterThan(0.5);
    expect(has('subgoal', 'verification')).toBe(0);
    expect(has('backward', 'backwardChaining')).toBeGreaterThan(0.5);
    expect(has('backward', 'subgoals')).toBe(0);
    for (const k of ['verification', 'backtracking', 'subgoals', 'backwardChaining'] as const)
      expect(has('all', k)).toBeGreaterThan(0.4);
  });

  it('no_positive keeps the behaviours and never answers right', () => {
    const docs = corpus('no_positive');
    expect(share(docs.map((d) => d.correct))).toBeLessThan(0.02);
    expect(share(behaviours('no_positive').map((b) => b.backtracking > 0 || b.verification > 0))).toBe(1);
  });

  it('filler matches the length of the all-strategies think of the same problem', () => {
    for (let s = 0; s < 40; s++) {
      const p = generateProblem('countdown', new Rng(s), 3);
      const all = primedCompletion(p, 'all', new Rng(s).child('t')).completion;
      const filler = primedCompletion(p, 'filler', new Rng(s).child('t')).completion;
      const think = parseCompletion(filler).think!;
      expect(Math.abs(think.length - parseCompletion(all).think!.length)).toBeLessThanOrEqual(1);
      expect(new Set(think.replaceAll(' ', ''))).toEqual(new Set([FILLER]));
    }
  });

  it('every condition gives the same share of its documents to the arithmetic drill, on the same slots', () => {
    const drills = (c: PrimingCondition) =>
      makeLabeledCorpus(new Rng(6), 400, primingMix(c)).flatMap((d, i) => (d.style === 'drill' ? [i] : []));
    const slots = drills('all');
    expect(slots.length / 400).toBeGreaterThan(0.22);
    expect(slots.length / 400).toBeLessThan(0.38);
    for (const c of PRIMING_CONDITIONS) expect(drills(c)).toEqual(slots);
  });

  it('guessFrac makes some documents guesses, labelled right or wrong by the verifier; 0 leaves a corpus as it was', () => {
    const mix = { ...primingMix('all'), drillFrac: 0 };
    const plain = makeLabeledCorpus(new Rng(4), 150, mix);
    expect(makeLabeledCorpus(new Rng(4), 150, { ...mix, guessFrac: 0 })).toEqual(plain);
    expect(plain.every((d) => d.correct)).toBe(true);
    const docs = makeLabeledCorpus(new Rng(4), 150, { ...mix, guessFrac: 0.5 });
    for (const d of docs) expect(d.correct).toBe(rewardBreakdown(d.problem!, completionOf(d.text)).accuracy === 1);
    const wrong = docs.filter((d) => !d.correct).length;
    expect(wrong).toBeGreaterThan(20);
    expect(wrong).toBeLessThan(75);
    expect(() => makeLabeledCorpus(new Rng(4), 1, { ...mix, guessFrac: -0.1 })).toThrow(/guessFrac/);
    expect(() => makeLabeledCorpus(new Rng(4), 1, { ...mix, guessPlain: 1 as unknown as boolean })).toThrow(
      /guessPlain/,
    );
    expect(makeLabeledCorpus(new Rng(4), 150, { ...mix, guessPlain: true })).toEqual(plain); // no guesses, no change
  });

  it('subgoalFailFrac writes failed subgoals into the searching conditions only, 0 leaves a corpus as it was', () => {
    const mix = { ...primingMix('all'), drillFrac: 0 };
    const plain = makeLabeledCorpus(new Rng(4), 150, mix);
    expect(makeLabeledCorpus(new Rng(4), 150, { ...mix, subgoalFailFrac: 0 })).toEqual(plain);
    const unsoundNeeds = (docs: typeof plain) =>
      docs.reduce((n, d) => {
        const p = d.problem!;
        const think = parseCompletion(completionOf(d.text)).think!;
        return (
          n + parseSearch(think, p.numbers!, p.target!).items.filter((it) => it.kind === 'need' && !it.sound).length
        );
      }, 0);
    expect(unsoundNeeds(plain)).toBe(0);
    expect(unsoundNeeds(makeLabeledCorpus(new Rng(4), 150, { ...mix, subgoalFailFrac: 0.5 }))).toBeGreaterThan(20);
    const verify = { ...primingMix('verify'), drillFrac: 0 };
    expect(makeLabeledCorpus(new Rng(4), 50, { ...verify, subgoalFailFrac: 0.5 })).toEqual(
      makeLabeledCorpus(new Rng(4), 50, verify),
    );
    expect(() => makeLabeledCorpus(new Rng(4), 1, { ...mix, subgoalFailFrac: 2 })).toThrow(/subgoalFailFrac/);
    expect(makeLabeledCorpus(new Rng(4), 150, { ...mix, subgoalVerdicts: false })).toEqual(plain);
    expect(() => makeLabeledCorpus(new Rng(4), 1, { ...mix, subgoalVerdicts: 'yes' as unknown as boolean })).toThrow(
      /subgoalVerdicts/,
    );
  });

  it('comparison, geometricFails, failCap, distinctFails, pairOrder, nearestFinal, moveOrder, namesKept, slipFrac and checkClaims reach the traces; their defaults leave a corpus as it was', () => {
    const mix = { ...primingMix('verify'), drillFrac: 0 };
    const plain = makeLabeledCorpus(new Rng(4), 150, mix);
    const text = (docs: typeof plain) => docs.map((d) => d.text).join('\n');
    expect(
      makeLabeledCorpus(new Rng(4), 150, {
        ...mix,
        comparison: false,
        geometricFails: false,
        failCap: 4,
        distinctFails: false,
        pairOrder: false,
        nearestFinal: false,
        moveOrder: false,
        namesKept: false,
        slipFrac: 0.3,
        checkClaims: true,
        restateTarget: false,
      }),
    ).toEqual(plain);
    const restated = makeLabeledCorpus(new Rng(4), 150, { ...mix, restateTarget: true });
    expect(text(restated).replace(/to \d+: /g, '')).toBe(text(plain));
    const kept = makeLabeledCorpus(new Rng(4), 150, { ...mix, namesKept: true });
    expect(text(kept)).toContain('keep ');
    expect(text(kept).replace(/keep [\d ]+: /g, '')).toBe(text(plain));
    const compared = makeLabeledCorpus(new Rng(4), 150, { ...mix, comparison: true });
    expect(text(compared).replace(/ \d+=\d+\?/g, '')).toBe(text(plain));
    // no slips: no step is wrong; no claim checks either: no "check" at all
    const clean = makeLabeledCorpus(new Rng(4), 150, { ...mix, slipFrac: 0, checkClaims: false });
    expect(text(clean)).not.toContain('check');
    for (const d of clean) {
      const p = d.problem!;
      const think = parseCompletion(completionOf(d.text)).think!;
      for (const it of parseSearch(think, p.numbers!, p.target!).items)
        if (it.kind === 'step') expect(it.right).toBe(true);
    }
    const long = makeLabeledCorpus(new Rng(4), 150, { ...mix, geometricFails: true });
    const paths = (docs: typeof plain) => text(docs).split(' try ').length;
    expect(paths(long)).not.toBe(paths(plain));
    const longer = makeLabeledCorpus(new Rng(4), 150, { ...mix, geometricFails: true, failCap: 8 });
    expect(paths(longer)).not.toBe(paths(long));
    const distinct = makeLabeledCorpus(new Rng(4), 150, { ...mix, geometricFails: true, distinctFails: true });
    expect(text(distinct)).not.toBe(text(long));
    const ordered = makeLabeledCorpus(new Rng(4), 150, { ...mix, geometricFails: true, pairOrder: true });
    expect(text(ordered)).not.toBe(text(long));
    const aimed = makeLabeledCorpus(new Rng(4), 150, { ...mix, geometricFails: true, nearestFinal: true });
    expect(text(aimed)).not.toBe(text(long));
    const walked = makeLabeledCorpus(new Rng(4), 150, { ...mix, geometricFails: true, moveOrder: true });
    expect(text(walked)).not.toBe(text(long));
    expect(() => makeLabeledCorpus(new Rng(4), 1, { ...mix, moveOrder: true, pairOrder: true })).toThrow(/two orders/);
    expect(() => makeLabeledCorpus(new Rng(4), 1, { ...mix, checkClaims: false })).toThrow(
      /checkClaims off needs slipFrac 0/,
    );
    expect(() => makeLabeledCorpus(new Rng(4), 1, { ...mix, slipFrac: 1.5 })).toThrow(/slipFrac/);
    expect(() => makeLabeledCorpus(new Rng(4), 1, { ...mix, failCap: 2.5 })).toThrow(/failCap/);
    expect(() => makeLabeledCorpus(new Rng(4), 1, { ...mix, comparison: 1 as unknown as boolean })).toThrow(
      /comparison must be true or false/,
    );
  });

  it('pathCheck re-derives whole paths in the verifying conditions only; off leaves a corpus as it was', () => {
    const mix = { ...primingMix('all'), drillFrac: 0 };
    const plain = makeLabeledCorpus(new Rng(4), 100, mix);
    expect(makeLabeledCorpus(new Rng(4), 100, { ...mix, pathCheck: false })).toEqual(plain);
    const on = makeLabeledCorpus(new Rng(4), 100, { ...mix, pathCheck: true });
    const pathChecks = on.filter((d) => / check \S+ \S+ (yes|no)/.test(d.text)).length;
    expect(pathChecks).toBeGreaterThan(80);
    for (const c of ['direct', 'backtrack', 'subgoal', 'backward', 'empty'] as const) {
      const m = { ...primingMix(c), drillFrac: 0 };
      expect(makeLabeledCorpus(new Rng(4), 30, { ...m, pathCheck: true })).toEqual(
        makeLabeledCorpus(new Rng(4), 30, m),
      );
    }
    expect(() => makeLabeledCorpus(new Rng(4), 1, { ...mix, pathCheck: 1 as unknown as boolean })).toThrow(/pathCheck/);
  });

  it('the shipped corpora are pinned: every condition, 200 documents each, hashed (knobs off change nothing)', () => {
    // Measured before the pathCheck knob existed; the shipped bases in fixtures/countdown-primed read these corpora.
    const h = createHash('sha256');
    for (const c of PRIMING_CONDITIONS)
      for (const d of makeLabeledCorpus(new Rng(11), 200, primingMix(c))) h.update(d.text + '\n');
    expect(h.digest('hex')).toBe('95cf54cfc8b2fa526670ee02971205505f21de8cb0ceedba6f64e7eb265cb093');
  });

  it('an unknown condition is a clear error', () => {
    expect(() =>
      makeLabeledCorpus(new Rng(1), 1, { ...primingMix('all'), countdownPriming: 'bogus' as PrimingCondition }),
    ).toThrow(/unknown countdownPriming 'bogus'/);
  });
});

describe('primed corpora and the held-out splits', () => {
  // 3-number problems are few (~3,000 at the miniature's scale), so 2000 documents would hit the held-out split
  // without the exclusion.
  it('never contain a held-out Countdown problem, whichever split the run excludes', async () => {
    const { heldOutKeys, problemKey } = await import('../../../src/world/problems/index.ts');
    const { PRIMING_HELD_OUT } = await import('../../../src/world/corpus.ts');
    const held = heldOutKeys('countdown', 3, PRIMING_HELD_OUT);
    const docs = makeLabeledCorpus(new Rng(8), 2000, { ...primingMix('direct'), drillFrac: 0 });
    expect(docs.filter((d) => d.problem!.numbers!.length === 3).length).toBe(2000);
    expect(docs.filter((d) => held.has(problemKey(d.problem!)))).toEqual([]);
  });
});
