// Pretraining presets of the primed Countdown bases (issue 16 item 2): one per priming condition
// (world/countdown/priming.ts), identical in everything but the corpus, so every base reads the same number of
// tokens (steps × batchSize × seqLen); `tinyseek pretrain --preset countdown-<condition>` runs one.
// Sizes: the default 2-layer, 64-wide model with a 256-token context (3-number primed documents are ≤ ~175
// tokens), 8 rows of 128 tokens a step, 30% of the documents the shared arithmetic drill
// (world/countdown/drill.ts), the learning rate held for two thirds of the run and then decayed. The shipped
// bases (fixtures/countdown-primed/) are reproduced by the preset alone.
import { defaultConfig } from '../model/config.ts';
import { defaultPretrain, type PretrainConfig } from './pretrain.ts';
import { PRIMING_CONDITIONS, primingMix, type PrimingCondition } from '../world/countdown/priming.ts';
import { vocabSize } from '../world/index.ts';

/** The held-out split a primed base is scored on (3-number Countdown), left out of every corpus. */
export const COUNTDOWN_EVAL = { every: 500, kind: 'countdown' as const, difficulty: 3, n: 64, maxNewTokens: 160 };

/** `tinyseek aha --task countdown`'s RL settings (the CLI and lesson 10 read them here): 3-number problems (the
 * primed bases' split; `--tasks countdown:3,countdown:4` adds the harder one) and room for a search (3-number
 * primed completions are ≤ ~160 tokens). An evaluation also runs the verification tests (two greedy passes over
 * the held-out problems), so it comes every 10 steps with 2 samples per problem, keeping the default run within
 * ~6 minutes. */
export const COUNTDOWN_RL = Object.freeze({
  tasks: [{ kind: 'countdown' as const, difficulty: 3 }],
  maxNewTokens: 160,
  evalEvery: 10,
  evalSamples: 2,
});

/** Pretraining steps of a primed base, and the share of them after which its learning rate decays
 * (warmup-stable-decay, as V3 schedules its pretraining, §4.2): the stable 3e-3 learns the search's shape, the
 * cosine decay to 5% its arithmetic. Chosen after seeing a constant-rate base stall: at 2,000 constant steps it
 * wrote 45% of its steps right and caught 28% of injected errors; 1,000 decaying steps more made that 75% and
 * 55% (one try, no sweep). */
export const COUNTDOWN_PRETRAIN_STEPS = 3000;
export const COUNTDOWN_DECAY_START = 2 / 3;

export function countdownPreset(condition: PrimingCondition, overrides: Partial<PretrainConfig> = {}): PretrainConfig {
  return {
    ...defaultPretrain,
    model: { ...defaultConfig, vocabSize, maxSeqLen: 256 },
    steps: COUNTDOWN_PRETRAIN_STEPS,
    batchSize: 8,
    seqLen: 128,
    minLrRatio: 0.05,
    decayStart: COUNTDOWN_DECAY_START,
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
