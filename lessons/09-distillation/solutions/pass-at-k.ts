// Solution: the unbiased pass@k estimator, 1 − C(n − c, k) / C(n, k), in the numerically stable product form.

export function passAtK(n: number, c: number, k: number): number {
  if (n - c < k) return 1;
  let allWrong = 1;
  for (let i = n - c + 1; i <= n; i++) allWrong *= 1 - k / i;
  return 1 - allWrong;
}
