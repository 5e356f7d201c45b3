// The training preset of the architecture experiments (moe-balance, mla-cache, mtp, moe-vs-dense): the one
// training loop (train/trainer.ts) with DeepSeek-V3's whole objective, L = CE + λ/D·Σ L_MTP + Σ α·L_Bal, and the
// auxiliary-loss-free bias update after each step, on the default corpus. The batch at step i comes from stream
// seed/data/step<i>; held-out batches from seed/heldout/batch<i>, which training never reads.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../core/rng.ts';
import { validateConfig, type ModelConfig } from '../model/config.ts';
import { Transformer } from '../model/transformer.ts';
import type { Batch } from '../train/batch.ts';
import { nextTokenEval } from '../train/eval.ts';
import { corpusBatch } from '../train/pretrain.ts';
import { RunInterrupted, train, type Recipe, type TrainStep } from '../train/trainer.ts';
import type { ExperimentHooks } from './arch-report.ts';
import { vocabSize, type CorpusMixInput } from '../world/index.ts';

export interface ArchTrainConfig extends Recipe {
  model: ModelConfig;
  seed: number;
  batchSize: number;
  seqLen: number;
  mix: CorpusMixInput;
}

export interface HeldOut {
  loss: number;
  accuracy: number;
  tokens: number;
}

/** A small config in the world's vocabulary: the base the four experiments vary. */
export function smallModel(over: Partial<ModelConfig> = {}): ModelConfig {
  return validateConfig({
    vocabSize,
    dModel: 64,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 4,
    dFF: 192,
    maxSeqLen: 128,
    normEps: 1e-6,
    tieEmbeddings: true,
    initStd: 0.02,
    ...over,
  });
}

export function archTrainDefaults(model: ModelConfig, steps: number, seed: number): ArchTrainConfig {
  return {
    model,
    seed,
    steps,
    batchSize: 8,
    seqLen: 64,
    lr: 3e-3,
    warmup: Math.min(30, Math.floor(steps / 10)),
    minLrRatio: 0.1,
    weightDecay: 0.05,
    beta2: 0.99,
    gradClip: 1,
    mix: {},
    precision: 'fp32',
    bf16Moments: false,
  };
}

/** The main model's next-token loss of a step (the whole loss when there is no MTP or balance term). */
export const mainLoss = (s: TrainStep): number => s.main ?? s.loss;

/**
 * Train a fresh model (init stream seed/init, so equal configs start from equal weights). With `hooks.out` the run
 * keeps a resumable directory <out>/<name>; when `hooks.signal` aborts it saves there and throws RunInterrupted.
 */
export async function trainArch(
  c: ArchTrainConfig,
  onStep?: (s: TrainStep) => void | Promise<void>,
  hooks: ExperimentHooks = {},
  name = 'run',
): Promise<{ model: Transformer; steps: TrainStep[] }> {
  const out = hooks.out === undefined ? undefined : join(hooks.out, name);
  const { model, metrics } = await train(
    {
      init: () => Transformer.init(c.model, new Rng(c.seed).child('init')),
      recipe: c,
      batch: (step) => corpusBatch(c, new Rng(c.seed).child('data').child(`step${step}`)),
      modelConfig: c.model,
      meta: { arch: { ...c, model: undefined } },
    },
    { onStep, out, resume: Boolean(hooks.resume && out && existsSync(join(out, 'config.json'))), signal: hooks.signal },
  );
  if (hooks.signal?.aborted) throw new RunInterrupted();
  return { model, steps: metrics };
}

/** Held-out batch i: documents from stream seed/heldout/batch<i>, which training never reads. */
export const heldOutBatch = (c: ArchTrainConfig, i: number): Batch =>
  corpusBatch(c, new Rng(c.seed).child('heldout').child(`batch${i}`));

/** Next-token loss and accuracy on `batches` held-out batches. */
export function heldOut(model: Transformer, c: ArchTrainConfig, batches = 8): Promise<HeldOut> {
  return nextTokenEval(
    model,
    Array.from({ length: batches }, (_, i) => heldOutBatch(c, i)),
  );
}
