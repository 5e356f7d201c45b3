// Exercise: softmax, the numerically stable way.
//
//   softmax(x)_i = exp(x_i) / Σ_j exp(x_j)
//
// This version follows the formula literally. It works for small scores, but a model's
// scores (logits) can be large: Math.exp(1000) is Infinity in float64, and Infinity /
// Infinity is NaN. Change it so it gives the same answers for every input without
// overflowing. Save the file: the player re-checks it.

export function softmax(xs: number[]): number[] {
  const exps = xs.map((x) => Math.exp(x));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}
