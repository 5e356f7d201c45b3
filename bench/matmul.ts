// Matmul GFLOP/s: the naive triple loop, the register-blocked kernel on one thread, and on two threads.
import { matmulBlocked, matmulNaive } from '../src/backend/cpu/matmul.ts';
import { MatmulPool } from '../src/backend/cpu/pool.ts';
import { Rng } from '../src/core/rng.ts';
import { medianMs, table } from './util.ts';

export async function benchMatmul(sizes = [64, 128, 256, 512]): Promise<string> {
  const pool = new MatmulPool(2);
  const rows: (string | number)[][] = [];
  const rng = new Rng('bench');
  for (const n of sizes) {
    const L = { batch: 1, m: n, k: n, n, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
    const a = Float32Array.from({ length: n * n }, () => rng.normal()),
      b = Float32Array.from({ length: n * n }, () => rng.normal());
    const c = new Float32Array(n * n);
    const flop = 2 * n ** 3;
    const reps = Math.max(3, Math.min(25, Math.round(2e8 / flop)));
    const gf = (ms: number) => flop / (ms * 1e6);
    const naive = gf(await medianMs(() => matmulNaive(a, b, c, L), n >= 512 ? 1 : reps));
    const one = gf(await medianMs(() => matmulBlocked(a, b, c, L), reps));
    const two = gf(await medianMs(() => pool.run(a, b, c, L), reps));
    rows.push([`${n}³`, naive, one, two, `${(one / naive).toFixed(2)}×`, `${(two / one).toFixed(2)}×`]);
  }
  await pool.close();
  return table(
    ['matmul (fp32)', 'naive GFLOP/s', 'fast 1 thread', 'fast 2 threads', 'fast/naive', '2 thr/1 thr'],
    rows,
  );
}
