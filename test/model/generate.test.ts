// Incremental decoding and batched generation agree with the plain forward pass.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { intTensor } from '../../src/core/tensor.ts';
import { defaultConfig, parameterCount, validateConfig } from '../../src/model/config.ts';
import { generate } from '../../src/model/generate.ts';
import { KVCache } from '../../src/model/kvcache.ts';
import { samplingProbs } from '../../src/model/sampling.ts';
import { Transformer } from '../../src/model/transformer.ts';

const cfg = validateConfig({
  ...defaultConfig,
  dModel: 32,
  nHeads: 4,
  nKvHeads: 2,
  dFF: 48,
  maxSeqLen: 32,
  initStd: 0.3,
});
const model = Transformer.init(cfg, new Rng(5));
const ids = [1, 9, 12, 20, 33, 7, 8, 40];

describe('the dense transformer', () => {
  it('counts its parameters', () => {
    const hd = 8,
      d = 32;
    const perLayer = 2 * d + d * 4 * hd + 2 * d * 2 * hd + 4 * hd * d + 3 * d * 48;
    expect(parameterCount(cfg)).toBe(54 * d + 2 * perLayer + d);
  });

  it('KV-cached decoding one token at a time gives the full forward pass logits', async () => {
    const full = model.forward(intTensor(ids, [1, ids.length])).dataSync();
    const cache = new KVCache(cfg.nLayers, cfg.maxSeqLen);
    const V = cfg.vocabSize;
    const first = model.forward(intTensor(ids.slice(0, 3), [1, 3]), { cache }).dataSync();
    for (let i = 0; i < 3 * V; i++) expect(first[i]).toBeCloseTo(full[i]!, 5);
    for (let t = 3; t < ids.length; t++) {
      const step = model.forward(intTensor([ids[t]!], [1, 1]), { cache }).dataSync();
      for (let v = 0; v < V; v++) expect(step[v]).toBeCloseTo(full[t * V + v]!, 5);
    }
    expect(cache.length).toBe(ids.length);
  });

  it('refuses sequences longer than maxSeqLen', () => {
    expect(() => model.forward(intTensor(new Array(33).fill(1), [1, 33]))).toThrow(/exceeds maxSeqLen/);
  });

  it('a left-padded batch generates exactly what each prompt generates alone', async () => {
    const prompts = [
      [1, 9, 12],
      [1, 20, 33, 7, 8],
      [1, 40],
    ];
    const opts = (rngs: Rng[]) => ({ maxNewTokens: 6, temperature: 1, stopIds: [2], padId: 0, rng: rngs });
    const together = await generate(model, prompts, opts(prompts.map((_, i) => new Rng(1).child(`r${i}`))));
    for (let i = 0; i < prompts.length; i++) {
      const [alone] = await generate(model, [prompts[i]!], opts([new Rng(1).child(`r${i}`)]));
      expect(together[i]).toEqual(alone);
    }
  });

  it('greedy generation is deterministic and stops at a stop id', async () => {
    const a = await generate(model, [[1, 9]], {
      maxNewTokens: 20,
      temperature: 0,
      stopIds: [],
      padId: 0,
      rng: new Rng(0),
    });
    const b = await generate(model, [[1, 9]], {
      maxNewTokens: 20,
      temperature: 0,
      stopIds: [],
      padId: 0,
      rng: new Rng(99),
    });
    expect(a).toEqual(b);
    expect(a[0]!.finish).toBe('length');
    const stop = a[0]!.tokens[2]!;
    const c = await generate(model, [[1, 9]], {
      maxNewTokens: 20,
      temperature: 0,
      stopIds: [stop],
      padId: 0,
      rng: new Rng(0),
    });
    expect(c[0]!.finish).toBe('stop');
    expect(c[0]!.tokens.at(-1)).toBe(stop);
    expect(c[0]!.tokens.length).toBeLessThanOrEqual(3);
  });
});

describe('sampling', () => {
  const z = [2, 1, 0, 3, -1];
  it('greedy puts all mass on the argmax', () => {
    expect([...samplingProbs(z, { temperature: 0 })]).toEqual([0, 0, 0, 1, 0]);
  });
  it('top-k keeps the k most likely tokens', () => {
    const p = samplingProbs(z, { temperature: 1, topK: 2 });
    expect(p[3]! + p[0]!).toBeCloseTo(1, 12);
    expect(p[1]).toBe(0);
  });
  it('top-p keeps the smallest set reaching the mass', () => {
    const p = samplingProbs(z, { temperature: 1, topP: 0.5 });
    expect(p[3]).toBe(1);
    const q = samplingProbs(z, { temperature: 1, topP: 0.9 });
    expect(q.filter((x) => x > 0).length).toBe(3);
  });
  it('temperature flattens or sharpens', () => {
    const hot = samplingProbs(z, { temperature: 10 }),
      cold = samplingProbs(z, { temperature: 0.1 });
    expect(hot[3]!).toBeLessThan(0.3);
    expect(cold[3]!).toBeGreaterThan(0.99);
  });
});
