// Batched sampling gives each row the tokens it would get alone, and chunked teacher forcing equals one big pass.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../../src/core/autograd.ts';
import { Rng } from '../../src/core/rng.ts';
import { generate } from '../../src/model/generate.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { batchLogProbs, packBatch } from '../../src/rl/batch.ts';
import { completionLogProbs, fromGrid, lengthChunks, toGrid } from '../../src/rl/chunks.ts';
import { transformerPolicy } from '../../src/model/policy.ts';
import { PAD_ID } from '../../src/world/index.ts';
import { TINY } from './setups.ts';

const model = Transformer.init({ ...TINY, initStd: 0.3 }, new Rng(21).child('init'));

describe('batched sampling (finished rows leave the batch)', () => {
  it('gives every row exactly the tokens and finish reason it gets when sampled alone', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10_000 }), async (seed) => {
        const rng = new Rng(seed).child('prompts');
        const prompts = Array.from({ length: rng.int(1, 6) }, () =>
          Array.from({ length: rng.int(1, 8) }, () => rng.int(7, 30)),
        );
        const o = { maxNewTokens: rng.int(1, 20), temperature: 1, stopIds: [2, 6, 9, 12], padId: PAD_ID };
        const rowRng = (i: number) => new Rng(seed).child('a').child(`r${i}`);
        const batched = await generate(model, prompts, { ...o, rng: prompts.map((_, i) => rowRng(i)) });
        for (const [i, p] of prompts.entries())
          expect(batched[i]).toEqual((await generate(model, [p], { ...o, rng: [rowRng(i)] }))[0]);
      }),
      { numRuns: 25 },
    );
  });
});

describe('length-bucketed chunks', () => {
  const seqsArb = fc.array(
    fc.record({
      prompt: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 }),
      completion: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }),
    }),
    { minLength: 1, maxLength: 12 },
  );

  it('put every row in exactly one chunk, within the token budget unless alone', () => {
    fc.assert(
      fc.property(seqsArb, fc.integer({ min: 1, max: 60 }), (seqs, budget) => {
        const rows = seqs.map((_, i) => i);
        const chunks = lengthChunks(rows, seqs, budget);
        expect(chunks.flat().sort((a, b) => a - b)).toEqual(rows);
        for (const c of chunks) {
          const T = Math.max(...c.map((i) => seqs[i]!.prompt.length + seqs[i]!.completion.length - 1));
          if (c.length > 1) expect(c.length * T).toBeLessThanOrEqual(budget);
        }
      }),
    );
  });

  it('lay ragged values onto the mask and read them back', () => {
    fc.assert(
      fc.property(seqsArb, (seqs) => {
        const b = packBatch(seqs, PAD_ID);
        const vals = seqs.map((s, i) => Float64Array.from(s.completion, (_, k) => i * 100 + k));
        expect(fromGrid(b, toGrid(b, vals))).toEqual(vals);
      }),
    );
  });

  it('give the same log-probabilities as one padded pass', async () => {
    const policy = transformerPolicy(model);
    const rng = new Rng(4);
    const seqs = Array.from({ length: 9 }, () => ({
      prompt: Array.from({ length: rng.int(1, 6) }, () => rng.int(7, 30)),
      completion: Array.from({ length: rng.int(1, 15) }, () => rng.int(7, 30)),
    }));
    const whole = fromGrid(
      packBatch(seqs, PAD_ID),
      noGrad(() => batchLogProbs(policy, packBatch(seqs, PAD_ID)).logp).dataSync(),
    );
    const chunked = await completionLogProbs(
      policy,
      seqs,
      seqs.map((_, i) => i),
      40,
    );
    // Rows are computed independently by every kernel, so chunking changes nothing in the forward pass.
    whole.forEach((v, i) => expect([...chunked.get(i)!]).toEqual([...v]));
  });
});
