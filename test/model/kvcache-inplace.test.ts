// Decoding with K and V kept in place in the cache's buffers (no gradient: append + causalAttentionInPlace) gives
// the bits of the concatenating cache (with gradients: extend + causalAttention), step by step, through buffer
// growth, dropped rows (keepRows), a rollback (truncate), grouped-query heads and a padding bias.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../../src/core/autograd.ts';
import { Rng } from '../../src/core/rng.ts';
import { intTensor, tensor } from '../../src/core/tensor.ts';
import { defaultConfig, validateConfig } from '../../src/model/config.ts';
import { KVCache } from '../../src/model/kvcache.ts';
import { Transformer } from '../../src/model/transformer.ts';

describe('the in-place KV cache', () => {
  it('decodes to the same bits as the concatenating cache', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 24 }),
        fc.constantFrom(1, 2, 4),
        fc.integer({ min: 0, max: 1e6 }),
        (B, P, steps, nKvHeads, seed) => {
          const c = validateConfig({
            ...defaultConfig,
            dModel: 16,
            nLayers: 2,
            nHeads: 4,
            nKvHeads,
            dFF: 24,
            maxSeqLen: 40,
          });
          const m = Transformer.init(c, new Rng(seed));
          const rng = new Rng(seed).child('ids');
          const ids = (n: number, t: number) =>
            intTensor(
              Array.from({ length: n * t }, () => rng.int(0, c.vocabSize)),
              [n, t],
            );
          const prompt = ids(B, P);
          const S = P + steps;
          const bias = (rows: number, s: number) =>
            tensor(
              Array.from({ length: rows * s }, (_, i) => (i % s === 0 && s > 1 ? -1e9 : 0)),
              [rows, 1, 1, s],
            ); // the first key of every row is padding
          const inputs = Array.from({ length: steps }, () => ids(B, 1));
          const run = (inPlace: boolean) => {
            const cache = new KVCache(c.nLayers, c.maxSeqLen);
            const fwd = (x: ReturnType<typeof ids>, s: number, rows: number) => {
              const f = () => m.forward(x, { cache, bias: bias(rows, s) }).dataSync();
              return inPlace ? noGrad(f) : f();
            };
            const out: number[][] = [Array.from(fwd(prompt, P, B))];
            let rows = B;
            for (let t = 0; t < steps && P + t + 1 <= S; t++) {
              if (t === 3 && rows > 1) {
                cache.keepRows([rows - 1, 0]); // drop the middle rows, reorder
                rows = 2;
              }
              if (t === 5) cache.truncate(cache.length - 1); // roll one position back and redo it
              const x = intTensor(Array.from(inputs[t]!.dataSync()).slice(0, rows), [rows, 1]);
              out.push(Array.from(fwd(x, cache.length + 1, rows)));
            }
            return out;
          };
          expect(run(true)).toEqual(run(false));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses to mix the two ways of keeping a layer', () => {
    const c = validateConfig({ ...defaultConfig, dModel: 8, nLayers: 1, nHeads: 2, nKvHeads: 2, dFF: 8, maxSeqLen: 8 });
    const m = Transformer.init(c, new Rng(1));
    const cache = new KVCache(1, 8);
    noGrad(() => m.forward(intTensor([1, 2], [1, 2]), { cache }));
    expect(() => m.forward(intTensor([3], [1, 1]), { cache })).toThrow(/kept in place/);
  });
});
