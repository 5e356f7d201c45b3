// Multi-token prediction and speculative decoding with the MTP modules as drafts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../../src/core/autograd.ts';
import { crossEntropy, reshape, slice } from '../../src/core/ops/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { intTensor, zeros, type Tensor } from '../../src/core/tensor.ts';
import { parameterShapes, validateConfig } from '../../src/model/config.ts';
import { mtpLogits, mtpLoss, mtpModule } from '../../src/model/mtp.ts';
import { trainingObjective } from '../../src/model/objective.ts';
import { greedyDecode, speculativeDecode } from '../../src/model/speculative.ts';
import { defaultPositions, Transformer } from '../../src/model/transformer.ts';
import { gradcheck } from '../helpers/gradcheck.ts';
import { leaves, randomModel, tinyV3, withParams } from './util.ts';

const batch = (seed: number, B: number, T: number, V: number) => {
  const rng = new Rng(seed).child('batch');
  const seq = Array.from({ length: B * (T + 1) }, () => rng.int(0, V));
  const ids: number[] = [],
    targets: number[] = [];
  for (let b = 0; b < B; b++) {
    ids.push(...seq.slice(b * (T + 1), b * (T + 1) + T));
    targets.push(...seq.slice(b * (T + 1) + 1, (b + 1) * (T + 1)));
  }
  return { ids: intTensor(ids, [B, T]), targets: intTensor(targets, [B, T]), raw: seq };
};

describe('multi-token prediction', () => {
  it('with D = 0 is the plain model: same parameters, loss = next-token cross-entropy', () => {
    const plain = tinyV3({ moe: undefined }),
      d0 = validateConfig({ ...plain, mtpDepth: 0 });
    expect([...parameterShapes(d0)]).toEqual([...parameterShapes(plain)]);
    const m = Transformer.init(d0, new Rng(3), 'float64');
    const { ids, targets } = batch(1, 2, 6, d0.vocabSize);
    const obj = trainingObjective(m, ids, targets);
    const ce = crossEntropy(m.forward(ids), reshape(targets, [12]));
    expect(obj.loss.dataSync()[0]).toBe(ce.dataSync()[0]);
    expect(obj.mtp).toBeUndefined();
    expect(mtpLoss(m, ids, targets, m.hidden(ids))).toBeUndefined();
  });

  it('adds modules without changing the main model (each parameter has its own random stream)', () => {
    const c = tinyV3(),
      with2 = validateConfig({ ...c, mtpDepth: 2 });
    const a = Transformer.init(c, new Rng(5), 'float64'),
      b = Transformer.init(with2, new Rng(5), 'float64');
    const { ids } = batch(2, 1, 7, c.vocabSize);
    expect(b.forward(ids).dataSync()).toEqual(a.forward(ids).dataSync());
    expect([...parameterShapes(with2).keys()].filter((n) => n.startsWith('model.layers.2.')).slice(0, 3)).toEqual([
      'model.layers.2.enorm.weight',
      'model.layers.2.hnorm.weight',
      'model.layers.2.eh_proj.weight',
    ]);
  });

  it('is λ/D · Σ_k CE_k, module k predicting t_{i+k+1} from h^{k−1}_i and t_{i+k}', () => {
    const c = validateConfig({ ...tinyV3(), mtpDepth: 2, mtpLambda: 0.3 });
    const m = randomModel(c, 6),
      B = 2,
      T = 6;
    const { ids, targets } = batch(3, B, T, c.vocabSize);
    const obj = noGrad(() => trainingObjective(m, ids, targets));
    // Recompute by hand: h¹ over positions 0..T−2, h² over 0..T−3.
    const manual = noGrad(() => {
      const h0 = m.hidden(ids),
        d = c.dModel;
      const h1 = mtpModule(
        m,
        1,
        reshape(slice(reshape(h0, [B, T, d]), 1, 0, T - 1), [B * (T - 1), d]),
        slice(ids, 1, 1, T),
        defaultPositions(B, T - 1, 0, ids),
      );
      const h2 = mtpModule(
        m,
        2,
        reshape(slice(reshape(h1, [B, T - 1, d]), 1, 0, T - 2), [B * (T - 2), d]),
        slice(ids, 1, 2, T),
        defaultPositions(B, T - 2, 0, ids),
      );
      const ce1 = crossEntropy(mtpLogits(m, 1, h1), reshape(slice(targets, 1, 1, T), [B * (T - 1)])).dataSync()[0]!;
      const ce2 = crossEntropy(mtpLogits(m, 2, h2), reshape(slice(targets, 1, 2, T), [B * (T - 2)])).dataSync()[0]!;
      return [ce1, ce2];
    });
    expect(obj.mtpPerDepth.map((t) => t.dataSync()[0])).toEqual(manual);
    expect(obj.mtp!.dataSync()[0]).toBeCloseTo((0.3 / 2) * (manual[0]! + manual[1]!), 12);
    const main = obj.main.dataSync()[0]!,
      bal = obj.balance!.dataSync()[0]!;
    expect(obj.loss.dataSync()[0]).toBeCloseTo(main + obj.mtp!.dataSync()[0]! + bal, 12);
    // Every MoE block logs its loads, the MTP blocks (layers 2 and 3) included.
    expect(obj.routing.map((r) => r.layer)).toEqual([1, 2, 3]);
  });

  it('keeps the causal chain: module k at position i never sees tokens after i + k', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 3 }),
        (seed, k, i) => {
          const c = validateConfig({ ...tinyV3({ moe: undefined }), mtpDepth: 2 }),
            m = randomModel(c, seed);
          const T = 7,
            { raw } = batch(seed, 1, T, c.vocabSize);
          const logitsAt = (seq: number[]) =>
            noGrad(() => {
              const ids = intTensor(seq.slice(0, T), [1, T]);
              let h = m.hidden(ids);
              for (let j = 1; j <= k; j++)
                h = mtpModule(
                  m,
                  j,
                  slice(h, 0, 0, T - j),
                  intTensor(seq.slice(j, T), [1, T - j]),
                  defaultPositions(1, T - j, 0, ids),
                );
              return Array.from(slice(mtpLogits(m, k, h), 0, i, i + 1).dataSync());
            });
          const changed = raw.slice();
          for (let j = i + k + 1; j < T; j++) changed[j] = (changed[j]! + 1) % c.vocabSize;
          expect(logitsAt(changed)).toEqual(logitsAt(raw));
        },
      ),
      { numRuns: 12 },
    );
  });

  it('has gradients that match central differences (MTP loss, all module weights)', () => {
    const c = validateConfig({
      ...tinyV3({ moe: undefined, nLayers: 1, dModel: 4, nHeads: 1, nKvHeads: 1, dFF: 3, vocabSize: 5 }),
      mla: { qLoraRank: 0, kvLoraRank: 2, qkNopeHeadDim: 2, qkRopeHeadDim: 2, vHeadDim: 2 },
      mtpDepth: 1,
    });
    const like = randomModel(c, 9),
      ps = leaves(like);
    const mtpParams = ps.filter((p) => p.name!.startsWith('model.layers.1.') || p.name === 'model.embed_tokens.weight');
    const { ids, targets } = batch(4, 1, 4, c.vocabSize);
    const f = (...xs: Tensor[]) => {
      const m = withParams(
        like,
        ps.map((p) => xs[mtpParams.indexOf(p)] ?? p),
      );
      return mtpLoss(m, ids, targets, m.hidden(ids))!.total;
    };
    expect(gradcheck(f, mtpParams)).toBeLessThan(1e-6);
  });
});

describe('speculative decoding with MTP drafts', () => {
  it('gives exactly the greedy tokens, with 1 + (accepted drafts) tokens per main forward pass', async () => {
    for (const [depth, seed] of [
      [1, 1],
      [2, 2],
      [1, 3],
      [2, 4],
    ] as const) {
      const c = validateConfig({ ...tinyV3(), mtpDepth: 2, maxSeqLen: 40 });
      const m = randomModel(c, seed),
        prompt = [1, 4, 9, 2, 7].slice(0, 2 + seed);
      const greedy = await greedyDecode(m, prompt, { maxNewTokens: 24 });
      const spec = await speculativeDecode(m, prompt, { maxNewTokens: 24, draftDepth: depth });
      expect(spec.tokens).toEqual(greedy.tokens);
      expect(greedy.mainForwards).toBe(greedy.tokens.length);
      expect(greedy.tokensPerForward).toBe(1);
      expect(spec.tokens.length).toBeLessThanOrEqual(spec.mainForwards + spec.accepted);
      expect(spec.tokens.length).toBeGreaterThan(spec.mainForwards + spec.accepted - 1 - depth); // only the last step may be cut
      expect(spec.drafted).toBeGreaterThanOrEqual(spec.mainForwards - 1);
      expect(spec.accepted).toBeLessThanOrEqual(spec.drafted);
      expect(spec.acceptanceRate).toBe(spec.drafted > 0 ? spec.accepted / spec.drafted : NaN);
    }
  });

  it('stops after a stop id and at maxSeqLen, like greedy decoding', async () => {
    const c = validateConfig({ ...tinyV3({ moe: undefined }), mtpDepth: 1, maxSeqLen: 12 });
    const m = randomModel(c, 5);
    const greedy = await greedyDecode(m, [3, 1], { maxNewTokens: 50 });
    expect(greedy.tokens.length).toBe(10);
    expect((await speculativeDecode(m, [3, 1], { maxNewTokens: 50 })).tokens).toEqual(greedy.tokens);
    const stop = greedy.tokens[4]!;
    const first = greedy.tokens.indexOf(stop);
    const stopped = await speculativeDecode(m, [3, 1], { maxNewTokens: 50, stopIds: [stop] });
    expect(stopped.finish).toBe('stop');
    expect(stopped.tokens).toEqual(greedy.tokens.slice(0, first + 1));
  });

  it('accepts every draft when the drafts are right: D + 1 tokens per main forward pass', async () => {
    // With a zero output head every logit is 0, so the main model and both MTP modules (which share the head)
    // always choose token 0 (argmax ties go to the lowest id): every draft is right.
    const c = validateConfig({ ...tinyV3({ moe: undefined }), mtpDepth: 2, maxSeqLen: 40 });
    const m = randomModel(c, 7);
    m.params.set('lm_head.weight', zeros([c.vocabSize, c.dModel], { dtype: 'float64' }));
    const spec = await speculativeDecode(m, [1, 2], { maxNewTokens: 31 });
    expect(spec.tokens).toEqual(new Array(31).fill(0));
    expect(spec.acceptanceRate).toBe(1);
    expect(spec.mainForwards).toBe(11); // the prompt pass gives 1 token, then 10 passes give 3 each
    expect(spec.tokensPerForward).toBeCloseTo(31 / 11, 12);
  });
});
