// Calibration of a value head against a truth known only up to an interval (exact-success.ts gives
// P(success | s) ∈ [lower, upper]). Brier score (Brier 1950):  B = (1/n) Σ_i (v_i − p_i)².
// With p_i only bounded, B itself is bounded:
//   B_lo = (1/n) Σ_i dist(v_i, [l_i, u_i])²,   B_hi = (1/n) Σ_i max((v_i − l_i)², (v_i − u_i)²),
// and the point estimate uses the midpoint m_i = (l_i + u_i)/2. Reliability diagram (DeGroot & Fienberg 1983):
// predictions in `bins` equal-width bins on [0, 1]; per bin the mean prediction against the mean truth
// (midpoints) — a calibrated head lies on the diagonal.
export interface Bounded {
  lower: number;
  upper: number;
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  n: number;
  /** Mean prediction in the bin (null when empty). */
  value: number | null;
  /** Mean exact success probability (interval midpoint) in the bin. */
  exact: number | null;
}

export interface Calibration {
  n: number;
  brier: number;
  brierLo: number;
  brierHi: number;
  bins: ReliabilityBin[];
}

export function calibration(values: readonly number[], truth: readonly Bounded[], bins = 5): Calibration {
  if (values.length !== truth.length) throw new Error(`calibration: ${values.length} values vs ${truth.length} truths`);
  const n = values.length;
  let b = 0,
    lo = 0,
    hi = 0;
  const acc = Array.from({ length: bins }, () => ({ n: 0, v: 0, p: 0 }));
  values.forEach((v, i) => {
    const { lower: l, upper: u } = truth[i]!;
    const m = (l + u) / 2;
    b += (v - m) ** 2;
    lo += (v < l ? l - v : v > u ? v - u : 0) ** 2;
    hi += Math.max((v - l) ** 2, (v - u) ** 2);
    const k = Math.min(bins - 1, Math.max(0, Math.floor(v * bins)));
    acc[k]!.n++;
    acc[k]!.v += v;
    acc[k]!.p += m;
  });
  const d = Math.max(n, 1);
  return {
    n,
    brier: b / d,
    brierLo: lo / d,
    brierHi: hi / d,
    bins: acc.map((a, k) => ({
      lo: k / bins,
      hi: (k + 1) / bins,
      n: a.n,
      value: a.n ? a.v / a.n : null,
      exact: a.n ? a.p / a.n : null,
    })),
  };
}
