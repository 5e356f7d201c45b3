// The opt-in f16 matmul on tensor cores: Dawn's experimental subgroup-matrix feature
// (`chromium-experimental-subgroup-matrix`) exposes the GPU's matrix units as 16×16 tiles that one subgroup
// loads, multiplies and stores together (f16 inputs, f32 accumulators, as NVIDIA's mma instructions).
// A workgroup is SGM×SGN subgroups of 32 invocations; each computes RM×RN result tiles, so every left tile it
// loads feeds RN multiply-accumulates and every right tile RM, and the workgroup computes a
// (16·RM·SGM)×(16·RN·SGN) block of C. Two ways to feed the tiles: straight from memory (`staged` false: the
// caches are the only sharing; BK/16 steps' loads issued before the first multiply), or staged: the whole
// workgroup copies a BK-deep slab of A and B into workgroup memory (8-byte loads, or 16-byte with `wide`; rows
// padded by 8 halves so the tile loads of neighbouring rows fall in different banks) and each subgroup loads its
// tiles from there, the classic shared-memory GEMM of performance.md one level up, every slab shared by the
// SGN subgroups of a row and the SGM of a column; `double` overlaps the next slab's fetch with this one's
// multiplies. A subgroup's tile offsets depend on its index, which Dawn's uniformity analysis cannot prove
// uniform, so the shader switches off the `chromium.subgroup_matrix_uniformity` diagnostic: each offset is
// uniform within its subgroup, which is what the hardware needs (the subgroups of a workgroup are its
// consecutive runs of 32 invocations, as Dawn requires full subgroups for this feature). Not used by the
// model (the backend stays fp32); `bench/gpu` measures it (RESULTS.md). Needs M, N multiples of the block and
// K of BK.
export interface F16Tile {
  /** 16×16 result tiles per subgroup along rows and columns. */
  rm: number;
  rn: number;
  /** Subgroups per workgroup along rows and columns (1 each if absent). */
  sgm?: number;
  sgn?: number;
  /** Staged only: the slab fetched with 16-byte loads (8 halves) instead of 8-byte. */
  wide?: boolean;
  staged: boolean;
  /** Staged only: two slab buffers, the next slab fetched into registers while this one is multiplied. */
  double?: boolean;
  /** K per iteration (a multiple of 16): the staged slab's depth, or the direct tile's loads issued at once. */
  bk: number;
}

/** A 64×64 block, tiles straight from memory (the first kernel). */
export const F16_DIRECT: F16Tile = { rm: 4, rn: 4, staged: false, bk: 16 };
/** A 64×64 block staged 32 deep in workgroup memory by one subgroup (107 TFLOP/s at 4096³ against 59 direct). */
export const F16_STAGED: F16Tile = { rm: 4, rn: 4, staged: true, bk: 32 };

/**
 * A 128×128 block: 2×2 subgroups of 4×4 tiles sharing one 32-deep slab, staged with 16-byte loads (201 TFLOP/s
 * at 4096³ on the H200 against 113 for F16_STAGED in the same run, bench/gpu/results/run10-tiles.jsonl).
 */
export const F16_SHARED: F16Tile = { rm: 4, rn: 4, sgm: 2, sgn: 2, staged: true, bk: 32, wide: true };

/** Invocations per subgroup (NVIDIA's warp; Dawn's subgroup-matrix pipelines run full subgroups). */
const SUBGROUP = 32;

export function f16Block(t: F16Tile): { bm: number; bn: number } {
  return { bm: 16 * t.rm * (t.sgm ?? 1), bn: 16 * t.rn * (t.sgn ?? 1) };
}

const PAD = 8;

/** P: [M, N, K]; A f16 [M, K], B f16 [K, N], C f32 [M, N]; dispatch (N/bn, M/bm). Subgroups of 32. */
export function matmulF16Source(t: F16Tile = F16_DIRECT): string {
  const { bm, bn } = f16Block(t),
    threads = SUBGROUP * (t.sgm ?? 1) * (t.sgn ?? 1);
  const I = [...Array(t.rm).keys()],
    J = [...Array(t.rn).keys()];
  // this subgroup's first row and column inside the block
  const sr = `sm * ${16 * t.rm}u`,
    sc = `sn * ${16 * t.rn}u`;
  const lines: string[] = [];
  for (const i of I) for (const j of J) lines.push(`  var c${i}${j} = subgroup_matrix_result<f32, 16, 16>();`);
  const mma = (s = '') => {
    for (const i of I)
      for (const j of J)
        lines.push(`      c${i}${j} = subgroupMatrixMultiplyAccumulate(a${i}${s}, b${j}${s}, c${i}${j});`);
  };
  const sa = t.bk + PAD,
    sb = bn + PAD;
  let shared = '';
  let elem = 'f16';
  if (!t.staged) {
    // BK/16 steps per iteration, every tile load issued before the first multiply (more loads in flight)
    const S = [...Array(t.bk / 16).keys()];
    lines.push(`  for (var k = 0u; k < K; k = k + ${t.bk}u) {`);
    for (const s of S) {
      for (const i of I)
        lines.push(
          `    let a${i}_${s} = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&A, (r0 + ${sr} + ${16 * i}u) * K + k + ${16 * s}u, false, K);`,
        );
      for (const j of J)
        lines.push(
          `    let b${j}_${s} = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&B, (k + ${16 * s}u) * N + c0 + ${sc} + ${16 * j}u, false, N);`,
        );
    }
    for (const s of S) mma(`_${s}`);
    lines.push('  }');
  } else {
    // A and B bound as vectors of w halves: vec4<f16> (8 bytes) or vec4<u32> (16 bytes, split by bitcast)
    const w = t.wide ? 8 : 4;
    elem = t.wide ? 'vec4<u32>' : 'vec4<f16>';
    const halves = (reg: string) =>
      t.wide
        ? [0, 1, 2, 3].flatMap((q) => [`bitcast<vec2<f16>>(${reg}[${q}]).x`, `bitcast<vec2<f16>>(${reg}[${q}]).y`])
        : [0, 1, 2, 3].map((q) => `${reg}[${q}]`);
    // invocation l's task q: the w halves at row r, column c of the slab (A: bm × bk, B: bk × bn)
    const nb = t.double ? 2 : 1,
      sizeA = bm * sa,
      sizeB = t.bk * sb;
    shared = `var<workgroup> As: array<f16, ${nb * sizeA}>;\nvar<workgroup> Bs: array<f16, ${nb * sizeB}>;`;
    const tasks = (name: string, cols: number) => {
      const n = (t.bk * (name === 'a' ? bm : bn)) / w;
      if (n % threads !== 0)
        throw new Error(`f16 tile: ${n} ${w}-half loads of ${name} do not divide among ${threads}`);
      return [...Array(n / threads).keys()].map((q) => {
        const e = `(l + ${q * threads}u)`;
        return { reg: `r${name}${q}`, r: `(${e} / ${cols / w}u)`, c: `((${e} % ${cols / w}u) * ${w}u)` };
      });
    };
    const ta = tasks('a', t.bk),
      tb = tasks('b', bn);
    const fetch = (k: string) => [
      ...ta.map((x) => `${x.reg} = A[((r0 + ${x.r}) * K + ${k} + ${x.c}) / ${w}u];`),
      ...tb.map((x) => `${x.reg} = B[((${k} + ${x.r}) * N + c0 + ${x.c}) / ${w}u];`),
    ];
    const put = (arr: string, base: string, stride: number, x: { reg: string; r: string; c: string }) =>
      `{ let o = ${base} + ${x.r} * ${stride}u + ${x.c}; ` +
      halves(x.reg)
        .map((h, i) => `${arr}[o + ${i}u] = ${h};`)
        .join(' ') +
      ' }';
    const store = (buf: string) => [
      ...ta.map((x) => put('As', `${buf} * ${sizeA}u`, sa, x)),
      ...tb.map((x) => put('Bs', `${buf} * ${sizeB}u`, sb, x)),
    ];
    const multiply = (buf: string) => {
      for (let kk = 0; kk < t.bk; kk += 16) {
        lines.push('    {');
        for (const i of I)
          lines.push(
            `      let a${i} = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&As, ${buf} * ${sizeA}u + (${sr} + ${16 * i}u) * ${sa}u + ${kk}u, false, ${sa}u);`,
          );
        for (const j of J)
          lines.push(
            `      let b${j} = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&Bs, ${buf} * ${sizeB}u + ${kk * sb}u + ${sc} + ${16 * j}u, false, ${sb}u);`,
          );
        mma();
        lines.push('    }');
      }
    };
    for (const x of [...ta, ...tb]) lines.push(`  var ${x.reg}: ${elem};`);
    if (!t.double) {
      lines.push(`  for (var k = 0u; k < K; k = k + ${t.bk}u) {`);
      lines.push(...fetch('k').map((l) => '    ' + l), ...store('0u').map((l) => '    ' + l));
      lines.push('    workgroupBarrier();');
      multiply('0u');
      lines.push('    workgroupBarrier();', '  }');
    } else {
      // the next slab is fetched into registers while this one is multiplied; the two buffers alternate, so
      // one barrier per slab suffices (as in matmul-vec4.ts)
      lines.push(...fetch('0u').map((l) => '  ' + l), ...store('0u').map((l) => '  ' + l));
      lines.push('  workgroupBarrier();');
      lines.push(`  for (var k = 0u; k < K; k = k + ${t.bk}u) {`);
      lines.push(`    let cur = (k / ${t.bk}u) & 1u;`, `    let more = k + ${t.bk}u < K;`);
      lines.push(`    if (more) { ${fetch(`k + ${t.bk}u`).join(' ')} }`);
      multiply('cur');
      lines.push(`    if (more) { ${store('(1u - cur)').join(' ')} }`);
      lines.push('    workgroupBarrier();', '  }');
    }
  }
  for (const i of I)
    for (const j of J)
      lines.push(
        `  subgroupMatrixStore(&C, (r0 + ${sr} + ${16 * i}u) * N + c0 + ${sc} + ${16 * j}u, c${i}${j}, false, N);`,
      );
  return `
enable f16;
enable chromium_experimental_subgroup_matrix;
diagnostic(off, chromium.subgroup_matrix_uniformity);
@group(0) @binding(0) var<storage, read> P: array<u32>;
@group(0) @binding(1) var<storage, read> A: array<${elem}>;
@group(0) @binding(2) var<storage, read> B: array<${elem}>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
${shared}

@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) l: u32) {
  let M = P[0];
  let N = P[1];
  let K = P[2];
  let r0 = w.y * ${bm}u;
  let c0 = w.x * ${bn}u;
  let sm = l / ${SUBGROUP * (t.sgn ?? 1)}u;
  let sn = (l / ${SUBGROUP}u) % ${t.sgn ?? 1}u;
${lines.join('\n')}
}`;
}
