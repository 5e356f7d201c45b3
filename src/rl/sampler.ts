// Rollout sampling with a compacting KV cache: model/generate.ts decodes every row until the longest one
// stops, but a group of answers ranges from an 8-token direct answer to a 100-token ramble, so here a row
// that has stopped leaves the batch (its K/V rows are dropped from the cache) and later decoding steps cost
// only what is still running. Everything else is generate()'s procedure — left padding hidden by a −1e9
// bias, real tokens at positions 0, 1, …, one Rng per row — and since every kernel computes a row
// independently of the others, the tokens are exactly generate()'s (test/rl/sampler.test.ts checks it).
import { noGrad } from '../core/autograd.ts';
import { concat, indexSelect } from '../core/ops/index.ts';
import type { Rng } from '../core/rng.ts';
import { intTensor, type Tensor } from '../core/tensor.ts';
import { lastRow, leftPadPrompts, padBias, type Generation, type GenerateOptions } from '../model/generate.ts';
import { KVCache } from '../model/kvcache.ts';
import { sampleToken } from '../model/sampling.ts';
import type { Transformer } from '../model/transformer.ts';

/** A KV cache whose batch rows can be dropped between decoding steps. */
export class CompactingKVCache extends KVCache {
  private readonly kv: (Tensor[] | undefined)[];

  constructor(nLayers: number, maxLen: number) {
    super(nLayers, maxLen);
    this.kv = new Array(nLayers).fill(undefined);
  }

  override extend(layer: number, fresh: Tensor[], axis: number): Tensor[] {
    const old = this.kv[layer];
    const full = old ? fresh.map((t, i) => concat([old[i]!, t], axis)) : fresh;
    const len = full[0]!.shape[axis < 0 ? full[0]!.ndim + axis : axis]!;
    if (len > this.maxLen) throw new Error(`KV cache overflow: ${len} positions > maxLen ${this.maxLen}`);
    this.kv[layer] = full;
    return full;
  }

  /** Keep only the given batch rows (in that order) of every cached tensor. */
  keepRows(rows: readonly number[]): void {
    const idx = intTensor(Int32Array.from(rows));
    for (let l = 0; l < this.kv.length; l++) {
      const ts = this.kv[l];
      if (ts) this.kv[l] = ts.map((t) => indexSelect(t, 0, idx));
    }
  }

  override numbersPerToken(): number {
    let n = 0;
    for (const l of this.kv) if (l) for (const t of l) n += t.size / (t.shape[0]! * this.length);
    return n;
  }
}

/** generate()'s result, computed with finished rows dropped from the batch. */
export async function sampleCompacting(model: Transformer, prompts: number[][], opts: GenerateOptions): Promise<Generation[]> {
  return noGrad(() => sampleInner(model, prompts, opts));
}

async function sampleInner(model: Transformer, prompts: number[][], opts: GenerateOptions): Promise<Generation[]> {
  const B = prompts.length;
  if (B === 0) return [];
  const V = model.config.vocabSize;
  const { P, maxNew, pads, ids, pos } = leftPadPrompts(prompts, opts.padId, model.config.maxSeqLen, opts.maxNewTokens);
  const rngFor = (b: number): Rng => (Array.isArray(opts.rng) ? opts.rng[b]! : opts.rng);
  const backend = model.parameters()[0]!.backend;
  const biasFor = (rows: readonly number[], S: number) => padBias(pads, rows, S, backend, model.rope.cos.dtype);

  const cache = new CompactingKVCache(model.config.nLayers, model.config.maxSeqLen);
  const all = prompts.map((_, b) => b);
  let last = await lastRow(model.forward(intTensor(ids, [B, P], backend), { cache, positions: intTensor(pos, [B * P], backend), bias: biasFor(all, P) }));
  const out: Generation[] = prompts.map(() => ({ tokens: [], finish: 'length' }));
  let active = all;
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
    const logits = model.forward(intTensor(next, [active.length, 1], backend), { cache, positions: intTensor(stepPos, [active.length], backend), bias: biasFor(active, P + step + 1) });
    last = await lastRow(logits);
  }
  return out;
}
