// The CPU backend's fused kernels (backend.ts says what each computes): softmax backward, RMSNorm backward,
// SwiGLU forward/backward and log-softmax-and-take (cross-entropy) forward/backward, one pass where the composed
// ops take several.
//
// Each rounds every intermediate to the storage type exactly where the composed ops would store it, so it gives
// their bits. Every kernel is written twice: a float32 body that rounds with Math.fround written out, and a
// float64 body where that rounding is the identity. One body with the rounding passed in as a function would be
// shorter, but V8 then calls through it instead of inlining it, and mixed dtypes make it megamorphic: measured
// 3–20× slower on the attention shapes of a training step.
import type { HostArray } from '../backend.ts';

type F = Float32Array | Float64Array;
export const isF32 = (a: HostArray): a is Float32Array => a instanceof Float32Array;

// σ(x) is written out in each loop as x ≥ 0 ? 1/(1 + e^−x) : e^x/(1 + e^x) (exp never overflows; the unary
// 'sigmoid' kernel's expression): as a helper V8 left it a call.

/** out = y ⊙ (g − Σ_j g_j·y_j) per row of n. */
export function softmaxBackward(ys: F, gs: F, os: F, rows: number, n: number, scale = 1): void {
  if (isF32(os)) {
    for (let r = 0; r < rows; r++) {
      const base = r * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.fround(gs[base + j]! * ys[base + j]!);
      s = Math.fround(s);
      for (let j = 0; j < n; j++) os[base + j] = Math.fround(ys[base + j]! * Math.fround(gs[base + j]! - s)) * scale;
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += gs[base + j]! * ys[base + j]!;
    for (let j = 0; j < n; j++) os[base + j] = ys[base + j]! * (gs[base + j]! - s) * scale;
  }
}

/** gx = u·r − x·(r·r²)·mean(u ⊙ x) with u = g ⊙ w; gw = Σ_rows g ⊙ (x·r). */
export function rmsnormBackward(xs: F, ws: F, rs: F, gs: F, gxs: F, gws: F, rows: number, n: number): void {
  const acc = new Float64Array(n);
  const last = rows - 1;
  // gw is stored from inside the loop: code after a hot loop has no type feedback when the loop is optimised
  // mid-call, and V8 would leave the optimised code there on every call.
  if (isF32(gxs)) {
    const fr = Math.fround;
    for (let r = 0; r < rows; r++) {
      const base = r * n,
        rr = rs[r]!;
      let s = 0;
      for (let j = 0; j < n; j++) s += fr(fr(gs[base + j]! * ws[j]!) * xs[base + j]!);
      const b = fr(fr(rr * fr(rr * rr)) * fr(fr(s) * (1 / n)));
      for (let j = 0; j < n; j++) {
        const xj = xs[base + j]!,
          gj = gs[base + j]!;
        gxs[base + j] = fr(fr(gj * ws[j]!) * rr) - fr(xj * b);
        const sum = (acc[j]! += fr(gj * fr(xj * rr)));
        if (r === last) gws[j] = sum;
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const base = r * n,
      rr = rs[r]!;
    let s = 0;
    for (let j = 0; j < n; j++) s += gs[base + j]! * ws[j]! * xs[base + j]!;
    const b = rr * (rr * rr) * (s * (1 / n));
    for (let j = 0; j < n; j++) {
      const xj = xs[base + j]!,
        gj = gs[base + j]!;
      gxs[base + j] = gj * ws[j]! * rr - xj * b;
      const sum = (acc[j]! += gj * (xj * rr));
      if (r === last) gws[j] = sum;
    }
  }
}

/** out = SiLU(gate) ⊙ up. */
export function swiglu(a: F, b: F, os: F): void {
  const len = a.length;
  if (isF32(os)) {
    for (let i = 0; i < len; i++) {
      const x = a[i]!;
      os[i] = Math.fround(x * (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))) * b[i]!;
    }
    return;
  }
  for (let i = 0; i < len; i++) {
    const x = a[i]!;
    os[i] = x * (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))) * b[i]!;
  }
}

/** swiglu that also keeps σ(gate) in float64 for the backward (which then needs no exp): the same out. */
export function swigluKeep(a: F, b: F, os: F, sig: Float64Array): void {
  const len = a.length;
  if (isF32(os)) {
    for (let i = 0; i < len; i++) {
      const x = a[i]!,
        sg = (sig[i] = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
      os[i] = Math.fround(x * sg) * b[i]!;
    }
    return;
  }
  for (let i = 0; i < len; i++) {
    const x = a[i]!,
      sg = (sig[i] = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    os[i] = x * sg * b[i]!;
  }
}

/** swigluBackward with σ(gate) kept by swigluKeep: the same bits, no exp. */
export function swigluBackwardKept(a: F, b: F, sig: Float64Array, gs: F, da: F, db: F): void {
  const len = a.length;
  if (isF32(da)) {
    for (let i = 0; i < len; i++) {
      const x = a[i]!,
        sg = sig[i]!,
        gi = gs[i]!;
      da[i] = Math.fround(gi * b[i]!) * Math.fround(sg * (1 + x * (1 - sg)));
      db[i] = gi * Math.fround(x * sg);
    }
    return;
  }
  for (let i = 0; i < len; i++) {
    const x = a[i]!,
      sg = sig[i]!,
      gi = gs[i]!;
    da[i] = gi * b[i]! * (sg * (1 + x * (1 - sg)));
    db[i] = gi * (x * sg);
  }
}

/**
 * swigluKeep with each row of n times its weight: out[r, j] = SiLU(gate) ⊙ up [r, j] · w[r] (the MoE combine
 * weight), rounded where swiglu and then a row-broadcast mul would store: the same out.
 */
export function swigluScaledKeep(a: F, b: F, w: F, os: F, sig: Float64Array, n: number): void {
  const rows = n > 0 ? a.length / n : 0;
  if (isF32(os)) {
    for (let r = 0; r < rows; r++) {
      const wr = w[r]!;
      for (let i = r * n; i < (r + 1) * n; i++) {
        const x = a[i]!,
          sg = (sig[i] = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
        os[i] = Math.fround(Math.fround(x * sg) * b[i]!) * wr;
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const wr = w[r]!;
    for (let i = r * n; i < (r + 1) * n; i++) {
      const x = a[i]!,
        sg = (sig[i] = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
      os[i] = x * sg * b[i]! * wr;
    }
  }
}

/**
 * Its backward, as mul's then swiglu's would compute it: with gs = g ⊙ w (rounded), dGate and dUp are
 * swigluBackwardKept's of gs, and dw[r] = Σ_j g[r, j]·SiLU(gate)·up [r, j], summed in float64 in j order (a
 * row reduce's sum) and stored once.
 */
export function swigluScaledBackwardKept(
  a: F,
  b: F,
  w: F,
  sig: Float64Array,
  gs: F,
  da: F,
  db: F,
  dw: F,
  n: number,
): void {
  const rows = n > 0 ? a.length / n : 0;
  if (isF32(da)) {
    const fr = Math.fround;
    for (let r = 0; r < rows; r++) {
      const wr = w[r]!;
      let s = 0;
      for (let i = r * n; i < (r + 1) * n; i++) {
        const x = a[i]!,
          sg = sig[i]!,
          gi = gs[i]!,
          gw = fr(gi * wr),
          silu = fr(x * sg);
        da[i] = fr(gw * b[i]!) * fr(sg * (1 + x * (1 - sg)));
        db[i] = gw * silu;
        s += fr(gi * fr(silu * b[i]!));
      }
      dw[r] = s;
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const wr = w[r]!;
    let s = 0;
    for (let i = r * n; i < (r + 1) * n; i++) {
      const x = a[i]!,
        sg = sig[i]!,
        gi = gs[i]!,
        gw = gi * wr;
      da[i] = gw * b[i]! * (sg * (1 + x * (1 - sg)));
      db[i] = gw * (x * sg);
      s += gi * (x * sg * b[i]!);
    }
    dw[r] = s;
  }
}

/** dGate = (g ⊙ up) ⊙ SiLU'(gate) with SiLU'(x) = σ(x)·(1 + x·(1 − σ(x))); dUp = g ⊙ SiLU(gate). */
export function swigluBackward(a: F, b: F, gs: F, da: F, db: F): void {
  const len = a.length;
  if (isF32(da)) {
    for (let i = 0; i < len; i++) {
      const x = a[i]!,
        sg = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)),
        gi = gs[i]!;
      da[i] = Math.fround(gi * b[i]!) * Math.fround(sg * (1 + x * (1 - sg)));
      db[i] = gi * Math.fround(x * sg);
    }
    return;
  }
  for (let i = 0; i < len; i++) {
    const x = a[i]!,
      sg = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)),
      gi = gs[i]!;
    da[i] = gi * b[i]! * (sg * (1 + x * (1 - sg)));
    db[i] = gi * (x * sg);
  }
}

/**
 * log p(target) per row of x [rows, n]: out[r] = x[r, t_r] − lse_r with lse_r = max_r + log Σ_j e^(x_rj − max_r)
 * (the log-softmax kernel's expression, so the same bits); lse (float64) is kept for the backward.
 */
export function logSoftmaxTake(xs: F, ts: Int32Array, os: F, lse: Float64Array, rows: number, n: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) if (xs[base + j]! > max) max = xs[base + j]!;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp(xs[base + j]! - max);
    const l = (lse[r] = max + Math.log(sum));
    // x − lse is rounded where the log-softmax kernel stores it, then taken.
    os[r] = isF32(os) ? Math.fround(xs[base + ts[r]!]! - l) : xs[base + ts[r]!]! - l;
  }
}

/**
 * Its backward, as the composed ops compute it (gather's transpose puts g_r at the target, then log-softmax's
 * backward g − e^y·Σg): gx[r, j] = [j = t_r]·g_r − e^(x_rj − lse_r)·g_r, with y = x − lse and e^y rounded where
 * those ops store them.
 */
export function logSoftmaxTakeBackward(
  xs: F,
  ts: Int32Array,
  lse: Float64Array,
  gs: F,
  gx: F,
  rows: number,
  n: number,
): void {
  if (isF32(gx)) {
    for (let r = 0; r < rows; r++) {
      const base = r * n,
        l = lse[r]!,
        g = gs[r]!,
        t = ts[r]!;
      for (let j = 0; j < n; j++) {
        const m = Math.fround(Math.fround(Math.exp(Math.fround(xs[base + j]! - l))) * g);
        gx[base + j] = (j === t ? g : 0) - m;
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const base = r * n,
      l = lse[r]!,
      g = gs[r]!,
      t = ts[r]!;
    for (let j = 0; j < n; j++) gx[base + j] = (j === t ? g : 0) - Math.exp(xs[base + j]! - l) * g;
  }
}
