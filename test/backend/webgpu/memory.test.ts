// A GPU run must not leak: tensors a step drops give their buffers back to the pool (memory.ts), so after the
// first steps the pool stops growing and the bytes held by live tensors stay flat, step after step.
import { afterAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../../../src/backend/choose.ts';
import { setDefaultBackend } from '../../../src/core/tensor.ts';
import { defaultPretrain, pretrain } from '../../../src/train/pretrain.ts';
import { TINY } from '../../rl/setups.ts';
import { webgpu } from './gpu.ts';

const gpu = await webgpu();

describe.skipIf(!gpu)('WebGPU memory over a training run', () => {
  afterAll(() => gpu?.destroy());

  it('stays flat: the same live bytes and no new buffers after the first step', async () => {
    const seen: { live: number; total: number }[] = [];
    setDefaultBackend(gpu!);
    try {
      await pretrain(
        {
          ...defaultPretrain,
          model: TINY,
          steps: 8,
          batchSize: 2,
          seqLen: 24,
          warmup: 1,
          seed: 5,
          eval: { every: 8, kind: 'add', difficulty: 1, n: 1, maxNewTokens: 4 },
        },
        {
          onStep: async () => {
            await gpu!.collect();
            const m = gpu!.memory;
            seen.push({ live: m.liveBytes, total: m.liveBytes + m.pooledBytes });
          },
        },
      );
    } finally {
      chooseBackend('cpu');
    }
    expect(seen).toHaveLength(8);
    // From the second step on, the same tensors live and no buffer is made (the last step also runs the
    // held-out evaluation, whose generation has shapes of its own, so it is left out).
    const settled = seen[1]!;
    for (const s of seen.slice(2, -1)) expect(s).toEqual(settled);
    // and the check can fail: a run that keeps every step's tensors alive grows
    expect(seen[0]!.live).toBeGreaterThan(0);
  });
});
