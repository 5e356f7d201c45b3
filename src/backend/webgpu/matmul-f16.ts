// The opt-in f16 matmul on tensor cores: Dawn's experimental subgroup-matrix feature
// (`chromium-experimental-subgroup-matrix`) exposes the GPU's matrix units as 16×16 tiles that one subgroup
// loads, multiplies and stores together (f16 inputs, f32 accumulators, as NVIDIA's mma instructions).
// A workgroup is one subgroup (32 invocations) and computes a (16·RM)×(16·RN) block of C as RM×RN result
// tiles, so every left tile it loads feeds RN multiply-accumulates and every right tile RM. Two ways to feed
// them: straight from memory (`staged` false: the caches are the only sharing; BK/16 steps' loads issued
// before the first multiply), or staged: the subgroup copies a BK-deep slab of A and B into workgroup memory
// with 8-byte loads (A and B bound as vec4<f16>; rows padded by 8 halves so the tile loads of neighbouring
// rows fall in different banks) and loads its tiles from there, the classic shared-memory GEMM of
// performance.md one level up; `double` overlaps the next slab's fetch with this one's multiplies.
// One subgroup per workgroup because Dawn requires these builtins' offsets to be uniform across the
// workgroup, which a second subgroup's offsets are not ('subgroupMatrixStore requires argument 1 to be
// uniform', an error the subgroup_uniformity diagnostic does not cover). Not used by the model (the backend
// stays fp32); `bench/gpu` measures it (RESULTS.md). Needs M, N multiples of the block and K of BK.
export interface F16Tile {
  /** 16×16 result tiles along rows and columns of the block. */
  rm: number;
  rn: number;
  staged: boolean;
  /** Staged only: two slab buffers, the next slab fetched into registers while this one is multiplied. */
  double?: boolean;
  /** K per iteration (a multiple of 16): the staged slab's depth, or the direct tile's loads issued at once. */
  bk: number;
}

/** A 64×64 block, tiles straight from memory (the first kernel). */
export const F16_DIRECT: F16Tile = { rm: 4, rn: 4, staged: false, bk: 16 };
/** A 64×64 block staged 32 deep in workgroup memory (107 TFLOP/s at 4096³ against 59 direct). */
export const F16_STAGED: F16Tile = { rm: 4, rn: 4, staged: true, bk: 32 };

/** Invocations per workgroup: one subgroup. */
const THREADS = 32;

export function f16Block(t: F16Tile): { bm: number; bn: number } {
  return { bm: 16 * t.rm, bn: 16 * t.rn };
}

const PAD = 8;

/** P: [M, N, K]; A f16 [M, K], B f16 [K, N], C f32 [M, N]; dispatch (N/bn, M/bm). Subgroups of 32. */
export function matmulF16Source(t: F16Tile = F16_DIRECT): string {
  const { bm, bn } = f16Block(t),
    threads = THREADS;
  const I = [...Array(t.rm).keys()],
    J = [...Array(t.rn).keys()];
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
  if (!t.staged) {
    // BK/16 steps per iteration, every tile load issued before the first multiply (more loads in flight)
    const S = [...Array(t.bk / 16).keys()];
    lines.push(`  for (var k = 0u; k < K; k = k + ${t.bk}u) {`);
    for (const s of S) {
      for (const i of I)
        lines.push(
          `    let a${i}_${s} = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&A, (r0 + ${16 * i}u) * K + k + ${16 * s}u, false, K);`,
        );
      for (const j of J)
        lines.push(
          `    let b${j}_${s} = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&B, (k + ${16 * s}u) * N + c0 + ${16 * j}u, false, N);`,
        );
    }
    for (const s of S) mma(`_${s}`);
    lines.push('  }');
  } else {
    // thread l's task q: the 4 halves at row r, column c of the slab (A: bm × bk, B: bk × bn)
    const nb = t.double ? 2 : 1,
      sizeA = bm * sa,
      sizeB = t.bk * sb;
    shared = `var<workgroup> As: array<f16, ${nb * sizeA}>;\nvar<workgroup> Bs: array<f16, ${nb * sizeB}>;`;
    const tasks = (name: string, cols: number) =>
      [...Array((t.bk * (name === 'a' ? bm : bn)) / 4 / threads).keys()].map((q) => {
        const e = `(l + ${q * threads}u)`;
        return { reg: `r${name}${q}`, r: `(${e} / ${cols / 4}u)`, c: `((${e} % ${cols / 4}u) * 4u)` };
      });
    const ta = tasks('a', t.bk),
      tb = tasks('b', bn);
    const fetch = (k: string) => [
      ...ta.map((x) => `${x.reg} = A[((r0 + ${x.r}) * K + ${k} + ${x.c}) / 4u];`),
      ...tb.map((x) => `${x.reg} = B[((${k} + ${x.r}) * N + c0 + ${x.c}) / 4u];`),
    ];
    const put = (arr: string, base: string, stride: number, x: { reg: string; r: string; c: string }) =>
      `{ let o = ${base} + ${x.r} * ${stride}u + ${x.c}; ` +
      ['x', 'y', 'z', 'w'].map((f, i) => `${arr}[o + ${i}u] = ${x.reg}.${f};`).join(' ') +
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
            `      let a${i} = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&As, ${buf} * ${sizeA}u + ${16 * i * sa + kk}u, false, ${sa}u);`,
          );
        for (const j of J)
          lines.push(
            `      let b${j} = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&Bs, ${buf} * ${sizeB}u + ${kk * sb + 16 * j}u, false, ${sb}u);`,
          );
        mma();
        lines.push('    }');
      }
    };
    for (const x of [...ta, ...tb]) lines.push(`  var ${x.reg}: vec4<f16>;`);
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
      lines.push(`  subgroupMatrixStore(&C, (r0 + ${16 * i}u) * N + c0 + ${16 * j}u, c${i}${j}, false, N);`);
  const elem = t.staged ? 'vec4<f16>' : 'f16';
  return `
enable f16;
enable chromium_experimental_subgroup_matrix;
@group(0) @binding(0) var<storage, read> P: array<u32>;
@group(0) @binding(1) var<storage, read> A: array<${elem}>;
@group(0) @binding(2) var<storage, read> B: array<${elem}>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
${shared}

@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) l: u32) {
  let M = P[0];
  let N = P[1];
  let K = P[2];
  let r0 = w.y * ${bm}u;
  let c0 = w.x * ${bn}u;
${lines.join('\n')}
}`;
}
