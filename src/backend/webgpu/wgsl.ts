// The WGSL source of every kernel in backend.ts, written to follow the CPU reference (cpu/cpu-backend.ts) line
// for line. Each shader reads its sizes from `P` (u32 words, a per-dispatch slice of one parameter buffer) and
// binds its tensors after it, typed f32 or i32. Reductions run in a fixed order: a serial loop per output, or
// a fixed tree over a workgroup's partial sums, never float atomics, so a rerun on one device gives the same
// bits. WGSL has no f64: the numbers differ from the CPU's float64 accumulators by rounding only.
import type { BinaryOp, DType, UnaryOp } from '../backend.ts';

export type Elem = 'f32' | 'i32';
export const elem = (d: DType): Elem => (d === 'int32' ? 'i32' : 'f32');

/** Threads per workgroup of the elementwise kernels, and of the row kernels' trees. */
export const WG = 256;
export const ROW_WG = 64;

const prelude = `
@group(0) @binding(0) var<storage, read> P: array<u32>;
fn pf(i: u32) -> f32 { return bitcast<f32>(P[i]); }
fn neg_inf() -> f32 { var bits = 0xff800000u; return bitcast<f32>(bits); }
fn sg(x: f32) -> f32 { return select(exp(x) / (1.0 + exp(x)), 1.0 / (1.0 + exp(-x)), x >= 0.0); }
`;

/** Binding declarations: binding i+1 for each (name, element, writable). */
function bindings(list: [string, Elem, boolean][]): string {
  return list
    .map(
      ([name, t, w], i) =>
        `@group(0) @binding(${i + 1}) var<storage, ${w ? 'read_write' : 'read'}> ${name}: array<${t}>;`,
    )
    .join('\n');
}

/** A 1-D grid of WG-thread workgroups, split over x and y when it exceeds 65535 groups. */
const flatMain = (body: string) => `
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) l: u32) {
  let i = (w.x + w.y * nw.x) * ${WG}u + l;
  if (i >= P[0]) { return; }
${body}
}`;

/** One ROW_WG-thread workgroup per row (rows may also be split over x and y). */
const rowMain = (body: string) => `
var<workgroup> red: array<f32, ${ROW_WG}>;
fn tree_sum(l: u32, v: f32) -> f32 {
  red[l] = v;
  workgroupBarrier();
  for (var s = ${ROW_WG / 2}u; s > 0u; s = s >> 1u) {
    if (l < s) { red[l] = red[l] + red[l + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
fn tree_max(l: u32, v: f32) -> f32 {
  red[l] = v;
  workgroupBarrier();
  for (var s = ${ROW_WG / 2}u; s > 0u; s = s >> 1u) {
    if (l < s) { let o = red[l + s]; if (o > red[l]) { red[l] = o; } }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}
@compute @workgroup_size(${ROW_WG})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) l: u32) {
  let row = w.x + w.y * nw.x;
  if (row >= P[0]) { return; }
${body}
}`;

/** The store of an f32 value into an element of type t (i32 truncates toward zero, as an Int32Array does). */
const store = (t: Elem, v: string) => (t === 'i32' ? `i32(${v})` : v);

const UNARY: Record<UnaryOp, string> = {
  copy: 'x',
  neg: '-x',
  exp: 'exp(x)',
  log: 'log(x)',
  sqrt: 'sqrt(x)',
  rsqrt: '1.0 / sqrt(x)',
  abs: 'abs(x)',
  square: 'x * x',
  recip: '1.0 / x',
  sigmoid: 'sg(x)',
  // tanh through exp(−2|x|), which stays finite for any x (a library tanh may overflow to inf/inf).
  tanh: 'sign(x) * (1.0 - exp(-2.0 * abs(x))) / (1.0 + exp(-2.0 * abs(x)))',
  relu: 'select(0.0, x, x > 0.0)',
  silu: 'x * sg(x)',
  siluGrad: 'sg(x) * (1.0 + x * (1.0 - sg(x)))',
  sin: 'sin(x)',
  cos: 'cos(x)',
  addScalar: 'x + s',
  mulScalar: 'x * s',
  powScalar: 'pow_scalar(x, s)',
  maxScalar: 'select(s, x, x > s)',
  minScalar: 'select(s, x, x < s)',
  eqScalar: 'select(0.0, 1.0, x == s)',
  neScalar: 'select(0.0, 1.0, x != s)',
  gtScalar: 'select(0.0, 1.0, x > s)',
};

// WGSL's pow is undefined for x < 0; Math.pow gives a real answer there when the exponent is an integer.
const powScalar = `
fn pow_scalar(x: f32, s: f32) -> f32 {
  if (s == 0.0) { return 1.0; }
  if (s == 1.0) { return x; }
  if (s == 2.0) { return x * x; }
  if (x >= 0.0) { return pow(x, s); }
  if (s != floor(s)) { var nan = 0x7fc00000u; return bitcast<f32>(nan); }
  let m = pow(-x, s);
  return select(m, -m, (s * 0.5) != floor(s * 0.5));
}`;

export function fillSource(t: Elem): string {
  return prelude + bindings([['O', t, true]]) + flatMain(`  O[i] = ${t === 'i32' ? 'bitcast<i32>(P[2])' : 'pf(1)'};`);
}

export function unarySource(op: UnaryOp, tx: Elem, to: Elem): string {
  const body =
    op === 'copy' && tx === to
      ? '  O[i] = X[i];'
      : `  let x = f32(X[i]);\n  let s = pf(1);\n  O[i] = ${store(to, UNARY[op])};`;
  return (
    prelude +
    powScalar +
    bindings([
      ['X', tx, false],
      ['O', to, true],
    ]) +
    flatMain(body)
  );
}

const BINARY: Record<BinaryOp, string> = {
  add: 'x + y',
  sub: 'x - y',
  mul: 'x * y',
  div: 'x / y',
  max: 'select(y, x, x >= y)',
  min: 'select(y, x, x <= y)',
  eq: 'select(0.0, 1.0, x == y)',
  gt: 'select(0.0, 1.0, x > y)',
};

/** P: [n, rank, aOffset, bOffset, shape[rank], aStrides[rank], bStrides[rank]]; out is contiguous. */
export function binarySource(op: BinaryOp, ta: Elem, tb: Elem, to: Elem): string {
  return (
    prelude +
    bindings([
      ['A', ta, false],
      ['B', tb, false],
      ['O', to, true],
    ]) +
    flatMain(`
  let rank = P[1];
  var rest = i;
  var ia = P[2];
  var ib = P[3];
  for (var d = rank; d > 0u; d = d - 1u) {
    let size = P[4u + d - 1u];
    let k = rest % size;
    rest = rest / size;
    ia = ia + k * P[4u + rank + d - 1u];
    ib = ib + k * P[4u + 2u * rank + d - 1u];
  }
  let x = f32(A[ia]);
  let y = f32(B[ib]);
  O[i] = ${store(to, BINARY[op])};`)
  );
}

/** P: [n, rank, srcOffset, dstOffset, shape[rank], srcStrides[rank], dstStrides[rank]]. */
export function copySource(ts: Elem, td: Elem): string {
  return (
    prelude +
    bindings([
      ['S', ts, false],
      ['D', td, true],
    ]) +
    flatMain(`
  let rank = P[1];
  var rest = i;
  var is = P[2];
  var id = P[3];
  for (var d = rank; d > 0u; d = d - 1u) {
    let size = P[4u + d - 1u];
    let k = rest % size;
    rest = rest / size;
    is = is + k * P[4u + rank + d - 1u];
    id = id + k * P[4u + 2u * rank + d - 1u];
  }
  D[id] = ${ts === td ? 'S[is]' : store(td, 'f32(S[is])')};`)
  );
}

/** Serial reduce, one thread per output: P [outer·inner, n, inner]; j runs 0..n−1 in order. */
export function reduceSerialSource(op: 'sum' | 'max', tx: Elem, to: Elem): string {
  return (
    prelude +
    bindings([
      ['X', tx, false],
      ['O', to, true],
    ]) +
    flatMain(`
  let n = P[1];
  let inner = P[2];
  let o = i / inner;
  let c = i % inner;
  var acc = ${op === 'sum' ? '0.0' : 'neg_inf()'};
  for (var j = 0u; j < n; j = j + 1u) {
    let v = f32(X[(o * n + j) * inner + c]);
    ${op === 'sum' ? 'acc = acc + v;' : 'if (v > acc || v != v) { acc = v; }'}
  }
  O[i] = ${store(to, 'acc')};`)
  );
}

/** Tree reduce, one workgroup per output, for long rows: thread l takes j ≡ l (mod ROW_WG), then a fixed tree. */
export function reduceTreeSource(op: 'sum' | 'max', tx: Elem, to: Elem): string {
  return (
    prelude +
    bindings([
      ['X', tx, false],
      ['O', to, true],
    ]) +
    rowMain(`
  let n = P[1];
  let inner = P[2];
  let o = row / inner;
  let c = row % inner;
  var acc = ${op === 'sum' ? '0.0' : 'neg_inf()'};
  for (var j = l; j < n; j = j + ${ROW_WG}u) {
    let v = f32(X[(o * n + j) * inner + c]);
    ${op === 'sum' ? 'acc = acc + v;' : 'if (v > acc || v != v) { acc = v; }'}
  }
  let r = ${op === 'sum' ? 'tree_sum(l, acc)' : 'tree_max(l, acc)'};
  if (l == 0u) { O[row] = ${store(to, 'r')}; }`)
  );
}

/** P: [outer·count·inner, n, count, inner, idxOuterStride]. An index out of range reads 0 (callers validate). */
export function gatherSource(t: Elem): string {
  return (
    prelude +
    bindings([
      ['S', t, false],
      ['I', 'i32', false],
      ['O', t, true],
    ]) +
    flatMain(`
  let n = P[1];
  let count = P[2];
  let inner = P[3];
  let c = i % inner;
  let rj = i / inner;
  let j = rj % count;
  let r = rj / count;
  let id = I[r * P[4] + j];
  if (id < 0 || u32(id) >= n) { O[i] = ${t}(0); return; }
  O[i] = S[(r * n + u32(id)) * inner + c];`)
  );
}

/** One thread per (outer, inner column), adding rows j = 0..count−1 in order: P [outer·inner, n, count, inner, s]. */
export function scatterAddSource(t: Elem): string {
  return (
    prelude +
    bindings([
      ['D', t, true],
      ['I', 'i32', false],
      ['S', t, false],
    ]) +
    flatMain(`
  let n = P[1];
  let count = P[2];
  let inner = P[3];
  let c = i % inner;
  let r = i / inner;
  for (var j = 0u; j < count; j = j + 1u) {
    let id = I[r * P[4] + j];
    if (id < 0 || u32(id) >= n) { continue; }
    let to = (r * n + u32(id)) * inner + c;
    D[to] = D[to] + S[(r * count + j) * inner + c];
  }`)
  );
}

/**
 * One thread per (outer, target row, column): it scans j = 0..count−1 in order and adds the rows that point
 * at its target, so repeated indices add in the CPU's order with no atomics. For few target rows (a small
 * vocabulary) this is far more parallel than a thread per column. P: [outer·n·inner, n, count, inner, s].
 */
export function scatterAddByTargetSource(t: Elem): string {
  return (
    prelude +
    bindings([
      ['D', t, true],
      ['I', 'i32', false],
      ['S', t, false],
    ]) +
    flatMain(`
  let n = P[1];
  let count = P[2];
  let inner = P[3];
  let c = i % inner;
  let rt = i / inner;
  let goal = i32(rt % n);
  let r = rt / n;
  var acc = D[i];
  for (var j = 0u; j < count; j = j + 1u) {
    if (I[r * P[4] + j] == goal) { acc = acc + S[(r * count + j) * inner + c]; }
  }
  D[i] = acc;`)
  );
}

/**
 * One thread per row: the t-th pick is the largest element after the (t−1)-th in the order (value desc,
 * index asc), so ties go to the lower index as on the CPU. P: [rows, n, k].
 */
export function topkSource(tx: Elem): string {
  return (
    prelude +
    bindings([
      ['X', tx, false],
      ['V', tx, true],
      ['I', 'i32', true],
    ]) +
    flatMain(`
  let n = P[1];
  let k = P[2];
  var pv = 0.0;
  var pi = -1;
  for (var t = 0u; t < k; t = t + 1u) {
    var best = -1;
    var bv = 0.0;
    for (var j = 0u; j < n; j = j + 1u) {
      let v = f32(X[i * n + j]);
      let after = pi < 0 || v < pv || (v == pv && i32(j) > pi);
      if (after && (best < 0 || v > bv)) { best = i32(j); bv = v; }
    }
    V[i * k + t] = ${tx}(bv);
    I[i * k + t] = best;
    pv = bv;
    pi = best;
  }`)
  );
}

/** P: [rows, n, causal, tq, offset, log, scale]; a causal row r sees columns 0..(r mod tq)+offset. */
export function softmaxSource(): string {
  return (
    prelude +
    bindings([
      ['X', 'f32', false],
      ['O', 'f32', true],
    ]) +
    rowMain(`
  let n = P[1];
  let base = row * n;
  var limit = n;
  if (P[2] != 0u) { limit = min(n, (row % P[3]) + P[4] + 1u); }
  let sc = pf(6);
  var m = neg_inf();
  for (var j = l; j < limit; j = j + ${ROW_WG}u) { let v = X[base + j] * sc; if (v > m) { m = v; } }
  m = tree_max(l, m);
  var s = 0.0;
  for (var j = l; j < limit; j = j + ${ROW_WG}u) { s = s + exp(X[base + j] * sc - m); }
  s = tree_sum(l, s);
  if (P[5] != 0u) {
    let lse = m + log(s);
    for (var j = l; j < n; j = j + ${ROW_WG}u) { O[base + j] = select(neg_inf(), X[base + j] * sc - lse, j < limit); }
  } else {
    for (var j = l; j < n; j = j + ${ROW_WG}u) { O[base + j] = select(0.0, exp(X[base + j] * sc - m) / s, j < limit); }
  }`)
  );
}

/** P: [rows, n, eps]. */
export function rmsnormSource(): string {
  return (
    prelude +
    bindings([
      ['X', 'f32', false],
      ['W', 'f32', false],
      ['O', 'f32', true],
      ['R', 'f32', true],
    ]) +
    rowMain(`
  let n = P[1];
  let base = row * n;
  var ss = 0.0;
  for (var j = l; j < n; j = j + ${ROW_WG}u) { let v = X[base + j]; ss = ss + v * v; }
  ss = tree_sum(l, ss);
  let inv = 1.0 / sqrt(ss / f32(n) + pf(2));
  if (l == 0u) { R[row] = inv; }
  for (var j = l; j < n; j = j + ${ROW_WG}u) { O[base + j] = X[base + j] * inv * W[j]; }`)
  );
}

/** One thread per (row, head, pair): P [rows·heads·half, heads, dim, half-style, sign]. */
export function ropeSource(): string {
  return (
    prelude +
    bindings([
      ['X', 'f32', false],
      ['POS', 'i32', false],
      ['C', 'f32', false],
      ['SN', 'f32', false],
      ['O', 'f32', true],
    ]) +
    flatMain(`
  let heads = P[1];
  let dim = P[2];
  let half = dim / 2u;
  let p = i % half;
  let rh = i / half;
  let r = rh / heads;
  let t = u32(POS[r]) * half;
  let c = C[t + p];
  let s = pf(4) * SN[t + p];
  let base = rh * dim;
  var i0 = base + 2u * p;
  var i1 = i0 + 1u;
  if (P[3] != 0u) { i0 = base + p; i1 = i0 + half; }
  let x0 = X[i0];
  let x1 = X[i1];
  O[i0] = x0 * c - x1 * s;
  O[i1] = x0 * s + x1 * c;`)
  );
}

/** P: [rows, n, scale]. */
export function softmaxBackwardSource(): string {
  return (
    prelude +
    bindings([
      ['Y', 'f32', false],
      ['G', 'f32', false],
      ['O', 'f32', true],
    ]) +
    rowMain(`
  let n = P[1];
  let base = row * n;
  var s = 0.0;
  for (var j = l; j < n; j = j + ${ROW_WG}u) { s = s + G[base + j] * Y[base + j]; }
  s = tree_sum(l, s);
  let sc = pf(2);
  for (var j = l; j < n; j = j + ${ROW_WG}u) { O[base + j] = Y[base + j] * (G[base + j] - s) * sc; }`)
  );
}

/** The gx half of RMSNorm backward, a workgroup per row. P: [rows, n]. */
export function rmsnormBackwardRowsSource(): string {
  return (
    prelude +
    bindings([
      ['X', 'f32', false],
      ['W', 'f32', false],
      ['R', 'f32', false],
      ['G', 'f32', false],
      ['GX', 'f32', true],
    ]) +
    rowMain(`
  let n = P[1];
  let base = row * n;
  let rr = R[row];
  var s = 0.0;
  for (var j = l; j < n; j = j + ${ROW_WG}u) { s = s + (G[base + j] * W[j]) * X[base + j]; }
  s = tree_sum(l, s);
  let b = (rr * (rr * rr)) * (s * (1.0 / f32(n)));
  for (var j = l; j < n; j = j + ${ROW_WG}u) { GX[base + j] = (G[base + j] * W[j]) * rr - X[base + j] * b; }`)
  );
}

/** The gw half's terms g ⊙ (x·r) per element (the backend then sums them over rows with the reduce kernel). P: [rows·n, n]. */
export function rmsnormBackwardTermsSource(): string {
  return (
    prelude +
    bindings([
      ['X', 'f32', false],
      ['R', 'f32', false],
      ['G', 'f32', false],
      ['T', 'f32', true],
    ]) +
    flatMain(`  T[i] = G[i] * (X[i] * R[i / P[1]]);`)
  );
}

export function swigluSource(): string {
  return (
    prelude +
    bindings([
      ['A', 'f32', false],
      ['B', 'f32', false],
      ['O', 'f32', true],
    ]) +
    flatMain(`  let x = A[i];\n  O[i] = (x * sg(x)) * B[i];`)
  );
}

export function swigluBackwardSource(): string {
  return (
    prelude +
    bindings([
      ['A', 'f32', false],
      ['B', 'f32', false],
      ['G', 'f32', false],
      ['DA', 'f32', true],
      ['DB', 'f32', true],
    ]) +
    flatMain(`
  let x = A[i];
  let s = sg(x);
  DA[i] = (G[i] * B[i]) * (s * (1.0 + x * (1.0 - s)));
  DB[i] = G[i] * (x * s);`)
  );
}

/** P: [n, beta1, beta2, lr, eps, 1−beta1^t, 1−beta2^t, 1−lr·wd] (floats as bits). */
export function adamwSource(): string {
  return (
    prelude +
    bindings([
      ['PA', 'f32', true],
      ['G', 'f32', false],
      ['M', 'f32', true],
      ['V', 'f32', true],
    ]) +
    flatMain(`
  let g = G[i];
  let b1 = pf(1);
  let b2 = pf(2);
  let m = b1 * M[i] + (1.0 - b1) * g;
  let v = b2 * V[i] + (1.0 - b2) * g * g;
  M[i] = m;
  V[i] = v;
  let mHat = m / pf(5);
  let vHat = v / pf(6);
  PA[i] = PA[i] * pf(7) - (pf(3) * mHat) / (sqrt(vHat) + pf(4));`)
  );
}
