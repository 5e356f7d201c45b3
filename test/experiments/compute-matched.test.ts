import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { defaultConfig } from '../../src/model/config.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { computeMatched } from '../../src/experiments/compute-matched.ts';
import { heldOutSet, vocabSize } from '../../src/world/index.ts';

const TINY = { ...defaultConfig, vocabSize, dModel: 16, nHeads: 2, nKvHeads: 2, dFF: 32, nLayers: 1, maxSeqLen: 64 };
const search = Transformer.init(TINY, new Rng(1).child('init'));
const direct = Transformer.init(TINY, new Rng(2).child('init'));

describe('compute-matched best-of-N', () => {
  it("spends at least the search model's tokens (or every sample), deterministically", async () => {
    const problems = heldOutSet('countdown', 3, 3);
    const o = { maxNewTokens: 12, maxSamples: 3, temperature: 1, seed: 0 };
    const r = await computeMatched(search, direct, problems, o);
    expect(await computeMatched(search, direct, problems, o)).toEqual(r);
    expect(r.meanN).toBeGreaterThanOrEqual(1);
    expect(r.meanN).toBeLessThanOrEqual(3);
    expect(r.bestOfNTokens >= r.searchTokens || r.meanN === 3).toBe(true);
    for (const k of ['searchAccuracy', 'directGreedyAccuracy', 'bestOfNAccuracy'] as const)
      expect(r[k]).toBeGreaterThanOrEqual(0);
  });
});
