// DeepSeekMoE against a dense FFN with the same activated parameters [V3 §2.1.2; DeepSeekMoE: fine-grained experts
// plus shared ones]. The dense model's SwiGLU has width 96; the MoE layer has one shared expert and routes each
// token to 2 of 8 fine-grained experts of width 32, so a token passes through 1·32 + 2·32 = 96 FFN units either
// way (the gate's E×d weights are the only extra activated parameters) while the MoE holds 3× more FFN
// parameters. Both train on the same data from the same seed; V3's aux-loss-free balancing keeps experts in use.
import { svgLineChart } from '../plot/svg.ts';
import { activatedParameterCount, defaultMoe, parameterCount, type ModelConfig } from '../model/config.ts';
import { archTrainDefaults, heldOut, mainLoss, smallModel, trainArch, type HeldOut } from './arch-train.ts';
import type { TrainStep } from '../train/trainer.ts';
import { f3, markdownTable, movingAverage, tailMean, type ArchReport, type ExperimentHooks } from './arch-report.ts';

export interface MoeVsDenseConfig {
  seed: number;
  steps: number;
}

export const MOE_VS_DENSE_DEFAULTS: MoeVsDenseConfig = { seed: 0, steps: 80 };

export function moeVsDenseModels(): { dense: ModelConfig; moe: ModelConfig } {
  const dense = smallModel({ dModel: 48, dFF: 96 });
  const moe = smallModel({
    dModel: 48,
    dFF: 96,
    moe: {
      ...defaultMoe,
      nRoutedExperts: 8,
      nSharedExperts: 1,
      nActivatedExperts: 2,
      moeInterDim: 32,
      nDenseLayers: 0,
      biasUpdateSpeed: 0.01,
    },
  });
  return { dense, moe };
}

export async function runMoeVsDense(
  c: MoeVsDenseConfig = MOE_VS_DENSE_DEFAULTS,
  hooks: ExperimentHooks = {},
): Promise<ArchReport> {
  const models = moeVsDenseModels();
  const runs: { name: 'dense' | 'moe'; steps: TrainStep[]; heldOut: HeldOut; ms?: number }[] = [];
  for (const [i, name] of (['dense', 'moe'] as const).entries()) {
    const train = archTrainDefaults(models[name], c.steps, c.seed);
    const t0 = hooks.now?.();
    const { model, steps } = await trainArch(
      train,
      (s) => hooks.onProgress?.(i * c.steps + s.step, 2 * c.steps, `${name} loss ${mainLoss(s).toFixed(3)}`),
      hooks,
      name,
    );
    const ms = t0 === undefined ? undefined : hooks.now!() - t0;
    runs.push({ name, steps, heldOut: await heldOut(model, train), ms });
  }
  const label = { dense: 'dense FFN (width 96)', moe: 'MoE: 1 shared + 2 of 8 routed (width 32)' };
  const table = markdownTable(
    [
      'FFN',
      'total parameters',
      'activated parameters',
      'train loss (last 10%)',
      'held-out loss',
      'held-out next-token acc.',
      'MaxVio (last 25%)',
    ],
    runs.map((r) => [
      label[r.name],
      String(parameterCount(models[r.name])),
      String(activatedParameterCount(models[r.name])),
      f3(tailMean(r.steps.map(mainLoss), 0.1)),
      f3(r.heldOut.loss),
      f3(r.heldOut.accuracy),
      r.name === 'moe' ? f3(tailMean(r.steps.map((s) => s.maxVio!))) : '–',
    ]),
  );
  const svg = svgLineChart({
    title: 'Training loss at equal activated parameters (10-step average)',
    xLabel: 'step',
    yLabel: 'next-token loss (nats)',
    series: runs.map((r) => ({
      name: label[r.name],
      points: movingAverage(r.steps.map(mainLoss)).map((v, i) => [i + 1, v] as [number, number]),
    })),
  });
  const timed = runs.every((r) => r.ms !== undefined);
  return {
    experiment: 'moe-vs-dense',
    config: { ...c, dense: models.dense, moe: models.moe },
    summary: {
      rows: runs.map((r) => ({
        name: r.name,
        parameters: parameterCount(models[r.name]),
        activated: activatedParameterCount(models[r.name]),
        heldOut: r.heldOut,
      })),
    },
    table,
    svg,
    metrics: runs.flatMap((r) => r.steps.map((s) => ({ ffn: r.name, ...s }))),
    timing: timed ? Object.fromEntries(runs.map((r) => [r.name, { msPerStep: r.ms! / c.steps }])) : undefined,
  };
}
