// Throughput of the emulated FP8 GEMM (src/numerics/fp8-gemm.ts) against a plain FP32 triple-loop GEMM in
// the same run, as GFLOP/s (2·m·n·k per GEMM, median of several runs) and their ratio. The FP8 time covers
// the whole call: quantising A (1×128 tiles) and B (128×128 blocks), the limited-precision accumulation and
// the promotion every 128. Run: npx tsx bench/fp8.ts
import { chooseBackend } from '../src/backend/choose.ts';
import { pathToFileURL } from 'node:url';
import { Rng } from '../src/core/rng.ts';
import { fp8Gemm } from '../src/numerics/fp8-gemm.ts';

/** The baseline: C = A·B in the i-k-j loop order (row of B streamed), float32 storage. */
function gemmF32(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      for (let j = 0; j < n; j++) c[i * n + j]! += aip * b[p * n + j]!;
    }
  return c;
}

/**
 * Median wall times of `runs`, timed in alternation (so a busy neighbour slows both alike), over at least
 * `reps` rounds and at least ~0.3 s of work (small sizes are noisy).
 */
function medianMs(runs: (() => void)[], reps: number): number[] {
  const start = performance.now();
  for (const run of runs) run(); // warm-up: let V8 optimise before timing
  const rounds = Math.min(200, Math.max(reps, Math.ceil(300 / Math.max(performance.now() - start, 1e-3))));
  const times = runs.map((): number[] => []);
  for (let r = 0; r < rounds; r++)
    runs.forEach((run, i) => {
      const t = performance.now();
      run();
      times[i]!.push(performance.now() - t);
    });
  return times.map((ts) => ts.sort((x, y) => x - y)[Math.floor(ts.length / 2)]!);
}

export async function benchFp8(sizes: number[] = [64, 128, 192, 256], reps = 7): Promise<string> {
  const rows = [['m=n=k', 'fp32 loop GFLOP/s', 'fp8 emulated GFLOP/s', 'fp8 / fp32']];
  for (const s of sizes) {
    const rng = new Rng(0).child(`bench-fp8-${s}`);
    const a = Float32Array.from({ length: s * s }, () => rng.normal());
    const b = Float32Array.from({ length: s * s }, () => rng.normal());
    const flop = 2 * s * s * s;
    const [tF32, tFp8] = medianMs([() => gemmF32(a, b, s, s, s), () => fp8Gemm(a, b, s, s, s)], reps) as [
      number,
      number,
    ];
    const g32 = flop / tF32 / 1e6,
      g8 = flop / tFp8 / 1e6;
    rows.push([String(s), g32.toFixed(3), g8.toFixed(3), `${(g8 / g32).toFixed(3)}x`]);
  }
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) => r.map((c, j) => c.padStart(widths[j]!)).join('  ')).join('\n') + '\n';
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  chooseBackend();
  process.stdout.write(await benchFp8());
}
