// Supervised fine-tuning: continue training a checkpoint on prompt–completion records (sft-data.ts) with the
// loss on completion tokens only,
//   L = − Σ_i Σ_{t ∈ completion_i} log p(x_{i,t} | x_{i,<t}) / Σ_i |completion_i|
// (prompt tokens are context, never targets: TRL's completion-only loss). One record per row, right-padded to
// the batch's longest row; padding and prompt positions get target −1, which the loss ignores. Records are
// visited epoch by epoch in a fresh seeded order (stream seed/sft/epoch<e>), so the batch of step i is a pure
// function of (seed, i) and a resumed run equals an uninterrupted one. Everything else — AdamW, clipping,
// warmup + cosine, evaluation, checkpoints — is the one training loop (trainer.ts). It is how R1's cold start,
// rejection-sampling SFT and distillation train (R1 §2.3.1, §2.3.3, §2.4).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import { intTensor } from '../core/tensor.ts';
import { loadCheckpoint, readCheckpointConfig } from '../model/checkpoint.ts';
import { PAD_ID } from '../world/index.ts';
import type { Batch } from './batch.ts';
import { heldOutEval, type EvalSpec } from './eval.ts';
import { readSftFile, type SftExample } from './sft-data.ts';
import { train, type Recipe, type TrainHooks, type TrainStep } from './trainer.ts';
import type { Transformer } from '../model/transformer.ts';

export interface SftConfig extends Recipe {
  /** The checkpoint fine-tuning starts from. */
  base: string;
  /** Prompt–completion JSONL. */
  data: string;
  seed: number;
  /** Records per step. */
  batchSize: number;
  eval: EvalSpec;
}

/** Defaults for the arithmetic world's small models; `steps` is usually set from epochs (stepsForEpochs). */
export const defaultSft: Omit<SftConfig, 'base' | 'data'> = {
  seed: 0,
  steps: 100,
  batchSize: 16,
  lr: 1e-3,
  warmup: 10,
  minLrRatio: 0.1,
  weightDecay: 0.05,
  beta2: 0.99,
  gradClip: 1,
  precision: 'fp32',
  bf16Moments: false,
  eval: { every: 50, kind: 'add', difficulty: 2, n: 100, maxNewTokens: 48 },
};

/** Steps that visit every record `epochs` times. */
export const stepsForEpochs = (records: number, batchSize: number, epochs: number): number =>
  Math.max(1, Math.ceil((epochs * records) / batchSize));

/** Record indices of step i's batch: positions i·B … i·B + B − 1 of the epoch-by-epoch shuffled order. */
export function sftOrder(n: number, batchSize: number, seed: number, step: number): number[] {
  const perms = new Map<number, number[]>();
  const perm = (e: number) => {
    if (!perms.has(e))
      perms.set(
        e,
        new Rng(seed)
          .child('sft')
          .child(`epoch${e}`)
          .shuffle(Array.from({ length: n }, (_, i) => i)),
      );
    return perms.get(e)!;
  };
  return Array.from({ length: batchSize }, (_, k) => {
    const q = step * batchSize + k;
    return perm(Math.floor(q / n))[q % n]!;
  });
}

/** Rows of prompt ++ completion, right-padded; targets only on completion tokens (−1 elsewhere). */
export function sftBatch(examples: readonly SftExample[]): Batch {
  const B = examples.length;
  const T = Math.max(...examples.map((e) => e.prompt.length + e.completion.length)) - 1;
  const inputs = new Int32Array(B * T).fill(PAD_ID),
    targets = new Int32Array(B * T).fill(-1);
  let tokens = 0;
  examples.forEach((e, b) => {
    const seq = [...e.prompt, ...e.completion];
    for (let t = 0; t + 1 < seq.length; t++) {
      inputs[b * T + t] = seq[t]!;
      if (t + 1 >= e.prompt.length) {
        targets[b * T + t] = seq[t + 1]!; // predicts a completion token
        tokens++;
      }
    }
  });
  return { inputs: intTensor(inputs, [B, T]), targets: intTensor(targets, [B, T]), tokens };
}

export function validateSft(c: SftConfig): void {
  const bad = (s: string) => new InputError(`sft config: ${s}`);
  for (const k of ['steps', 'batchSize', 'warmup'] as const)
    if (!Number.isInteger(c[k]) || c[k] < (k === 'warmup' ? 0 : 1))
      throw bad(`${k} must be a positive integer, got ${c[k]}`);
  if (!(c.lr > 0)) throw bad(`lr must be > 0, got ${c.lr}`);
  if (!(c.eval.every >= 1)) throw bad(`eval.every must be ≥ 1, got ${c.eval.every}`);
}

export type HeldOutScores = Awaited<ReturnType<typeof heldOutEval>>;

/**
 * Fine-tune `c.base` on `c.data`. Data and base are read and checked before anything is written. `before` is
 * the base's held-out evaluation (stored in config.json, so a resumed run reports it too).
 */
export async function sft(
  c: SftConfig,
  hooks: TrainHooks = {},
): Promise<{ model: Transformer; metrics: TrainStep[]; before: HeldOutScores }> {
  validateSft(c);
  const { config: model } = readCheckpointConfig(c.base);
  const { examples } = readSftFile(c.data, model.maxSeqLen);
  const before =
    hooks.resume && hooks.out
      ? readSftRun(hooks.out).before
      : await heldOutEval(loadCheckpoint(c.base, { requiresGrad: false }).model, c.eval);
  const run = await train(
    {
      init: () => loadCheckpoint(c.base).model,
      modelConfig: model,
      recipe: c,
      batch: (step) => sftBatch(sftOrder(examples.length, c.batchSize, c.seed, step).map((i) => examples[i]!)),
      evaluation: { every: c.eval.every, run: (m) => heldOutEval(m, c.eval) },
      meta: { sft: c, before },
    },
    hooks,
  );
  return { ...run, before };
}

/** The SFT config and base scores stored in a run directory, for `--resume`. */
export function readSftRun(out: string): { config: SftConfig; before: HeldOutScores } {
  const path = join(out, 'config.json');
  if (!existsSync(path)) throw new InputError(`${path}: not found (nothing to resume)`);
  let raw: { sft?: SftConfig; before?: HeldOutScores };
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as typeof raw;
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (!raw.sft || !raw.before) throw new InputError(`${path}: not an SFT run (no "sft" section)`);
  return { config: raw.sft, before: raw.before };
}
