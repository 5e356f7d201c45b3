// Small RL setups shared by the trainer, golden and variant tests, and a three-step pretraining run of TINY.
import { Rng } from '../../src/core/rng.ts';
import { defaultConfig, type ModelConfig } from '../../src/model/config.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { resolveRlConfig, type RlConfig } from '../../src/rl/config.ts';
import { FixedLogitPolicy } from '../../src/rl/fixed-logit.ts';
import { freeze, transformerPolicy } from '../../src/model/policy.ts';
import { ValueModel } from '../../src/rl/ppo.ts';
import type { TrainerParts } from '../../src/rl/trainer.ts';
import { defaultPretrain, pretrain } from '../../src/train/pretrain.ts';
import {
  ANSWER_END_ID,
  ANSWER_ID,
  THINK_END_ID,
  THINK_ID,
  encode,
  promptFor,
  tokenId,
  vocabSize,
} from '../../src/world/index.ts';

/** Every 1-digit addition prompt has this many tokens: <bos>q:3+4=?\na:<think>. */
export const ADD1_PROMPT = encode(promptFor({ prompt: '3+4' })).length;
export const DUMMY_LEN = ADD1_PROMPT + 6;

/**
 * A dummy that writes </think><answer>X</answer> for 1-digit additions, where X is one of the digits 1..9 or a
 * stray <think> (malformed: format 0), all equally likely. Rewards then vary within groups: 1.1 for the
 * right digit, 0.1 for a wrong one, 0 for the stray tag — a signal even a position-only policy can follow.
 */
export function formatDummy(): FixedLogitPolicy {
  const V = vocabSize,
    table = new Float32Array(DUMMY_LEN * V).fill(-30);
  const put = (pos: number, ids: number[]) => ids.forEach((id) => (table[(ADD1_PROMPT - 1 + pos) * V + id] = 0));
  put(0, [THINK_END_ID]);
  put(1, [ANSWER_ID]);
  put(2, [THINK_ID, ...'123456789'.split('').map(tokenId)]);
  put(3, [ANSWER_END_ID]);
  for (let p = 4; p < 6; p++) put(p, [ANSWER_END_ID]);
  return new FixedLogitPolicy(table, DUMMY_LEN, V);
}

export function dummyParts(): TrainerParts {
  const reference = formatDummy();
  freeze(reference);
  return { policy: formatDummy(), reference };
}

export function dummyConfig(over: Partial<RlConfig> = {}): RlConfig {
  return resolveRlConfig({
    steps: 4,
    promptsPerStep: 4,
    groupSize: 4,
    maxNewTokens: 6,
    tasks: [{ kind: 'add', difficulty: 1 }],
    lr: 0.3,
    warmupSteps: 0,
    evalEvery: 2,
    evalSize: 6,
    evalSamples: 2,
    ...over,
  });
}

export const TINY: ModelConfig = {
  ...defaultConfig,
  vocabSize,
  dModel: 16,
  nHeads: 2,
  nKvHeads: 2,
  dFF: 32,
  nLayers: 1,
  maxSeqLen: 48,
};

/** A tiny random transformer loaded twice (policy and frozen reference), plus a critic for PPO. */
export function tinyParts(withCritic = false): TrainerParts {
  const make = () => transformerPolicy(Transformer.init(TINY, new Rng(5).child('init')));
  const reference = make();
  freeze(reference);
  const parts: TrainerParts = { policy: make(), reference };
  if (withCritic) parts.critic = new ValueModel(Transformer.init(TINY, new Rng(5).child('init')));
  return parts;
}

export function tinyConfig(over: Partial<RlConfig> = {}): RlConfig {
  return resolveRlConfig({
    steps: 2,
    promptsPerStep: 2,
    groupSize: 3,
    maxNewTokens: 20,
    tasks: [{ kind: 'add', difficulty: 2 }],
    lr: 3e-3,
    warmupSteps: 0,
    evalEvery: 2,
    evalSize: 3,
    evalSamples: 2,
    ...over,
  });
}

/** Three pretraining steps of TINY with an evaluation at the end (the backend tests compare such runs). */
export const tinyPretrain = () =>
  pretrain({
    ...defaultPretrain,
    model: TINY,
    steps: 3,
    batchSize: 2,
    seqLen: 24,
    warmup: 1,
    seed: 11,
    eval: { every: 3, kind: 'add', difficulty: 1, n: 2, maxNewTokens: 6 },
  });
