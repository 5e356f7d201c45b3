// The R1 pipeline's knobs (issue 14; reference/r1-story-beyond-zero.md §4.1, grpo-and-r1-zero.md §2): one
// config for the five stages, and two budgets.
//   zero           GRPO from the base, accuracy + format                        (R1-Zero)
//   cold-start     SFT *from the base* on a few hundred curated zero traces     (Dev1; R1: "thousands")
//   reasoning-rl   GRPO from cold-start, accuracy + format + w·language         (Dev2; R1: w = 1, eq. 7)
//   rejection-sft  K samples per training prompt from reasoning-rl, keep correct and unmixed, add direct answers
//                  to easy questions, SFT *from the base*                       (Dev3; R1: 600k + 200k)
//   final-rl       GRPO from rejection-sft at temperature 0.7                    (R1; T = 1 was incoherent)
// Miniature departures: 2-digit addition only, tens of RL steps (R1: thousands), no preference reward model.
import { fileURLToPath } from 'node:url';
import { InputError } from '../../core/errors.ts';
import type { RlConfig } from '../../rl/config.ts';

export const STAGES = ['zero', 'cold-start', 'reasoning-rl', 'rejection-sft', 'final-rl'] as const;
export type StageName = (typeof STAGES)[number];
export const isStage = (s: string): s is StageName => (STAGES as readonly string[]).includes(s);

/** Where the shipped base lives (`tinyseek pretrain --preset r1 --out fixtures/r1-base`). */
export const R1_BASE = fileURLToPath(new URL('../../../fixtures/r1-base', import.meta.url));

export interface R1Config {
  base: string;
  seed: number;
  /** The task every stage trains and is scored on, asked in both languages. */
  difficulty: number;
  /** Held-out problems per language for each stage's row. */
  evalSize: number;
  /** Samples per held-out problem at evalTemperature (pass@1 and pass@evalSamples). */
  evalSamples: number;
  evalTemperature: number;
  maxNewTokens: number;
  /** What every RL stage shares (GRPO, G, prompts per step, lr, …); each stage sets its steps. */
  rl: Partial<RlConfig>;
  zero: { steps: number };
  coldStart: { size: number; epochs: number; lr: number };
  reasoningRl: { steps: number; languageWeight: number };
  rejection: { prompts: number; samples: number; easyFrac: number; epochs: number; lr: number };
  finalRl: { steps: number; temperature: number; languageWeight: number };
}

export const R1_DEFAULTS: R1Config = {
  base: R1_BASE,
  seed: 0,
  difficulty: 2,
  evalSize: 32,
  evalSamples: 4,
  evalTemperature: 0.6,
  maxNewTokens: 100,
  rl: { promptsPerStep: 8, groupSize: 8, lr: 1e-4, evalEvery: 10, evalSize: 16, evalSamples: 0, genBatch: 128 },
  zero: { steps: 60 },
  coldStart: { size: 256, epochs: 3, lr: 1e-3 },
  reasoningRl: { steps: 60, languageWeight: 1 },
  rejection: { prompts: 48, samples: 8, easyFrac: 0.25, epochs: 2, lr: 1e-3 },
  finalRl: { steps: 40, temperature: 0.7, languageWeight: 1 },
};

/** `--budget small`: the same pipeline in about a fifth of the compute (≤ 3 minutes on 2 cores). */
export const R1_SMALL: R1Config = {
  ...R1_DEFAULTS,
  evalSize: 16,
  evalSamples: 4,
  zero: { steps: 15 },
  coldStart: { ...R1_DEFAULTS.coldStart, size: 96 },
  reasoningRl: { ...R1_DEFAULTS.reasoningRl, steps: 12 },
  rejection: { ...R1_DEFAULTS.rejection, prompts: 16, samples: 4 },
  finalRl: { ...R1_DEFAULTS.finalRl, steps: 8 },
};

export const BUDGETS = { default: R1_DEFAULTS, small: R1_SMALL } as const;
export type Budget = keyof typeof BUDGETS;

export function validateR1(c: R1Config): R1Config {
  const bad = (s: string) => new InputError(`r1 config: ${s}`);
  const posInt: [string, number][] = [
    ['evalSize', c.evalSize],
    ['maxNewTokens', c.maxNewTokens],
    ['zero.steps', c.zero.steps],
    ['coldStart.size', c.coldStart.size],
    ['reasoningRl.steps', c.reasoningRl.steps],
    ['rejection.prompts', c.rejection.prompts],
    ['rejection.samples', c.rejection.samples],
    ['finalRl.steps', c.finalRl.steps],
  ];
  for (const [k, v] of posInt)
    if (!Number.isInteger(v) || v < 1) throw bad(`${k} must be a positive integer, got ${v}`);
  if (!Number.isInteger(c.evalSamples) || c.evalSamples < 1) throw bad(`evalSamples must be ≥ 1, got ${c.evalSamples}`);
  for (const [k, v] of [
    ['reasoningRl.languageWeight', c.reasoningRl.languageWeight],
    ['finalRl.languageWeight', c.finalRl.languageWeight],
  ] as const)
    if (!(Number.isFinite(v) && v >= 0)) throw bad(`${k} must be a number ≥ 0, got ${v}`);
  if (!(c.rejection.easyFrac >= 0 && c.rejection.easyFrac < 1))
    throw bad(`rejection.easyFrac must be in [0, 1), got ${c.rejection.easyFrac}`);
  if (!(c.finalRl.temperature > 0)) throw bad(`finalRl.temperature must be > 0, got ${c.finalRl.temperature}`);
  return c;
}
