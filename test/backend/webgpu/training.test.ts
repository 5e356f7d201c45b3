// The model, pretraining and RL code, unchanged, on the WebGPU backend against the CPU reference: the full
// V3 objective (MLA + MoE + MTP) with every parameter's gradient, a short pretraining run and a short GRPO run
// compared step by step, and a rerun on the GPU giving the same bits (fixed reduction order, no atomics).
// Tolerances: 1e-4 relative on losses and gradients (f32 on the GPU against float64 sums on the CPU).
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../../src/backend/backend.ts';
import { chooseBackend } from '../../../src/backend/choose.ts';
import { backward } from '../../../src/core/autograd.ts';
import { Rng } from '../../../src/core/rng.ts';
import { setDefaultBackend } from '../../../src/core/tensor.ts';
import { trainingObjective } from '../../../src/model/objective.ts';
import { Transformer } from '../../../src/model/transformer.ts';
import { trainRl } from '../../../src/rl/trainer.ts';
import { nextTokenBatch, tinyV3 } from '../../model/util.ts';
import { tinyConfig, tinyParts, tinyPretrain } from '../../rl/setups.ts';
import { webgpu } from './gpu.ts';

const gpu = await webgpu();
const cpu = chooseBackend('cpu');

async function on<T>(b: Backend, f: () => Promise<T>): Promise<T> {
  setDefaultBackend(b);
  try {
    return await f();
  } finally {
    setDefaultBackend(cpu);
  }
}

function near(got: number, want: number, rtol: number, what: string): void {
  if (Math.abs(got - want) > rtol * Math.max(1, Math.abs(want))) expect.fail(`${what}: got ${got}, want ${want}`);
}

const pretrainRun = tinyPretrain;

describe.skipIf(!gpu)('the same model code on WebGPU', () => {
  afterAll(() => gpu?.destroy());

  it('gives the V3 objective (MLA, MoE, MTP) and every gradient of the CPU', async () => {
    const cfg = tinyV3({ mtpDepth: 1 });
    const rng = new Rng(4).child('ids');
    const ids = Array.from({ length: 2 * 9 }, () => rng.int(0, cfg.vocabSize));
    const run = (b: Backend) =>
      on(b, async () => {
        const model = Transformer.init(cfg, new Rng(2).child('init'));
        const { x, y } = nextTokenBatch(ids, 9);
        const obj = trainingObjective(model, x, y);
        backward(obj.loss);
        const grads = new Map<string, Float32Array | Float64Array | Int32Array>();
        for (const [name, p] of model.params) if (p.grad) grads.set(name, await p.grad.data());
        return { loss: await obj.loss.item(), mtp: await obj.mtp!.item(), grads };
      });
    const want = await run(cpu),
      got = await run(gpu!);
    near(got.loss, want.loss, 1e-4, 'loss');
    near(got.mtp, want.mtp, 1e-4, 'MTP loss');
    expect([...got.grads.keys()]).toEqual([...want.grads.keys()]);
    for (const [name, w] of want.grads) {
      const g = got.grads.get(name)!;
      const scale = Math.max(1e-3, ...Array.from(w, Math.abs));
      for (let i = 0; i < w.length; i++) near(g[i]! / scale, w[i]! / scale, 1e-4, `${name}[${i}]`);
    }
  });

  it('pretrains step by step like the CPU, and bit-identically on a rerun', async () => {
    const want = (await on(cpu, pretrainRun)).metrics;
    const first = (await on(gpu!, pretrainRun)).metrics;
    const again = (await on(gpu!, pretrainRun)).metrics;
    expect(first).toHaveLength(want.length);
    first.forEach((m, i) => {
      near(m.loss, want[i]!.loss, 1e-4, `loss at step ${i}`);
      near(m.gradNorm, want[i]!.gradNorm, 1e-3, `grad norm at step ${i}`);
    });
    expect(again.map((m) => [m.loss, m.gradNorm])).toEqual(first.map((m) => [m.loss, m.gradNorm]));
  });

  it('runs GRPO steps like the CPU (same samples, rewards and losses)', async () => {
    const run = (b: Backend) =>
      on(b, () =>
        trainRl(tinyParts(), tinyConfig({ seed: 3, steps: 2, maxNewTokens: 10, evalSize: 2, evalSamples: 1 })),
      );
    const want = await run(cpu),
      got = await run(gpu!);
    expect(got).toHaveLength(want.length);
    got.forEach((m, i) => {
      expect(m.reward, `reward at step ${i}`).toBe(want[i]!.reward);
      expect(m.lenAll, `length at step ${i}`).toBe(want[i]!.lenAll);
      near(m.loss!, want[i]!.loss!, 1e-3, `loss at step ${i}`);
      near(m.kl!, want[i]!.kl!, 1e-3, `KL at step ${i}`);
    });
  });
});
