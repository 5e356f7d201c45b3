// A preset plus what-if changes → a checked training or serving setup. The CLI and the lessons both come
// through here, so "--gpu h100 --overlap 0" means the same everywhere. Changes that make a published figure
// no longer comparable (another GPU, another model, another token budget) drop it; changes that only alter how
// the time is explained (roofline mode, parallelism) keep it, so the projection can be compared.
// Problems come back as sentences (the CLI turns them into usage errors; library callers into InputError).
import { findGpu, ibBytesPerSec, knownGpuIds, nvlinkBytesPerSec, type GpuSpec } from './hardware.ts';
import { planProblems, type ParallelPlan } from './parallel.ts';
import type { Schedule } from './pipeline.ts';
import { findTrainPreset, ROOFLINE_EFFICIENCY, SERVE_V3, TRAIN_PRESET_IDS, type TrainPreset } from './presets.ts';
import type { ServeSetup } from './serve.ts';
import { isMoe, type ModelShape } from './shape.ts';
import type { StageSpec, TrainSetup } from './train.ts';

export interface TrainOverrides {
  gpu?: string;
  nGpus?: number;
  shape?: ModelShape;
  tokens?: number;
  seqLen?: number;
  globalBatchTokens?: number;
  mfu?: number;
  mode?: 'mfu' | 'roofline';
  efficiency?: number;
  tp?: number;
  cp?: number;
  pp?: number;
  ep?: number;
  schedule?: Schedule;
  v?: number;
  microBatchSeqs?: number;
  /** 0 = no node limit. */
  nodeLimit?: number;
  dedup?: boolean;
  dispatch?: 'fp8' | 'bf16';
  /** Overlap of the EP all-to-all, 0..1. */
  overlap?: number;
  goodput?: number;
  price?: number;
  nvlinkGBps?: number;
  ibGBps?: number;
}

export interface TrainScenario {
  preset: TrainPreset;
  setup: TrainSetup;
  stages: StageSpec[];
  /** The run is still the published one (same GPU, model and tokens), so the preset's totals compare. */
  comparable: boolean;
  problems: string[];
}

const unit = (v: number | undefined) => v === undefined || (v > 0 && v <= 1);

function resolveGpu(id: string, extra: readonly GpuSpec[], problems: string[]): GpuSpec | null {
  const g = findGpu(id, extra);
  if (!g) problems.push(`unknown GPU '${id}' (known: ${knownGpuIds(extra).join(', ')}; add your own with --gpu-file)`);
  return g;
}

function adaptStages(p: TrainPreset, o: TrainOverrides, g: GpuSpec): StageSpec[] {
  const otherGpu = g.id !== p.gpu;
  const otherModel = o.shape !== undefined;
  let first = true;
  const out: StageSpec[] = [];
  for (const st of p.stages) {
    if (st.kind !== 'computed') {
      // Reported hours and the RL recipe belong to the preset's own model.
      if (!otherModel) out.push(otherGpu ? { ...st, published: undefined } : st);
      continue;
    }
    let s = { ...st, phases: [...st.phases] };
    if (first && (o.tokens !== undefined || o.seqLen !== undefined || o.globalBatchTokens !== undefined)) {
      const ph = s.phases[0]!;
      const seqLen = o.seqLen ?? ph.seqLen;
      const globalBatchTokens = o.globalBatchTokens ?? (ph.globalBatchTokens / ph.seqLen) * seqLen;
      s.phases = [{ tokens: o.tokens ?? ph.tokens, seqLen, globalBatchTokens }];
      s.published = undefined;
    }
    first = false;
    // A parallelism flag applies to every stage, over the stage's own choice.
    if (s.planOverride)
      s.planOverride = Object.fromEntries(
        Object.entries(s.planOverride).filter(([k]) => o[k as keyof TrainOverrides] === undefined),
      );
    if (o.mfu !== undefined) s = { ...s, mfu: o.mfu, mfuSource: 'assumed', mfuNote: 'given with --mfu' };
    else if ((otherGpu || otherModel) && s.mfuSource !== 'assumed')
      s = { ...s, mfuSource: 'transferred', mfuNote: `${p.shape.name} on ${p.gpu.toUpperCase()}: ${s.mfuNote}` };
    if (otherGpu || otherModel) s.published = undefined;
    out.push(s);
  }
  return out;
}

/** The preset with the changes applied, and everything that makes it impossible. */
export function trainScenario(
  presetId: string,
  o: TrainOverrides = {},
  extraGpus: readonly GpuSpec[] = [],
): TrainScenario | { problems: string[] } {
  const preset = findTrainPreset(presetId);
  if (!preset) return { problems: [`unknown preset '${presetId}' (known: ${TRAIN_PRESET_IDS.join(', ')})`] };
  const problems: string[] = [];
  const g = resolveGpu(o.gpu ?? preset.gpu, extraGpus, problems);
  if (!g) return { problems };
  const shape = o.shape ?? preset.shape;
  const moe = isMoe(shape);
  const plan: ParallelPlan = {
    ...preset.plan,
    ...(moe ? {} : { ep: 1, nodeLimit: undefined }),
    ...(o.tp !== undefined ? { tp: o.tp } : {}),
    ...(o.cp !== undefined ? { cp: o.cp } : {}),
    ...(o.pp !== undefined ? { pp: o.pp } : {}),
    ...(o.ep !== undefined ? { ep: o.ep } : {}),
    ...(o.schedule !== undefined ? { schedule: o.schedule } : {}),
    ...(o.v !== undefined ? { v: o.v } : {}),
    ...(o.microBatchSeqs !== undefined ? { microBatchSeqs: o.microBatchSeqs } : {}),
    ...(o.nodeLimit !== undefined ? { nodeLimit: o.nodeLimit === 0 ? undefined : o.nodeLimit } : {}),
    ...(o.dedup !== undefined ? { dedup: o.dedup } : {}),
  };
  const schedule = plan.schedule;
  const setup: TrainSetup = {
    shape,
    cluster: {
      gpu: g,
      nGpus: o.nGpus ?? preset.nGpus,
      nvlinkBytesPerSec: o.nvlinkGBps !== undefined ? o.nvlinkGBps * 1e9 : nvlinkBytesPerSec(g),
      ibBytesPerSec: o.ibGBps !== undefined ? o.ibGBps * 1e9 : ibBytesPerSec(g),
    },
    plan,
    dispatch: o.dispatch ?? preset.dispatch,
    combine: preset.combine,
    gradBytes: preset.gradBytes,
    // DualPipe exists to hide the all-to-all; any other schedule leaves it exposed unless told otherwise.
    overlap: {
      ...preset.overlap,
      ep: o.overlap ?? (o.schedule !== undefined ? (schedule === 'dualpipe' ? 1 : 0) : preset.overlap.ep),
    },
    goodput: o.goodput ?? preset.goodput,
    pricePerGpuHour: o.price ?? preset.pricePerGpuHour,
    mode: o.mode ?? 'mfu',
    efficiency: o.efficiency ?? ROOFLINE_EFFICIENCY,
  };
  if (!unit(o.mfu)) problems.push(`MFU must be in (0, 1] (got ${o.mfu})`);
  if (!unit(o.efficiency)) problems.push(`the kernel efficiency must be in (0, 1] (got ${o.efficiency})`);
  if (!unit(o.goodput)) problems.push(`goodput must be in (0, 1] (got ${o.goodput})`);
  if (o.overlap !== undefined && !(o.overlap >= 0 && o.overlap <= 1))
    problems.push(`overlap must be in [0, 1] (got ${o.overlap})`);
  if (o.tokens !== undefined && !(o.tokens > 0)) problems.push(`the token budget must be > 0 (got ${o.tokens})`);
  const stages = adaptStages(preset, o, g);
  // A problem every phase has with its own numbers (each phase's batch) is said once, with how many more have it.
  const byForm = new Map<string, { first: string; more: number }>();
  for (const st of stages) {
    if (st.kind !== 'computed') continue;
    const stagePlan = { ...plan, ...st.planOverride };
    for (const ph of st.phases)
      for (const pr of planProblems(shape, stagePlan, {
        nGpus: setup.cluster.nGpus,
        gpusPerNode: g.gpusPerNode,
        seqLen: ph.seqLen,
        globalBatchTokens: ph.globalBatchTokens,
      })) {
        const form = pr.replace(/\d[\d.e+]*/g, '#');
        const seen = byForm.get(form);
        if (!seen) byForm.set(form, { first: pr, more: 0 });
        else if (seen.first !== pr) seen.more++;
      }
  }
  for (const { first, more } of byForm.values())
    problems.push(more ? `${first} (and so in ${more} more phase${more > 1 ? 's' : ''} of the run)` : first);
  // The RL stage's rollout engine runs on the chosen GPU too.
  const retarget = (st: StageSpec): StageSpec =>
    st.kind === 'rl'
      ? {
          ...st,
          rl: {
            ...st.rl,
            decode: {
              ...st.rl.decode,
              gpu: g,
              nvlinkBytesPerSec: setup.cluster.nvlinkBytesPerSec,
              ibBytesPerSec: setup.cluster.ibBytesPerSec,
            },
          },
        }
      : st;
  const comparable =
    (o.gpu === undefined || g.id === preset.gpu) &&
    o.shape === undefined &&
    o.tokens === undefined &&
    o.seqLen === undefined &&
    o.globalBatchTokens === undefined;
  return { preset, setup, stages: stages.map(retarget), comparable, problems };
}

export interface ServeOverrides {
  gpu?: string;
  shape?: ModelShape;
  promptLen?: number;
  kvLen?: number;
  tokensPerSecPerUser?: number;
  cacheHitRatio?: number;
  batch?: number;
  prefillGpus?: number;
  decodeGpus?: number;
  tp?: number;
  efficiency?: number;
  nvlinkGBps?: number;
  ibGBps?: number;
}

/** DeepSeek's V3/R1 serving fleet with the changes applied, and what makes it impossible. */
export function serveScenario(
  o: ServeOverrides = {},
  extraGpus: readonly GpuSpec[] = [],
): { setup: ServeSetup; problems: string[] } {
  const problems: string[] = [];
  const g = resolveGpu(o.gpu ?? SERVE_V3.gpu.id, extraGpus, problems) ?? SERVE_V3.gpu;
  const shape = o.shape ?? SERVE_V3.shape;
  const setup: ServeSetup = {
    ...SERVE_V3,
    shape,
    gpu: g,
    nvlinkBytesPerSec: o.nvlinkGBps !== undefined ? o.nvlinkGBps * 1e9 : nvlinkBytesPerSec(g),
    ibBytesPerSec: o.ibGBps !== undefined ? o.ibGBps * 1e9 : ibBytesPerSec(g),
    efficiency: o.efficiency ?? SERVE_V3.efficiency,
    prefill: {
      gpus: o.prefillGpus ?? SERVE_V3.prefill.gpus,
      promptLen: o.promptLen ?? SERVE_V3.prefill.promptLen,
      cacheHitRatio: o.cacheHitRatio ?? SERVE_V3.prefill.cacheHitRatio,
    },
    decode: {
      ...SERVE_V3.decode,
      gpus: o.decodeGpus ?? SERVE_V3.decode.gpus,
      tp: o.tp ?? SERVE_V3.decode.tp,
      kvLen: o.kvLen ?? SERVE_V3.decode.kvLen,
      tokensPerSecPerUser: o.tokensPerSecPerUser ?? SERVE_V3.decode.tokensPerSecPerUser,
      redundantExperts: isMoe(shape) ? SERVE_V3.decode.redundantExperts : 0,
      ...(o.batch !== undefined ? { batch: o.batch } : {}),
    },
  };
  const d = setup.decode;
  if (isMoe(shape) && d.gpus > shape.nRoutedExperts + d.redundantExperts)
    problems.push(`decode EP ${d.gpus} is larger than the ${shape.nRoutedExperts + d.redundantExperts} expert slots`);
  if (!isMoe(shape) && o.decodeGpus !== undefined && o.decodeGpus > 1 && o.tp === undefined)
    problems.push(`${shape.name} is dense: split it with --tp, not an expert-parallel group`);
  if (shape.nHeads % d.tp !== 0) problems.push(`TP ${d.tp} does not divide the ${shape.nHeads} attention heads`);
  if (!(setup.prefill.cacheHitRatio >= 0 && setup.prefill.cacheHitRatio < 1))
    problems.push(`the cache-hit ratio must be in [0, 1) (got ${setup.prefill.cacheHitRatio})`);
  if (!unit(o.efficiency)) problems.push(`the kernel efficiency must be in (0, 1] (got ${o.efficiency})`);
  return { setup, problems };
}
