// Named pretraining recipes: `tinyseek pretrain --preset <name>` starts from one, and each shipped base
// checkpoint in fixtures/ is one of them run with its defaults, byte for byte.
//   base  defaultPretrain: 3000 steps of 16×64 tokens on 1–3-digit addition (fixtures/base, lessons 1–2).
//   aha   the base R1-Zero RL starts from (fixtures/aha-base): 1500 steps of 8×128 tokens on 1–2-digit addition,
//         70% direct answers, 15% worked, 15% self-checking. Why this window and this mix, with the runs that
//         chose it: lessons/03-aha and the README's "aha moment" section.
//   r1    the base of the R1 pipeline (fixtures/r1-base, issue 14): fixtures/aha-base read on for 600 steps on a
//         two-language corpus, half of the prompts asking for thinking in words, 10% of documents code-switched
//         (world/languages/), 50% direct, 30% worked, 20% self-checking. Continued, not from scratch: two bases
//         pretrained from scratch for 1500 steps on two languages could not yet add inside a trace (RL from them
//         found nothing to amplify); a model that thinks well in one script and is learning a second is also
//         the situation R1-Zero's mixing came from.
//   countdown-<condition>  the primed Countdown bases (countdown-presets.ts), one per Gandhi et al. condition.
//   countdown-compare-drill, countdown-search  the two stages of the searching Countdown base (fixtures/countdown-search);
//         countdown-search-{distinct,ordered,nearest,walk} are the second stage with the tries' corpus knobs.
import type { CorpusMixInput, ProblemKind } from '../world/index.ts';
import { COUNTDOWN_PRESETS, COUNTDOWN_SEARCH_PRESETS } from './countdown-presets.ts';
import { defaultPretrain, type PretrainConfig } from './pretrain.ts';

/** The aha base's corpus: 1- and 2-digit additions; 70% direct answers, 15% worked, 15% self-checking. */
export const AHA_BASE_MIX: CorpusMixInput = Object.freeze({
  kinds: ['add'] as ProblemKind[],
  difficulty: { add: [1, 2] as [number, number] },
  directFrac: 0.7,
  workedFrac: 0.15,
  reflectFrac: 0.15,
});

/** Ablation: the same corpus with direct answers only (no worked or self-checking solutions). */
export const AHA_NO_WORKED_MIX: CorpusMixInput = Object.freeze({
  ...AHA_BASE_MIX,
  directFrac: 1,
  workedFrac: 0,
  reflectFrac: 0,
});

// The held-out set stays defaultPretrain's (2-digit addition, 100 problems), which contains RL's
// (the first 64 of the same seeded sequence), so no RL evaluation problem is ever in the corpus.
const aha: PretrainConfig = { ...defaultPretrain, steps: 1500, batchSize: 8, seqLen: 128, mix: AHA_BASE_MIX };

/** The R1 pipeline base's corpus: 1-2-digit additions, 50% direct, 30% worked, 20% self-checking; half of the
 * prompts in words, 10% of documents code-switched. */
export const R1_BASE_MIX: CorpusMixInput = Object.freeze({
  ...AHA_BASE_MIX,
  directFrac: 0.5,
  workedFrac: 0.3,
  reflectFrac: 0.2,
  wordsFrac: 0.5,
  switchFrac: 0.1,
});
const r1: PretrainConfig = { ...aha, init: 'fixtures/aha-base', steps: 600, mix: R1_BASE_MIX };

export const PRETRAIN_PRESETS = Object.freeze({
  base: defaultPretrain,
  aha,
  ...COUNTDOWN_PRESETS,
  ...COUNTDOWN_SEARCH_PRESETS,
  r1,
});
export type PresetName = keyof typeof PRETRAIN_PRESETS;
export const PRESET_NAMES = Object.keys(PRETRAIN_PRESETS) as PresetName[];
