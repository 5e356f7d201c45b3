// The RL run's knobs, in the papers' words, and the named variants a learner meets elsewhere.
//   grpo      DeepSeekMath: std-scaled group advantage, per-answer mean (1/|o|), symmetric clip, k3 KL in the loss
//   dr_grpo   Dr. GRPO: no std, no 1/|o| (a constant L_max normaliser)                       (reference §7)
//   dapo      DAPO: clip-higher (0.2/0.28), token-level mean, zero-variance groups dropped,
//             truncated answers masked, no KL                                                  (reference §8)
//   reinforce one on-policy update, Â = r − mean(batch), no clip, no reference
//   ppo       a learned critic (GAE), KL in the reward                                         (ppo.ts)
// Defaults are for the miniature (see experiments/aha.ts for why): G = 8, temperature 1, β = 0.04
// (DeepSeekMath), ε = 0.2, μ = 1, 2-digit addition. A 100k-parameter model takes lr 1e-4 (the papers use
// 1e-6 on billions of parameters); at 1e-3 it forgets its arithmetic within 10 steps and accuracy collapses.
import { InputError } from '../core/errors.ts';
import { DIFFICULTY_RANGE, isLanguage, isProblemKind, type Language, type ProblemKind } from '../world/index.ts';
import type { LossAggregation } from './grpo.ts';
import type { RewardScaling } from './advantages.ts';
import type { OverlongMode } from './overlong.ts';

export type Algorithm = 'grpo' | 'reinforce' | 'ppo';
export const VARIANT_NAMES = ['grpo', 'dr_grpo', 'dapo', 'reinforce', 'ppo'] as const;
export type Variant = (typeof VARIANT_NAMES)[number];

export interface Task {
  kind: ProblemKind;
  difficulty: number;
  /** The language the prompt asks the thinking to use (issue 14); absent: symbols, the plain prompt. */
  language?: Language;
}

export interface RlConfig {
  variant: Variant;
  algorithm: Algorithm;
  seed: number;
  steps: number;
  /** Questions per step; each gets groupSize samples. */
  promptsPerStep: number;
  groupSize: number;
  temperature: number;
  topK: number;
  topP: number;
  maxNewTokens: number;
  tasks: Task[];

  lr: number;
  warmupSteps: number;
  /** Final lr as a fraction of lr (cosine decay); 1 = constant after warm-up. */
  minLrRatio: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  gradClip: number;
  /** μ: passes over each batch. */
  mu: number;
  /** Optimizer updates per pass (the batch is split into this many groups-aligned minibatches). */
  minibatches: number;

  clipEps: number;
  clipEpsHigh: number;
  klCoef: number;
  scaleRewards: RewardScaling;
  lossAgg: LossAggregation;
  dropZeroVariance: boolean;
  overlong: OverlongMode;
  overlongBuffer: number;
  /** π_ref ← π_θ every this many steps (R1-Zero: 400); 0 never. */
  refResetEvery: number;
  /** w of R1's language-consistency reward added to accuracy + format (world/rewards.ts); 0 = R1-Zero. */
  languageWeight: number;
  /** w_rep of Countdown's repeated-path term subtracted from the reward (world/rewards.ts); 0 = none. */
  repetitionWeight: number;
  /** Ablation: permute rewards within each group (no signal). */
  rewardShuffle: boolean;
  /** REINFORCE's baseline: the batch mean or the group mean. */
  baseline: 'batch' | 'group';

  /** PPO: critic learning rate, GAE γ and λ, value-loss weight. */
  valueLr: number;
  gamma: number;
  gaeLambda: number;

  evalEvery: number;
  /** Held-out problems per task. */
  evalSize: number;
  /** k samples per held-out problem for pass@1 (0: greedy only). */
  evalSamples: number;
  evalTemperature: number;
  heldOutSeed: number;
  /** Rows per generate call (speed only; results do not depend on it). */
  genBatch: number;
  /** Padded tokens per teacher-forced chunk (speed only; results change by float rounding). */
  chunkTokens: number;
}

export const DEFAULT_RL: Readonly<RlConfig> = Object.freeze<RlConfig>({
  variant: 'grpo',
  algorithm: 'grpo',
  seed: 0,
  steps: 60,
  promptsPerStep: 8,
  groupSize: 8,
  temperature: 1,
  topK: 0,
  topP: 1,
  maxNewTokens: 100,
  tasks: [{ kind: 'add', difficulty: 2 }],
  lr: 1e-4,
  warmupSteps: 3,
  minLrRatio: 1,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.95,
  gradClip: 1,
  mu: 1,
  minibatches: 1,
  clipEps: 0.2,
  clipEpsHigh: 0.2,
  klCoef: 0.04,
  scaleRewards: 'group',
  lossAgg: 'sequence',
  dropZeroVariance: false,
  overlong: 'none',
  overlongBuffer: 20,
  refResetEvery: 0,
  languageWeight: 0,
  repetitionWeight: 0,
  rewardShuffle: false,
  baseline: 'batch',
  valueLr: 1e-3,
  gamma: 1,
  gaeLambda: 0.95,
  evalEvery: 5,
  evalSize: 64,
  evalSamples: 4,
  evalTemperature: 0.6,
  heldOutSeed: 20250120,
  genBatch: 128,
  chunkTokens: 1024,
});

/** What each named variant changes relative to DEFAULT_RL. */
export const VARIANTS: Readonly<Record<Variant, Partial<RlConfig>>> = Object.freeze({
  grpo: { algorithm: 'grpo' },
  dr_grpo: { algorithm: 'grpo', scaleRewards: 'none', lossAgg: 'constant' },
  dapo: {
    algorithm: 'grpo',
    clipEps: 0.2,
    clipEpsHigh: 0.28,
    lossAgg: 'token',
    dropZeroVariance: true,
    overlong: 'mask',
    klCoef: 0,
  },
  reinforce: { algorithm: 'reinforce', klCoef: 0, mu: 1, minibatches: 1, lossAgg: 'token' },
  ppo: { algorithm: 'ppo', lossAgg: 'token' },
} satisfies Record<Variant, Partial<RlConfig>>);

/** DEFAULT_RL, then the variant's changes, then explicit overrides; validated. */
export function resolveRlConfig(overrides: Partial<RlConfig> = {}, source = 'rl config'): RlConfig {
  const variant = overrides.variant ?? DEFAULT_RL.variant;
  if (!(VARIANT_NAMES as readonly string[]).includes(variant))
    throw new InputError(`${source}: unknown variant '${variant}' (known: ${VARIANT_NAMES.join(', ')})`);
  const c: RlConfig = { ...DEFAULT_RL, ...VARIANTS[variant], ...overrides, variant };
  validateRlConfig(c, source);
  return c;
}

export function validateRlConfig(c: RlConfig, source = 'rl config'): void {
  const bad = (what: string) => new InputError(`${source}: ${what}`);
  const posInt = [
    'steps',
    'promptsPerStep',
    'groupSize',
    'maxNewTokens',
    'mu',
    'minibatches',
    'evalEvery',
    'evalSize',
    'genBatch',
    'chunkTokens',
  ] as const;
  for (const k of posInt)
    if (!Number.isInteger(c[k]) || c[k] < 1) throw bad(`${k} must be a positive integer, got ${c[k]}`);
  const nonNegInt = ['warmupSteps', 'refResetEvery', 'evalSamples', 'topK', 'overlongBuffer'] as const;
  for (const k of nonNegInt)
    if (!Number.isInteger(c[k]) || c[k] < 0) throw bad(`${k} must be an integer ≥ 0, got ${c[k]}`);
  const nonNeg = [
    'temperature',
    'lr',
    'weightDecay',
    'gradClip',
    'clipEps',
    'clipEpsHigh',
    'klCoef',
    'valueLr',
    'evalTemperature',
    'languageWeight',
    'repetitionWeight',
  ] as const;
  for (const k of nonNeg)
    if (!(Number.isFinite(c[k]) && c[k] >= 0)) throw bad(`${k} must be a number ≥ 0, got ${c[k]}`);
  for (const k of ['topP', 'minLrRatio', 'gamma', 'gaeLambda'] as const)
    if (!(c[k] >= 0 && c[k] <= 1)) throw bad(`${k} must be in [0, 1], got ${c[k]}`);
  for (const k of ['beta1', 'beta2'] as const)
    if (!(c[k] >= 0 && c[k] < 1)) throw bad(`${k} must be in [0, 1), got ${c[k]}`);
  if (!(c.temperature > 0)) throw bad('temperature must be > 0 for sampling');
  if (!['grpo', 'reinforce', 'ppo'].includes(c.algorithm)) throw bad(`unknown algorithm '${c.algorithm}'`);
  if (!['group', 'none'].includes(c.scaleRewards))
    throw bad(`scaleRewards must be 'group' or 'none', got '${c.scaleRewards}'`);
  if (!['sequence', 'token', 'constant'].includes(c.lossAgg))
    throw bad(`lossAgg must be sequence, token or constant, got '${c.lossAgg}'`);
  if (!['none', 'mask', 'soft'].includes(c.overlong))
    throw bad(`overlong must be none, mask or soft, got '${c.overlong}'`);
  if (c.overlong === 'soft' && !(c.overlongBuffer >= 1 && c.overlongBuffer <= c.maxNewTokens))
    throw bad(`overlongBuffer must be in [1, maxNewTokens] for soft overlong, got ${c.overlongBuffer}`);
  if (!['batch', 'group'].includes(c.baseline)) throw bad(`baseline must be batch or group, got '${c.baseline}'`);
  if (c.promptsPerStep % c.minibatches !== 0)
    throw bad(`promptsPerStep ${c.promptsPerStep} must be divisible by minibatches ${c.minibatches}`);
  if (c.algorithm === 'reinforce' && (c.mu !== 1 || c.minibatches !== 1))
    throw bad('reinforce is on-policy: mu and minibatches must be 1');
  if (!Array.isArray(c.tasks) || c.tasks.length === 0) throw bad('tasks must list at least one {kind, difficulty}');
  for (const t of c.tasks) {
    if (!isProblemKind(t.kind)) throw bad(`unknown task kind '${t.kind}'`);
    const [lo, hi] = DIFFICULTY_RANGE[t.kind];
    if (!Number.isInteger(t.difficulty) || t.difficulty < lo || t.difficulty > hi)
      throw bad(`difficulty of ${t.kind} must be in [${lo}, ${hi}], got ${t.difficulty}`);
    if (t.language !== undefined && !isLanguage(t.language))
      throw bad(`unknown language '${t.language}' (languages: symbols, words)`);
  }
  if (c.repetitionWeight > 0 && !c.tasks.some((t) => t.kind === 'countdown'))
    throw bad('repetitionWeight counts repeated Countdown paths: it needs a countdown task');
}

/** "add:3,mul:2" → tasks. */
export function parseTasks(text: string, source = 'tasks'): Task[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [kind, d] = s.split(':');
      if (!kind || !isProblemKind(kind))
        throw new InputError(`${source}: unknown kind in '${s}' (kinds: add, sub, mul, expr, countdown)`);
      const difficulty = Number(d);
      if (!Number.isInteger(difficulty)) throw new InputError(`${source}: '${s}' needs a difficulty, e.g. ${kind}:3`);
      return { kind, difficulty };
    });
}
