// A fixed-logit dummy policy: the next-token logits depend only on the position, never on the text,
//   p(x_{n+1} = v | x_1..x_n) = softmax(table[n − 1])_v      table: [maxSeqLen, V], a learnable parameter.
// Rollouts, rewards, log-probabilities and even learning become exactly computable by hand: a "script"
// puts a high logit on the tokens of a chosen completion, and GRPO on this bandit-like model must raise the
// logits of rewarded tokens. Sampling uses model/sampling.ts, the same code as the transformer's sampler.
import { expand, reshape, slice } from '../core/ops/index.ts';
import { tensor, type Tensor } from '../core/tensor.ts';
import type { Generation, GenerateOptions } from '../model/generate.ts';
import { sampleToken } from '../model/sampling.ts';
import type { PolicyModel } from '../model/policy.ts';

export class FixedLogitPolicy implements PolicyModel {
  readonly table: Tensor;
  readonly maxSeqLen: number;
  readonly vocabSize: number;

  /** `logits` is [maxSeqLen, V] row-major: row n−1 gives the distribution of the token after n tokens. */
  constructor(
    logits: ArrayLike<number>,
    maxSeqLen: number,
    vocabSize: number,
    dtype: 'float32' | 'float64' = 'float32',
  ) {
    if (logits.length !== maxSeqLen * vocabSize)
      throw new Error(`FixedLogitPolicy: ${logits.length} logits ≠ ${maxSeqLen}×${vocabSize}`);
    this.maxSeqLen = maxSeqLen;
    this.vocabSize = vocabSize;
    this.table = tensor(logits, [maxSeqLen, vocabSize], { dtype, requiresGrad: true });
    this.table.name = 'fixed_logits';
  }

  /**
   * A dummy that writes `script` after a prompt of `promptLength` tokens: each scripted position has logit
   * `peak` on its token and 0 elsewhere; every other position is uniform. peak = 30 is all but certain.
   */
  static scripted(
    promptLength: number,
    script: readonly number[],
    opts: { vocabSize: number; maxSeqLen: number; peak?: number },
  ): FixedLogitPolicy {
    const { vocabSize: V, maxSeqLen } = opts;
    if (promptLength < 1 || promptLength + script.length > maxSeqLen)
      throw new Error(`scripted: ${promptLength} + ${script.length} tokens exceed maxSeqLen ${maxSeqLen}`);
    const table = new Float32Array(maxSeqLen * V);
    script.forEach((id, j) => (table[(promptLength - 1 + j) * V + id] = opts.peak ?? 30));
    return new FixedLogitPolicy(table, maxSeqLen, V);
  }

  parameters(): Tensor[] {
    return [this.table];
  }

  forward(ids: Tensor): Tensor {
    const [B, T] = ids.shape as [number, number];
    if (T > this.maxSeqLen) throw new Error(`sequence of ${T} tokens exceeds maxSeqLen ${this.maxSeqLen}`);
    return expand(reshape(slice(this.table, 0, 0, T), [1, T, this.vocabSize]), [B, T, this.vocabSize]);
  }

  async generate(prompts: number[][], opts: GenerateOptions): Promise<Generation[]> {
    if (prompts.length === 0) return [];
    const P = Math.max(...prompts.map((p) => p.length));
    const maxNew = Math.min(opts.maxNewTokens, this.maxSeqLen - P);
    if (maxNew < 1) throw new Error(`generate: prompt of ${P} tokens leaves no room in maxSeqLen ${this.maxSeqLen}`);
    const table = await this.table.data();
    const V = this.vocabSize;
    return prompts.map((prompt, b) => {
      const rng = Array.isArray(opts.rng) ? opts.rng[b]! : opts.rng;
      const out: Generation = { tokens: [], finish: 'length' };
      for (let step = 0; step < maxNew; step++) {
        const id = sampleToken(table, opts, rng, (prompt.length - 1 + step) * V, V);
        out.tokens.push(id);
        if (opts.stopIds.includes(id)) {
          out.finish = 'stop';
          break;
        }
      }
      return out;
    });
  }
}
