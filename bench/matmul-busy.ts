// A worker thread for the matmul bench's ceiling: runs the one-thread SIMD product of the given size in a loop,
// on its own kernel and memory, until the shared flag is set to 0 (after setting it to 1 once it has started).
import { workerData } from 'node:worker_threads';
import { F32_TILE } from '../src/backend/cpu/simd/gemm-kernel.ts';
import { SimdMatmul } from '../src/backend/cpu/simd/simd-matmul.ts';
import { Rng } from '../src/core/rng.ts';

const flag = new Int32Array(workerData.flag as SharedArrayBuffer);
const n = workerData.n as number;
const L = { batch: 1, m: n, k: n, n, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
const rng = new Rng('busy');
const a = Float32Array.from({ length: n * n }, () => rng.normal()),
  b = Float32Array.from({ length: n * n }, () => rng.normal()),
  c = new Float32Array(n * n);
const simd = new SimdMatmul(1, F32_TILE);
simd.run(a, b, c, L);
Atomics.store(flag, 0, 1);
while (Atomics.load(flag, 0) === 1) simd.run(a, b, c, L);
await simd.close();
