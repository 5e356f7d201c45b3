// Next-token pretraining on the arithmetic world's corpus — how the base model of every later stage is made.
//   loss = mean over predicted positions of −log p(x_{t+1} | x_≤t)
// AdamW with warmup + cosine decay and global-norm clipping. The batch at step i is a pure function of
// (seed, i) — documents from the stream `seed/data/step<i>` — so a resumed run sees exactly the data an
// uninterrupted one would, and the same seed gives byte-identical metrics and weights. Held-out evaluation
// problems are excluded from the training data.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { InputError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import { defaultConfig, validateConfig, type ModelConfig } from '../model/config.ts';
import { Transformer } from '../model/transformer.ts';
import { linearFor, validatePrecision } from '../numerics/precision.ts';
import { heldOutKeys, makeCorpus, vocabSize, type CorpusMixInput, type ProblemKind } from '../world/index.ts';
import { makeBatch } from './batch.ts';
import { heldOutEval, type EvalSpec } from './eval.ts';
import { train, type Recipe, type TrainHooks, type TrainStep } from './trainer.ts';

export interface PretrainConfig extends Recipe {
  model: ModelConfig;
  seed: number;
  batchSize: number;
  /** Training sequence length (≤ model.maxSeqLen). */
  seqLen: number;
  /** Corpus mix (world/corpus.ts); {} is the default "internet". */
  mix: CorpusMixInput;
  eval: EvalSpec;
  /** Continued pretraining: start from this checkpoint (a path relative to the working directory or to the
   * repository root) instead of fresh weights; its model config must be `model`. */
  init?: string;
}

export const defaultPretrain: PretrainConfig = {
  model: { ...defaultConfig, vocabSize },
  seed: 0,
  steps: 3000,
  batchSize: 16,
  // Documents of the addition corpus are ≤ ~80 tokens; 64-token rows waste little and halve attention cost.
  seqLen: 64,
  lr: 3e-3,
  warmup: 50,
  minLrRatio: 0.1,
  weightDecay: 0.05,
  beta2: 0.99,
  gradClip: 1,
  // Miniature departure: the default base reads addition only (1–3 digits). A 100k-parameter model needs
  // ~2000 steps before direct 2-digit sums click; spreading it over five problem kinds takes several times longer.
  mix: { kinds: ['add'] },
  eval: { every: 500, kind: 'add', difficulty: 2, n: 100, maxNewTokens: 48 },
  precision: 'fp32',
  bf16Moments: false,
};

export function validatePretrain(c: PretrainConfig): PretrainConfig {
  const model = validateConfig(c.model);
  const bad = (s: string) => new InputError(`pretrain config: ${s}`);
  for (const k of ['steps', 'batchSize', 'seqLen', 'warmup'] as const)
    if (!Number.isInteger(c[k]) || c[k] < (k === 'warmup' ? 0 : 1))
      throw bad(`${k} must be a positive integer, got ${c[k]}`);
  if (c.decayStart !== undefined && !(c.decayStart >= 0 && c.decayStart <= 1))
    throw bad(`decayStart must be a fraction of the run in [0, 1], got ${c.decayStart}`);
  if (c.seqLen > model.maxSeqLen) throw bad(`seqLen ${c.seqLen} exceeds the model's maxSeqLen ${model.maxSeqLen}`);
  if (model.vocabSize !== vocabSize) throw bad(`model vocabSize ${model.vocabSize} ≠ the tokenizer's ${vocabSize}`);
  if (!(c.lr > 0)) throw bad(`lr must be > 0, got ${c.lr}`);
  // Run directories written before these fields existed trained in FP32 with FP32 moments.
  const precision = validatePrecision(c.precision ?? 'fp32', 'pretrain config: precision');
  const bf16Moments = c.bf16Moments ?? false;
  if (typeof bf16Moments !== 'boolean')
    throw bad(`bf16Moments must be true or false, got ${JSON.stringify(bf16Moments)}`);
  linearFor(precision, c.fp8Recipe); // validates the recipe overrides
  return { ...c, model, precision, bf16Moments };
}

/** Documents for step i: enough to fill the batch even if every document were the shortest possible. */
export function corpusBatch(
  c: Pick<PretrainConfig, 'seed' | 'batchSize' | 'seqLen' | 'mix'>,
  stream: Rng,
  exclude?: Set<string>,
) {
  const docs = makeCorpus(stream, c.batchSize * Math.ceil((c.seqLen + 1) / 16), c.mix, { exclude });
  return makeBatch(docs, c.batchSize, c.seqLen);
}

export async function pretrain(
  config: PretrainConfig,
  hooks: TrainHooks = {},
): Promise<{ model: Transformer; metrics: TrainStep[] }> {
  const c = validatePretrain(config);
  const exclude = heldOutKeys(c.eval.kind, c.eval.difficulty, c.eval.n);
  return train(
    {
      init: () => (c.init ? initFrom(c.init, c.model) : Transformer.init(c.model, new Rng(c.seed).child('init'))),
      modelConfig: c.model,
      recipe: c,
      batch: (step) => corpusBatch(c, new Rng(c.seed).child('data').child(`step${step}`), exclude),
      evaluation: { every: c.eval.every, run: (model) => heldOutEval(model, c.eval) },
      meta: { pretrain: { ...c, model: undefined } },
    },
    hooks,
  );
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The checkpoint continued pretraining starts from; its config must be the run's. */
function initFrom(dir: string, model: ModelConfig): Transformer {
  const path = existsSync(join(dir, 'config.json')) ? dir : resolve(REPO_ROOT, dir);
  const m = loadCheckpoint(path).model;
  if (JSON.stringify(m.config) !== JSON.stringify(model))
    throw new InputError(`pretrain: ${dir} has another model config than this run's (continued pretraining keeps it)`);
  return m;
}

/** The run config stored in a run directory, for `--resume` to reuse. */
export function readRunConfig(out: string): PretrainConfig {
  const path = join(out, 'config.json');
  if (!existsSync(path)) throw new InputError(`${path}: not found`);
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { model: ModelConfig; pretrain?: PretrainConfig };
  if (!raw.pretrain) throw new InputError(`${path}: not a pretraining run (no "pretrain" section)`);
  return { ...raw.pretrain, model: raw.model };
}
