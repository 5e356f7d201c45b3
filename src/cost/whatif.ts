// The question the talk asks: what did each V3 trick buy, and would H100s have needed them? V3's pre-training
// step is re-projected as a roofline at the kernel efficiency its measured MFU implies, changing one thing at a
// time: the GPU (H100: 2.25× the NVLink, same FLOP/s and InfiniBand), DualPipe's overlap, node-limited routing
// with IB deduplication, FP8 dispatch, and a dense-style TP8 recipe. The answer the model gives: V3's binding
// link is InfiniBand, so the tricks that shrink or hide IB traffic matter, and the H100's faster NVLink buys
// nothing once they are in place; NVLink decides only for recipes that lean on it (TP), which V3 avoided.
// Source: V3 §3.2 (DualPipe, node-limited all-to-all), ISCA'25 §4; presets.ts.
import type { GpuSpec } from './hardware.ts';
import { ROOFLINE_EFFICIENCY } from './presets.ts';
import { trainScenario, type TrainOverrides } from './scenario.ts';
import { projectStage } from './train.ts';

export interface WhatIfRow {
  label: string;
  gpu: string;
  gpuHours: number;
  /** GPU-hours ÷ the as-run row − 1. */
  change: number;
  stepSeconds: number;
  /** EP all-to-all per step: seconds on IB and on NVLink; TP seconds; the communication left exposed. */
  ibSeconds: number;
  nvlinkSeconds: number;
  tpSeconds: number;
  exposedComm: number;
}

const VARIANTS: Array<[string, TrainOverrides]> = [
  ['as run: H800, DualPipe, node limit 4, FP8 dispatch', {}],
  ['H100, same recipe', { gpu: 'h100' }],
  ['H800, all-to-all not overlapped (1F1B)', { schedule: '1f1b', overlap: 0 }],
  ['H800, no node limit, one IB copy per expert', { nodeLimit: 0, dedup: false }],
  ['H800, BF16 dispatch', { dispatch: 'bf16' }],
  ['H800, none of the tricks', { schedule: '1f1b', overlap: 0, nodeLimit: 0, dedup: false, dispatch: 'bf16' }],
  [
    'H100, none of the tricks',
    { gpu: 'h100', schedule: '1f1b', overlap: 0, nodeLimit: 0, dedup: false, dispatch: 'bf16' },
  ],
  // A dense-model recipe: tensor parallelism inside the node, experts on the same 8 GPUs. NVLink now carries it.
  ['H800, TP8 with EP8 inside the node', { tp: 8, ep: 8, nodeLimit: 0 }],
  ['H100, TP8 with EP8 inside the node', { gpu: 'h100', tp: 8, ep: 8, nodeLimit: 0 }],
];

/** V3 pre-training under each variant, at a fixed kernel efficiency (default: V3's own). */
export function v3WhatIf(efficiency = ROOFLINE_EFFICIENCY, extraGpus: readonly GpuSpec[] = []): WhatIfRow[] {
  const rows: WhatIfRow[] = [];
  for (const [label, o] of VARIANTS) {
    const sc = trainScenario('deepseek-v3', { ...o, mode: 'roofline', efficiency }, extraGpus);
    if (!('setup' in sc) || sc.problems.length) throw new Error(`what-if '${label}': ${sc.problems.join('; ')}`);
    const pre = projectStage(sc.setup, sc.stages[0]!);
    const step = pre.steps![0]!;
    rows.push({
      label,
      gpu: sc.setup.cluster.gpu.id,
      gpuHours: pre.gpuHours,
      change: rows.length ? pre.gpuHours / rows[0]!.gpuHours - 1 : 0,
      stepSeconds: step.stepSeconds,
      ibSeconds: step.comm.ep.ibSeconds,
      nvlinkSeconds: step.comm.ep.nvlinkSeconds,
      tpSeconds: step.comm.tp.seconds,
      exposedComm: step.parts.exposedComm,
    });
  }
  return rows;
}
