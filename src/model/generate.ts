// Batched autoregressive generation with a KV cache.
//
// Prompts of different lengths are left-padded to a common length P: padded positions get an attention bias of
// −1e9 (hidden from every real query) and real tokens keep positions 0, 1, … as if unpadded, so a sequence gives
// the same tokens alone or in a batch. The prompt is one forward pass (prefill); then one token per step for every
// row, each row stopping at its first stop id (EOS or `</answer>`) or at maxNewTokens. A row that has stopped
// leaves the batch (its cache rows are dropped), so a group ranging from an 8-token answer to a 100-token ramble
// costs only what is still running; every kernel computes a row independently of the others, so the tokens do
// not depend on who else is in the batch. Logits are read to the host once per step — where sampling happens.
import type { Backend, DType } from '../backend/backend.ts';
import { noGrad } from '../core/autograd.ts';
import type { Rng } from '../core/rng.ts';
import { intTensor, tensor, type Tensor } from '../core/tensor.ts';
import { yieldToEventLoop } from '../core/yield.ts';
import { KVCache } from './kvcache.ts';
import { sampleToken, type SampleOptions } from './sampling.ts';
import type { Transformer } from './transformer.ts';

export interface GenerateOptions extends SampleOptions {
  maxNewTokens: number;
  /** Generation of a row ends after it emits one of these (the stop token is kept in the output). */
  stopIds: number[];
  padId: number;
  /** One stream for the whole batch, or one per row (rollouts independent of how they are batched). */
  rng: Rng | Rng[];
  /** Called after each decoding step with the number of tokens generated so far. */
  onStep?: (step: number) => void;
}

export interface Generation {
  /** The completion's ids, ending with the stop id when it stopped. */
  tokens: number[];
  /** 'stop': ended with a stop id; 'length': hit maxNewTokens (truncated). */
  finish: 'stop' | 'length';
}

export async function generate(model: Transformer, prompts: number[][], opts: GenerateOptions): Promise<Generation[]> {
  return noGrad(() => generateInner(model, prompts, opts));
}

/** The left-padded prompt batch of the header: ids and positions [B·P], each row's padding, and how many new
 * tokens fit in maxSeqLen. Throws on an empty prompt or a prompt that leaves no room. */
export function leftPadPrompts(prompts: number[][], padId: number, maxSeqLen: number, maxNewTokens: number) {
  if (prompts.some((p) => p.length === 0)) throw new Error('generate: every prompt needs at least one token');
  const P = Math.max(...prompts.map((p) => p.length));
  const maxNew = Math.min(maxNewTokens, maxSeqLen - P);
  if (maxNew < 1) throw new Error(`generate: prompt of ${P} tokens leaves no room in maxSeqLen ${maxSeqLen}`);
  const pads = prompts.map((p) => P - p.length);
  const ids = new Int32Array(prompts.length * P).fill(padId);
  const pos = new Int32Array(prompts.length * P);
  prompts.forEach((p, b) => {
    ids.set(p, b * P + pads[b]!);
    for (let t = 0; t < P; t++) pos[b * P + t] = Math.max(0, t - pads[b]!);
  });
  return { P, maxNew, pads, ids, pos };
}

/** Attention bias [rows, 1, 1, S] hiding the left padding of the given batch rows; undefined when none is padded. */
export function padBias(
  pads: readonly number[],
  rows: readonly number[],
  S: number,
  backend: Backend,
  dtype: DType,
): Tensor | undefined {
  if (rows.every((b) => pads[b] === 0)) return undefined;
  const bias = new Float32Array(rows.length * S);
  rows.forEach((b, r) => bias.fill(-1e9, r * S, r * S + pads[b]!));
  return tensor(bias, [rows.length, 1, 1, S], { backend, dtype });
}

async function generateInner(model: Transformer, prompts: number[][], opts: GenerateOptions): Promise<Generation[]> {
  const B = prompts.length;
  if (B === 0) return [];
  const V = model.config.vocabSize;
  const { P, maxNew, pads, ids, pos } = leftPadPrompts(prompts, opts.padId, model.config.maxSeqLen, opts.maxNewTokens);
  const rngFor = (b: number): Rng => (Array.isArray(opts.rng) ? opts.rng[b]! : opts.rng);
  const backend = model.parameters()[0]!.backend;
  const biasFor = (rows: readonly number[], S: number) => padBias(pads, rows, S, backend, model.rope.cos.dtype);

  const cache = new KVCache(model.config.nLayers, model.config.maxSeqLen);
  const all = prompts.map((_, b) => b);
  let last = await lastRow(
    model.forward(intTensor(ids, [B, P], backend), {
      cache,
      positions: intTensor(pos, [B * P], backend),
      bias: biasFor(all, P),
    }),
  );
  const out: Generation[] = prompts.map(() => ({ tokens: [], finish: 'length' }));
  let active = all; // batch row r of `last` is prompt active[r]
  for (let step = 0; step < maxNew; step++) {
    const keep: number[] = [];
    active.forEach((b, r) => {
      const id = sampleToken(last, opts, rngFor(b), r * V, V);
      out[b]!.tokens.push(id);
      if (opts.stopIds.includes(id)) out[b]!.finish = 'stop';
      else keep.push(r);
    });
    opts.onStep?.(step + 1);
    if (keep.length === 0 || step === maxNew - 1) break;
    if (keep.length < active.length) cache.keepRows(keep);
    active = keep.map((r) => active[r]!);
    const next = Int32Array.from(active, (b) => out[b]!.tokens[step]!);
    const stepPos = Int32Array.from(active, (b) => P - pads[b]! + step);
    const logits = model.forward(intTensor(next, [active.length, 1], backend), {
      cache,
      positions: intTensor(stepPos, [active.length], backend),
      bias: biasFor(active, P + step + 1),
    });
    last = await lastRow(logits);
    // Turn the event loop: Ctrl-C is heard, and arrays the CPU memory pool watches come back to it (their
    // FinalizationRegistry callbacks run as tasks; without a turn, a long generation holds every array it made).
    await yieldToEventLoop();
  }
  return out;
}

/** Logits of the last position of every row, on the host: [B·V]. */
export async function lastRow(logits: Tensor): Promise<Float32Array | Float64Array> {
  const [B, T, V] = logits.shape as [number, number, number];
  const all = (await logits.data()) as Float32Array | Float64Array;
  if (T === 1) return all;
  const out = new (all.constructor as typeof Float32Array)(B * V);
  for (let b = 0; b < B; b++) out.set(all.subarray((b * T + T - 1) * V, (b * T + T) * V), b * V);
  return out;
}
