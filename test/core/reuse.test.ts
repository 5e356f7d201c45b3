// Reuse of dead gradients' arrays during backward (autograd.ts, backend/cpu/array-pool.ts): the same bits as
// fresh allocation, and nothing made before the pass is ever reused.
import { afterEach, describe, expect, it } from 'vitest';
import { ArrayPool } from '../../src/backend/cpu/array-pool.ts';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { backward, noGrad, record } from '../../src/core/autograd.ts';
import { crossEntropy, mulScalar, sum } from '../../src/core/ops/index.ts';
import { AdamW } from '../../src/core/optim.ts';
import { Rng } from '../../src/core/rng.ts';
import { defaultBackend, empty, full, intTensor, randn, setDefaultBackend } from '../../src/core/tensor.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { tinyV3 } from '../model/util.ts';

const before = defaultBackend();
afterEach(() => setDefaultBackend(before));

/** Three AdamW steps of a small model; every loss and final parameter, as bytes. */
async function run(
  be: CpuBackend,
  config: ReturnType<typeof tinyV3>,
): Promise<{ losses: number[]; params: number[][] }> {
  setDefaultBackend(be);
  const m = Transformer.init(config, new Rng(3));
  const opt = new AdamW(m.parameters());
  const rng = new Rng(4);
  const B = 4,
    T = 16;
  const ids = intTensor(
    Array.from({ length: B * T }, () => rng.int(0, config.vocabSize)),
    [B, T],
  );
  const tg = intTensor(
    Array.from({ length: B * T }, () => rng.int(0, config.vocabSize)),
    [B, T],
  );
  const losses: number[] = [];
  for (let s = 0; s < 3; s++) {
    const loss = crossEntropy(m.forward(ids), tg);
    opt.zeroGrad();
    backward(loss);
    noGrad(() => opt.step(1e-2));
    losses.push(await loss.item());
  }
  return { losses, params: m.parameters().map((p) => [...p.dataSync()]) };
}

describe('gradient array reuse', () => {
  it('gives the bits of fresh allocation: a dense model and an MLA + MoE model, three AdamW steps', async () => {
    for (const config of [tinyV3({ mla: undefined, moe: undefined, dModel: 32, dFF: 48 }), tinyV3({ dModel: 32 })]) {
      const on = new CpuBackend(1, { reuse: true }),
        off = new CpuBackend(1, { reuse: false });
      const a = await run(on, config),
        b = await run(off, config);
      expect(on.pooledBytes).toBeGreaterThan(0); // reuse did happen
      expect(off.pooledBytes).toBe(0);
      expect(a).toEqual(b);
      await Promise.all([on.close(), off.close()]);
    }
  });

  it('never reuses a tensor made before the pass, even one a backward rule hands out as a gradient', () => {
    const be = new CpuBackend(1, { reuse: true });
    setDefaultBackend(be);
    const c = full([512], 7); // made before backward
    const leaf = randn([512], new Rng(1), 1, { requiresGrad: true });
    const x = mulScalar(leaf, 2); // an intermediate whose gradient will be c itself
    const y = record(empty(be, 'float32', [512]), 'hand-out', [x], () => [c]);
    backward(sum(y));
    for (let i = 0; i < 4; i++) full([512], -1); // would take c's array if it had been pooled
    expect([...c.dataSync()].every((v) => v === 7)).toBe(true);
    expect([...leaf.grad!.dataSync()].every((v) => v === 14)).toBe(true);
  });
});

describe('ArrayPool', () => {
  it('hands back a given array zero-filled, by type and length, within its byte bound', () => {
    const pool = new ArrayPool(8192);
    const a = pool.take('float32', 1000);
    a.fill(3);
    pool.give('float32', a);
    expect(pool.bytes).toBe(4000);
    expect(pool.take('float64', 1000)).not.toBe(a);
    expect(pool.take('float32', 999)).not.toBe(a);
    const b = pool.take('float32', 1000);
    expect(b).toBe(a);
    expect(b.every((v) => v === 0)).toBe(true);
    pool.give('float32', new Float32Array(1500));
    pool.give('float32', new Float32Array(1500)); // over the bound: dropped
    expect(pool.bytes).toBe(6000);
  });
});
