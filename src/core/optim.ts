// Optimisation: AdamW (Loshchilov & Hutter 2019, decoupled weight decay, as torch.optim.AdamW), global
// gradient-norm clipping, and the warmup + cosine learning-rate schedule.
//   m ← β1·m + (1−β1)·g     v ← β2·v + (1−β2)·g²     θ ← θ·(1 − lr·λ) − lr · m̂ / (√v̂ + ε)
// with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t). Updates run as one backend kernel per parameter.
import { add, map, mul, sum } from './ops/index.ts';
import { Tensor, zeros } from './tensor.ts';

export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const defaultAdamW: AdamWConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };

export interface AdamWState {
  step: number;
  m: Tensor[];
  v: Tensor[];
}

export class AdamW {
  readonly state: AdamWState;

  constructor(
    readonly params: Tensor[],
    readonly config: AdamWConfig = defaultAdamW,
    state?: AdamWState,
  ) {
    this.state = state ?? {
      step: 0,
      m: params.map((p) => zeros(p.shape, { dtype: p.dtype, backend: p.backend })),
      v: params.map((p) => zeros(p.shape, { dtype: p.dtype, backend: p.backend })),
    };
  }

  /**
   * One update with learning rate `lr`. `decay(i)` says whether parameter i gets weight decay (by convention
   * matrices do, norms and biases do not). Parameters without a gradient are skipped.
   */
  step(lr: number, decay: (i: number) => boolean = () => true): void {
    this.state.step++;
    this.params.forEach((p, i) => {
      if (!p.grad) return;
      p.backend.adamw(p.storage, p.grad.storage, this.state.m[i]!.storage, this.state.v[i]!.storage, {
        lr,
        beta1: this.config.beta1,
        beta2: this.config.beta2,
        eps: this.config.eps,
        weightDecay: decay(i) ? this.config.weightDecay : 0,
        step: this.state.step,
      });
    });
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }
}

/** √(Σ‖g‖²) over all gradients — one host read, at the edge of the step. */
export async function gradNorm(params: Tensor[]): Promise<number> {
  let total: Tensor | undefined;
  for (const p of params) {
    if (!p.grad) continue;
    const sq = sum(mul(p.grad, p.grad));
    total = total ? add(total, sq) : sq;
  }
  return total ? Math.sqrt(await total.item()) : 0;
}

/** Scale gradients so their global norm is at most maxNorm (torch's clip_grad_norm_). Returns the norm before clipping. */
export async function clipGradNorm(params: Tensor[], maxNorm: number): Promise<number> {
  const norm = await gradNorm(params);
  if (norm > maxNorm && norm > 0) {
    const scale = maxNorm / (norm + 1e-6);
    for (const p of params) if (p.grad) p.grad = map('mulScalar', p.grad, scale);
  }
  return norm;
}

export interface Schedule {
  lr: number;
  warmup: number;
  total: number;
  /** Final lr as a fraction of the peak. */
  minRatio: number;
  /** Warmup-stable-decay: hold the peak until this step, then decay (V3 §4.2 holds 2.2e-4 to 10T tokens, then
   * decays by cosine). Absent: the decay starts right after warmup. */
  decayFrom?: number;
}

/** Linear warmup over `warmup` steps, constant until `decayFrom` (default: the end of warmup), then cosine decay
 * to minRatio·lr at `total`. `step` is 0-based. */
export function warmupCosine(s: Schedule, step: number): number {
  if (step < s.warmup) return (s.lr * (step + 1)) / s.warmup;
  const from = Math.max(s.warmup, s.decayFrom ?? s.warmup);
  const progress = Math.min(1, Math.max(0, step - from) / Math.max(1, s.total - from));
  const cos = 0.5 * (1 + Math.cos(Math.PI * progress));
  return s.lr * (s.minRatio + (1 - s.minRatio) * cos);
}
