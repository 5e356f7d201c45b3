// Next-token pretraining on the arithmetic world's corpus — how the base model of every later stage is made.
//   loss = mean over predicted positions of −log p(x_{t+1} | x_≤t)
// AdamW with warmup + cosine decay and global-norm clipping. The batch at step i is a pure function of
// (seed, i) — documents from the stream `seed/data/step<i>` — so a resumed run sees exactly the data an
// uninterrupted one would, and the same seed gives byte-identical metrics and weights. Held-out evaluation
// problems are excluded from the training data.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backward, noGrad } from '../core/autograd.ts';
import { InputError } from '../core/errors.ts';
import { crossEntropy } from '../core/ops/index.ts';
import { AdamW, clipGradNorm, warmupCosine } from '../core/optim.ts';
import { Rng } from '../core/rng.ts';
import { tensor } from '../core/tensor.ts';
import { loadCheckpoint, saveCheckpoint, toSafeTensors } from '../model/checkpoint.ts';
import { defaultConfig, validateConfig, type ModelConfig } from '../model/config.ts';
import { loadSafetensors, saveSafetensors } from '../model/safetensors.ts';
import { Transformer } from '../model/transformer.ts';
import type { Fp8LinearRecipe } from '../numerics/fp8-linear.ts';
import { linearFor, roundTensorsToBF16, validatePrecision, type Precision } from '../numerics/precision.ts';
import { heldOutKeys, heldOutSet, makeCorpus, vocabSize, type CorpusMixInput, type ProblemKind } from '../world/index.ts';
import { makeBatch } from './batch.ts';
import { evaluate, type EvalResult } from './evaluate.ts';
import { MetricsLog } from './metrics.ts';
import { writeLossPlot } from './plots.ts';

export interface EvalSpec {
  every: number;
  kind: ProblemKind;
  difficulty: number;
  n: number;
  maxNewTokens: number;
}

export interface PretrainConfig {
  model: ModelConfig;
  seed: number;
  steps: number;
  batchSize: number;
  /** Training sequence length (≤ model.maxSeqLen). */
  seqLen: number;
  lr: number;
  warmup: number;
  minLrRatio: number;
  weightDecay: number;
  beta2: number;
  gradClip: number;
  /** Corpus mix (world/corpus.ts); {} is the default "internet". */
  mix: CorpusMixInput;
  eval: EvalSpec;
  /** Arithmetic of the attention and FFN linear layers (numerics/precision.ts); master weights stay FP32. */
  precision: Precision;
  /** Round AdamW's moments m and v to BF16 after every step, as V3 stores them [V3 §3.3]. */
  bf16Moments: boolean;
  /** Overrides of the FP8 recipe (tile size, accumulator, …; numerics/fp8-linear.ts); ignored for fp32. */
  fp8Recipe?: Partial<Fp8LinearRecipe>;
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

export interface StepMetrics {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  /** Cumulative tokens that carried a loss. */
  tokens: number;
  eval?: { accuracy: number; formatRate: number; meanLength: number; meanThinkLength: number; truncatedRate: number };
}

export interface PretrainHooks {
  /** Run directory; written at checkpoints and at the end. */
  out?: string;
  /** Continue the run in `out` from its last checkpoint. */
  resume?: boolean;
  /** Checkpoint every N steps (and at the end). */
  checkpointEvery?: number;
  onStep?: (m: StepMetrics) => void | Promise<void>;
  onEval?: (step: number, r: EvalResult) => void;
  /** Stop after the current step; the last checkpoint stays valid. */
  signal?: AbortSignal;
}

export function validatePretrain(c: PretrainConfig): PretrainConfig {
  const model = validateConfig(c.model);
  const bad = (s: string) => new InputError(`pretrain config: ${s}`);
  for (const k of ['steps', 'batchSize', 'seqLen', 'warmup'] as const) if (!Number.isInteger(c[k]) || c[k] < (k === 'warmup' ? 0 : 1)) throw bad(`${k} must be a positive integer, got ${c[k]}`);
  if (c.seqLen > model.maxSeqLen) throw bad(`seqLen ${c.seqLen} exceeds the model's maxSeqLen ${model.maxSeqLen}`);
  if (model.vocabSize !== vocabSize) throw bad(`model vocabSize ${model.vocabSize} ≠ the tokenizer's ${vocabSize}`);
  if (!(c.lr > 0)) throw bad(`lr must be > 0, got ${c.lr}`);
  // Run directories written before these fields existed trained in FP32 with FP32 moments.
  const precision = validatePrecision(c.precision ?? 'fp32', 'pretrain config: precision');
  const bf16Moments = c.bf16Moments ?? false;
  if (typeof bf16Moments !== 'boolean') throw bad(`bf16Moments must be true or false, got ${JSON.stringify(bf16Moments)}`);
  linearFor(precision, c.fp8Recipe); // validates the recipe overrides
  return { ...c, model, precision, bf16Moments };
}

/** Documents for step i: enough to fill the batch even if every document were the shortest possible. */
function docsForStep(c: PretrainConfig, step: number, exclude: Set<string>): string[] {
  const perRow = Math.ceil((c.seqLen + 1) / 16);
  return makeCorpus(new Rng(c.seed).child('data').child(`step${step}`), c.batchSize * perRow, c.mix, { exclude });
}

const OPT_FILE = 'optimizer.safetensors';

export async function pretrain(config: PretrainConfig, hooks: PretrainHooks = {}): Promise<{ model: Transformer; metrics: StepMetrics[] }> {
  const c = validatePretrain(config);
  const { out } = hooks;
  let model: Transformer;
  let opt: AdamW;
  let start = 0;
  let tokens = 0;
  const log = out ? new MetricsLog(join(out, 'metrics.jsonl')) : undefined;
  const metrics: StepMetrics[] = [];
  if (hooks.resume) {
    if (!out) throw new InputError('resume needs a run directory');
    ({ model, opt, start, tokens } = resumeFrom(out, c));
    metrics.push(...(log!.truncateAfter(start) as unknown as StepMetrics[]));
  } else {
    model = Transformer.init(c.model, new Rng(c.seed).child('init'));
    opt = new AdamW(model.parameters(), { lr: c.lr, beta1: 0.9, beta2: c.beta2, eps: 1e-8, weightDecay: c.weightDecay });
    log?.reset();
  }
  model.linear = linearFor(c.precision, c.fp8Recipe);
  const evalSet = heldOutSet(c.eval.kind, c.eval.difficulty, c.eval.n);
  const exclude = heldOutKeys(c.eval.kind, c.eval.difficulty, c.eval.n);
  const params = model.parameters();
  const decays = params.map((p) => p.ndim >= 2); // matrices decay; norms do not
  const save = (step: number) => {
    if (!out) return;
    saveSafetensors(join(out, OPT_FILE), toSafeTensors(params.flatMap((p, i) => [[`m.${p.name}`, opt.state.m[i]!], [`v.${p.name}`, opt.state.v[i]!]] as [string, typeof p][])));
    saveCheckpoint(out, model, { pretrain: { ...c, model: undefined }, step, tokens });
    writeLossPlot(join(out, 'loss.svg'), metrics);
  };

  for (let step = start; step < c.steps; step++) {
    const batch = makeBatch(docsForStep(c, step, exclude), c.batchSize, c.seqLen);
    const loss = crossEntropy(model.forward(batch.inputs), batch.targets);
    opt.zeroGrad();
    backward(loss);
    const gradNorm = await clipGradNorm(params, c.gradClip);
    const lr = warmupCosine({ lr: c.lr, warmup: c.warmup, total: c.steps, minRatio: c.minLrRatio }, step);
    noGrad(() => opt.step(lr, (i) => decays[i]!));
    if (c.bf16Moments) {
      roundTensorsToBF16(opt.state.m);
      roundTensorsToBF16(opt.state.v);
    }
    tokens += batch.tokens;
    const m: StepMetrics = { step: step + 1, loss: await loss.item(), lr, gradNorm, tokens };
    const last = step + 1 === c.steps || hooks.signal?.aborted;
    if ((step + 1) % c.eval.every === 0 || last) {
      const r = await evaluate(model, evalSet, { maxNewTokens: c.eval.maxNewTokens, seed: c.seed });
      m.eval = { accuracy: r.accuracy, formatRate: r.formatRate, meanLength: r.meanLength, meanThinkLength: r.meanThinkLength, truncatedRate: r.truncatedRate };
      hooks.onEval?.(step + 1, r);
    }
    metrics.push(m);
    log?.append(m);
    await hooks.onStep?.(m);
    if (last || (hooks.checkpointEvery && (step + 1) % hooks.checkpointEvery === 0)) save(step + 1);
    if (hooks.signal?.aborted) break;
  }
  return { model, metrics };
}

function resumeFrom(out: string, c: PretrainConfig): { model: Transformer; opt: AdamW; start: number; tokens: number } {
  const { model, meta } = loadCheckpoint(out);
  const start = Number(meta.step);
  if (!Number.isInteger(start) || start < 0) throw new InputError(`${join(out, 'config.json')}: no valid "step" to resume from`);
  if (JSON.stringify(model.config) !== JSON.stringify(c.model)) throw new InputError(`${out}: the checkpoint's model config differs from the requested one; resume with the same flags`);
  const optPath = join(out, OPT_FILE);
  if (!existsSync(optPath)) throw new InputError(`${optPath}: not found, cannot resume the optimizer`);
  const { tensors } = loadSafetensors(optPath);
  const params = model.parameters();
  const moment = (key: string, shape: readonly number[]) => {
    const t = tensors[key];
    if (!t || t.shape.join() !== shape.join()) throw new InputError(`${optPath}: missing or misshaped ${key}`);
    return tensor(t.data as Float32Array, shape);
  };
  const opt = new AdamW(params, { lr: c.lr, beta1: 0.9, beta2: c.beta2, eps: 1e-8, weightDecay: c.weightDecay }, {
    step: start,
    m: params.map((p) => moment(`m.${p.name}`, p.shape)),
    v: params.map((p) => moment(`v.${p.name}`, p.shape)),
  });
  return { model, opt, start, tokens: Number(meta.tokens ?? 0) };
}

/** The run config stored in a run directory, for `--resume` to reuse. */
export function readRunConfig(out: string): PretrainConfig {
  const path = join(out, 'config.json');
  if (!existsSync(path)) throw new InputError(`${path}: not found`);
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { model: ModelConfig; pretrain?: PretrainConfig };
  if (!raw.pretrain) throw new InputError(`${path}: not a pretraining run (no "pretrain" section)`);
  return { ...raw.pretrain, model: raw.model };
}
