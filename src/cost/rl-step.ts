// What one RL step of the tiny model costs, GRPO against PPO: resident memory and arithmetic, by analytic count.
//   forward FLOPs per token ≈ 2·(non-embedding matrix params + d·V for the head) + 4·nLayers·d·(ctx/2)
//   (the causal core of attention: Q·Kᵀ and A·V over ctx/2 keys on average); training = 3 × forward.
//   GRPO:  sample (N·L tokens) + reference forward + μ×train of the policy (+ an old-policy forward if μ > 1)
//   PPO:   the same, plus a critic as big as the policy: its forward for V_old and μ×train of it
// Memory is float32: weights of every resident model, gradients and AdamW's two moments for each trained
// one, and the saved activations of one training forward (a rough count per token and layer).
// Source: DeepSeekMath §4.1 ("the value function ... is typically another model of comparable size"),
// reference/cost-model.md §1.1 (6·N FLOPs per trained token).
// cost/ reads configs, never models: the tiny model's config and the RL algorithm names are its inputs here.
import { parameterCount, type ModelConfig } from '../model/config.ts';
import type { Algorithm } from '../rl/config.ts';
import { forwardFlopsPerToken, generationFlops } from './ledger.ts';

export { forwardFlopsPerToken };

export interface StepShape {
  /** Completions per step N (prompts × G). */
  sequences: number;
  promptLen: number;
  completionLen: number;
  /** Inner updates per batch. */
  mu: number;
  /** Whether a reference model is resident (klCoef > 0 or the KL is logged). */
  reference: boolean;
}

export interface StepCost {
  algorithm: Algorithm;
  params: number;
  residentModels: number;
  trainedModels: number;
  /** Bytes: weights, gradients + optimizer moments, activations, total. */
  weightBytes: number;
  optimizerBytes: number;
  activationBytes: number;
  totalBytes: number;
  /** FLOPs of one step by phase and in all. */
  rolloutFlops: number;
  referenceFlops: number;
  trainFlops: number;
  criticFlops: number;
  totalFlops: number;
}

const BYTES = 4;

/** Floats saved for backward per token: ~ per layer the norms, q/k/v/o, the FFN's three widths, and the
 * attention probabilities (nHeads·ctx); plus the logits and log-softmax. An estimate, not a measurement. */
function activationFloatsPerToken(c: ModelConfig, ctx: number): number {
  const perLayer = 8 * c.dModel + 3 * c.dFF + 2 * c.nHeads * ctx;
  return c.nLayers * perLayer + 3 * c.vocabSize + 2 * c.dModel;
}

export function rlStepCost(c: ModelConfig, algorithm: Algorithm, s: StepShape): StepCost {
  const P = parameterCount(c);
  const seqLen = s.promptLen + s.completionLen;
  const tokens = s.sequences * seqLen;
  const fwd = forwardFlopsPerToken(c, seqLen);
  const ppo = algorithm === 'ppo';
  const reference = s.reference && algorithm !== 'reinforce';
  const trainedModels = ppo ? 2 : 1;
  const residentModels = 1 + (reference ? 1 : 0) + (ppo ? 1 : 0);
  const weightBytes = (residentModels * P + (ppo ? c.dModel : 0)) * BYTES;
  const optimizerBytes = trainedModels * 3 * P * BYTES;
  const activationBytes = trainedModels * tokens * activationFloatsPerToken(c, seqLen) * BYTES;
  const rolloutFlops = s.sequences * generationFlops(c, s.promptLen, s.completionLen);
  const referenceFlops = reference ? tokens * fwd : 0;
  const oldPolicy = s.mu > 1 ? tokens * fwd : 0;
  const trainFlops = s.mu * 3 * tokens * fwd + oldPolicy;
  const criticFlops = ppo ? tokens * fwd + s.mu * 3 * tokens * fwd : 0;
  const totalFlops = rolloutFlops + referenceFlops + trainFlops + criticFlops;
  return {
    algorithm,
    params: P,
    residentModels,
    trainedModels,
    weightBytes,
    optimizerBytes,
    activationBytes,
    totalBytes: weightBytes + optimizerBytes + activationBytes,
    rolloutFlops,
    referenceFlops,
    trainFlops,
    criticFlops,
    totalFlops,
  };
}
