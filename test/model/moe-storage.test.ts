// Stacked routed experts: one tensor per projection in memory, one tensor per expert in files (HF's layout).
// Fresh weights equal the per-expert streams they were drawn from before the stacking; files written before it
// (fixtures/deepseek-v3, in transformers' layout) load; save → load and the optimizer moments round-trip; the
// CPU runs the sparse dispatch by default, within float32 rounding of the dense reference.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../../src/core/autograd.ts';
import { AdamW } from '../../src/core/optim.ts';
import { Rng } from '../../src/core/rng.ts';
import { intTensor, randn } from '../../src/core/tensor.ts';
import { loadCheckpoint, saveCheckpoint, WEIGHTS_FILE } from '../../src/model/checkpoint.ts';
import { loadSafetensors } from '../../src/model/safetensors.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { decodeMoments, encodeMoments } from '../../src/train/moments.ts';
import { maxAbs, maxAbsDiff, tinyV3 } from './util.ts';

const GATE = 'model.layers.1.mlp.experts.gate_proj.weight';
const expertSlice = (data: ArrayLike<number>, e: number, n: number) => Array.from(data).slice(e * n, (e + 1) * n);

describe('stacked routed experts', () => {
  it('holds one [E, I, d] tensor per projection, drawn from the per-expert streams of the unstacked layout', () => {
    const c = tinyV3();
    const m = Transformer.init(c, new Rng(3));
    const { nRoutedExperts: E, moeInterDim: I } = c.moe!;
    const w = m.p(GATE);
    expect(w.shape).toEqual([E, I, c.dModel]);
    expect(m.p('model.layers.1.mlp.experts.down_proj.weight').shape).toEqual([E, c.dModel, I]);
    for (let e = 0; e < E; e++) {
      const own = randn([I, c.dModel], new Rng(3).child(`model.layers.1.mlp.experts.${e}.gate_proj.weight`), c.initStd);
      expect(expertSlice(w.dataSync(), e, I * c.dModel)).toEqual(Array.from(own.dataSync()));
    }
  });

  it('saves one tensor per expert and loads them back stacked, with the optimizer moments', async () => {
    const c = tinyV3();
    const m = Transformer.init(c, new Rng(4));
    const dir = mkdtempSync(join(tmpdir(), 'tinyseek-experts-'));
    try {
      await saveCheckpoint(dir, m);
      const names = Object.keys(loadSafetensors(join(dir, WEIGHTS_FILE)).tensors);
      expect(names).toContain('model.layers.1.mlp.experts.5.down_proj.weight');
      expect(names.some((n) => /\.mlp\.experts\.(gate|up|down)_proj/.test(n))).toBe(false);
      const back = loadCheckpoint(dir).model;
      for (const [name, p] of m.params) expect(back.p(name).dataSync()).toEqual(p.dataSync());

      const opt = new AdamW(m.parameters());
      opt.state.m.forEach((t, i) => (opt.state.m[i] = randn(t.shape, new Rng(i).child('m'))));
      const state = decodeMoments(await encodeMoments(m.parameters(), opt.state), m.parameters(), 7, 'moments');
      state.m.forEach((t, i) => expect(t.dataSync()).toEqual(opt.state.m[i]!.dataSync()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const FIXTURE = join(import.meta.dirname, '../../fixtures/deepseek-v3/bias');
  it.skipIf(!existsSync(FIXTURE))('loads a checkpoint written one tensor per expert before the stacking', () => {
    const { model } = loadCheckpoint(FIXTURE);
    const file = loadSafetensors(join(FIXTURE, 'model.safetensors')).tensors;
    const E = model.config.moe!.nRoutedExperts;
    let checked = 0;
    for (const [name, p] of model.params) {
      const m = /^(.*\.mlp\.experts)\.(\w+_proj)\.weight$/.exec(name);
      if (!m) continue;
      const n = p.size / E;
      for (let e = 0; e < E; e++) {
        const own = file[`${m[1]}.${e}.${m[2]}.weight`]!;
        expect(expertSlice(p.dataSync(), e, n)).toEqual(Array.from(Float32Array.from(own.data as Float32Array)));
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('runs the sparse dispatch by default on the CPU, within float32 rounding of the dense reference', () => {
    const c = tinyV3();
    const m = Transformer.init(c, new Rng(5));
    const ids = intTensor(
      Array.from({ length: 24 }, (_, i) => (i * 7) % c.vocabSize),
      [2, 12],
    );
    const logits = (impl?: 'dense' | 'sparse') =>
      noGrad(() => {
        m.moeImpl = impl;
        return m.forward(ids).dataSync();
      });
    const byDefault = logits(),
      sparse = logits('sparse'),
      dense = logits('dense');
    expect(byDefault).toEqual(sparse);
    expect(maxAbsDiff(sparse, dense)).toBeLessThan(1e-5 * maxAbs(dense));
  });
});
