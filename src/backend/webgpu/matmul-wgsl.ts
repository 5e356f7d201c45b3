// The WGSL matmul: C[b] = op(A[b])·op(B[b]) as a register-tiled GEMM. A workgroup of (BN/TN)×(BM/TM) threads
// computes a BM×BN tile of C; each step stages a BK-deep slab of A and B in workgroup memory, and each thread
// keeps a TM×TN block of accumulators in registers (the classic shared-memory tiling of GEMM kernels; see
// shared/reference/performance.md). Thread (tx, ty) owns rows ty + i·(BM/TM) and columns tx + j·(BN/TN), so
// a warp reads one A value (broadcast) and consecutive B values. Every output sums k = 0..K−1 in order.
export interface MatmulTile {
  /** Rows and columns of C per workgroup. */
  bm: number;
  bn: number;
  /** Depth of one staged slab of K. */
  bk: number;
  /** Outputs per thread along rows and columns. */
  tm: number;
  tn: number;
  /** The aligned vec4 kernel (matmul-vec4.ts) instead of this file's bounds-checked one. */
  vec4?: boolean;
  /** vec4 kernel only: transpose k-contiguous operands in registers (matmul-vec4.ts). */
  regT?: boolean;
  /** vec4 kernel only: stage A (not transposed) row-major, k-contiguous as it is stored (matmul-vec4.ts). */
  aRows?: boolean;
}

export const SMALL_TILE: MatmulTile = { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 };
export const LARGE_TILE: MatmulTile = { bm: 128, bn: 128, bk: 16, tm: 8, tn: 8 };

/** P: [M, N, K, aBatchStride, bBatchStride]; dispatch (⌈N/bn⌉, ⌈M/bm⌉, batch). */
export function matmulSource(t: MatmulTile, transA: boolean, transB: boolean): string {
  const tx = t.bn / t.tn,
    ty = t.bm / t.tm,
    threads = tx * ty;
  const aLoads = (t.bm * t.bk) / threads,
    bLoads = (t.bn * t.bk) / threads;
  // Which index varies fastest across threads when staging: the one contiguous in memory.
  const aIdx = transA
    ? `let mm = e % ${t.bm}u; let kk = e / ${t.bm}u;`
    : `let kk = e % ${t.bk}u; let mm = e / ${t.bk}u;`;
  const aAt = transA ? 'gk * M + gm' : 'gm * K + gk';
  const bIdx = transB
    ? `let kk = e % ${t.bk}u; let nn = e / ${t.bk}u;`
    : `let nn = e % ${t.bn}u; let kk = e / ${t.bn}u;`;
  const bAt = transB ? 'gn * K + gk' : 'gk * N + gn';
  return `
@group(0) @binding(0) var<storage, read> P: array<u32>;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
var<workgroup> As: array<f32, ${t.bk * t.bm}>;
var<workgroup> Bs: array<f32, ${t.bk * t.bn}>;

@compute @workgroup_size(${tx}, ${ty})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) l: u32) {
  let M = P[0];
  let N = P[1];
  let K = P[2];
  let aBase = w.z * P[3];
  let bBase = w.z * P[4];
  let row0 = w.y * ${t.bm}u;
  let col0 = w.x * ${t.bn}u;
  var acc: array<f32, ${t.tm * t.tn}>;
  for (var k0 = 0u; k0 < K; k0 = k0 + ${t.bk}u) {
    for (var q = 0u; q < ${aLoads}u; q = q + 1u) {
      let e = l + q * ${threads}u;
      ${aIdx}
      let gm = row0 + mm;
      let gk = k0 + kk;
      var v = 0.0;
      if (gm < M && gk < K) { v = A[aBase + ${aAt}]; }
      As[kk * ${t.bm}u + mm] = v;
    }
    for (var q = 0u; q < ${bLoads}u; q = q + 1u) {
      let e = l + q * ${threads}u;
      ${bIdx}
      let gn = col0 + nn;
      let gk = k0 + kk;
      var v = 0.0;
      if (gn < N && gk < K) { v = B[bBase + ${bAt}]; }
      Bs[kk * ${t.bn}u + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${t.bk}u; kk = kk + 1u) {
      var a: array<f32, ${t.tm}>;
      var b: array<f32, ${t.tn}>;
      for (var i = 0u; i < ${t.tm}u; i = i + 1u) { a[i] = As[kk * ${t.bm}u + lid.y + i * ${ty}u]; }
      for (var j = 0u; j < ${t.tn}u; j = j + 1u) { b[j] = Bs[kk * ${t.bn}u + lid.x + j * ${tx}u]; }
      for (var i = 0u; i < ${t.tm}u; i = i + 1u) {
        for (var j = 0u; j < ${t.tn}u; j = j + 1u) {
          acc[i * ${t.tn}u + j] = acc[i * ${t.tn}u + j] + a[i] * b[j];
        }
      }
    }
    workgroupBarrier();
  }
  let cBase = w.z * M * N;
  for (var i = 0u; i < ${t.tm}u; i = i + 1u) {
    let r = row0 + lid.y + i * ${ty}u;
    if (r >= M) { continue; }
    for (var j = 0u; j < ${t.tn}u; j = j + 1u) {
      let c = col0 + lid.x + j * ${tx}u;
      if (c < N) { C[cBase + r * N + c] = acc[i * ${t.tn}u + j]; }
    }
  }
}`;
}
