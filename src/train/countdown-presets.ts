// Pretraining presets of the primed Countdown bases (issue 16 item 2): one per priming condition
// (world/countdown/priming.ts), identical in everything but the corpus, so every base reads the same number of
// tokens (steps × batchSize × seqLen); `tinyseek pretrain --preset countdown-<condition>` runs one.
// Sizes: the default 2-layer, 64-wide model with a 256-token context (primed documents are ≤ 190 tokens).
import { defaultConfig } from '../model/config.ts';
import { defaultPretrain, type PretrainConfig } from './pretrain.ts';
import { PRIMING_CONDITIONS, primingMix, type PrimingCondition } from '../world/countdown/priming.ts';
import { vocabSize } from '../world/index.ts';

/** The held-out split a primed base is scored on (3-number Countdown), left out of every corpus. */
export const COUNTDOWN_EVAL = { every: 500, kind: 'countdown' as const, difficulty: 3, n: 64, maxNewTokens: 200 };

export function countdownPreset(condition: PrimingCondition, overrides: Partial<PretrainConfig> = {}): PretrainConfig {
  return {
    ...defaultPretrain,
    model: { ...defaultConfig, vocabSize, maxSeqLen: 256 },
    steps: 1500,
    batchSize: 8,
    seqLen: 192,
    mix: primingMix(condition),
    eval: COUNTDOWN_EVAL,
    ...overrides,
  };
}

export const COUNTDOWN_PRESETS: Readonly<Record<`countdown-${PrimingCondition}`, PretrainConfig>> = Object.freeze(
  Object.fromEntries(PRIMING_CONDITIONS.map((c) => [`countdown-${c}`, countdownPreset(c)])) as Record<
    `countdown-${PrimingCondition}`,
    PretrainConfig
  >,
);
