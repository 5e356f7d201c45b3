// Reward models: a scalar head on the transformer read at step-separator positions (scored-steps.ts), trained
// with binary cross-entropy,
//   s_i = σ(w · RMSNorm(h_{pos_i}) + a · ℓ_{pos_i}),   L = − mean_i [ y_i log s_i + (1 − y_i) log(1 − s_i) ]
// ℓ_t is the mean log-probability, under the frozen starting LM π_ref, of the tokens of the value that ends at t
// (the run of completion tokens up to t after the last space or '='; "12" of "7+5=12"): the implicit-PRM
// signal of PRIME (reference §1.1), with one learned weight a. π_ref is frozen because the trunk's own LM head
// drifts as BCE fine-tunes it. The
// miniature needs it: a 2-layer trunk fine-tuned for a few hundred steps does not learn to compare a written
// digit with the one it expected, while its LM head already knows which digit it expected.
// with y_i a Math-Shepherd label (soft or hard), the exact oracle, or — for an ORM — the outcome at the last
// position only (the same head; Cobbe et al.'s verifier). The trunk + head is PPO's RewardModel (rl/ppo.ts),
// initialised from a policy checkpoint (Math-Shepherd and TRL start the PRM from an LM). One training sequence
// holds all of a trace's labels: causal attention keeps every read from seeing later steps (the leak
// openai/prm800k#3 avoids by one sequence per prefix). A reward-model directory is a checkpoint (the trunk)
// plus `rm_head.safetensors`, pinned in config.json like every other file.
import { backward, noGrad } from '../core/autograd.ts';
import { InputError } from '../core/errors.ts';
import { add, addScalar, exp, linearT, log, mul, reshape, rmsNorm, sub, sum } from '../core/ops/index.ts';
import { AdamW, clipGradNorm, warmupCosine } from '../core/optim.ts';
import { Rng } from '../core/rng.ts';
import { intTensor, tensor, zeros, type Tensor } from '../core/tensor.ts';
import { forwardFlops, trainingFlops, type ComputeLedger } from '../cost/ledger.ts';
import { loadCheckpoint, readPinnedFile, saveCheckpoint } from '../model/checkpoint.ts';
import { decodeSafetensors, encodeSafetensors } from '../model/safetensors.ts';
import { paramsFromTensors, toSafeTensors } from '../model/weights.ts';
import { Transformer } from '../model/transformer.ts';
import { decaysMatrices } from '../train/trainer.ts';
import { PAD_ID, THINK_ID, tokenId } from '../world/index.ts';

export const HEAD_FILE = 'rm_head.safetensors',
  REFERENCE_FILE = 'rm_reference.safetensors';

const SPACE_ID = tokenId(' '),
  EQUALS_ID = tokenId('=');

/** The trunk, the head w and the log-probability weight a. */
export class RewardModel {
  readonly head: Tensor;
  readonly logpWeight: Tensor;

  constructor(
    readonly trunk: Transformer,
    /** π_ref: the frozen LM that ℓ is read from. */
    readonly reference: Transformer,
    head?: Tensor,
    logpWeight?: Tensor,
    requiresGrad = true,
  ) {
    // A zero head and a = 1: a fresh model scores a step by the LM's own confidence in it, σ(ℓ); training moves
    // both (a single scalar would crawl at Adam's per-step size from 0).
    this.head = head ?? zeros([1, trunk.config.dModel], { requiresGrad });
    this.head.name = 'v_head.weight';
    this.logpWeight = logpWeight ?? tensor([1], [1], { requiresGrad });
    this.logpWeight.name = 'rm_logp.weight';
  }

  parameters(): Tensor[] {
    return [...this.trunk.parameters(), this.head, this.logpWeight];
  }

  /** ids [B·T] (rows right-padded, each starting with the prompt) → score logits z [B, T] at every position
   * (with a graph when `grad`). */
  async logits(ids: Int32Array, B: number, T: number, grad = true): Promise<Tensor> {
    const run = <X>(f: () => X): X => (grad ? f() : noGrad(f));
    const h = run(() => this.trunk.hidden(intTensor(ids, [B, T])));
    const lm = await noGrad(() => this.reference.forward(intTensor(ids, [B, T]))).data();
    const ell = stepLogProbs(ids, lm, B, T, this.trunk.config.vocabSize);
    return run(() =>
      add(
        reshape(linearT(rmsNorm(h, this.trunk.p('model.norm.weight'), this.trunk.config.normEps), this.head), [B, T]),
        mul(tensor(ell, [B, T], { dtype: h.dtype, backend: h.backend }), this.logpWeight),
      ),
    );
  }
}

/** ℓ_t for every position: mean log p(x_s | x_<s) over the completion tokens s of the run ending at t that
 * follows the last space or '='. */
function stepLogProbs(ids: Int32Array, z: ArrayLike<number>, B: number, T: number, V: number): Float32Array {
  const out = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    const start = ids.subarray(b * T, b * T + T).indexOf(THINK_ID) + 1; // the completion's first token
    let sum = 0,
      n = 0;
    for (let t = Math.max(1, start); t < T; t++) {
      const id = ids[b * T + t]!;
      if (id === SPACE_ID || id === EQUALS_ID || id === PAD_ID) {
        sum = 0;
        n = 0;
        continue;
      }
      const row = (b * T + t - 1) * V;
      let mx = -Infinity;
      for (let v = 0; v < V; v++) mx = Math.max(mx, z[row + v]!);
      let se = 0;
      for (let v = 0; v < V; v++) se += Math.exp(z[row + v]! - mx);
      sum += z[row + id]! - mx - Math.log(se);
      n++;
      out[b * T + t] = sum / n;
    }
  }
  return out;
}

/** One training sequence: prompt ++ completion ids, the absolute positions read, and their targets in [0, 1]. */
export interface RmExample {
  ids: number[];
  positions: number[];
  labels: number[];
}

export interface RmTrainOptions {
  steps: number;
  batchSize: number;
  lr: number;
  seed: number;
  ledger?: { book: ComputeLedger; phase: string };
  onStep?: (step: number, loss: number) => void | Promise<void>;
}

export const RM_TRAIN_DEFAULTS = { steps: 150, batchSize: 16, lr: 1e-3 } as const;

/** Right-padded rows, per-position BCE weights (1/labels in the batch) and targets. */
function rmBatch(examples: readonly RmExample[]) {
  const B = examples.length,
    T = Math.max(...examples.map((e) => e.ids.length));
  const ids = new Int32Array(B * T).fill(PAD_ID),
    w = new Float32Array(B * T),
    y = new Float32Array(B * T);
  const count = examples.reduce((a, e) => a + e.positions.length, 0);
  examples.forEach((e, b) => {
    ids.set(e.ids, b * T);
    e.positions.forEach((p, k) => {
      w[b * T + p] = 1 / count;
      y[b * T + p] = e.labels[k]!;
    });
  });
  return { ids, w, y, B, T };
}

/** BCE with logits z: softplus(z) − y·z, weighted. (|z| stays small for this head; no log-sum-exp needed.) */
function bce(z: Tensor, y: Float32Array, w: Float32Array): Tensor {
  const opts = { backend: z.backend, dtype: z.dtype };
  const Y = tensor(y, z.shape, opts),
    W = tensor(w, z.shape, opts);
  return sum(mul(sub(log(addScalar(exp(z), 1)), mul(Y, z)), W));
}

/** Train the head and trunk with AdamW (warmup 10 steps, cosine to 10%), batches drawn by `<seed>/rm/s<step>`. */
export async function trainRewardModel(
  rm: RewardModel,
  data: readonly RmExample[],
  o: RmTrainOptions,
): Promise<number[]> {
  if (data.length === 0) throw new InputError('reward model: no training examples');
  const params = rm.parameters();
  const opt = new AdamW(params, { lr: o.lr, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01 });
  const rng = new Rng(o.seed).child('rm');
  const losses: number[] = [];
  for (let step = 0; step < o.steps; step++) {
    const r = rng.child(`s${step}`);
    const batch = Array.from({ length: Math.min(o.batchSize, data.length) }, () => data[r.int(0, data.length)]!);
    const b = rmBatch(batch);
    const z = await rm.logits(b.ids, b.B, b.T);
    const loss = bce(z, b.y, b.w);
    opt.zeroGrad();
    backward(loss);
    await clipGradNorm(params, 1);
    const lr = warmupCosine({ lr: o.lr, warmup: 10, total: o.steps, minRatio: 0.1 }, step);
    noGrad(() => opt.step(lr, decaysMatrices(params)));
    const l = await loss.item();
    losses.push(l);
    o.ledger?.book.charge(
      o.ledger.phase,
      trainingFlops(rm.trunk.config, b.B * b.T, b.T) + forwardFlops(rm.trunk.config, b.B * b.T, b.T),
    );
    await o.onStep?.(step, l);
  }
  opt.zeroGrad();
  return losses;
}

/** σ(score) at the given positions of each sequence (no graph); charged as two forwards (trunk, π_ref) each. */
export async function rmScores(
  rm: RewardModel,
  seqs: readonly { ids: number[]; positions: number[] }[],
  ledger?: { book: ComputeLedger; phase: string },
  batchSize = 128,
): Promise<number[][]> {
  const out: number[][] = [];
  for (let from = 0; from < seqs.length; from += batchSize) {
    const chunk = seqs.slice(from, from + batchSize);
    const T = Math.max(...chunk.map((s) => s.ids.length));
    const ids = new Int32Array(chunk.length * T).fill(PAD_ID);
    chunk.forEach((s, b) => ids.set(s.ids, b * T));
    const z = await (await rm.logits(ids, chunk.length, T, false)).data();
    chunk.forEach((s, b) => {
      out.push(s.positions.map((p) => 1 / (1 + Math.exp(-z[b * T + p]!))));
      ledger?.book.charge(ledger.phase, 2 * forwardFlops(rm.trunk.config, s.ids.length, s.ids.length)); // trunk and π_ref
    });
  }
  return out;
}

/** A fresh reward model on a policy checkpoint's trunk, head at zero (every score starts at σ(0) = ½). */
export function rewardModelFrom(dir: string): RewardModel {
  return new RewardModel(loadCheckpoint(dir, { requiresGrad: true }).model, loadCheckpoint(dir).model);
}

export async function saveRewardModel(dir: string, rm: RewardModel, meta: Record<string, unknown>): Promise<void> {
  const head = encodeSafetensors(
    await toSafeTensors([
      [rm.head.name!, rm.head],
      [rm.logpWeight.name!, rm.logpWeight],
    ]),
  );
  const ref = encodeSafetensors(await toSafeTensors(rm.reference.params));
  await saveCheckpoint(dir, rm.trunk, { rewardModel: meta }, { [HEAD_FILE]: head, [REFERENCE_FILE]: ref });
}

export function loadRewardModel(dir: string, requiresGrad = false): { rm: RewardModel; meta: Record<string, unknown> } {
  const { model, meta } = loadCheckpoint(dir, { requiresGrad });
  const file = `${dir}/${HEAD_FILE}`;
  let bytes: Uint8Array;
  try {
    bytes = readPinnedFile(dir, HEAD_FILE);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${dir}: not a reward model (${e.message})`);
    throw e;
  }
  const { tensors } = decodeSafetensors(bytes, file);
  const t = tensors['v_head.weight'],
    a = tensors['rm_logp.weight'];
  if (!t || t.shape.join() !== `1,${model.config.dModel}`)
    throw new InputError(`${file}: missing or misshaped v_head.weight`);
  if (!a || a.shape.join() !== '1') throw new InputError(`${file}: missing or misshaped rm_logp.weight`);
  const head = tensor(t.data as Float32Array, [1, model.config.dModel], { requiresGrad });
  const refFile = `${dir}/${REFERENCE_FILE}`;
  const refTensors = decodeSafetensors(readPinnedFile(dir, REFERENCE_FILE), refFile).tensors;
  const reference = new Transformer(model.config, paramsFromTensors(refTensors, model.config, refFile, {}));
  const rm = new RewardModel(
    model,
    reference,
    head,
    tensor(a.data as Float32Array, [1], { requiresGrad }),
    requiresGrad,
  );
  return { rm, meta: (meta.rewardModel ?? {}) as Record<string, unknown> };
}
