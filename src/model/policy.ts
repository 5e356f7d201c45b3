// What sampling, evaluation and RL need of a language model, as one small interface, so they run on the real
// transformer and on the fixed-logit dummy (rl/fixed-logit.ts) that makes rollouts and rewards testable.
//   generate  — sample completions (the transformer uses its KV cache), one Rng stream per row;
//   forward   — teacher-forced logits over right-padded rows that all start at position 0;
//   parameters — what the optimiser updates (and what a reference reset copies).
// The policy and the frozen reference are two instances (the checkpoint loaded twice).
import { noGrad } from '../core/autograd.ts';
import type { Tensor } from '../core/tensor.ts';
import { generate, type Generation, type GenerateOptions } from './generate.ts';
import type { Transformer } from './transformer.ts';

export interface PolicyModel {
  readonly vocabSize: number;
  /** Longest prompt + completion the model can take. */
  readonly maxSeqLen: number;
  parameters(): Tensor[];
  /** ids int32 [B, T], rows right-padded and starting at position 0 → logits [B, T, V]. */
  forward(ids: Tensor): Tensor;
  /** Completions of left-aligned prompts; the row's own Rng draws its tokens. */
  generate(prompts: number[][], opts: GenerateOptions): Promise<Generation[]>;
}

/** The transformer as a policy: teacher forcing is a plain forward (right padding never reaches a real
 * token through causal attention); sampling is generate.ts's. */
export function transformerPolicy(model: Transformer): PolicyModel & { model: Transformer } {
  return {
    model,
    vocabSize: model.config.vocabSize,
    maxSeqLen: model.config.maxSeqLen,
    parameters: () => model.parameters(),
    forward: (ids) => model.forward(ids),
    generate: (prompts, opts) => generate(model, prompts, opts),
  };
}

/** Overwrite `to`'s parameters with `from`'s (a reference reset: π_ref ← π_θ). Same architecture required. */
export function copyParameters(from: PolicyModel, to: PolicyModel): void {
  const src = from.parameters(),
    dst = to.parameters();
  if (src.length !== dst.length) throw new Error(`copyParameters: ${src.length} parameters vs ${dst.length}`);
  noGrad(() => {
    src.forEach((s, i) => {
      const d = dst[i]!;
      if (s.shape.join() !== d.shape.join())
        throw new Error(`copyParameters: parameter ${i} has shape [${s.shape}] vs [${d.shape}]`);
      d.backend.unary('copy', s.storage, d.storage);
    });
  });
}

/** Freeze a model (the reference): its parameters stop requiring gradients. */
export function freeze(model: PolicyModel): void {
  for (const p of model.parameters()) {
    p.requiresGrad = false;
    p.grad = null;
  }
}
