// Serving: prefill and decode throughput per GPU and per node, as rooflines with ideal two-micro-batch overlap.
// Prefill is compute-bound: tokens/s = η·peak ÷ FLOPs per prompt token, unless the all-to-all is slower;
// cached prefixes (DeepSeek's on-disk KV cache) cost no compute, so per node "incl. cache hits" divides by
// (1 − hit ratio). A decode step of b sequences per GPU takes max(compute, HBM reads of weights and KV cache,
// all-to-all); b is the largest batch that meets the per-user speed (TPOT ≤ 1/SLO) and whose KV cache fits.
// ISCA'25 §2.3.2's lower bound, two micro-batches × 61 layers × 120.96 µs = 14.76 ms TPOT, is reproduced by
// iscaDecodeBound. Source: ../shared/reference/cost-model.md §3.2, §5 V6; deepseek-v3-architecture.md §6.
import { epBytesPerTokenLayer, epRouting, decodeEpStepSeconds, wireBytes, type WirePrecision } from './comm.ts';
import { inferFlopsPerToken } from './flops.ts';
import { bf16FlopsPerSec, hbmBytesPerSec, type GpuSpec } from './hardware.ts';
import { kvBytesPerToken } from './kvcache.ts';
import { countParams, ffnParams } from './params.ts';
import { isMoe, moeLayers, type ModelShape } from './shape.ts';

export interface ServeSetup {
  shape: ModelShape;
  gpu: GpuSpec;
  nvlinkBytesPerSec: number;
  ibBytesPerSec: number;
  /** Kernel efficiency on the BF16 peak (as in training). */
  efficiency: number;
  /** Achieved ÷ datasheet HBM bandwidth (FlashMLA: 3000 of 3350 GB/s on H800). */
  hbmEfficiency: number;
  /** Share of HBM available to weights and KV cache (the rest: activations, buffers, fragmentation). */
  usableHbm: number;
  /** Bytes per weight (1 = FP8) and per KV element (2 = BF16). */
  weightBytes: number;
  kvBytes: number;
  dispatch: WirePrecision;
  combine: WirePrecision;
  nodeLimit?: number;
  prefill: { gpus: number; promptLen: number; cacheHitRatio: number };
  /**
   * Decode deployment: `gpus` in one EP group; attention and dense weights replicated per GPU (DP attention,
   * DeepSeek's layout) or split over `tp` GPUs (for dense models too large for one GPU); sequences per GPU
   * `batch` concurrent sequences per GPU (per TP group when tp > 1) when fixed, else the largest that meets
   * `tokensPerSecPerUser` and whose KV cache fits.
   */
  decode: {
    gpus: number;
    tp: number;
    kvLen: number;
    tokensPerSecPerUser: number;
    redundantExperts: number;
    batch?: number;
  };
}

export interface PrefillResult {
  flopsPerToken: number;
  computeSecondsPerToken: number;
  commSecondsPerToken: number;
  bound: 'compute' | 'communication';
  /** Prompt tokens computed per second per GPU (cache misses). */
  tokPerSecPerGpu: number;
  /** Input tokens per second per node, counting cache hits (DeepSeek's published measure). */
  tokPerSecPerNodeInclHits: number;
}

export function prefill(x: ServeSetup): PrefillResult {
  const s = x.shape;
  const f = inferFlopsPerToken(s, x.prefill.promptLen, 'prefill').total;
  const compute = f / (x.efficiency * bf16FlopsPerSec(x.gpu));
  let comm = 0;
  if (isMoe(s) && x.prefill.gpus > 1) {
    const r = epRouting(s, { ep: x.prefill.gpus, gpusPerNode: x.gpu.gpusPerNode, nodeLimit: x.nodeLimit, dedup: true });
    const b = epBytesPerTokenLayer(s, r, x.dispatch, x.combine, 1);
    comm = moeLayers(s) * Math.max(b.ib / x.ibBytesPerSec, b.nvlink / x.nvlinkBytesPerSec);
  }
  const perToken = Math.max(compute, comm);
  const tokPerSecPerGpu = 1 / perToken;
  return {
    flopsPerToken: f,
    computeSecondsPerToken: compute,
    commSecondsPerToken: comm,
    bound: comm > compute ? 'communication' : 'compute',
    tokPerSecPerGpu,
    tokPerSecPerNodeInclHits: (tokPerSecPerGpu * x.gpu.gpusPerNode) / (1 - x.prefill.cacheHitRatio),
  };
}

export type DecodeLimit =
  'compute' | 'hbm-bandwidth' | 'communication' | 'kv-capacity' | 'slo-unreachable' | 'weights-do-not-fit' | 'given';

export interface DecodeResult {
  flopsPerToken: number;
  weightBytesPerGpu: number;
  kvBytesPerSequence: number;
  /** Concurrent sequences per GPU (per TP group when tp > 1), and what stops it from being larger. */
  batch: number;
  limitedBy: DecodeLimit;
  /** Seconds of one decode step at that batch, by roofline term. */
  times: { compute: number; memory: number; comm: number };
  tpotSeconds: number;
  tokPerSecPerUser: number;
  tokPerSecPerGpu: number;
  tokPerSecPerNode: number;
  kvBytesPerGpu: number;
  hbmBytes: number;
}

/** Weights one decode GPU holds: everything but the routed experts (÷ TP), plus its routed-expert slots. */
export function decodeWeightBytes(x: ServeSetup): number {
  const s = x.shape;
  const c = countParams(s);
  const slots = isMoe(s) ? Math.ceil((s.nRoutedExperts + x.decode.redundantExperts) / x.decode.gpus) : 0;
  return ((c.total - c.expertTotal) / x.decode.tp + moeLayers(s) * slots * ffnParams(s, s.moeInterDim)) * x.weightBytes;
}

/**
 * One decode step's roofline terms as linear functions of the batch b (sequences per GPU or TP group):
 * t(b) = fixed + perSeq · b. With TP a sequence's attention, dense FLOPs and KV cache split over tp GPUs.
 */
function decodeTerms(x: ServeSetup, kvLen: number) {
  const s = x.shape;
  const tp = x.decode.tp;
  const f = inferFlopsPerToken(s, kvLen, 'decode').total;
  const hbm = hbmBytesPerSec(x.gpu) * x.hbmEfficiency;
  const weights = decodeWeightBytes(x);
  const kvSeq = (kvLen * kvBytesPerToken(s, x.kvBytes)) / tp;
  // TP: two AllReduces of d BF16 values per layer per token, over NVLink.
  let commPerSeq = tp > 1 ? (s.nLayers * 2 * 2 * ((tp - 1) / tp) * s.d * 2) / x.nvlinkBytesPerSec : 0;
  if (isMoe(s) && x.decode.gpus > 1) {
    // Low-latency kernels send each routed copy straight to its expert's GPU: over IB unless it is on this node.
    const nodes = Math.ceil(x.decode.gpus / x.gpu.gpusPerNode);
    const perCopy = s.d * (wireBytes(x.dispatch) + wireBytes(x.combine));
    const k = s.nActivatedExperts;
    const ib = nodes > 1 ? (k * (1 - 1 / nodes) * perCopy) / x.ibBytesPerSec : 0;
    const nvl = (k * (nodes > 1 ? 1 / nodes : 1) * perCopy) / x.nvlinkBytesPerSec;
    commPerSeq = Math.max(commPerSeq, (moeLayers(s) * Math.max(ib, nvl)) / tp);
  }
  return {
    flops: f,
    weights,
    kvSeq,
    compute: f / tp / (x.efficiency * bf16FlopsPerSec(x.gpu)),
    memFixed: weights / hbm,
    memPerSeq: kvSeq / hbm,
    commPerSeq,
  };
}

/** Decode at the setup's KV length: the batch per GPU, its step time and throughput. */
export function decode(x: ServeSetup, kvLen = x.decode.kvLen): DecodeResult {
  const t = decodeTerms(x, kvLen);
  const tpotMax = 1 / x.decode.tokensPerSecPerUser;
  const capacity = Math.floor((x.gpu.hbmGB * 1e9 * x.usableHbm - t.weights) / t.kvSeq);
  let batch: number;
  let limitedBy: DecodeLimit;
  if (x.decode.batch !== undefined) {
    batch = x.decode.batch;
    limitedBy = 'given';
  } else {
    const limits: Array<[DecodeLimit, number]> = [
      ['compute', tpotMax / t.compute],
      ['hbm-bandwidth', (tpotMax - t.memFixed) / t.memPerSeq],
      ['communication', t.commPerSeq > 0 ? tpotMax / t.commPerSeq : Infinity],
      ['kv-capacity', capacity],
    ];
    const [which, b] = limits.reduce((a, c) => (c[1] < a[1] ? c : a));
    batch = Math.floor(b);
    limitedBy = which;
    if (capacity < 1) [batch, limitedBy] = [1, 'weights-do-not-fit'];
    else if (batch < 1) [batch, limitedBy] = [1, 'slo-unreachable'];
  }
  const times = { compute: batch * t.compute, memory: t.memFixed + batch * t.memPerSeq, comm: batch * t.commPerSeq };
  const tpotSeconds = Math.max(times.compute, times.memory, times.comm);
  const tokPerSecPerGpu = batch / x.decode.tp / tpotSeconds;
  return {
    flopsPerToken: t.flops,
    weightBytesPerGpu: t.weights,
    kvBytesPerSequence: t.kvSeq,
    batch,
    limitedBy,
    times,
    tpotSeconds,
    tokPerSecPerUser: 1 / tpotSeconds,
    tokPerSecPerGpu,
    tokPerSecPerNode: tokPerSecPerGpu * x.gpu.gpusPerNode,
    kvBytesPerGpu: batch * t.kvSeq, // kvSeq is already this GPU's 1/tp share
    hbmBytes: x.gpu.hbmGB * 1e9,
  };
}

export interface IscaBound {
  epStepSeconds: number;
  tpotSeconds: number;
  tokPerSecPerUser: number;
}

/**
 * ISCA'25 §2.3.2, "theoretical upper bound" on decode speed from EP communication alone: each of two
 * micro-batches of `tokens` moves (1 B + 2 B) × 9 experts × d per token; per layer the link carries both.
 * The paper's numbers use d = 7K = 7000, 32 tokens, 61 layers, 50 GB/s: 120.96 µs, 14.76 ms, ~67 tok/s.
 */
export function iscaDecodeBound(o: {
  d: number;
  layers: number;
  tokens: number;
  experts: number;
  bytesPerSec: number;
}): IscaBound {
  const epStepSeconds = decodeEpStepSeconds({
    tokens: o.tokens,
    experts: o.experts,
    d: o.d,
    dispatchBytes: 1,
    combineBytes: 2,
    bytesPerSec: o.bytesPerSec,
  });
  const tpotSeconds = 2 * o.layers * epStepSeconds;
  return { epStepSeconds, tpotSeconds, tokPerSecPerUser: 1 / tpotSeconds };
}
