// The one training loop: pretraining, supervised fine-tuning, the architecture experiments and FP8 training
// all run through `train`. One step i:
//   batch_i = data(i) → L = CE (+ λ/D·Σ_k L_MTP,k + Σ α·L_Bal where the config has them; model/objective.ts)
//   → ∇L → clip ‖∇‖ ≤ gradClip → AdamW at lr = warmupCosine(i) → (moments rounded to BF16) → b ← b ± γ (MoE bias)
// The batch is a pure function of the step, so a run resumed from a checkpoint (weights + AdamW moments) ends
// byte for byte where an uninterrupted one does. Evaluation runs every `evaluation.every` steps and after the last;
// metrics.jsonl gets one line per step. Sources: V3 §2.1.2, §2.2, §3.3 (objective, bias update, BF16
// moments); torch.optim.AdamW and clip_grad_norm_ (core/optim.ts).
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { backward, noGrad } from '../core/autograd.ts';
import { InputError } from '../core/errors.ts';
import { yieldToEventLoop } from '../core/yield.ts';
import { AdamW, clipGradNorm, warmupCosine, type AdamWConfig } from '../core/optim.ts';
import type { Tensor } from '../core/tensor.ts';
import { loadCheckpoint, readPinnedFile, saveCheckpoint, type CheckpointMeta } from '../model/checkpoint.ts';
import type { ModelConfig } from '../model/config.ts';
import { layerLoads, maxViolation, updateRoutingBias } from '../model/moe.ts';
import { trainingObjective } from '../model/objective.ts';
import type { Transformer } from '../model/transformer.ts';
import type { Fp8LinearRecipe } from '../numerics/fp8-linear.ts';
import { linearFor, roundTensorsToBF16, type Precision } from '../numerics/precision.ts';
import type { Batch } from './batch.ts';
import { MetricsLog } from './metrics.ts';
import { decodeMoments, encodeMoments } from './moments.ts';
import { writeLossPlot } from './plots.ts';

/** The optimisation recipe every stage shares. */
export interface Recipe {
  steps: number;
  lr: number;
  warmup: number;
  minLrRatio: number;
  /** Warmup-stable-decay: the share of the run after which the cosine decay starts (core/optim.ts); absent: right
   * after warmup. */
  decayStart?: number;
  weightDecay: number;
  beta2: number;
  gradClip: number;
  /** Arithmetic of the attention and FFN linear layers (numerics/precision.ts); master weights stay FP32. */
  precision: Precision;
  /** Round AdamW's moments m and v to BF16 after every step, as V3 stores them [V3 §3.3]. */
  bf16Moments: boolean;
  /** Overrides of the FP8 recipe (tile size, accumulator, …; numerics/fp8-linear.ts); ignored for fp32. */
  fp8Recipe?: Partial<Fp8LinearRecipe>;
}

/** One line of metrics.jsonl. The objective's parts appear only for models that have them (MTP, MoE). */
export interface TrainStep {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  /** Cumulative tokens that carried a loss. */
  tokens: number;
  /** Cross-entropy of the main model's next-token prediction (when the loss has other terms). */
  main?: number;
  /** λ/D · Σ_k CE_k of the MTP modules. */
  mtp?: number;
  /** Σ α·L_Bal over MoE layers. */
  balance?: number;
  /** Mean over the main model's MoE layers of this batch's MaxVio = (max load − mean load) / mean load. */
  maxVio?: number;
  /** What the run's evaluation returned, on evaluation steps. */
  eval?: Record<string, number>;
}

export interface TrainRun<E extends Record<string, number> = Record<string, number>> {
  /** The starting model (fresh weights or a loaded checkpoint); not called when resuming. */
  init: () => Transformer;
  /** When resuming, the checkpoint's model config must equal this one. */
  modelConfig?: ModelConfig;
  recipe: Recipe;
  /** The batch of step i: a pure function of i. */
  batch: (step: number) => Batch;
  /** Held-out evaluation, every `every` steps and after the last. */
  evaluation?: { every: number; run: (model: Transformer) => Promise<E> };
  /** Provenance saved in config.json beside the model config (the stage's own config). */
  meta: CheckpointMeta;
}

export interface TrainHooks {
  /** Run directory; written at checkpoints and at the end. */
  out?: string;
  /** Continue the run in `out` from its last checkpoint. */
  resume?: boolean;
  /** Checkpoint every N steps (and at the end). */
  checkpointEvery?: number;
  onStep?: (m: TrainStep) => void | Promise<void>;
  /** Stop after the current step; a checkpoint is written there, so `resume` continues exactly. */
  signal?: AbortSignal;
}

const OPT_FILE = 'optimizer.safetensors';

/** Thrown by multi-run work (experiments) after a run stopped by its signal has saved: the caller exits 130. */
export class RunInterrupted extends Error {
  override name = 'RunInterrupted';
  constructor() {
    super('interrupted');
  }
}

/** AdamW as every stage configures it: β1 = 0.9, ε = 1e-8. */
export const adamwFor = (r: Recipe): AdamWConfig => ({
  lr: r.lr,
  beta1: 0.9,
  beta2: r.beta2,
  eps: 1e-8,
  weightDecay: r.weightDecay,
});

/** Matrices decay; norms, biases and 1-D buffers do not (nanoGPT's `p.dim() >= 2`). */
export const decaysMatrices = (params: readonly Tensor[]) => (i: number) => params[i]!.ndim >= 2;

export async function train<E extends Record<string, number>>(
  run: TrainRun<E>,
  hooks: TrainHooks = {},
): Promise<{ model: Transformer; metrics: TrainStep[] }> {
  const r = run.recipe,
    out = hooks.out;
  const log = out ? new MetricsLog(join(out, 'metrics.jsonl')) : undefined;
  const metrics: TrainStep[] = [];
  let model: Transformer,
    opt: AdamW,
    start = 0,
    tokens = 0;
  if (hooks.resume) {
    if (!out) throw new InputError('resume needs a run directory');
    ({ model, opt, start, tokens } = resumeFrom(out, r));
    if (run.modelConfig && JSON.stringify(model.config) !== JSON.stringify(run.modelConfig)) {
      throw new InputError(
        `${out}: the checkpoint's model config differs from the requested one; resume with the same flags`,
      );
    }
    metrics.push(...(log!.truncateAfter(start) as unknown as TrainStep[]));
  } else {
    model = run.init();
    opt = new AdamW(model.parameters(), adamwFor(r));
    log?.reset();
  }
  model.linear = linearFor(r.precision, r.fp8Recipe);
  const params = model.parameters();
  const decays = decaysMatrices(params);
  const gamma = model.config.moe?.biasUpdateSpeed ?? 0;
  /** A checkpoint; the last one of a finished run keeps no optimizer moments (there is nothing left to resume). */
  const save = async (step: number, final: boolean) => {
    if (!out) return;
    // The moments are pinned in config.json with the weights: a directory is one consistent save or refused.
    const extra: Record<string, Uint8Array> = final ? {} : { [OPT_FILE]: await encodeMoments(params, opt.state) };
    await saveCheckpoint(out, model, { ...run.meta, step, tokens }, extra);
    if (final) rmSync(join(out, OPT_FILE), { force: true });
    writeLossPlot(join(out, 'loss.svg'), metrics);
  };

  for (let step = start; step < r.steps; step++) {
    const batch = run.batch(step);
    const obj = trainingObjective(model, batch.inputs, batch.targets);
    opt.zeroGrad();
    backward(obj.loss);
    const gradNorm = await clipGradNorm(params, r.gradClip);
    const lr = warmupCosine(
      {
        lr: r.lr,
        warmup: r.warmup,
        total: r.steps,
        minRatio: r.minLrRatio,
        decayFrom: Math.round((r.decayStart ?? 0) * r.steps),
      },
      step,
    );
    noGrad(() => opt.step(lr, decays));
    if (r.bf16Moments) {
      roundTensorsToBF16(opt.state.m);
      roundTensorsToBF16(opt.state.v);
    }
    updateRoutingBias(model.params, obj.routing, gamma);
    tokens += batch.tokens;
    const m: TrainStep = { step: step + 1, loss: await obj.loss.item(), lr, gradNorm, tokens };
    if (obj.mtp || obj.balance || obj.routing.length) m.main = await obj.main.item();
    if (obj.mtp) m.mtp = await obj.mtp.item();
    if (obj.balance) m.balance = await obj.balance.item();
    const loads = [...layerLoads(obj.routing).entries()].filter(([l]) => l < model.config.nLayers);
    if (loads.length) {
      let v = 0;
      for (const [, load] of loads) v += maxViolation(await load.data());
      m.maxVio = v / loads.length;
    }
    const last = step + 1 === r.steps;
    if (run.evaluation && ((step + 1) % run.evaluation.every === 0 || last)) m.eval = await run.evaluation.run(model);
    metrics.push(m);
    log?.append(m);
    await hooks.onStep?.(m);
    await yieldToEventLoop();
    // An interrupted run saves where it stopped and evaluates nothing extra, so resuming it reproduces the
    // uninterrupted run's files exactly.
    const stop = Boolean(hooks.signal?.aborted);
    if (last || stop || (hooks.checkpointEvery && (step + 1) % hooks.checkpointEvery === 0)) await save(step + 1, last);
    if (stop) break;
  }
  return { model, metrics };
}

function resumeFrom(out: string, r: Recipe): { model: Transformer; opt: AdamW; start: number; tokens: number } {
  const { model, meta } = loadCheckpoint(out);
  const start = Number(meta.step);
  if (!Number.isInteger(start) || start < 0)
    throw new InputError(`${join(out, 'config.json')}: no valid "step" to resume from`);
  const tokens = Number(meta.tokens ?? 0);
  const params = model.parameters();
  // A finished run keeps no moments: resuming it has nothing left to do.
  if (start >= r.steps) return { model, opt: new AdamW(params, adamwFor(r)), start, tokens };
  const optPath = join(out, OPT_FILE);
  if (!existsSync(optPath)) throw new InputError(`${optPath}: not found, cannot resume the optimizer`);
  const opt = new AdamW(params, adamwFor(r), decodeMoments(readPinnedFile(out, OPT_FILE), params, start, optPath));
  return { model, opt, start, tokens };
}
