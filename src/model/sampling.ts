// Choosing the next token from logits: greedy (temperature 0), temperature, top-k and top-p (nucleus).
//   p_i ∝ exp(z_i / τ), restricted to the k most likely tokens and then to the smallest prefix of them whose
//   probability mass reaches p; one uniform draw from a named RNG stream picks within it.
import type { Rng } from '../core/rng.ts';

export interface SampleOptions {
  /** 0 = greedy (argmax, ties to the lowest id). */
  temperature: number;
  /** Keep only the k most likely tokens (0 or undefined: all). */
  topK?: number;
  /** Keep the smallest most-likely set with mass ≥ p (1 or undefined: all). */
  topP?: number;
}

export function argmax(z: ArrayLike<number>, from = 0, n = z.length - from): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (z[from + i]! > z[from + best]!) best = i;
  return best;
}

/** The sampling distribution over ids (sorted by id), after temperature, top-k and top-p. */
export function samplingProbs(z: ArrayLike<number>, opts: SampleOptions, from = 0, n = z.length - from): Float64Array {
  const p = new Float64Array(n);
  if (opts.temperature <= 0) {
    p[argmax(z, from, n)] = 1;
    return p;
  }
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, z[from + i]!);
  let total = 0;
  for (let i = 0; i < n; i++) total += p[i] = Math.exp((z[from + i]! - max) / opts.temperature);
  for (let i = 0; i < n; i++) p[i]! /= total;
  const k = opts.topK && opts.topK > 0 ? Math.min(opts.topK, n) : n;
  const topP = opts.topP ?? 1;
  if (k < n || topP < 1) {
    // Most likely first; ties by lower id, so the kept set is deterministic.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b]! - p[a]! || a - b);
    let mass = 0,
      kept = 0;
    while (kept < k && (kept === 0 || mass < topP)) mass += p[order[kept++]!]!;
    for (let r = kept; r < n; r++) p[order[r]!] = 0;
    for (let i = 0; i < n; i++) p[i]! /= mass;
  }
  return p;
}

/** Draw one id from logits row z[from .. from+n). */
export function sampleToken(
  z: ArrayLike<number>,
  opts: SampleOptions,
  rng: Rng,
  from = 0,
  n = z.length - from,
): number {
  if (opts.temperature <= 0) return argmax(z, from, n);
  return rng.weighted(samplingProbs(z, opts, from, n));
}
