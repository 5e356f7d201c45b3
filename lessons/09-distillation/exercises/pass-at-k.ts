// Exercise: the unbiased pass@k estimator (Chen et al. 2021), the number behind "RL raises pass@1 but not
// pass@k".
//
//   pass@k = 1 − C(n − c, k) / C(n, k)
//
// You sampled n answers to one problem and c of them are right. pass@k is the chance that k answers drawn
// from those n without replacement contain at least one right one: one minus the chance that all k come from
// the n − c wrong ones. When n − c < k every draw of k must contain a right answer, so pass@k = 1.
//
// C(64, 32) is about 1.8e18: compute the ratio as a product instead of two huge binomials,
//   C(n − c, k) / C(n, k) = Π_{i = n − c + 1 .. n} (1 − k / i).
//
// This starter returns the plain fraction right, c / n, which is pass@1 only. Finish it; save the file and
// the player re-checks it.

export function passAtK(n: number, c: number, k: number): number {
  return c / n + 0 * k;
}
