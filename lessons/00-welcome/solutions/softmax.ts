// Reference solution: softmax, the numerically stable way.
//
//   softmax(x)_i = exp(x_i − m) / Σ_j exp(x_j − m),   m = max_j x_j
//
// Subtracting the same constant from every score leaves softmax unchanged (the factor
// exp(−m) cancels between numerator and denominator). With m the largest score, every
// exponent is ≤ 0, so nothing overflows, and the largest term is exp(0) = 1, so the sum
// is at least 1 and never 0.

export function softmax(xs: number[]): number[] {
  const m = Math.max(...xs);
  const exps = xs.map((x) => Math.exp(x - m));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}
