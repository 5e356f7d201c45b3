// Training projection: GPU-hours, wall-clock days and dollars for a run made of stages (pre-training, context
// extension, post-training, RL). A computed stage needs tokens, a sequence length, a global batch and either an
// MFU or (roofline mode) a kernel efficiency; GPU-hours = steps × step time × GPUs ÷ goodput. A reported stage
// carries published GPU-hours where the inputs were never published (V3 post-training). Each MFU says where it
// comes from: measured (published MFU), implied (published hours ÷ our FLOPs: reproduces them by
// construction), transferred (measured on another run) or assumed (a flag).
// Source: ../shared/reference/cost-model.md §1.4, §5; V3 Table 1.
import type { ParallelPlan } from './parallel.ts';
import { projectRl, type RlResult, type RlSpec } from './rl.ts';
import { stepModel, type StepModel, type StepSetup } from './step.ts';

export type MfuSource = 'measured' | 'implied' | 'transferred' | 'assumed';

export interface Published {
  gpuHours: number;
  source: string;
}

export interface Phase {
  tokens: number;
  seqLen: number;
  globalBatchTokens: number;
}

export type StageSpec =
  | {
      kind: 'computed';
      name: string;
      /** One phase for most stages; context extension runs 32K then 128K phases at one MFU. */
      phases: Phase[];
      /** Parallelism this stage changes (e.g. context parallelism for long sequences). */
      planOverride?: Partial<ParallelPlan>;
      /** MFU on the dense BF16 peak with flops.ts's model-FLOP basis. */
      mfu: number;
      mfuSource: MfuSource;
      mfuNote: string;
      published?: Published;
    }
  | { kind: 'reported'; name: string; gpuHours: number; note: string; published?: Published }
  | { kind: 'rl'; name: string; rl: RlSpec; published?: Published };

export interface TrainSetup extends StepSetup {
  /** Productive share of wall time (restarts, failures); 1 = none lost. */
  goodput: number;
  pricePerGpuHour: number;
  mode: 'mfu' | 'roofline';
  /** Kernel efficiency η for roofline mode. */
  efficiency: number;
}

export interface StageResult {
  name: string;
  kind: StageSpec['kind'];
  gpuHours: number;
  days: number;
  dollars: number;
  published?: Published;
  /** ours ÷ published − 1. */
  error?: number;
  tokens?: number;
  seqLens?: number[];
  totalFlops?: number;
  mfu?: number;
  mfuSource?: MfuSource | 'roofline';
  note?: string;
  /** The step of each phase; the first one is the stage's breakdown. */
  steps?: StepModel[];
  rl?: RlResult;
}

export interface TrainResult {
  stages: StageResult[];
  total: { gpuHours: number; days: number; dollars: number };
}

function finish(
  name: string,
  kind: StageSpec['kind'],
  gpuHours: number,
  x: TrainSetup,
  published?: Published,
): StageResult {
  return {
    name,
    kind,
    gpuHours,
    days: gpuHours / x.cluster.nGpus / 24,
    dollars: gpuHours * x.pricePerGpuHour,
    ...(published ? { published, error: gpuHours / published.gpuHours - 1 } : {}),
  };
}

/** Projects one stage on the setup's cluster. */
export function projectStage(x: TrainSetup, st: StageSpec): StageResult {
  if (st.kind === 'reported') return { ...finish(st.name, st.kind, st.gpuHours, x, st.published), note: st.note };
  if (st.kind === 'rl') {
    const rl = projectRl(st.rl, x.cluster.nGpus);
    return { ...finish(st.name, st.kind, rl.gpuHours / x.goodput, x, st.published), rl, tokens: rl.trainTokens };
  }
  const mode =
    x.mode === 'mfu'
      ? ({ kind: 'mfu', mfu: st.mfu } as const)
      : ({ kind: 'roofline', efficiency: x.efficiency } as const);
  const xs = st.planOverride ? { ...x, plan: { ...x.plan, ...st.planOverride } } : x;
  const steps = st.phases.map((ph) => stepModel(xs, ph.seqLen, ph.globalBatchTokens, mode));
  let seconds = 0;
  let flops = 0;
  st.phases.forEach((ph, i) => {
    seconds += (ph.tokens / ph.globalBatchTokens) * steps[i]!.stepSeconds;
    flops += ph.tokens * steps[i]!.flopsPerToken.model;
  });
  const gpuHours = (seconds * x.cluster.nGpus) / 3600 / x.goodput;
  return {
    ...finish(st.name, st.kind, gpuHours, x, st.published),
    tokens: st.phases.reduce((a, ph) => a + ph.tokens, 0),
    seqLens: st.phases.map((ph) => ph.seqLen),
    totalFlops: flops,
    // Model FLOPs over productive GPU time, at peak: the stage's MFU (one value across phases).
    mfu: flops / (gpuHours * x.goodput * 3600 * x.cluster.gpu.bf16Tflops * 1e12),
    mfuSource: x.mode === 'mfu' ? st.mfuSource : 'roofline',
    note: x.mode === 'mfu' ? st.mfuNote : `kernel efficiency η = ${x.efficiency} of BF16 peak`,
    steps,
  };
}

/** Projects every stage and sums them. */
export function projectTrain(x: TrainSetup, stages: readonly StageSpec[]): TrainResult {
  const results = stages.map((st) => projectStage(x, st));
  const gpuHours = results.reduce((a, r) => a + r.gpuHours, 0);
  return {
    stages: results,
    total: { gpuHours, days: gpuHours / x.cluster.nGpus / 24, dollars: gpuHours * x.pricePerGpuHour },
  };
}

/** The MFU that makes `flops` take `gpuHours` on a GPU of `peakFlopsPerSec` (for 'implied' stages). */
export function impliedMfu(flops: number, gpuHours: number, peakFlopsPerSec: number): number {
  return flops / (gpuHours * 3600 * peakFlopsPerSec);
}
