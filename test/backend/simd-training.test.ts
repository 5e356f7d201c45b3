// A float32 training step does the same arithmetic with the WebAssembly kernels as without them: a dense model and
// a DeepSeekMoE one (the sparse dispatch: token gather, grouped products, SwiGLU with the combine weight,
// scatter-add), three AdamW steps each with SIMD on and off, give the same losses and the same parameters, bit for
// bit. The shapes let every kernel take its fast path (rows of 64, whole vectors, enough numbers to move), so this
// checks the kernels together, where the kernel tests check them one by one against their loops.
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { backward, noGrad } from '../../src/core/autograd.ts';
import { crossEntropy } from '../../src/core/ops/index.ts';
import { AdamW } from '../../src/core/optim.ts';
import { Rng } from '../../src/core/rng.ts';
import { defaultBackend, intTensor, setDefaultBackend } from '../../src/core/tensor.ts';
import { defaultConfig, validateConfig } from '../../src/model/config.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { expectSameBits } from '../helpers/bits.ts';

const base = { ...defaultConfig, vocabSize: 54, dModel: 64, nLayers: 2, nHeads: 4, nKvHeads: 4, dFF: 192 };
const moe = { nRoutedExperts: 8, nSharedExperts: 1, nActivatedExperts: 2, moeInterDim: 64, nDenseLayers: 0 };

/** Losses and final parameters of three AdamW steps on a fixed batch of 8 × 32 tokens, on `simd` or not. */
function train(model: 'dense' | 'moe', simd: boolean): { losses: number[]; params: Float32Array[] } {
  const before = defaultBackend();
  setDefaultBackend(new CpuBackend(1, { simd }));
  try {
    const c = validateConfig({ ...base, maxSeqLen: 64, ...(model === 'moe' ? { moe } : {}) });
    const m = Transformer.init(c, new Rng(1));
    const opt = new AdamW(m.parameters());
    const rng = new Rng(2),
      tokens = () =>
        intTensor(
          Array.from({ length: 256 }, () => rng.int(0, c.vocabSize)),
          [8, 32],
        );
    const [ids, targets] = [tokens(), tokens()];
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      const loss = crossEntropy(m.forward(ids), targets);
      opt.zeroGrad();
      backward(loss);
      noGrad(() => opt.step(1e-2));
      losses.push(loss.dataSync()[0]!);
    }
    return { losses, params: m.parameters().map((p) => Float32Array.from(p.dataSync())) };
  } finally {
    setDefaultBackend(before);
  }
}

describe('a float32 training step with the SIMD kernels on and off', () => {
  for (const model of ['dense', 'moe'] as const)
    it(`gives the same losses and parameters, bit for bit (${model})`, () => {
      const [on, off] = [train(model, true), train(model, false)];
      expect(on.losses).toEqual(off.losses);
      expect(on.losses[2]).toBeLessThan(on.losses[0]!); // it trained
      on.params.forEach((p, i) => expectSameBits(p, off.params[i]!));
    });
});
