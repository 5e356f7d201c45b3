// The aligned fp32 GEMM: C[b] = op(A[b])·op(B[b]) for shapes whose M, N and K are multiples of the tile (the
// model's large products), so no bounds checks are needed anywhere. Same register tiling as matmul-wgsl.ts, plus
// what the tuned GEMMs of the literature add (shared/reference/performance.md):
// - 16-byte loads and stores: A, B and C are read and written as vec4<f32>;
// - both operands staged k-major in workgroup memory (As[k][m], Bs[k][n]): an operand stored with k contiguous
//   is transposed on the way in, so each thread reads its 4-row and 4-column groups as single vec4s, and the 16
//   threads of a half-warp read 16 consecutive vec4s (no bank conflicts);
// - double buffering: the next K-slab is fetched into registers while the current one is multiplied, and the
//   two workgroup buffers alternate, so one barrier per slab suffices;
// - the inner k-loop and the thread's TM×TN outer product written out in full (no loops left to the compiler).
// `aRows` stages a k-contiguous A as it is stored instead (row-major, no transpose on the way in): a thread then
// reads one vec4 per row for 4 k-steps, as many loads as k-major staging, and its stores stay whole vec4s.
// Thread (tx, ty) owns rows g·4·TY + 4·ty + r and columns h·4·TX + 4·tx + c (g < TM/4, h < TN/4, r, c < 4),
// with TX = BN/TN and TY = BM/TM threads along columns and rows. Every output sums k = 0..K−1 in order.
import type { MatmulLayout } from '../backend.ts';
import type { MatmulTile } from './matmul-wgsl.ts';

/**
 * The aligned tiles, largest first: 256 threads each. The largest stages A k-major: at 4096³, alternated in one
 * run, 40.2–40.5 against 39.6 TFLOP/s for A staged row-major (`aRows`) on an H100 (runs 35, 37) and 40.2 against
 * 38.2–39.6 on an H200 (run 39); ahead in the earlier H100 runs too (13, 15), tied in run 16 (an H200).
 * bench/gpu/RESULTS.md has the history.
 */
export const VEC4_TILES: MatmulTile[] = [
  { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8, vec4: true },
  { bm: 128, bn: 64, bk: 16, tm: 8, tn: 4, vec4: true },
  { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4, vec4: true },
];

/** Whether `t` tiles layout `l` exactly, with every batch entry starting on a 16-byte boundary. */
export function vec4Fits(t: MatmulTile, l: MatmulLayout): boolean {
  return (
    l.m % t.bm === 0 &&
    l.n % t.bn === 0 &&
    l.k % t.bk === 0 &&
    l.aBatchStride % 4 === 0 &&
    l.bBatchStride % 4 === 0 &&
    t.tm % 4 === 0 &&
    t.tn % 4 === 0
  );
}

/**
 * Statements staging one operand's BK×BD slab (D = M for A, N for B) into registers `r{name}…` and then into
 * workgroup memory `{name}s` (k-major, vec4 along D). `alongK`: the operand's rows run along k (A not
 * transposed, B transposed), so a vec4 holds 4 consecutive k of one row and must be transposed: either by four
 * scalar stores into the vec4s of its row (`regT` false), or (`regT` true) by a thread loading the same 4 k of
 * 4 consecutive rows and writing 4 whole vec4s, one per k (fewer, wider stores; fewer threads loading).
 */
function stager(name: string, bd: number, bk: number, threads: number, alongK: boolean, regT: boolean, rows = false) {
  const D = name === 'A' ? 'M' : 'N';
  const origin = name === 'A' ? 'row0' : 'col0';
  const size = (bd * bk) / 4;
  const rowsPer = alongK && regT ? 4 : 1;
  const tasks = size / rowsPer;
  const loads = Math.ceil(tasks / threads);
  const guard = (e: string, st: string) => (tasks % threads !== 0 ? `if (${e} < ${tasks}u) { ${st} }` : st);
  const reg = (q: number, j: number) => `r${name}${q}_${j}`;
  const decl = [...Array(loads).keys()]
    .flatMap((q) => [...Array(rowsPer).keys()].map((j) => `  var ${reg(q, j)}: vec4f;`))
    .join('\n');
  const each = (f: (e: string, q: number) => string) =>
    [...Array(loads).keys()].map((q) => guard(`l + ${q * threads}u`, f(`(l + ${q * threads}u)`, q))).join('\n      ');
  const fetch = (kt: string) =>
    each((e, q) => {
      if (!alongK) {
        const at = `${name}base + (${kt} * ${bk}u + ${e} / ${bd / 4}u) * ${D}4 + ${origin} / 4u + ${e} % ${bd / 4}u`;
        return `${reg(q, 0)} = ${name}[${at}];`;
      }
      // task e: rows d·rowsPer + j, k-group k4
      const d = `${e} / ${bk / 4}u`,
        k4 = `${e} % ${bk / 4}u`;
      return [...Array(rowsPer).keys()]
        .map(
          (j) =>
            `${reg(q, j)} = ${name}[${name}base + (${origin} + ${d} * ${rowsPer}u + ${j}u) * K4 + ${kt} * ${bk / 4}u + ${k4}];`,
        )
        .join(' ');
    });
  const store = (buf: string) =>
    each((e, q) => {
      if (!alongK || rows) return `${name}s[${buf} + ${e}] = ${reg(q, 0)};`;
      const d = `${e} / ${bk / 4}u`,
        k = `(${e} % ${bk / 4}u) * 4u`;
      return [0, 1, 2, 3]
        .map((c) =>
          regT
            ? `${name}s[${buf} + (${k} + ${c}u) * ${bd / 4}u + ${d}] = vec4f(${[0, 1, 2, 3].map((j) => `${reg(q, j)}[${c}]`).join(', ')});`
            : `${name}s[${buf} + (${k} + ${c}u) * ${bd / 4}u + ${d} / 4u][${d} % 4u] = ${reg(q, 0)}[${c}];`,
        )
        .join(' ');
    });
  return { decl, fetch, store, size };
}

/**
 * The loop over K-slabs: fetch slab kt+1 into registers, multiply slab kt from its workgroup buffer, store
 * slab kt+1 into the other buffer, one barrier. (Two slabs per iteration, so that each half's buffer offsets are
 * constants, ran slower on the H200: 28.3 against 38.8 TFLOP/s at 4096³, run 11; with a branch-free fetch of
 * slab min(kt+1, nt−1) as well, 30.2.)
 */
function slabLoop(a: ReturnType<typeof stager>, b: ReturnType<typeof stager>, body: string): string {
  return `  for (var kt = 0u; kt < nt; kt = kt + 1u) {
    let ab = (kt & 1u) * ${a.size}u;
    let bb = (kt & 1u) * ${b.size}u;
    let more = kt + 1u < nt;
    if (more) {
      ${a.fetch('(kt + 1u)')}
      ${b.fetch('(kt + 1u)')}
    }
${body}
    if (more) {
      let an = ${a.size}u - ab;
      let bn = ${b.size}u - bb;
      ${a.store('an')}
      ${b.store('bn')}
    }
    workgroupBarrier();
  }`;
}

/** P: [M, N, K, aBatchStride, bBatchStride]; dispatch (N/bn, M/bm, batch). Needs vec4Fits. */
export function matmulVec4Source(t: MatmulTile, transA: boolean, transB: boolean): string {
  const TX = t.bn / t.tn,
    TY = t.bm / t.tm,
    threads = TX * TY;
  const G = t.tm / 4,
    H = t.tn / 4;
  const aRows = !!t.aRows && !transA;
  const a = stager('A', t.bm, t.bk, threads, !transA, !!t.regT && !aRows, aRows);
  const b = stager('B', t.bn, t.bk, threads, transB, !!t.regT);
  const acc: string[] = [];
  for (let g = 0; g < G; g++)
    for (let r = 0; r < 4; r++) for (let h = 0; h < H; h++) acc.push(`  var c${g}${r}${h} = vec4f(0.0);`);
  const body: string[] = [];
  if (aRows)
    for (let k4 = 0; k4 < t.bk / 4; k4++) {
      // A staged row-major: one vec4 holds 4 k of a row; 4 k-steps share each thread's TM row loads
      body.push('    {');
      for (let g = 0; g < G; g++)
        for (let r = 0; r < 4; r++)
          body.push(`      let a${g}${r} = As[ab + ${((g * 4 * TY + r) * t.bk) / 4 + k4}u + ty * ${t.bk}u];`);
      for (let kk = 0; kk < 4; kk++) {
        const k = 4 * k4 + kk;
        for (let h = 0; h < H; h++) body.push(`      let b${kk}${h} = Bs[bb + ${(k * t.bn) / 4 + h * TX}u + tx];`);
        for (let g = 0; g < G; g++)
          for (let r = 0; r < 4; r++)
            for (let h = 0; h < H; h++)
              body.push(`      c${g}${r}${h} = fma(vec4f(a${g}${r}[${kk}]), b${kk}${h}, c${g}${r}${h});`);
      }
      body.push('    }');
    }
  else
    for (let k = 0; k < t.bk; k++) {
      body.push('    {');
      for (let g = 0; g < G; g++) body.push(`      let a${g} = As[ab + ${(k * t.bm) / 4 + g * TY}u + ty];`);
      for (let h = 0; h < H; h++) body.push(`      let b${h} = Bs[bb + ${(k * t.bn) / 4 + h * TX}u + tx];`);
      for (let g = 0; g < G; g++)
        for (let r = 0; r < 4; r++)
          for (let h = 0; h < H; h++) body.push(`      c${g}${r}${h} = fma(vec4f(a${g}[${r}]), b${h}, c${g}${r}${h});`);
      body.push('    }');
    }
  const out: string[] = [];
  for (let g = 0; g < G; g++)
    for (let r = 0; r < 4; r++)
      for (let h = 0; h < H; h++)
        out.push(
          `  C[cbase + (row0 + ${g * 4 * TY + r}u + 4u * ty) * N4 + col0 / 4u + ${h * TX}u + tx] = c${g}${r}${h};`,
        );
  return `
@group(0) @binding(0) var<storage, read> P: array<u32>;
@group(0) @binding(1) var<storage, read> A: array<vec4f>;
@group(0) @binding(2) var<storage, read> B: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> C: array<vec4f>;
var<workgroup> As: array<vec4f, ${2 * a.size}>;
var<workgroup> Bs: array<vec4f, ${2 * b.size}>;

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) l: u32) {
  let M = P[0];
  let N = P[1];
  let K = P[2];
  let M4 = M / 4u;
  let N4 = N / 4u;
  let K4 = K / 4u;
  let Abase = w.z * (P[3] / 4u);
  let Bbase = w.z * (P[4] / 4u);
  let cbase = w.z * M * N4;
  let row0 = w.y * ${t.bm}u;
  let col0 = w.x * ${t.bn}u;
  let tx = l % ${TX}u;
  let ty = l / ${TX}u;
  let nt = K / ${t.bk}u;
${acc.join('\n')}
${a.decl}
${b.decl}
  {
    ${a.fetch('0u')}
    ${b.fetch('0u')}
    ${a.store('0u')}
    ${b.store('0u')}
  }
  workgroupBarrier();
${slabLoop(a, b, body.join('\n'))}
${out.join('\n')}
}`;
}
