// The training loop of the architecture experiments (moe-balance, mla-cache, mtp, moe-vs-dense): pretraining as in
// src/train/pretrain.ts (same corpus, packing and schedule; the batch at step i drawn from stream seed/data/step<i>)
// but with DeepSeek-V3's whole objective, L = CE + λ/D·Σ L_MTP + Σ α·L_Bal (model/objective.ts), and after each
// optimizer step the auxiliary-loss-free bias update b_i ← b_i ± γ (model/moe.ts). Each step records the loss
// parts and the expert-load imbalance MaxVio = (max load − mean load)/mean load, averaged over the MoE layers.
// Held-out evaluation: next-token loss and accuracy on documents from a stream training never reads.
import { backward, noGrad } from '../core/autograd.ts';
import { AdamW, clipGradNorm, warmupCosine } from '../core/optim.ts';
import { Rng } from '../core/rng.ts';
import { validateConfig, type ModelConfig } from '../model/config.ts';
import { layerLoads, maxViolation, updateRoutingBias } from '../model/moe.ts';
import { trainingObjective } from '../model/objective.ts';
import { Transformer } from '../model/transformer.ts';
import { makeBatch, type Batch } from '../train/batch.ts';
import { makeCorpus, vocabSize, type CorpusMixInput } from '../world/index.ts';

export interface ArchTrainConfig {
  model: ModelConfig;
  seed: number;
  steps: number;
  batchSize: number;
  seqLen: number;
  lr: number;
  warmup: number;
  minLrRatio: number;
  weightDecay: number;
  gradClip: number;
  mix: CorpusMixInput;
}

export interface ArchStep {
  step: number;
  loss: number;
  /** Next-token cross-entropy of the main model. */
  main: number;
  mtp?: number;
  balance?: number;
  /** Mean over MoE layers of this batch's MaxVio. */
  maxVio?: number;
  lr: number;
}

export interface HeldOut {
  loss: number;
  accuracy: number;
  tokens: number;
}

/** A small config in the world's vocabulary: the base the four experiments vary. */
export function smallModel(over: Partial<ModelConfig> = {}): ModelConfig {
  return validateConfig({ vocabSize, dModel: 64, nLayers: 2, nHeads: 4, nKvHeads: 4, dFF: 192, maxSeqLen: 128, normEps: 1e-6, tieEmbeddings: true, initStd: 0.02, ...over });
}

export function archTrainDefaults(model: ModelConfig, steps: number, seed: number): ArchTrainConfig {
  return { model, seed, steps, batchSize: 8, seqLen: 64, lr: 3e-3, warmup: Math.min(30, Math.floor(steps / 10)), minLrRatio: 0.1, weightDecay: 0.05, gradClip: 1, mix: {} };
}

function docsFor(rng: Rng, c: ArchTrainConfig): string[] {
  return makeCorpus(rng, c.batchSize * Math.ceil((c.seqLen + 1) / 16), c.mix);
}

/** Train a fresh model (init stream seed/init, so equal configs start from equal weights). */
export async function trainArch(c: ArchTrainConfig, onStep?: (s: ArchStep) => void | Promise<void>): Promise<{ model: Transformer; steps: ArchStep[] }> {
  const model = Transformer.init(c.model, new Rng(c.seed).child('init'));
  const params = model.parameters();
  const decays = params.map((p) => p.ndim >= 2);
  const opt = new AdamW(params, { lr: c.lr, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: c.weightDecay });
  const gamma = c.model.moe?.biasUpdateSpeed ?? 0;
  const steps: ArchStep[] = [];
  for (let step = 0; step < c.steps; step++) {
    const batch = makeBatch(docsFor(new Rng(c.seed).child('data').child(`step${step}`), c), c.batchSize, c.seqLen);
    const obj = trainingObjective(model, batch.inputs, batch.targets);
    opt.zeroGrad();
    backward(obj.loss);
    await clipGradNorm(params, c.gradClip);
    const lr = warmupCosine({ lr: c.lr, warmup: c.warmup, total: c.steps, minRatio: c.minLrRatio }, step);
    noGrad(() => opt.step(lr, (i) => decays[i]!));
    updateRoutingBias(model.params, obj.routing, gamma);
    const s: ArchStep = { step: step + 1, loss: await obj.loss.item(), main: await obj.main.item(), lr };
    if (obj.mtp) s.mtp = await obj.mtp.item();
    if (obj.balance) s.balance = await obj.balance.item();
    const loads = [...layerLoads(obj.routing).entries()].filter(([l]) => l < c.model.nLayers); // main-model layers
    if (loads.length) {
      let v = 0;
      for (const [, load] of loads) v += maxViolation(await load.data());
      s.maxVio = v / loads.length;
    }
    steps.push(s);
    await onStep?.(s);
  }
  return { model, steps };
}

/** Held-out batch i: documents from stream seed/heldout/batch<i>, which training never reads. */
export const heldOutBatch = (c: ArchTrainConfig, i: number): Batch => makeBatch(docsFor(new Rng(c.seed).child('heldout').child(`batch${i}`), c), c.batchSize, c.seqLen);

/** Next-token loss and accuracy on `batches` held-out batches. */
export async function heldOut(model: Transformer, c: ArchTrainConfig, batches = 8): Promise<HeldOut> {
  let lossSum = 0, right = 0, tokens = 0;
  for (let i = 0; i < batches; i++) {
    const batch = heldOutBatch(c, i);
    const logits = noGrad(() => model.forward(batch.inputs));
    const [z, y] = [await logits.data(), await batch.targets.data()];
    const V = model.config.vocabSize;
    for (let r = 0; r < y.length; r++) {
      if (y[r]! < 0) continue;
      let max = -Infinity, arg = 0;
      for (let v = 0; v < V; v++) if (z[r * V + v]! > max) (max = z[r * V + v]!), (arg = v);
      let sum = 0;
      for (let v = 0; v < V; v++) sum += Math.exp(z[r * V + v]! - max);
      lossSum += Math.log(sum) + max - z[r * V + y[r]!]!;
      right += arg === y[r] ? 1 : 0;
      tokens++;
    }
  }
  return { loss: lossSum / tokens, accuracy: right / tokens, tokens };
}
