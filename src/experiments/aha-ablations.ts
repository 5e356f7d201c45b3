// Controls that teach why the aha curve appears: each runs the aha experiment in two arms that differ in one
// thing, and draws them on one chart.
//   dr_grpo    GRPO vs Dr. GRPO: the length of *incorrect* answers. GRPO's 1/|o| lets long wrong answers
//              off lightly, so they drift longer; Dr. GRPO's constant normaliser does not (reference §7).
//   no_worked  the default base vs a base pretrained on direct answers only (AHA_NO_WORKED_MIX): RL can only
//              amplify what the base already does sometimes (oat-zero, reference §6).
//   shuffle    real rewards vs rewards permuted within each group: the same reward numbers, no signal, so
//              nothing is learned.
// Writes <out>/<arm>/ (an aha run directory each), <out>/<ablation>.svg and <out>/ablation.json.
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../core/fsio.ts';
import { compareChart } from '../rl/curves.ts';
import type { MetricKey, RlStepMetrics } from '../rl/step-metrics.ts';
import { AHA_NO_WORKED_MIX } from '../train/presets.ts';
import { AHA_DEFAULTS, runAha, type AhaConfig, type AhaEvent, type AhaHooks, type AhaSummary } from './aha.ts';

export const ABLATIONS = ['dr_grpo', 'no_worked', 'shuffle'] as const;
export type AblationName = (typeof ABLATIONS)[number];

export interface AblationArm {
  name: string;
  config: AhaConfig;
}

export interface AblationOptions {
  /** A base pretrained on AHA_NO_WORKED_MIX; without one, the no_worked arm pretrains it (default settings). */
  noWorkedBase?: string;
}

/** The two arms of an ablation, from the aha config both share. */
export function ablationArms(name: AblationName, shared: AhaConfig, opts: AblationOptions = {}): AblationArm[] {
  const rl = shared.rl;
  switch (name) {
    case 'dr_grpo':
      return [
        { name: 'grpo', config: { ...shared, rl: { ...rl, variant: 'grpo' } } },
        { name: 'dr_grpo', config: { ...shared, rl: { ...rl, variant: 'dr_grpo' } } },
      ];
    case 'no_worked':
      return [
        { name: 'default_base', config: shared },
        {
          name: 'no_worked_base',
          config: opts.noWorkedBase
            ? { ...shared, base: opts.noWorkedBase, fromScratch: false }
            : { ...shared, fromScratch: true, pretrain: { ...shared.pretrain, mix: AHA_NO_WORKED_MIX } },
        },
      ];
    case 'shuffle':
      return [
        { name: 'real_reward', config: shared },
        { name: 'shuffled_reward', config: { ...shared, rl: { ...rl, rewardShuffle: true } } },
      ];
  }
}

interface ChartSpec {
  title: string;
  key: MetricKey;
  yLabel: string;
  right: { key: MetricKey; label: string };
}

const CHARTS: Record<AblationName, ChartSpec> = {
  dr_grpo: {
    title: 'Length bias: incorrect answers under GRPO vs Dr. GRPO',
    key: 'lenIncorrect',
    yLabel: 'incorrect answer length (tokens)',
    right: { key: 'evalPass1', label: 'held-out pass@1' },
  },
  no_worked: {
    title: 'RL cannot bootstrap what the base never saw',
    key: 'evalPass1',
    yLabel: 'held-out pass@1',
    right: { key: 'evalThinkLen', label: 'think length (chars)' },
  },
  shuffle: {
    title: 'Shuffled rewards: same numbers, no signal',
    key: 'evalPass1',
    yLabel: 'held-out pass@1',
    right: { key: 'reward', label: 'training reward' },
  },
};

export type AblationEvent = { type: 'arm'; arm: string; index: number; arms: number; event: AhaEvent };

export interface AblationHooks extends Omit<AhaHooks, 'onEvent'> {
  onEvent?: (
    e: AblationEvent | { type: 'ablation-done'; out: string; chart: string; arms: Record<string, AhaSummary> },
  ) => void;
}

export async function runAblation(
  name: AblationName,
  partial: Partial<AhaConfig>,
  hooks: AblationHooks,
  opts: AblationOptions = {},
): Promise<Record<string, AhaSummary>> {
  const arms = ablationArms(name, { ...AHA_DEFAULTS, ...partial }, opts);
  const results: { name: string; runs: RlStepMetrics[][]; summary: AhaSummary }[] = [];
  for (const [index, arm] of arms.entries()) {
    if (index > 0 && hooks.shouldStop?.()) break;
    const { runs, summary } = await runAha(arm.config, {
      ...hooks,
      out: join(hooks.out, arm.name),
      onEvent: (event) => hooks.onEvent?.({ type: 'arm', arm: arm.name, index, arms: arms.length, event }),
    });
    results.push({ name: arm.name, runs, summary });
  }
  const spec = CHARTS[name];
  const chart = join(hooks.out, `${name}.svg`);
  writeFileAtomic(chart, compareChart(results, spec.key, spec.title, spec.yLabel, spec.right));
  const summaries = Object.fromEntries(results.map((r) => [r.name, r.summary]));
  writeJsonAtomic(join(hooks.out, 'ablation.json'), { ablation: name, arms: summaries });
  hooks.onEvent?.({ type: 'ablation-done', out: hooks.out, chart, arms: summaries });
  return summaries;
}
