// KV-cache bytes per token. MHA stores K and V for every head: 2·n_h·d_h per layer; GQA only for its KV heads:
// 2·n_kv·d_h; MLA only the latent c^KV and the shared rope key: d_c + d_h^R (V2 §2.1, Table 1).
// V3 in BF16: (512 + 64) × 61 layers × 2 B = 70,272 B/token; an MHA with the same 128 × 128 heads would hold
// 32,768 elements per layer, 56.9× more. ISCA'25 Table 1: Qwen2.5-72B 327,680 B, Llama-3.1-405B 516,096 B.
// Source: ../shared/reference/deepseek-v3-architecture.md §1.
import type { ModelShape } from './shape.ts';

/** Cached elements per token per layer, as the model is built. */
export function kvElementsPerLayer(s: ModelShape): number {
  if (s.attention === 'mla') return s.kvLoraRank + s.qkRopeHeadDim;
  return 2 * s.nKvHeads * s.headDim;
}

/** Cached bytes per token over all layers; `bytesPerElement` 2 for BF16. */
export function kvBytesPerToken(s: ModelShape, bytesPerElement = 2): number {
  return kvElementsPerLayer(s) * s.nLayers * bytesPerElement;
}

/** Per-head widths an MHA alternative would cache: MLA's value width, else the head width. */
const headWidth = (s: ModelShape): number => (s.attention === 'mla' ? s.vHeadDim : s.headDim);

export interface KvComparison {
  kind: string;
  elementsPerLayer: number;
  bytesPerToken: number;
  /** How many times this layout's cache the model's own is (1 for the model itself). */
  ratioToModel: number;
}

/** The model's cache next to MHA and GQA-8 layouts with the same heads, for the MHA → GQA → MLA story. */
export function compareKv(s: ModelShape, bytesPerElement = 2): KvComparison[] {
  const own = kvElementsPerLayer(s);
  const w = headWidth(s);
  const rows: Array<[string, number]> = [
    [`${s.attention.toUpperCase()} (this model)`, own],
    [`MHA, ${s.nHeads} heads × ${w}`, 2 * s.nHeads * w],
  ];
  if (s.nHeads % 8 === 0 && s.nHeads > 8) rows.push([`GQA, 8 KV heads × ${w}`, 2 * 8 * w]);
  return rows.map(([kind, e]) => ({
    kind,
    elementsPerLayer: e,
    bytesPerToken: e * s.nLayers * bytesPerElement,
    ratioToModel: e / own,
  }));
}
