// Training and sampling throughput of the tiny transformer at two configs, in tokens per second.
import { backward, noGrad } from '../src/core/autograd.ts';
import { crossEntropy } from '../src/core/ops/index.ts';
import { AdamW } from '../src/core/optim.ts';
import { Rng } from '../src/core/rng.ts';
import { intTensor } from '../src/core/tensor.ts';
import { defaultConfig, parameterCount, validateConfig, type ModelConfig } from '../src/model/config.ts';
import { generate } from '../src/model/generate.ts';
import { Transformer } from '../src/model/transformer.ts';
import { medianMs } from './util.ts';

export interface ThroughputConfig {
  name: string;
  model: ModelConfig;
  batch: number;
  seqLen: number;
}

/** The two configs of the issue: a lesson model and a 4-layer d=128 model. */
export const benchConfigs: ThroughputConfig[] = [
  {
    name: 'lesson d=64 L=2 T=48 B=16',
    model: validateConfig({
      ...defaultConfig,
      dModel: 64,
      nLayers: 2,
      nHeads: 4,
      nKvHeads: 4,
      dFF: 176,
      maxSeqLen: 64,
    }),
    batch: 16,
    seqLen: 48,
  },
  {
    name: 'd=128 L=4 H=4 T=64 B=32',
    model: validateConfig({
      ...defaultConfig,
      dModel: 128,
      nLayers: 4,
      nHeads: 4,
      nKvHeads: 4,
      dFF: 352,
      maxSeqLen: 128,
    }),
    batch: 32,
    seqLen: 64,
  },
];

/** Untimed steps before trainTokensPerSec times its `reps`: the JIT's warm-up, and the memory pool's (its
 * first steps make the arrays that later steps reuse). */
export const TRAIN_WARMUP = 5;

export async function trainTokensPerSec(c: ThroughputConfig, reps = 7): Promise<number> {
  const model = Transformer.init(c.model, new Rng(1));
  const opt = new AdamW(model.parameters());
  const rng = new Rng(2);
  const n = c.batch * c.seqLen;
  const ids = intTensor(
    Array.from({ length: n }, () => rng.int(0, c.model.vocabSize)),
    [c.batch, c.seqLen],
  );
  const tg = intTensor(
    Array.from({ length: n }, () => rng.int(0, c.model.vocabSize)),
    [c.batch, c.seqLen],
  );
  const ms = await medianMs(
    async () => {
      const loss = crossEntropy(model.forward(ids), tg);
      opt.zeroGrad();
      backward(loss);
      noGrad(() => opt.step(1e-3));
      await loss.item();
    },
    reps,
    TRAIN_WARMUP,
  );
  return n / (ms / 1000);
}

/** Tokens generated per second: a batch of prompts, `newTokens` each, KV-cached, temperature 1. */
export async function sampleTokensPerSec(c: ThroughputConfig, newTokens = 32): Promise<number> {
  const model = Transformer.init(c.model, new Rng(1));
  const prompts = Array.from({ length: c.batch }, (_, i) => [1, 7 + (i % 10), 17, 8]);
  const ms = await medianMs(
    () => generate(model, prompts, { maxNewTokens: newTokens, temperature: 1, stopIds: [], padId: 0, rng: new Rng(3) }),
    3,
  );
  return (c.batch * newTokens) / (ms / 1000);
}

export { parameterCount };
