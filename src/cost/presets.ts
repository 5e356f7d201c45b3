// Runs the cost model knows by name: DeepSeek-V3 (pre-training, context extension, post-training), the same run
// on H100s, DeepSeek-V2, an R1-Zero-style RL stage and Llama-3.1-405B, plus DeepSeek's V3/R1 serving fleet.
// Every number that is not a published fact is marked as an assumption where it is set.
// Sources: V3 Table 1, §3.2, §4.2–4.3; V2 §3.1–3.2; ISCA'25 Table 4; Llama 3 §3.3 and MODEL_CARD; R1 Nature
// supplement; open-infra-index day 6 — all via ../shared/reference/cost-model.md and deepseek-v3-architecture.md.
import { findGpu, ibBytesPerSec, nvlinkBytesPerSec, type GpuSpec } from './hardware.ts';
import { trainFlopsPerToken } from './flops.ts';
import { DEEPSEEK_V2, DEEPSEEK_V3, LLAMA_31_405B } from './models.ts';
import type { ParallelPlan } from './parallel.ts';
import type { RlSpec } from './rl.ts';
import type { ServeSetup } from './serve.ts';
import { defineShape, type ModelShape } from './shape.ts';
import { DEEPSEEK_DAY } from './sheet.ts';
import { impliedMfu, type Phase, type StageSpec } from './train.ts';

/** DeepSeek-V3's measured MFU: 38.94% of the dense BF16 peak on 2048 H800 (ISCA'25 Table 4, causal). */
export const V3_MFU = 0.3894;

/**
 * Kernel efficiency η for roofline mode: the share of BF16 peak V3's kernels reached while computing, which
 * its measured MFU implies once MTP and router work, DualPipe's bubble and stage imbalance are taken out
 * (computed by test/cost/presets.test.ts from the V3 preset; update both together).
 */
export const ROOFLINE_EFFICIENCY = 0.42;

export interface TrainPreset {
  id: string;
  title: string;
  shape: ModelShape;
  gpu: string;
  nGpus: number;
  plan: ParallelPlan;
  dispatch: 'fp8' | 'bf16';
  combine: 'fp8' | 'bf16';
  gradBytes: number;
  overlap: { ep: number; dp: number; tp: number; cp: number; pp: number };
  goodput: number;
  pricePerGpuHour: number;
  stages: StageSpec[];
  published?: { gpuHours: number; dollars?: number; source: string };
  notes: string[];
}

const gpu = (id: string): GpuSpec => findGpu(id)!;
const phase = (tokens: number, seqLen: number, seqsPerBatch: number): Phase => ({
  tokens,
  seqLen,
  globalBatchTokens: seqsPerBatch * seqLen,
});

/** The MFU at which `phases` would take the published hours on `g` (an 'implied' stage reproduces them). */
function implied(phases: Phase[], shape: ModelShape, gpuHours: number, g: GpuSpec): number {
  const flops = phases.reduce((a, ph) => a + ph.tokens * trainFlopsPerToken(shape, ph.seqLen).model, 0);
  return impliedMfu(flops, gpuHours, g.bf16Tflops * 1e12);
}

const V3_PLAN: ParallelPlan = {
  tp: 1,
  cp: 1,
  pp: 16,
  ep: 64,
  schedule: 'dualpipe',
  v: 1,
  microBatchSeqs: 1,
  nodeLimit: 4,
  dedup: true,
};
// V3 §4.3: two 1000-step phases, 32K at batch 1920, then 128K at batch 480.
const V3_CTX: Phase[] = [phase(1000 * 1920 * 32768, 32768, 1920), phase(1000 * 480 * 131072, 131072, 480)];
const V3_CTX_MFU = implied(V3_CTX, DEEPSEEK_V3, 119e3, gpu('h800'));

function v3Stages(transferred: boolean): StageSpec[] {
  const src = transferred ? ('transferred' as const) : undefined;
  return [
    {
      kind: 'computed',
      name: 'pre-training',
      phases: [phase(14.8e12, 4096, 15360)], // V3 §4.2: 14.8T tokens, 4K, batch ramped to 15360
      mfu: V3_MFU,
      mfuSource: src ?? 'measured',
      mfuNote: transferred ? "V3's H800 MFU, transferred (same FLOP/s)" : "DeepSeek measured 38.94% (ISCA'25 Table 4)",
      ...(transferred ? {} : { published: { gpuHours: 2.664e6, source: 'V3 Table 1' } }),
    },
    {
      kind: 'computed',
      name: 'context extension',
      phases: V3_CTX,
      mfu: V3_CTX_MFU,
      mfuSource: src ?? 'implied',
      mfuNote: 'implied by the published 119K GPU-h (no MFU published); 1000 steps at 32K, 1000 at 128K',
      ...(transferred ? {} : { published: { gpuHours: 119e3, source: 'V3 Table 1' } }),
    },
    {
      kind: 'reported',
      name: 'post-training',
      gpuHours: 5e3,
      note: 'as reported: SFT (1.5M instances) and RL token counts are not published',
      ...(transferred ? {} : { published: { gpuHours: 5e3, source: 'V3 Table 1' } }),
    },
  ];
}

const V3_BASE = {
  shape: DEEPSEEK_V3,
  nGpus: 2048,
  plan: V3_PLAN,
  dispatch: 'fp8' as const,
  combine: 'bf16' as const,
  gradBytes: 4,
  overlap: { ep: 1, dp: 1, tp: 0, cp: 1, pp: 1 }, // DualPipe hides the all-to-all; ZeRO-1 and PP sends overlap too
  goodput: 1, // DeepSeek's hours are throughput × tokens (180K GPU-h per trillion tokens): no downtime included
  pricePerGpuHour: 2,
};

// R1-Zero's base model runs RL without its MTP module.
const V3_NO_MTP = defineShape({ ...DEEPSEEK_V3, mtpDepth: 0 });

export const SERVE_V3: ServeSetup = {
  shape: V3_NO_MTP,
  gpu: gpu('h800'),
  nvlinkBytesPerSec: nvlinkBytesPerSec(gpu('h800')),
  ibBytesPerSec: ibBytesPerSec(gpu('h800')),
  efficiency: ROOFLINE_EFFICIENCY,
  hbmEfficiency: 0.9, // FlashMLA: 3000 of 3350 GB/s
  usableHbm: 0.9, // assumption: 10% for activations, communication buffers, fragmentation
  weightBytes: 1, // FP8 weights
  kvBytes: 2, // BF16 MLA cache
  dispatch: 'fp8',
  combine: 'bf16',
  nodeLimit: 4,
  // Day 6: prefill EP32 over 4 nodes; prompt length assumed equal to the average KV length 4,989.
  prefill: { gpus: 32, promptLen: DEEPSEEK_DAY.published.kvLen, cacheHitRatio: 342 / 608 },
  // Day 6: decode EP144 over 18 nodes, 32 redundant experts, 20–22 tok/s per user at KV length 4,989.
  decode: { gpus: 144, tp: 1, kvLen: DEEPSEEK_DAY.published.kvLen, tokensPerSecPerUser: 20, redundantExperts: 32 },
};

const R1_ZERO_RL: RlSpec = {
  steps: 10_400,
  answersPerStep: 512,
  stepsPerRollout: 16,
  promptLen: 256, // assumption: short math/code questions in the R1-Zero template
  meanAnswerLen: { start: 500, end: 10_000 }, // assumption read off R1 Fig. 3 ("a few hundred" → ~10K+)
  caps: [
    { untilStep: 8200, maxLen: 32_768 },
    { untilStep: Infinity, maxLen: 65_536 },
  ],
  updateMfu: V3_MFU, // transferred from V3 pre-training
  extraForwards: 2, // reference model and old-policy log-probs
  // Assumption: rollout engines of 64 GPUs (EP64, 4 experts per GPU, no redundancy), batch fixed by the rollout.
  decode: { ...SERVE_V3, decode: { ...SERVE_V3.decode, gpus: 64, redundantExperts: 0 } },
};

export const TRAIN_PRESETS: readonly TrainPreset[] = [
  {
    id: 'deepseek-v3',
    title: 'DeepSeek-V3: the final training run (V3 Table 1)',
    ...V3_BASE,
    gpu: 'h800',
    stages: v3Stages(false),
    published: { gpuHours: 2.788e6, dollars: 5.576e6, source: 'V3 Table 1 ($2 per H800 GPU-hour)' },
    notes: [
      'The $5.576M is the final run only, at a $2/GPU-hour rental price: no research, ablations, data or hardware.',
    ],
  },
  {
    id: 'deepseek-v3-h100',
    title: 'What if: the same V3 run on H100s (2.25× the NVLink, same FLOP/s and InfiniBand)',
    ...V3_BASE,
    gpu: 'h100',
    stages: v3Stages(true),
    notes: [
      'At the same MFU the H100 costs the same GPU-hours: V3 is compute-bound once DualPipe hides the all-to-all.',
      "The binding link of V3's all-to-all is InfiniBand (50 GB/s on both), not NVLink; see the what-if table.",
    ],
  },
  {
    id: 'deepseek-v2',
    title: 'DeepSeek-V2 pre-training (V2 §3.2.3: 172.8K H800 GPU-hours per trillion tokens)',
    shape: DEEPSEEK_V2,
    gpu: 'h800',
    nGpus: 1024, // assumption: V2 does not publish its cluster size (GPU-hours do not depend on it)
    // V2 §3.1.3: 16-way zero-bubble PP, 8-way EP, ZeRO-1 DP; device-limited routing inside a node.
    plan: { tp: 1, cp: 1, pp: 16, ep: 8, schedule: 'zb1p', v: 1, microBatchSeqs: 1, dedup: true },
    dispatch: 'bf16',
    combine: 'bf16',
    gradBytes: 4,
    overlap: { ep: 0, dp: 1, tp: 0, cp: 1, pp: 1 },
    goodput: 1,
    pricePerGpuHour: 2,
    stages: [
      {
        kind: 'computed',
        name: 'pre-training',
        phases: [phase(8.1e12, 4096, 9216)],
        mfu: implied([phase(8.1e12, 4096, 9216)], DEEPSEEK_V2, 8.1 * 172.8e3, gpu('h800')),
        mfuSource: 'implied',
        mfuNote: 'implied by 172.8K GPU-h per trillion tokens (no MFU published)',
        published: { gpuHours: 8.1 * 172.8e3, source: 'V2 §3.2.3 (172.8K per 1T tokens × 8.1T)' },
      },
    ],
    notes: ['V2 → V3: BF16 → FP8, ZB1P → DualPipe, intra-node EP8 → EP64 over 8 nodes with node-limited routing.'],
  },
  {
    id: 'r1-zero',
    title: 'An R1-Zero-style RL stage: GRPO on V3-Base, rollout-dominated (R1 Nature supplement)',
    ...V3_BASE,
    shape: V3_NO_MTP,
    gpu: 'h800',
    nGpus: 512,
    plan: { ...V3_PLAN, pp: 8 },
    stages: [
      {
        kind: 'rl',
        name: 'R1-Zero GRPO',
        rl: R1_ZERO_RL,
        published: { gpuHours: 512 * 198, source: 'R1 Nature suppl.: ~198 h on 512 H800 ($202K)' },
      },
    ],
    notes: [
      'Illustrative: the answer lengths, the rollout deployment and "the longest answer hits the cap" are assumptions.',
      'Press reports say 648 GPUs; 512 × 198 h × $2 matches the published $202K, so 512 is used.',
    ],
  },
  {
    id: 'llama-3.1-405b',
    title: 'Llama-3.1-405B pre-training on 16K H100 (hold-out: nothing here is fitted to its GPU-hours)',
    shape: LLAMA_31_405B,
    gpu: 'h100',
    nGpus: 16_384,
    // Llama 3 §3.3.2: TP8 × PP16 × DP128 (CP16 for long context), interleaved 1F1B; v = 4 per rank is assumed.
    plan: { tp: 8, cp: 1, pp: 16, ep: 1, schedule: 'interleaved', v: 4, microBatchSeqs: 1, dedup: true },
    dispatch: 'bf16',
    combine: 'bf16',
    gradBytes: 4,
    overlap: { ep: 0, dp: 1, tp: 0, cp: 1, pp: 1 },
    goodput: 0.9, // Llama 3 §3.3.4: "higher than 90% effective training time"
    pricePerGpuHour: 2,
    stages: [
      {
        kind: 'computed',
        name: 'pre-training',
        phases: [phase(14.8e12, 8192, 2048)], // 15.6T in all, batch 16M tokens of 8K sequences
        mfu: V3_MFU,
        mfuSource: 'transferred',
        mfuNote: "DeepSeek-V3's measured MFU, transferred unchanged",
      },
      {
        kind: 'computed',
        name: 'long context',
        // ~800B tokens in six steps from 8K to 128K; 64K (the midpoint) is an assumption. CP16 as at 128K.
        phases: [phase(0.8e12, 65536, 256)],
        planOverride: { cp: 16 },
        mfu: V3_MFU,
        mfuSource: 'transferred',
        mfuNote: "DeepSeek-V3's measured MFU, transferred unchanged",
      },
    ],
    published: { gpuHours: 30.84e6, source: 'Llama 3.1 MODEL_CARD (405B: 30.84M H100 GPU-hours)' },
    notes: [
      'Meta reports 41% MFU on 16K GPUs and 38% at 128K context for this run; try --mfu 0.41 to use its own figure.',
      'Without the 90% goodput (--goodput 1) the projection is the time of productive steps alone.',
    ],
  },
];

export const TRAIN_PRESET_IDS = TRAIN_PRESETS.map((p) => p.id);

export function findTrainPreset(id: string): TrainPreset | null {
  return TRAIN_PRESETS.find((p) => p.id === id) ?? null;
}
