// A device backend (WebGPU) cannot read synchronously. This runs the library's hot paths on the CPU backend
// with readSync forbidden — pretraining steps with evaluation, sampling, and GRPO steps — so a synchronous
// host read slipping into any of them fails here, long before a GPU backend exists to notice.
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.ts';
import { chooseBackend } from '../../src/backend/choose.ts';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { Rng } from '../../src/core/rng.ts';
import { setDefaultBackend, tensor } from '../../src/core/tensor.ts';
import { generate } from '../../src/model/generate.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { trainRl } from '../../src/rl/trainer.ts';
import { defaultPretrain, pretrain } from '../../src/train/pretrain.ts';
import { PAD_ID } from '../../src/world/index.ts';
import { TINY, tinyConfig, tinyParts } from '../rl/setups.ts';

/** The CPU backend with readSync forbidden, as a GPU backend's would be. */
function strict(): Backend {
  const cpu = new CpuBackend(1);
  return new Proxy(cpu, {
    get(target, key) {
      if (key === 'readSync')
        return () => {
          throw new Error('readSync on a backend that has no host memory');
        };
      const v = Reflect.get(target, key) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('a backend without synchronous reads', () => {
  setDefaultBackend(strict());
  afterAll(() => void chooseBackend('cpu'));

  it('really forbids them (the check can fail)', () => {
    expect(() => tensor([1, 2]).dataSync()).toThrow(/readSync/);
  });

  it('pretrains with held-out evaluation', async () => {
    const { metrics } = await pretrain({
      ...defaultPretrain,
      model: TINY,
      steps: 3,
      batchSize: 2,
      seqLen: 48,
      warmup: 1,
      eval: { every: 3, kind: 'add', difficulty: 1, n: 4, maxNewTokens: 8 },
    });
    expect(metrics.at(-1)!.eval).toBeDefined();
  });

  it('samples with the KV cache, dropping finished rows', async () => {
    const model = Transformer.init(TINY, new Rng(3).child('init'));
    const out = await generate(
      model,
      [
        [1, 7, 8],
        [1, 9],
      ],
      {
        maxNewTokens: 6,
        temperature: 1,
        stopIds: [2],
        padId: PAD_ID,
        rng: [new Rng(1), new Rng(2)],
      },
    );
    expect(out).toHaveLength(2);
  });

  it('runs GRPO steps (rollouts, update, evaluation)', async () => {
    const lines = await trainRl(tinyParts(), tinyConfig({ seed: 3, steps: 2 }));
    expect(lines.length).toBeGreaterThanOrEqual(2);
  });
});
