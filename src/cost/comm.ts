// Communication: ring collectives and the expert-parallel all-to-all. Ring AllGather / ReduceScatter of B bytes
// over n ranks moves (n−1)/n·B per GPU, AllReduce twice that. The MoE all-to-all moves each token's hidden state
// to its experts (dispatch, FP8 + one FP32 scale per 128 values in V3) and back (combine, BF16), forward and
// again backward. Node-limited routing sends a token to at most M nodes, one InfiniBand copy per node, which
// NVLink then forwards to the GPUs holding its experts (V3 §2.1.2, §3.2.2). Experts are assumed chosen
// uniformly among the reachable ones. ISCA'25 §2.3.2 bounds a decode step: (1 B + 2 B) × tokens × 9 experts
// × 7K / 50 GB/s = 120.96 µs per EP step.
// Source: ../shared/reference/cost-model.md §3.1–§3.2.
import type { ModelShape } from './shape.ts';

export type WirePrecision = 'fp8' | 'bf16';

/** Bytes per activation value on the wire; FP8 carries one FP32 scale per 1×128 tile (V3 §3.3). */
export function wireBytes(p: WirePrecision): number {
  return p === 'fp8' ? 1 + 4 / 128 : 2;
}

/** Seconds for a ring AllGather or ReduceScatter of `bytes` (the full buffer) over n ranks. */
export function ringGatherSeconds(bytes: number, n: number, bytesPerSec: number): number {
  return n <= 1 ? 0 : (((n - 1) / n) * bytes) / bytesPerSec;
}

/** Seconds for a ring AllReduce: a ReduceScatter then an AllGather. */
export function ringAllReduceSeconds(bytes: number, n: number, bytesPerSec: number): number {
  return 2 * ringGatherSeconds(bytes, n, bytesPerSec);
}

/**
 * Expected number of distinct bins hit when k of `items` items, spread evenly over `bins` bins, are drawn
 * without replacement: bins × (1 − C(items − items/bins, k) / C(items, k)).
 */
export function expectedBinsHit(k: number, items: number, bins: number): number {
  if (bins <= 1) return Math.min(bins, k > 0 ? 1 : 0);
  const perBin = items / bins;
  let missAll = 1; // probability that one given bin receives none of the k draws
  for (let i = 0; i < k; i++) missAll *= Math.max(0, items - perBin - i) / (items - i);
  return bins * (1 - missAll);
}

export interface EpRoutingOptions {
  /** GPUs in the expert-parallel group. */
  ep: number;
  gpusPerNode: number;
  /** M: at most this many nodes per token (V3: 4); undefined = every node of the EP group. */
  nodeLimit?: number;
  /** One InfiniBand copy per destination node, forwarded over NVLink (DeepEP); false = one per remote expert. */
  dedup: boolean;
}

export interface EpRouting {
  epNodes: number;
  /** Nodes a token can reach (min of M and the EP group's nodes). */
  reachableNodes: number;
  /** Expected distinct nodes holding a token's routed experts. */
  nodesPerToken: number;
  /** Expected copies of a token crossing InfiniBand per MoE layer and direction. */
  ibCopies: number;
  /** Expected distinct GPUs holding a token's routed experts. */
  gpusPerToken: number;
  /** Expected copies crossing NVLink (from the IB landing GPU, or the home GPU, to the expert's GPU). */
  nvlinkCopies: number;
}

export function epRouting(s: ModelShape, o: EpRoutingOptions): EpRouting {
  const k = s.nActivatedExperts;
  if (o.ep <= 1 || k === 0)
    return { epNodes: 1, reachableNodes: 1, nodesPerToken: 1, ibCopies: 0, gpusPerToken: 1, nvlinkCopies: 0 };
  const epNodes = Math.ceil(o.ep / o.gpusPerNode);
  const gpusPerNodeUsed = Math.min(o.ep, o.gpusPerNode);
  const reachableNodes = Math.min(o.nodeLimit ?? epNodes, epNodes);
  const reachableExperts = (reachableNodes * s.nRoutedExperts) / epNodes;
  const nodesPerToken = expectedBinsHit(k, reachableExperts, reachableNodes);
  const gpusPerToken = expectedBinsHit(k, reachableExperts, reachableNodes * gpusPerNodeUsed);
  // The token's own node is one of the EP group's nodes, independent of where its affinities point.
  const remoteShare = 1 - 1 / epNodes;
  const ibCopies = epNodes === 1 ? 0 : (o.dedup ? nodesPerToken : gpusPerToken) * remoteShare;
  // With dedup every expert GPU but the landing one is fed over NVLink; without, only the home node's experts.
  const nvlinkCopies = o.dedup || epNodes === 1 ? gpusPerToken * (1 - 1 / gpusPerNodeUsed) : gpusPerToken / epNodes;
  return { epNodes, reachableNodes, nodesPerToken, ibCopies, gpusPerToken, nvlinkCopies };
}

export interface EpBytes {
  /** Per token per MoE layer. */
  ib: number;
  nvlink: number;
}

/**
 * All-to-all bytes per token per MoE layer; `passes` 2 for training (backward moves the same volume again),
 * 1 for inference.
 */
export function epBytesPerTokenLayer(
  s: ModelShape,
  r: EpRouting,
  dispatch: WirePrecision,
  combine: WirePrecision,
  passes = 2,
): EpBytes {
  const perCopy = s.d * (wireBytes(dispatch) + wireBytes(combine)) * passes;
  return { ib: r.ibCopies * perCopy, nvlink: r.nvlinkCopies * perCopy };
}

/**
 * Tensor-parallel bytes each GPU sends per token per layer with sequence parallelism: an AllGather and a
 * ReduceScatter around attention and around the FFN, forward and backward (8 collectives of d values).
 */
export function tpBytesPerTokenLayer(d: number, tp: number, actBytes = 2): number {
  return tp <= 1 ? 0 : 8 * ((tp - 1) / tp) * d * actBytes;
}

export interface DecodeEpStep {
  tokens: number;
  experts: number;
  d: number;
  dispatchBytes: number;
  combineBytes: number;
  bytesPerSec: number;
}

/** ISCA'25 §2.3.2: seconds of one EP step (dispatch + combine) of a decode micro-batch over the scale-out link. */
export function decodeEpStepSeconds(x: DecodeEpStep): number {
  return ((x.dispatchBytes + x.combineBytes) * x.tokens * x.experts * x.d) / x.bytesPerSec;
}
