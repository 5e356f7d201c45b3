// One training step on one GPU, as a roofline with overlap:
//   step = C·(1 + bubble) + exposed comm + max(0, hidden comm − C),   C = kernel time × stage imbalance,
// where kernel time = FLOPs / (η · BF16 peak) and the overlap fractions say how much of each collective hides
// under compute (DualPipe hides the EP all-to-all: overlap 1). Two ways in:
//   'mfu'      the step time is given by an MFU (model FLOPs ÷ (step · peak)); the model then splits it into
//              useful compute, extra work (router, MTP), kernel losses, imbalance, bubble and exposed comm;
//   'roofline' the kernel efficiency η is given and the step time follows.
// Source: ../shared/reference/cost-model.md §1.2, §3; V3 §3.2 (DualPipe, 1:1 compute-to-communication).
import { epBytesPerTokenLayer, epRouting, tpBytesPerTokenLayer, type WirePrecision } from './comm.ts';
import { trainFlopsPerToken, type FlopsBreakdown } from './flops.ts';
import { bf16FlopsPerSec, type GpuSpec } from './hardware.ts';
import { layout, paramsPerGpu, type Layout, type ParallelPlan } from './parallel.ts';
import { bubbleFraction } from './pipeline.ts';
import { kvElementsPerLayer } from './kvcache.ts';
import { isMoe, moeLayers, type ModelShape } from './shape.ts';

export interface Cluster {
  gpu: GpuSpec;
  nGpus: number;
  /** Achieved per-GPU per-direction bandwidths, bytes/s (hardware.ts gives the defaults). */
  nvlinkBytesPerSec: number;
  ibBytesPerSec: number;
}

/** Fraction of each collective's time that hides under compute, 0..1. */
export interface Overlap {
  ep: number;
  dp: number;
  tp: number;
  cp: number;
  pp: number;
}

export interface StepSetup {
  shape: ModelShape;
  cluster: Cluster;
  plan: ParallelPlan;
  dispatch: WirePrecision;
  combine: WirePrecision;
  /** Bytes per gradient value in the DP reduce-scatter (4 = FP32). */
  gradBytes: number;
  overlap: Overlap;
}

export type StepMode = { kind: 'mfu'; mfu: number } | { kind: 'roofline'; efficiency: number };

export interface Collective {
  /** Bytes each GPU sends per step (all links). */
  bytes: number;
  seconds: number;
  link: 'nvlink' | 'ib' | 'nvlink+ib' | 'none';
}

export interface StepModel {
  tokensPerStep: number;
  flopsPerToken: FlopsBreakdown;
  layout: Layout;
  bubbleFraction: number;
  /** Seconds per step per GPU, by where they go; the parts sum to stepSeconds. */
  parts: {
    usefulCompute: number;
    extraWork: number;
    kernelLoss: number;
    imbalance: number;
    bubble: number;
    exposedComm: number;
  };
  comm: {
    ep: Collective & { ibBytes: number; nvlinkBytes: number; ibSeconds: number; nvlinkSeconds: number };
    dp: Collective;
    tp: Collective;
    cp: Collective;
    pp: Collective;
  };
  hiddenComm: number;
  stepSeconds: number;
  /** Kernel efficiency η: all FLOPs ÷ (kernel time · BF16 peak). */
  efficiency: number;
  mfu: number;
  /** Kernel time of the slowest stage ÷ EP all-to-all time (∞ without EP). */
  computeToComm: number;
  /** Per-GPU bandwidth that would just hide the EP all-to-all under compute, bytes/s. */
  neededIbBytesPerSec: number;
  neededNvlinkBytesPerSec: number;
  /** Warnings: the MFU needs kernels faster than peak or comm that cannot hide (MFU mode); memory overflows. */
  flags: string[];
}

function collective(bytes: number, bw: number, link: Collective['link']): Collective {
  return { bytes, seconds: bytes > 0 ? bytes / bw : 0, link: bytes > 0 ? link : 'none' };
}

/** Bytes and seconds of every collective per step per GPU. */
function communication(x: StepSetup, lay: Layout, tokensPerStep: number): StepModel['comm'] {
  const { shape: s, plan: p, cluster: c } = x;
  const multiNode = c.nGpus > c.gpu.gpusPerNode;
  const routing = epRouting(s, { ep: p.ep, gpusPerNode: c.gpu.gpusPerNode, nodeLimit: p.nodeLimit, dedup: p.dedup });
  const perTokenLayer = epBytesPerTokenLayer(s, routing, x.dispatch, x.combine);
  const moeTokenLayers = isMoe(s) ? (tokensPerStep * (moeLayers(s) + s.mtpDepth)) / c.nGpus : 0;
  const ibBytes = moeTokenLayers * perTokenLayer.ib;
  const nvlinkBytes = moeTokenLayers * perTokenLayer.nvlink;
  const ibSeconds = ibBytes / c.ibBytesPerSec;
  const nvlinkSeconds = nvlinkBytes / c.nvlinkBytesPerSec;
  const ep = {
    bytes: ibBytes + nvlinkBytes,
    // The two links run at once: DeepEP forwards IB arrivals over NVLink while more arrive.
    seconds: Math.max(ibSeconds, nvlinkSeconds),
    link: (ibBytes > 0
      ? nvlinkBytes > 0
        ? 'nvlink+ib'
        : 'ib'
      : nvlinkBytes > 0
        ? 'nvlink'
        : 'none') as Collective['link'],
    ibBytes,
    nvlinkBytes,
    ibSeconds,
    nvlinkSeconds,
  };
  // ZeRO-1: reduce-scatter gradients, all-gather the updated BF16 weights, each (n−1)/n of the shard's group.
  const shard = paramsPerGpu(s, p);
  const ring = (n: number) => (n - 1) / n;
  const dpBytes = (x.gradBytes + 2) * (shard.dense * ring(lay.dp * p.cp) + shard.experts * ring(lay.expertDp));
  const dp = collective(dpBytes, multiNode ? c.ibBytesPerSec : c.nvlinkBytesPerSec, multiNode ? 'ib' : 'nvlink');
  const tokensPerReplica = tokensPerStep / lay.dp;
  const layersPerStage = (s.nLayers + s.mtpDepth) / p.pp;
  const tpInNode = p.tp <= c.gpu.gpusPerNode;
  const tp = collective(
    (tokensPerReplica / p.cp) * layersPerStage * tpBytesPerTokenLayer(s.d, p.tp),
    tpInNode ? c.nvlinkBytesPerSec : c.ibBytesPerSec,
    tpInNode ? 'nvlink' : 'ib',
  );
  // Ring attention: each CP rank receives the other ranks' K and V (÷ TP) per layer, and their gradients back.
  const cpInNode = p.tp * p.cp <= c.gpu.gpusPerNode;
  const cp = collective(
    p.cp > 1 ? ((tokensPerReplica / p.cp) * layersPerStage * (p.cp - 1) * kvElementsPerLayer(s) * 2 * 2) / p.tp : 0,
    cpInNode ? c.nvlinkBytesPerSec : c.ibBytesPerSec,
    cpInNode ? 'nvlink' : 'ib',
  );
  // Activations forward and their gradients backward cross each stage boundary, sharded over TP and CP.
  const ppBytes = p.pp > 1 ? (tokensPerReplica * s.d * 2 * 2) / (p.tp * p.cp) : 0;
  const pp = collective(ppBytes, multiNode ? c.ibBytesPerSec : c.nvlinkBytesPerSec, multiNode ? 'ib' : 'nvlink');
  return { ep, dp, tp, cp, pp };
}

export function stepModel(x: StepSetup, seqLen: number, globalBatchTokens: number, mode: StepMode): StepModel {
  const { shape: s, plan: p, cluster: c } = x;
  const lay = layout(s, p, { nGpus: c.nGpus, gpusPerNode: c.gpu.gpusPerNode, seqLen, globalBatchTokens });
  const f = trainFlopsPerToken(s, seqLen);
  const peak = bf16FlopsPerSec(c.gpu);
  const usefulCompute = (globalBatchTokens * f.model) / c.nGpus / peak;
  const allCompute = (globalBatchTokens * f.total) / c.nGpus / peak;
  const b = bubbleFraction(p.schedule, p.pp, lay.microBatches, undefined, p.v);
  const comm = communication(x, lay, globalBatchTokens);
  const o = x.overlap;
  const kinds = ['ep', 'dp', 'tp', 'cp', 'pp'] as const;
  const exposed0 = kinds.reduce((acc, k) => acc + (1 - o[k]) * comm[k].seconds, 0);
  const hidden = kinds.reduce((acc, k) => acc + o[k] * comm[k].seconds, 0);
  const flags: string[] = [];
  let C: number; // compute time of the slowest stage
  let stepSeconds: number;
  if (mode.kind === 'mfu') {
    stepSeconds = usefulCompute / mode.mfu;
    C = (stepSeconds - exposed0) / (1 + b);
    if (C < hidden) flags.push('the overlapped communication needs more time than this MFU leaves for compute');
    if (C / lay.imbalance < allCompute)
      flags.push('this MFU needs kernels faster than peak once bubble, imbalance and exposed communication are paid');
  } else {
    C = (allCompute / mode.efficiency) * lay.imbalance;
    stepSeconds = C * (1 + b) + exposed0 + Math.max(0, hidden - C);
  }
  if (lay.modelStateBytes > c.gpu.hbmGB * 1e9)
    flags.push(
      `model states alone (${(lay.modelStateBytes / 1e9).toFixed(0)} GB per GPU) exceed the ${c.gpu.hbmGB} GB of HBM: shard further (TP, PP, EP)`,
    );
  const kernel = C / lay.imbalance;
  const exposedComm = exposed0 + Math.max(0, hidden - C);
  return {
    tokensPerStep: globalBatchTokens,
    flopsPerToken: f,
    layout: lay,
    bubbleFraction: b,
    parts: {
      usefulCompute,
      extraWork: allCompute - usefulCompute,
      kernelLoss: kernel - allCompute,
      imbalance: C - kernel,
      bubble: C * b,
      exposedComm: mode.kind === 'mfu' ? stepSeconds - C * (1 + b) : exposedComm,
    },
    comm,
    hiddenComm: Math.min(hidden, C),
    stepSeconds,
    efficiency: allCompute / kernel,
    mfu: usefulCompute / stepSeconds,
    computeToComm: comm.ep.seconds > 0 ? C / comm.ep.seconds : Infinity,
    neededIbBytesPerSec: comm.ep.ibBytes / C,
    neededNvlinkBytesPerSec: comm.ep.nvlinkBytes / C,
    flags,
  };
}
