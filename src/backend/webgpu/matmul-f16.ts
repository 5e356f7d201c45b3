// The opt-in f16 matmul on tensor cores: Dawn's experimental subgroup-matrix feature
// (`chromium-experimental-subgroup-matrix`) exposes the GPU's matrix units as 16×16 tiles that one subgroup
// loads, multiplies and stores together (f16 inputs, f32 accumulators, as NVIDIA's mma instructions). One
// 32-thread workgroup (one subgroup) computes a 64×64 block of C as 4×4 result tiles, stepping K by 16:
// four left and four right tiles loaded from memory feed sixteen multiply-accumulates. Not used by the model
// (the backend stays fp32); `bench/gpu` measures it. Needs M, N multiples of 64 and K of 16.
const R = 4;

/** P: [M, N, K]; A f16 [M, K], B f16 [K, N], C f32 [M, N]; dispatch (N/64, M/64). */
export function matmulF16Source(): string {
  const lines: string[] = [];
  const idx = [...Array(R).keys()];
  for (const i of idx) for (const j of idx) lines.push(`  var c${i}${j} = subgroup_matrix_result<f32, 16, 16>();`);
  lines.push('  for (var k = 0u; k < K; k = k + 16u) {');
  for (const i of idx)
    lines.push(
      `    let a${i} = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>>(&A, (row0 + ${16 * i}u) * K + k, false, K);`,
    );
  for (const j of idx)
    lines.push(
      `    let b${j} = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>>(&B, k * N + col0 + ${16 * j}u, false, N);`,
    );
  for (const i of idx)
    for (const j of idx) lines.push(`    c${i}${j} = subgroupMatrixMultiplyAccumulate(a${i}, b${j}, c${i}${j});`);
  lines.push('  }');
  for (const i of idx)
    for (const j of idx)
      lines.push(`  subgroupMatrixStore(&C, (row0 + ${16 * i}u) * N + col0 + ${16 * j}u, c${i}${j}, false, N);`);
  return `
enable f16;
enable chromium_experimental_subgroup_matrix;
@group(0) @binding(0) var<storage, read> P: array<u32>;
@group(0) @binding(1) var<storage, read> A: array<f16>;
@group(0) @binding(2) var<storage, read> B: array<f16>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

@compute @workgroup_size(32)
fn main(@builtin(workgroup_id) w: vec3u) {
  let M = P[0];
  let N = P[1];
  let K = P[2];
  let row0 = w.y * 64u;
  let col0 = w.x * 64u;
${lines.join('\n')}
}`;
}

/** The IEEE half-precision bits of x (round to nearest even; small values only: no subnormal care needed here). */
export function f16Bits(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7c00;
  let mant = (u >>> 13) & 0x3ff;
  const rest = u & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && mant & 1)) mant++;
  return sign | ((exp << 10) + mant);
}

export function f16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f,
    mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
