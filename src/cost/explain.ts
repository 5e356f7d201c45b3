// The "$5.576M" story in the lines a learner should see, each number computed by the cost model (nothing is
// pasted in): parameters → FLOPs per token → FLOPs for 14.8T tokens → GPU-hours at DeepSeek's measured MFU →
// dollars at $2/GPU-hour, then which assumption carries the result (the MFU) and what overlap buys.
// A terminal lesson can print these lines as they are. Source: V3 Table 1; ISCA'25 Table 4; presets.ts.
import { trainFlopsPerToken } from './flops.ts';
import { dollars, duration, pct, sci, si, signedPct, sig } from './format.ts';
import { findGpu } from './hardware.ts';
import { DEEPSEEK_V3 } from './models.ts';
import { countParams } from './params.ts';
import { findTrainPreset, ROOFLINE_EFFICIENCY, V3_MFU } from './presets.ts';
import { trainScenario, type TrainOverrides } from './scenario.ts';
import { projectStage, projectTrain, type TrainResult } from './train.ts';

function v3(o: TrainOverrides = {}): TrainResult {
  const sc = trainScenario('deepseek-v3', o);
  if (!('setup' in sc) || sc.problems.length) throw new Error(sc.problems.join('; '));
  return projectTrain(sc.setup, sc.stages);
}

/** Pre-training GPU-hours of the V3 preset under a change. */
function preHours(o: TrainOverrides): number {
  const sc = trainScenario('deepseek-v3', o);
  if (!('setup' in sc) || sc.problems.length) throw new Error(sc.problems.join('; '));
  return projectStage(sc.setup, sc.stages[0]!).gpuHours;
}

export function explainV3Cost(): string[] {
  const preset = findTrainPreset('deepseek-v3')!;
  const p = countParams(DEEPSEEK_V3);
  const f = trainFlopsPerToken(DEEPSEEK_V3, 4096);
  const r = v3();
  const [pre, ctx, post] = r.stages as [(typeof r.stages)[0], (typeof r.stages)[0], (typeof r.stages)[0]];
  const tokens = pre.tokens!;
  const step = pre.steps![0]!;
  const peak = findGpu(preset.gpu)!.bf16Tflops;
  const perGpu = V3_MFU * peak * 1e12;
  const published = preset.published!;
  const noOverlap = preHours({ mode: 'roofline', efficiency: step.efficiency, schedule: '1f1b', overlap: 0 });
  const rooflineAsRun = preHours({ mode: 'roofline', efficiency: step.efficiency });
  return [
    `DeepSeek-V3 has ${si(p.total, 4)} parameters; a token activates ${si(p.activated, 3)} of them (published: 671B / 37B).`,
    `Training costs ${sig(f.model / 1e9, 4)} GFLOP per token at 4K context (DeepSeek: 250), plus ${sig(f.mtp / 1e9, 3)} for the MTP module.`,
    `${si(tokens)} tokens × ${sig(f.model / 1e9, 4)} GFLOP = ${sci(pre.totalFlops!)} FLOP of pre-training.`,
    `An H800 peaks at ${peak} TFLOP/s (dense BF16); DeepSeek measured ${pct(V3_MFU, 2)} MFU, so each GPU delivers ${sig(perGpu / 1e12, 3)} TFLOP/s.`,
    `${sci(pre.totalFlops!)} ÷ ${sig(perGpu / 1e12, 3)}e12 FLOP/s ÷ 3600 = ${si(pre.gpuHours, 4)} GPU-hours (published 2.664M, ${signedPct(pre.error!, 2)}),`,
    `  ${si(pre.gpuHours / (tokens / 1e12), 3)} per trillion tokens, ${sig(pre.days, 3)} days on 2048 GPUs.`,
    `Context extension (32K, then 128K) adds ${si(ctx.gpuHours, 3)} and post-training ${si(post.gpuHours, 2)}: ${si(r.total.gpuHours, 4)} GPU-hours (published 2.788M).`,
    `At $2 per GPU-hour, a rental price: ${dollars(r.total.dollars, 4)} (published ${dollars(published.dollars!, 4)}).`,
    `That is the final run only: no research, ablations, data, salaries or the GPUs themselves.`,
    `The assumption that carries it is the MFU: at 30% pre-training would take ${si(preHours({ mfu: 0.3 }), 3)} GPU-hours, at 50% ${si(preHours({ mfu: 0.5 }), 3)}.`,
    `Where a ${duration(step.stepSeconds)} step goes: ${pct(step.parts.usefulCompute / step.stepSeconds)} useful compute at peak, ` +
      `${pct(step.parts.kernelLoss / step.stepSeconds)} kernels below peak (η = ${pct(step.efficiency)}), ` +
      `${pct(step.parts.bubble / step.stepSeconds)} DualPipe bubble, ${pct(step.parts.exposedComm / step.stepSeconds)} exposed communication.`,
    `The expert all-to-all needs ${duration(step.comm.ep.ibSeconds)} of InfiniBand and ${duration(step.comm.ep.nvlinkSeconds)} of NVLink per step; DualPipe hides it under compute.`,
    `Without that overlap (1F1B), at the same kernel efficiency: ${si(noOverlap, 3)} GPU-hours, ${signedPct(noOverlap / rooflineAsRun - 1)}.`,
    `(The roofline at V3's kernel efficiency, η = ${pct(ROOFLINE_EFFICIENCY, 0)}, is how 'tinyseek cost train --mode roofline' projects other runs.)`,
  ];
}
