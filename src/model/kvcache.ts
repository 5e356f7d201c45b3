// The KV cache for incremental decoding: per layer, the tensors an attention implementation needs to keep
// for past positions (plain attention keeps K and V [B, Hkv, S, D]; MLA keeps only its compressed latent
// [B, S, kvLoraRank] and the shared RoPE key [B, S, qkRopeHeadDim]). Each forward pass with a cache appends
// its T new positions along the sequence axis. Speculative decoding rolls rejected positions back (`truncate`);
// batched sampling drops rows that have finished (`keepRows`), so later steps cost only the rows still running.
// Without gradients, a layer may keep its tensors in place instead (`append`): buffers with room for more
// positions, grown by doubling, that each step writes its T positions into, so a decoding step copies T
// positions instead of the whole cache (the attention reads the first S positions of each buffer in place).
import { contiguousView, sliceView } from '../backend/view.ts';
import { concat, indexSelect, slice } from '../core/ops/index.ts';
import { empty, intTensor, type Tensor } from '../core/tensor.ts';

/** A layer's in-place tensors: `buffers` hold `filled` positions along `axis` and have room for more. */
interface Slab {
  buffers: Tensor[];
  axis: number;
  filled: number;
}

export class KVCache {
  /** Positions already cached (the offset of the next forward's first token). */
  length = 0;
  private readonly layers: (Tensor[] | undefined)[];
  private readonly slabs: (Slab | undefined)[];
  /** The sequence axis of each layer's tensors (as given to `extend`). */
  private readonly axes: (number | undefined)[];

  constructor(
    nLayers: number,
    readonly maxLen: number,
  ) {
    this.layers = new Array(nLayers).fill(undefined);
    this.slabs = new Array(nLayers).fill(undefined);
    this.axes = new Array(nLayers).fill(undefined);
  }

  /** Append new per-position tensors for a layer (sequence axis `axis`) and return the full cached tensors. */
  extend(layer: number, fresh: Tensor[], axis: number): Tensor[] {
    if (this.slabs[layer]) throw new Error(`KV cache: layer ${layer} is kept in place by append, not extend`);
    const old = this.layers[layer];
    const full = old ? fresh.map((t, i) => concat([old[i]!, t], axis)) : fresh;
    const len = full[0]!.shape[axis < 0 ? full[0]!.ndim + axis : axis]!;
    if (len > this.maxLen) throw new Error(`KV cache overflow: ${len} positions > maxLen ${this.maxLen}`);
    this.layers[layer] = full;
    this.axes[layer] = axis;
    return full;
  }

  /**
   * Append positions to a layer in place (no gradient flows through the cache) and return its buffers, whose
   * first `length` positions along `axis` are the cached ones; the rest is room for later steps.
   */
  append(layer: number, fresh: Tensor[], axis: number): { buffers: Tensor[]; length: number } {
    if (this.layers[layer]) throw new Error(`KV cache: layer ${layer} is kept by extend, not append`);
    const T = fresh[0]!.shape[axis]!;
    let slab = this.slabs[layer];
    const filled = slab?.filled ?? 0;
    if (filled + T > this.maxLen) throw new Error(`KV cache overflow: ${filled + T} positions > maxLen ${this.maxLen}`);
    if (!slab || filled + T > slab.buffers[0]!.shape[axis]!) {
      const room = Math.min(this.maxLen, Math.max(16, 2 * (filled + T)));
      const buffers = fresh.map((t, i) => {
        const shape = t.shape.slice();
        shape[axis] = room;
        const buf = empty(t.backend, t.dtype, shape);
        const old = slab?.buffers[i];
        if (old && filled > 0)
          t.backend.copy(
            old.storage,
            sliceView(old.shape, axis, 0, filled),
            buf.storage,
            sliceView(shape, axis, 0, filled),
          );
        return buf;
      });
      slab = this.slabs[layer] = { buffers, axis, filled };
    }
    fresh.forEach((t, i) => {
      const buf = slab.buffers[i]!;
      t.backend.copy(t.storage, contiguousView(t.shape), buf.storage, sliceView(buf.shape, axis, filled, filled + T));
    });
    slab.filled = filled + T;
    return { buffers: slab.buffers, length: slab.filled };
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
    for (const slab of this.slabs) if (slab) slab.filled = n; // positions past n are overwritten later
    this.length = n;
  }

  /** Keep only the given batch rows (in that order) of every cached tensor (the batch is axis 0 everywhere). */
  keepRows(rows: readonly number[]): void {
    this.layers.forEach((l, i) => {
      if (!l) return;
      const idx = intTensor(Int32Array.from(rows), [rows.length], l[0]!.backend);
      this.layers[i] = l.map((t) => indexSelect(t, 0, idx));
    });
    for (const slab of this.slabs) {
      if (!slab) continue;
      const idx = intTensor(Int32Array.from(rows), [rows.length], slab.buffers[0]!.backend);
      slab.buffers = slab.buffers.map((t) => indexSelect(t, 0, idx));
    }
  }

  /** Numbers stored per position per batch row in one layer (0 for a layer that caches nothing). */
  numbersPerTokenInLayer(layer: number): number {
    const slab = this.slabs[layer];
    if (slab)
      return slab.filled === 0 ? 0 : slab.buffers.reduce((n, t) => n + t.size / (t.shape[0]! * t.shape[slab.axis]!), 0);
    const l = this.layers[layer];
    if (!l || this.length === 0) return 0;
    return l.reduce((n, t) => n + t.size / (t.shape[0]! * this.length), 0);
  }

  /** Numbers stored per position per batch row, summed over layers (for the cache-size lessons). */
  numbersPerToken(): number {
    let n = 0;
    for (let layer = 0; layer < this.layers.length; layer++) n += this.numbersPerTokenInLayer(layer);
    return n;
  }
}
