// Lesson 05's second run: NVLink vs InfiniBand. V3's pre-training step is projected as a roofline at the
// kernel efficiency its measured MFU implies (src/cost/whatif.ts), with the per-GPU InfiniBand and NVLink
// bandwidths as knobs, under DualPipe (the expert all-to-all overlapped with compute) or 1F1B (not
// overlapped). The chart sweeps InfiniBand; the lines explain the step at the chosen setting and print the
// H800-vs-H100 what-if table. Pure arithmetic, instant on any budget.
import type { RunContext, RunResult } from '../../src/tui/manifest.ts';

/** InfiniBand bandwidths the chart sweeps, GB/s per GPU per direction (achieved; the H800 measured 40). */
export const IB_SWEEP = [10, 20, 40, 80, 160];

export async function linksRun(ctx: RunContext): Promise<RunResult> {
  const { trainScenario } = await import('../../src/cost/scenario.ts');
  const { projectStage } = await import('../../src/cost/train.ts');
  const { v3WhatIf } = await import('../../src/cost/whatif.ts');
  const { ROOFLINE_EFFICIENCY } = await import('../../src/cost/presets.ts');
  const { duration, pct, si, signedPct } = await import('../../src/cost/format.ts');
  const nvlink = Number(ctx.knobs['nvlink']);
  const ib = Number(ctx.knobs['ib']);
  const schedule = String(ctx.knobs['schedule']);
  const pretrain = (ibGBps: number, overlapped: boolean) => {
    const sc = trainScenario('deepseek-v3', {
      mode: 'roofline',
      efficiency: ROOFLINE_EFFICIENCY,
      ibGBps,
      nvlinkGBps: nvlink,
      ...(overlapped ? {} : { schedule: '1f1b' as const, overlap: 0 }),
    });
    if (!('setup' in sc) || sc.problems.length) throw new Error(sc.problems.join('; '));
    return projectStage(sc.setup, sc.stages[0]!);
  };
  for (const [i, b] of IB_SWEEP.entries()) {
    if (ctx.signal.aborted) break;
    ctx.report({
      kind: 'progress',
      step: i + 1,
      total: IB_SWEEP.length,
      metrics: {
        'DualPipe (overlap)': pretrain(b, true).gpuHours / 1e6,
        '1F1B (no overlap)': pretrain(b, false).gpuHours / 1e6,
      },
    });
    await ctx.tick();
  }
  const whatIf = v3WhatIf();
  const asRun = whatIf[0]!;
  const chosen = pretrain(ib, schedule === 'dualpipe');
  const step = chosen.steps![0]!;
  const ep = step.comm.ep;
  const h100 = whatIf.find((r) => r.label.startsWith('H100, same recipe'))!;
  return {
    metrics: {
      gpuHours: chosen.gpuHours,
      stepSeconds: step.stepSeconds,
      ibSeconds: ep.ibSeconds,
      nvlinkSeconds: ep.nvlinkSeconds,
      exposedComm: step.parts.exposedComm,
      vsAsRun: chosen.gpuHours / asRun.gpuHours - 1,
      h100Change: h100.change,
    },
    lines: [
      `IB ${ib} GB/s and NVLink ${nvlink} GB/s per GPU, ${schedule === 'dualpipe' ? 'DualPipe (all-to-all overlapped)' : '1F1B (all-to-all not overlapped)'}:`,
      `one ${duration(step.stepSeconds)} step: compute ${duration(step.stepSeconds - step.parts.bubble - step.parts.exposedComm)}, pipeline bubble ${duration(step.parts.bubble)}, exposed communication ${duration(step.parts.exposedComm)}.`,
      `The expert all-to-all needs ${duration(ep.ibSeconds)} on InfiniBand and ${duration(ep.nvlinkSeconds)} on NVLink per step.`,
      `Pre-training: ${si(chosen.gpuHours, 4)} GPU-hours (${signedPct(chosen.gpuHours / asRun.gpuHours - 1)} against the run as made: IB 40, NVLink 160, DualPipe).`,
      '',
      `What if (roofline at the kernel efficiency V3's MFU implies, ${pct(ROOFLINE_EFFICIENCY, 0)} of peak):`,
      ...whatIf.map(
        (r) =>
          `${r.label}: ${si(r.gpuHours, 4)} GPU-hours (${signedPct(r.change)}); IB ${duration(r.ibSeconds)}, NVLink ${duration(r.nvlinkSeconds)}, TP ${duration(r.tpSeconds)}, exposed ${duration(r.exposedComm)} per step`,
      ),
    ],
  };
}
