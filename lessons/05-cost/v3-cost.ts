// Lesson 05's first run: DeepSeek-V3's training bill from the cost model (src/cost), with knobs for the GPU,
// the MFU and the pre-training tokens. At the defaults it prints explainV3Cost()'s lines, the published
// story recomputed; any other setting projects the V3 preset with those changes (trainScenario, the same
// path as `tinyseek cost train --gpu … --mfu … --tokens …`). Pure arithmetic, instant on any budget.
import type { RunContext, RunResult } from '../../src/tui/manifest.ts';

/** Knob text → tokens. */
export const TOKENS: Record<string, number> = { '1T': 1e12, '7.4T': 7.4e12, '14.8T': 14.8e12, '30T': 30e12 };

export async function v3CostRun(ctx: RunContext): Promise<RunResult> {
  const { explainV3Cost } = await import('../../src/cost/explain.ts');
  const { trainScenario } = await import('../../src/cost/scenario.ts');
  const { projectTrain } = await import('../../src/cost/train.ts');
  const { V3_MFU } = await import('../../src/cost/presets.ts');
  const { dollars, pct, sci, si, sig, signedPct } = await import('../../src/cost/format.ts');
  const gpu = String(ctx.knobs['gpu']);
  const mfu = Number(ctx.knobs['mfu']);
  const tokens = TOKENS[String(ctx.knobs['tokens'])] ?? 14.8e12;
  const project = (o: Parameters<typeof trainScenario>[1]) => {
    const sc = trainScenario('deepseek-v3', o);
    if (!('setup' in sc) || sc.problems.length) throw new Error(sc.problems.join('; '));
    return { setup: sc.setup, result: projectTrain(sc.setup, sc.stages) };
  };
  const asRun = project({});
  const changed = gpu !== 'h800' || mfu !== V3_MFU || tokens !== 14.8e12;
  const { setup, result } = changed ? project({ gpu, tokens, ...(mfu !== V3_MFU ? { mfu } : {}) }) : asRun;
  ctx.report({ kind: 'progress', step: 1, total: 1 });
  await ctx.tick();
  const pre = result.stages[0]!;
  const g = setup.cluster.gpu;
  const metrics = {
    totalGpuHours: result.total.gpuHours,
    preGpuHours: pre.gpuHours,
    dollars: result.total.dollars,
    preDays: pre.days,
    preFlops: pre.totalFlops ?? 0,
    peakTflops: g.bf16Tflops,
    mfu: pre.mfu ?? mfu,
    vsAsRun: result.total.gpuHours / asRun.result.total.gpuHours - 1,
  };
  if (!changed) return { metrics, lines: explainV3Cost() };
  const perGpu = (pre.mfu ?? mfu) * g.bf16Tflops;
  const lines = [
    `The V3 preset with ${g.name}, ${pct(pre.mfu ?? mfu, 2)} MFU and ${si(pre.tokens ?? tokens)} pre-training tokens:`,
    `${si(pre.tokens ?? tokens)} tokens × ${sig((pre.totalFlops ?? 0) / (pre.tokens ?? tokens) / 1e9, 4)} GFLOP = ${sci(pre.totalFlops ?? 0)} FLOP of pre-training.`,
    `Each ${g.id.toUpperCase()} peaks at ${g.bf16Tflops} TFLOP/s (dense BF16); at ${pct(pre.mfu ?? mfu, 2)} it delivers ${sig(perGpu, 3)} TFLOP/s.`,
    `Pre-training: ${si(pre.gpuHours, 4)} GPU-hours, ${sig(pre.days, 3)} days on ${setup.cluster.nGpus} GPUs.`,
    ...result.stages
      .slice(1)
      .map(
        (s) =>
          `${s.name}: ${si(s.gpuHours, 3)} GPU-hours${s.kind === 'reported' ? ' (as reported for H800s; its inputs are unpublished)' : ''}.`,
      ),
    `Total: ${si(result.total.gpuHours, 4)} GPU-hours, ${dollars(result.total.dollars, 4)} at $${setup.pricePerGpuHour} per GPU-hour (as run: ${si(asRun.result.total.gpuHours, 4)}, ${dollars(asRun.result.total.dollars, 4)}; ${signedPct(metrics.vsAsRun)}).`,
    ...(gpu !== 'h800' && mfu === V3_MFU
      ? [
          `This assumes the ${g.id.toUpperCase()} reaches the same ${pct(V3_MFU, 2)} of its own peak as the H800 did: a transferred MFU, not a measurement.`,
        ]
      : []),
    ...(g.fp8Tflops === null
      ? [`The ${g.id.toUpperCase()} has no FP8 tensor cores: V3's FP8 recipe would not run on it as is.`]
      : []),
  ];
  return { metrics, lines };
}
