// The one training loop trains every architecture on its whole objective: a MoE model pretrained through
// `pretrain` moves its routing bias and lowers MaxVio; an MTP model's MTP loss falls.
import { describe, expect, it } from 'vitest';
import { defaultConfig, defaultMoe } from '../../src/model/config.ts';
import { defaultPretrain, pretrain, type PretrainConfig } from '../../src/train/pretrain.ts';
import { vocabSize } from '../../src/world/index.ts';

const base: PretrainConfig = {
  ...defaultPretrain,
  model: { ...defaultConfig, vocabSize, dModel: 32, nLayers: 1, nHeads: 2, nKvHeads: 2, dFF: 64, maxSeqLen: 48 },
  steps: 40,
  batchSize: 4,
  seqLen: 48,
  warmup: 4,
  seed: 2,
  eval: { every: 1000, kind: 'add', difficulty: 1, n: 4, maxNewTokens: 8 },
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('pretrain with DeepSeek-V3 objectives', () => {
  it("MoE: the aux-loss-free bias moves and keeps the expert-load imbalance (MaxVio) below an unbalanced run's", async () => {
    const moe = {
      ...defaultMoe,
      nRoutedExperts: 8,
      nSharedExperts: 1,
      nActivatedExperts: 2,
      moeInterDim: 16,
      nDenseLayers: 0,
      biasUpdateSpeed: 0.02,
      seqAuxAlpha: 0,
    };
    const { model, metrics } = await pretrain({ ...base, model: { ...base.model, moe } });
    const unbalanced = (
      await pretrain({ ...base, model: { ...base.model, moe: { ...moe, biasUpdateSpeed: 0 } } })
    ).metrics.map((m) => m.maxVio!);
    const bias = await model.params.get('model.layers.0.mlp.gate.e_score_correction_bias')!.data();
    expect(Math.max(...bias.map(Math.abs))).toBeGreaterThan(0);
    const vio = metrics.map((m) => m.maxVio!);
    expect(vio.every(Number.isFinite)).toBe(true);
    expect(mean(vio.slice(-10))).toBeLessThan(mean(vio.slice(0, 10)));
    expect(mean(vio.slice(-10))).toBeLessThan(mean(unbalanced.slice(-10)));
    expect(metrics[0]!.main).toBeDefined();
  });

  it('MoE without the bias update (γ = 0): the bias stays exactly zero', async () => {
    const moe = {
      ...defaultMoe,
      nRoutedExperts: 4,
      nSharedExperts: 1,
      nActivatedExperts: 2,
      moeInterDim: 16,
      nDenseLayers: 0,
      biasUpdateSpeed: 0,
      seqAuxAlpha: 0,
    };
    const { model } = await pretrain({ ...base, steps: 3, model: { ...base.model, moe } });
    expect([...(await model.params.get('model.layers.0.mlp.gate.e_score_correction_bias')!.data())]).toEqual([
      0, 0, 0, 0,
    ]);
  });

  it('MTP: the MTP loss is reported every step and falls', async () => {
    const { metrics } = await pretrain({ ...base, model: { ...base.model, mtpDepth: 1, mtpLambda: 0.3 } });
    const mtp = metrics.map((m) => m.mtp!);
    expect(mtp.every((x) => Number.isFinite(x) && x > 0)).toBe(true);
    expect(mean(mtp.slice(-5))).toBeLessThan(0.8 * mean(mtp.slice(0, 5)));
    for (const m of metrics) expect(m.loss).toBeCloseTo(m.main! + m.mtp!, 5);
  });
});

describe('tinyseek pretrain --model-config', () => {
  it('trains a MoE + MTP config from a JSON file and logs its objective parts; a bad file is one line, exit 1', async () => {
    const { main } = await import('../../src/cli/main.ts');
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tinyseek-mc-'));
    const file = join(dir, 'moe.json');
    const moe = {
      ...defaultMoe,
      nRoutedExperts: 4,
      nSharedExperts: 1,
      nActivatedExperts: 2,
      moeInterDim: 16,
      nDenseLayers: 0,
    };
    writeFileSync(file, JSON.stringify({ model: { ...base.model, maxSeqLen: 64, mtpDepth: 1, mtpLambda: 0.3, moe } }));
    const err: string[] = [];
    const io = { out: () => {}, err: (s: string) => void err.push(s), isTTY: false };
    const out = join(dir, 'run');
    expect(
      await main(
        [
          'pretrain',
          '--model-config',
          file,
          '--steps',
          '3',
          '--seq-len',
          '48',
          '--batch-size',
          '2',
          '--eval-every',
          '1000',
          '--out',
          out,
        ],
        io,
      ),
    ).toBe(0);
    const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(Object.keys(r)).toEqual(expect.arrayContaining(['main', 'mtp', 'maxVio']));
    writeFileSync(file, '{"model": {"dModel": -1}}');
    err.length = 0;
    expect(await main(['pretrain', '--model-config', file, '--out', join(dir, 'bad')], io)).toBe(1);
    expect(err.join('')).toMatch(/^tinyseek: .*moe\.json: dModel must be a positive integer/);
  });
});
