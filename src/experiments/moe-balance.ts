// MoE load balancing: an auxiliary loss against DeepSeek-V3's auxiliary-loss-free bias [V3 §2.1.2, §4.5.2–4.5.3].
//   aux-loss   a balance loss α·Σ_i f_i·P_i strong enough to matter (α = 0.1 here), no bias — the classic way,
//              which V3 argues hurts quality because the loss fights the language-model gradient
//   aux-free   V3's way: b_i ← b_i ± γ after each step by over/under-load, which moves choices but never weights,
//              plus the complementary sequence-wise loss at V3's tiny α = 0.0001
//   none       no balancing at all (the imbalance the other two prevent; not run by default, to keep it short)
// Same data, same initial weights; MaxVio = (max load − mean load)/mean load per training batch, and final loss.
// The miniature uses γ = 0.01 rather than V3's 0.001: it trains for 10² steps instead of ~10⁵.
import { svgLineChart } from '../plot/svg.ts';
import { defaultMoe, parameterCount, type ModelConfig } from '../model/config.ts';
import { archTrainDefaults, heldOut, mainLoss, smallModel, trainArch, type HeldOut } from './arch-train.ts';
import type { TrainStep } from '../train/trainer.ts';
import { f3, markdownTable, movingAverage, tailMean, type ArchReport, type ExperimentHooks } from './arch-report.ts';

export interface MoeBalanceConfig {
  seed: number;
  steps: number;
  /** α of the aux-loss run. */
  auxAlpha: number;
  /** γ of the aux-free run. */
  gamma: number;
  methods: ('aux-loss' | 'aux-free' | 'none')[];
}

export const MOE_BALANCE_DEFAULTS: MoeBalanceConfig = {
  seed: 0,
  steps: 80,
  auxAlpha: 0.1,
  gamma: 0.01,
  methods: ['aux-loss', 'aux-free'],
};

const LABELS = { 'aux-loss': 'auxiliary loss', 'aux-free': 'aux-loss-free bias (V3)', none: 'no balancing' } as const;

export function moeBalanceModel(method: MoeBalanceConfig['methods'][number], c: MoeBalanceConfig): ModelConfig {
  const balance =
    method === 'aux-loss'
      ? { biasUpdateSpeed: 0, seqAuxAlpha: c.auxAlpha }
      : method === 'aux-free'
        ? { biasUpdateSpeed: c.gamma, seqAuxAlpha: 0.0001 }
        : { biasUpdateSpeed: 0, seqAuxAlpha: 0 };
  return smallModel({
    dModel: 48,
    dFF: 96,
    moe: {
      ...defaultMoe,
      nRoutedExperts: 8,
      nSharedExperts: 1,
      nActivatedExperts: 2,
      moeInterDim: 32,
      nDenseLayers: 0,
      ...balance,
    },
  });
}

interface RunResult {
  method: string;
  steps: TrainStep[];
  heldOut: HeldOut;
}

export async function runMoeBalance(
  c: MoeBalanceConfig = MOE_BALANCE_DEFAULTS,
  hooks: ExperimentHooks = {},
): Promise<ArchReport> {
  const runs: RunResult[] = [];
  const total = c.methods.length * c.steps;
  for (const [i, method] of c.methods.entries()) {
    const train = archTrainDefaults(moeBalanceModel(method, c), c.steps, c.seed);
    const { model, steps } = await trainArch(
      train,
      (s) =>
        hooks.onProgress?.(
          i * c.steps + s.step,
          total,
          `${method} loss ${mainLoss(s).toFixed(3)} MaxVio ${f3(s.maxVio ?? NaN)}`,
        ),
      hooks,
      method,
    );
    runs.push({ method, steps, heldOut: await heldOut(model, train) });
  }
  const rows = runs.map((r) => {
    const vio = r.steps.map((s) => s.maxVio!);
    return {
      method: r.method,
      finalTrainLoss: tailMean(r.steps.map(mainLoss), 0.1),
      heldOutLoss: r.heldOut.loss,
      heldOutAccuracy: r.heldOut.accuracy,
      maxVioLastQuarter: tailMean(vio),
      maxVioPeak: Math.max(...vio),
    };
  });
  const table = markdownTable(
    [
      'method',
      'train loss (last 10%)',
      'held-out loss',
      'held-out next-token acc.',
      'MaxVio (last 25%)',
      'MaxVio (peak)',
    ],
    rows.map((r) => [
      LABELS[r.method as keyof typeof LABELS],
      f3(r.finalTrainLoss),
      f3(r.heldOutLoss),
      f3(r.heldOutAccuracy),
      f3(r.maxVioLastQuarter),
      f3(r.maxVioPeak),
    ]),
  );
  const svg = svgLineChart({
    title: 'Expert load imbalance (MaxVio) while training: 8 routed experts, top-2',
    xLabel: 'step',
    yLabel: 'MaxVio = (max load − mean) / mean, 10-step average',
    series: runs.map((r) => ({
      name: LABELS[r.method as keyof typeof LABELS],
      points: movingAverage(r.steps.map((s) => s.maxVio!)).map((v, i) => [i + 1, v] as [number, number]),
    })),
  });
  return {
    experiment: 'moe-balance',
    config: { ...c, parameters: parameterCount(moeBalanceModel('aux-free', c)) },
    summary: { rows },
    table,
    svg,
    metrics: runs.flatMap((r) => r.steps.map((s) => ({ method: r.method, ...s }))),
  };
}
