// Pretraining is deterministic: a fixed seed gives the golden loss trace, and two runs give byte-identical
// metrics.jsonl and model.safetensors. An interrupted-and-resumed run equals an uninterrupted one.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/model/config.ts';
import { defaultPretrain, pretrain, type PretrainConfig } from '../../src/train/pretrain.ts';
import { makeBatch, packDocuments } from '../../src/train/batch.ts';

const tiny: PretrainConfig = {
  ...defaultPretrain,
  model: { ...defaultConfig, dModel: 16, nLayers: 1, nHeads: 2, nKvHeads: 2, dFF: 32, maxSeqLen: 48 },
  steps: 8,
  batchSize: 2,
  seqLen: 48,
  warmup: 2,
  seed: 11,
  eval: { every: 4, kind: 'add', difficulty: 1, n: 4, maxNewTokens: 8 },
};
const GOLDEN = join(import.meta.dirname, '../../fixtures/golden/pretrain-loss.json');
const tmp = () => mkdtempSync(join(tmpdir(), 'tinyseek-pt-'));

describe('pretraining', () => {
  it('reproduces the golden loss trace exactly', async () => {
    const { metrics } = await pretrain(tiny);
    const trace = metrics.map((m) => ({
      step: m.step,
      loss: m.loss,
      gradNorm: m.gradNorm,
      accuracy: m.eval?.accuracy,
    }));
    if (process.env.UPDATE_GOLDEN || !existsSync(GOLDEN)) writeFileSync(GOLDEN, JSON.stringify(trace, null, 1) + '\n');
    expect(trace).toEqual(JSON.parse(readFileSync(GOLDEN, 'utf8')));
  });

  it('the same seed twice writes byte-identical metrics and weights', async () => {
    const a = tmp(),
      b = tmp();
    await pretrain(tiny, { out: a });
    await pretrain(tiny, { out: b });
    for (const f of ['metrics.jsonl', 'model.safetensors', 'config.json'])
      expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);
  });

  it('a run interrupted at a checkpoint and resumed ends exactly where an uninterrupted run does', async () => {
    const whole = tmp(),
      parts = tmp();
    await pretrain(tiny, { out: whole });
    const stop = new AbortController();
    await pretrain(tiny, {
      out: parts,
      checkpointEvery: 3,
      onStep: (m) => {
        if (m.step === 3) stop.abort();
      },
      signal: stop.signal,
    });
    await pretrain(tiny, { out: parts, resume: true });
    for (const f of ['metrics.jsonl', 'model.safetensors'])
      expect(readFileSync(join(parts, f)).equals(readFileSync(join(whole, f)))).toBe(true);
  });

  it('learns: the loss falls well below the uniform-guess baseline ln V', async () => {
    const { metrics } = await pretrain({ ...tiny, steps: 40, lr: 1e-2, eval: { ...tiny.eval, every: 1000 } });
    expect(metrics.at(-1)!.loss).toBeLessThan(0.7 * Math.log(54));
  });

  it('rejects configs it cannot run, with a clear message', async () => {
    await expect(pretrain({ ...tiny, seqLen: 100 })).rejects.toThrow(/exceeds the model's maxSeqLen/);
    await expect(pretrain({ ...tiny, steps: 0 })).rejects.toThrow(/steps must be a positive integer/);
    await expect(pretrain({ ...tiny, decayStart: 1.5 })).rejects.toThrow(/decayStart must be a fraction/);
  });
});

describe('packing documents into rows', () => {
  it('starts every row at a document boundary and never splits a document that fits', () => {
    const docs = [
      [1, 2, 3],
      [1, 4],
      [1, 5, 6, 7],
      [1, 8],
    ];
    expect(packDocuments(docs, 2, 5).rows).toEqual([
      [1, 2, 3, 1, 4],
      [1, 5, 6, 7, 1, 8],
    ]);
  });
  it('predicts the next token and ignores padding', () => {
    const b = makeBatch(['<bos>q:1+1=?\na:<think></think><answer>2</answer><eos>'], 1, 32);
    const inp = [...b.inputs.dataSync()],
      tg = [...b.targets.dataSync()];
    expect(tg.slice(0, 5)).toEqual(inp.slice(1, 6));
    expect(tg.slice(b.tokens)).toEqual(new Array(32 - b.tokens).fill(-1));
  });
});
