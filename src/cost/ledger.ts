// The compute ledger: what a run spent, by phase, counted analytically from the model's config and the tokens it
// touched — so that two roads (GRPO vs search, RL vs distillation, …) are compared at equal compute.
//   f(ctx), forward FLOPs of one token = 2·(matrix params + d·V) + 4·nLayers·d·ctx/2 (the causal attention core)
//   forward of n tokens at context ctx     = n · f(ctx)
//   training on n tokens (forward+backward) = 3 · n · f(ctx)          (reference/cost-model.md §1.1: 6·N per token)
//   generation of L tokens after a prompt P = P·f(P) + L·f((2P + L)/2)  (prefill, then one token at a time)
// "tokens" in a ledger entry are tokens *generated* (sampled), the other currency the issues ask for.
// cost/ reads configs, never models.
import { parameterCount, type ModelConfig } from '../model/config.ts';

/** Forward FLOPs of one token at context length ctx. */
export function forwardFlopsPerToken(c: ModelConfig, ctx: number): number {
  const embedding = c.vocabSize * c.dModel;
  const matrices = parameterCount(c) - embedding * (c.tieEmbeddings ? 1 : 2) - (2 * c.nLayers + 1) * c.dModel;
  return 2 * (matrices + c.dModel * c.vocabSize) + 4 * c.nLayers * c.dModel * (ctx / 2);
}

/** FLOPs of a forward pass over `tokens` tokens of sequences of length `seqLen` (scoring, reward models). */
export function forwardFlops(c: ModelConfig, tokens: number, seqLen: number): number {
  return tokens * forwardFlopsPerToken(c, seqLen);
}

/** FLOPs of training (forward and backward) on `tokens` tokens of sequences of length `seqLen`. */
export function trainingFlops(c: ModelConfig, tokens: number, seqLen: number): number {
  return 3 * forwardFlops(c, tokens, seqLen);
}

/** FLOPs of sampling `completionLen` tokens after a `promptLen`-token prompt, for one sequence. */
export function generationFlops(c: ModelConfig, promptLen: number, completionLen: number): number {
  const mean = (2 * promptLen + completionLen) / 2;
  return promptLen * forwardFlopsPerToken(c, promptLen) + completionLen * forwardFlopsPerToken(c, mean);
}

export interface Spend {
  flops: number;
  /** Tokens sampled (generated); 0 for phases that only score or train. */
  tokens: number;
}

/** FLOPs and generated tokens by phase, in the order phases were first charged. */
export class ComputeLedger {
  private readonly phases = new Map<string, Spend>();

  charge(phase: string, flops: number, tokens = 0): this {
    if (!(flops >= 0) || !(tokens >= 0))
      throw new RangeError(`ledger: ${phase} charged ${flops} FLOPs, ${tokens} tokens`);
    const s = this.phases.get(phase) ?? { flops: 0, tokens: 0 };
    this.phases.set(phase, { flops: s.flops + flops, tokens: s.tokens + tokens });
    return this;
  }

  /** Sampling `completionLens[i]` tokens after a prompt of `promptLens[i]` tokens, for each sequence i. */
  chargeGeneration(phase: string, c: ModelConfig, promptLens: readonly number[], completionLens: readonly number[]) {
    let flops = 0;
    let tokens = 0;
    completionLens.forEach((L, i) => {
      flops += generationFlops(c, promptLens[i]!, L);
      tokens += L;
    });
    return this.charge(phase, flops, tokens);
  }

  /** Everything another ledger spent, its phases prefixed (e.g. the teacher's cost inside a student's arm). */
  absorb(other: ComputeLedger, prefix = ''): this {
    for (const [phase, s] of other.phases) this.charge(prefix + phase, s.flops, s.tokens);
    return this;
  }

  get(phase: string): Spend {
    return this.phases.get(phase) ?? { flops: 0, tokens: 0 };
  }

  total(): Spend {
    let flops = 0;
    let tokens = 0;
    for (const s of this.phases.values()) {
      flops += s.flops;
      tokens += s.tokens;
    }
    return { flops, tokens };
  }

  /** `{phase: {flops, tokens}}` in charge order, for summary.json. */
  toJSON(): Record<string, Spend> {
    return Object.fromEntries(this.phases);
  }
}
