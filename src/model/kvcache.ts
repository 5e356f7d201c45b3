// The KV cache for incremental decoding: per layer, the tensors an attention implementation needs to keep
// for past positions (plain attention keeps K and V [B, Hkv, S, D]; MLA keeps only its compressed latent
// [B, S, kvLoraRank] and the shared RoPE key [B, S, qkRopeHeadDim]). Each forward pass with a cache appends
// its T new positions along the sequence axis. Speculative decoding rolls rejected positions back (`truncate`);
// batched sampling drops rows that have finished (`keepRows`), so later steps cost only the rows still running.
import { concat, indexSelect, slice } from '../core/ops/index.ts';
import { intTensor, type Tensor } from '../core/tensor.ts';

export class KVCache {
  /** Positions already cached (the offset of the next forward's first token). */
  length = 0;
  private readonly layers: (Tensor[] | undefined)[];
  /** The sequence axis of each layer's tensors (as given to `extend`). */
  private readonly axes: (number | undefined)[];

  constructor(
    nLayers: number,
    readonly maxLen: number,
  ) {
    this.layers = new Array(nLayers).fill(undefined);
    this.axes = new Array(nLayers).fill(undefined);
  }

  /** Append new per-position tensors for a layer (sequence axis `axis`) and return the full cached tensors. */
  extend(layer: number, fresh: Tensor[], axis: number): Tensor[] {
    const old = this.layers[layer];
    const full = old ? fresh.map((t, i) => concat([old[i]!, t], axis)) : fresh;
    const len = full[0]!.shape[axis < 0 ? full[0]!.ndim + axis : axis]!;
    if (len > this.maxLen) throw new Error(`KV cache overflow: ${len} positions > maxLen ${this.maxLen}`);
    this.layers[layer] = full;
    this.axes[layer] = axis;
    return full;
  }

  /** Called once per forward, after every layer has extended, with the number of new positions. */
  advance(t: number): void {
    this.length += t;
  }

  /** Forget every position from `n` on (rejected draft tokens), in every layer. */
  truncate(n: number): void {
    if (!(Number.isInteger(n) && n >= 0 && n <= this.length))
      throw new Error(`KV cache truncate: ${n} is not in [0, ${this.length}]`);
    if (n === this.length) return;
    this.layers.forEach((l, i) => {
      if (!l) return;
      const axis = this.axes[i]!;
      this.layers[i] = n === 0 ? undefined : l.map((t) => slice(t, axis, 0, n));
    });
    this.length = n;
  }

  /** Keep only the given batch rows (in that order) of every cached tensor (the batch is axis 0 everywhere). */
  keepRows(rows: readonly number[]): void {
    this.layers.forEach((l, i) => {
      if (!l) return;
      const idx = intTensor(Int32Array.from(rows), [rows.length], l[0]!.backend);
      this.layers[i] = l.map((t) => indexSelect(t, 0, idx));
    });
  }

  /** Numbers stored per position per batch row in one layer (0 for a layer that caches nothing). */
  numbersPerTokenInLayer(layer: number): number {
    const l = this.layers[layer];
    if (!l || this.length === 0) return 0;
    return l.reduce((n, t) => n + t.size / (t.shape[0]! * this.length), 0);
  }

  /** Numbers stored per position per batch row, summed over layers (for the cache-size lessons). */
  numbersPerToken(): number {
    let n = 0;
    for (const l of this.layers) {
      if (!l) continue;
      for (const t of l) n += t.size / (t.shape[0]! * this.length);
    }
    return n;
  }
}
