// PUCT, AlphaZero's selection rule (Silver et al. 2018 pseudocode; reference/r1-story-beyond-zero.md §2.1):
//   a* = argmax_a  Q(s,a) + c(s) · P(s,a) · √N(s) / (1 + N(s,a)),    Q = W/N (0 for an unvisited child)
//   c(s) = log((1 + N(s) + c_base) / c_base) + c_init,    c_base = 19652, c_init = 1.25
// Root exploration noise: P ← (1 − ε)·P + ε·η, η ~ Dir(α), ε = 0.25, α = 0.3 (chess's value; TS-LLM keeps it).
// Ties go to the lowest index, so with equal priors and equal values every child is tried once before any is
// tried twice (an unvisited child's bonus √N·cP beats a visited one's √N·cP/(1+n)).
import type { Rng } from '../core/rng.ts';

export interface PuctConfig {
  cBase: number;
  cInit: number;
  dirichletAlpha: number;
  noiseFrac: number;
}

export const PUCT_DEFAULTS: Readonly<PuctConfig> = Object.freeze({
  cBase: 19652,
  cInit: 1.25,
  dirichletAlpha: 0.3,
  noiseFrac: 0.25,
});

export interface ChildStats {
  prior: number;
  visits: number;
  /** W: the sum of backed-up values. */
  valueSum: number;
}

/** c(s), the exploration constant that grows (slowly) with the parent's visits. */
export const cPuct = (parentVisits: number, c: PuctConfig = PUCT_DEFAULTS): number =>
  Math.log((1 + parentVisits + c.cBase) / c.cBase) + c.cInit;

export function puctScore(child: ChildStats, parentVisits: number, c: PuctConfig = PUCT_DEFAULTS): number {
  const q = child.visits > 0 ? child.valueSum / child.visits : 0;
  return q + (cPuct(parentVisits, c) * child.prior * Math.sqrt(parentVisits)) / (1 + child.visits);
}

/** The child PUCT picks (the lowest index among equal scores). */
export function selectChild(children: readonly ChildStats[], parentVisits: number, c: PuctConfig = PUCT_DEFAULTS) {
  if (children.length === 0) throw new RangeError('puct: no children');
  let best = 0,
    bestScore = -Infinity;
  children.forEach((ch, i) => {
    const s = puctScore(ch, parentVisits, c);
    if (s > bestScore) [best, bestScore] = [i, s];
  });
  return best;
}

/** Γ(α, 1) by Marsaglia–Tsang (α < 1 through Γ(α + 1)·U^(1/α)). */
function gamma(alpha: number, rng: Rng): number {
  if (alpha < 1) return gamma(alpha + 1, rng) * Math.pow(1 - rng.next(), 1 / alpha);
  const d = alpha - 1 / 3,
    c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A draw from the symmetric Dirichlet(α) over k outcomes. */
export function dirichlet(k: number, alpha: number, rng: Rng): number[] {
  const g = Array.from({ length: k }, () => gamma(alpha, rng));
  const s = g.reduce((a, b) => a + b, 0);
  return s > 0 ? g.map((x) => x / s) : g.map(() => 1 / k);
}

/** Root priors with exploration noise mixed in. */
export function noisyPriors(priors: readonly number[], rng: Rng, c: PuctConfig = PUCT_DEFAULTS): number[] {
  const eta = dirichlet(priors.length, c.dirichletAlpha, rng);
  return priors.map((p, i) => (1 - c.noiseFrac) * p + c.noiseFrac * eta[i]!);
}
