// Parallelism: how N GPUs split a training step. N = TP × CP × PP × DP; expert parallelism (EP) shards the routed
// experts over GPUs of the same pipeline stage, so EP divides TP·CP·DP and expert-DP = TP·CP·DP / EP. A pipeline
// stage holds ceil(slots / PP) layer slots, slots = layers + MTP modules + 2 (the embedding and the output head
// each cost about one layer, the balancing Llama 3 §3.3.2 uses); the slowest stage paces the step, so PP that
// does not divide the slots costs time (stage imbalance) rather than being impossible: V2 ran 60 layers and V3
// 61 on PP16. Memory per GPU counts model states only (activations depend on recompute choices).
// Source: V3 §3.2 (PP16 DualPipe × EP64 × ZeRO-1, no TP); ../shared/reference/cost-model.md §3.
import { countParams } from './params.ts';
import { scheduleMemory, scheduleProblems, type Schedule } from './pipeline.ts';
import { isMoe, type ModelShape } from './shape.ts';

export interface ParallelPlan {
  tp: number;
  /** Context parallelism: one sequence's tokens split over cp GPUs (ring attention), as Llama 3 at 128K. */
  cp: number;
  pp: number;
  ep: number;
  schedule: Schedule;
  /** Model chunks per rank for the interleaved schedule. */
  v: number;
  /** Sequences per micro-batch. */
  microBatchSeqs: number;
  /** Node-limited routing: at most this many nodes per token (V3: 4); undefined = no limit. */
  nodeLimit?: number;
  /** One IB copy per node forwarded over NVLink (DeepEP); false = one IB copy per remote expert. */
  dedup: boolean;
}

export interface RunShape {
  nGpus: number;
  gpusPerNode: number;
  seqLen: number;
  globalBatchTokens: number;
}

export interface Layout {
  dp: number;
  expertDp: number;
  seqsPerStep: number;
  /** Micro-batches per pipeline per step (m). */
  microBatches: number;
  slots: number;
  slotsPerStage: number;
  /** Slowest stage ÷ average stage, ≥ 1. */
  imbalance: number;
  /** Bytes of weights, gradients and optimizer states per GPU (ZeRO-1 shards the optimizer over DP × CP). */
  modelStateBytes: number;
}

const whole = (v: number, min = 1) => Number.isInteger(v) && v >= min;

/** Everything that makes a plan impossible, as readable sentences; empty when it can run. */
export function planProblems(s: ModelShape, p: ParallelPlan, r: RunShape): string[] {
  const out: string[] = [];
  if (!whole(r.nGpus)) return [`the number of GPUs must be a whole number ≥ 1 (got ${r.nGpus})`];
  for (const k of ['tp', 'cp', 'pp', 'ep', 'microBatchSeqs'] as const)
    if (!whole(p[k]))
      out.push(
        `${k === 'microBatchSeqs' ? 'the micro-batch' : k.toUpperCase()} must be a whole number ≥ 1 (got ${p[k]})`,
      );
  if (out.length) return out;
  const model = p.tp * p.cp * p.pp;
  if (r.nGpus % model !== 0) out.push(`TP × CP × PP = ${model} does not divide the ${r.nGpus} GPUs`);
  if (p.pp > s.nLayers) out.push(`PP ${p.pp} exceeds the ${s.nLayers} layers: some stage would hold no layer`);
  if (s.nHeads % p.tp !== 0) out.push(`TP ${p.tp} does not divide the ${s.nHeads} attention heads`);
  if (p.ep > 1 && !isMoe(s)) out.push(`EP ${p.ep} needs an MoE model; ${s.name} is dense`);
  if (isMoe(s) && p.ep > s.nRoutedExperts) out.push(`EP ${p.ep} is larger than the ${s.nRoutedExperts} routed experts`);
  else if (isMoe(s) && s.nRoutedExperts % p.ep !== 0)
    out.push(`EP ${p.ep} does not divide the ${s.nRoutedExperts} routed experts evenly`);
  const perStage = r.nGpus / p.pp;
  if (out.length === 0 && perStage % p.ep !== 0)
    out.push(`EP ${p.ep} does not divide the ${perStage} GPUs of a pipeline stage (TP × CP × DP)`);
  if (p.cp > 1 && r.seqLen % p.cp !== 0) out.push(`CP ${p.cp} does not divide the ${r.seqLen}-token sequences`);
  if (p.nodeLimit !== undefined && !whole(p.nodeLimit))
    out.push(`the node limit M must be a whole number ≥ 1 (got ${p.nodeLimit})`);
  if (!(r.seqLen >= 1)) out.push(`the sequence length must be ≥ 1 (got ${r.seqLen})`);
  if (!(r.globalBatchTokens >= r.seqLen))
    out.push(`the global batch (${r.globalBatchTokens} tokens) is smaller than one sequence`);
  out.push(...scheduleProblems(p.schedule, p.pp, p.v));
  if (out.length === 0) {
    const dp = r.nGpus / model;
    const seqs = r.globalBatchTokens / r.seqLen;
    if (seqs / (dp * p.microBatchSeqs) < 1)
      out.push(`a global batch of ${seqs} sequences cannot feed DP ${dp} × ${p.microBatchSeqs}-sequence micro-batches`);
  }
  return out;
}

/**
 * Parameters one GPU holds (one copy), MTP modules included: routed experts are sharded by PP and EP,
 * everything else (attention, dense and shared FFNs, embedding, head) by PP and TP.
 */
export function paramsPerGpu(s: ModelShape, p: ParallelPlan): { dense: number; experts: number } {
  const c = countParams(s);
  const mtpExperts = isMoe(s) ? (s.mtpDepth * c.expertTotal) / (s.nLayers - s.nDenseLayers) : 0;
  return {
    dense: (c.total + c.mtp - c.expertTotal - mtpExperts) / (p.pp * p.tp),
    experts: (c.expertTotal + mtpExperts) / (p.pp * p.ep),
  };
}

/** Derived sizes of a valid plan (check planProblems first). */
export function layout(s: ModelShape, p: ParallelPlan, r: RunShape): Layout {
  const dp = r.nGpus / (p.tp * p.cp * p.pp);
  const expertDp = r.nGpus / p.pp / p.ep;
  const seqsPerStep = r.globalBatchTokens / r.seqLen;
  const slots = s.nLayers + s.mtpDepth + 2;
  const slotsPerStage = Math.ceil(slots / p.pp);
  const copies = scheduleMemory(p.schedule, p.pp).params; // DualPipe keeps two copies of its parameters
  const shard = paramsPerGpu(s, p);
  // BF16 weights + FP32 gradients on every replica; FP32 master weights and two FP32 moments split over DP.
  const perParam = (shards: number) => 2 + 4 + 12 / shards;
  return {
    dp,
    expertDp,
    seqsPerStep,
    microBatches: seqsPerStep / (dp * p.microBatchSeqs),
    slots,
    slotsPerStage,
    imbalance: slotsPerStage / (slots / p.pp),
    modelStateBytes: copies * (shard.dense * perParam(dp * p.cp) + shard.experts * perParam(expertDp)),
  };
}
