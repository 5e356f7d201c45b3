// A worker thread for the matmul bench's ceiling: runs the one-thread SIMD product of the given size in a loop,
// on its own kernel and memory, until the shared flag is set to 0 (after setting it to 1 once it has started).
import { workerData } from 'node:worker_threads';
import { oneThreadProduct } from './matmul.ts';

const flag = new Int32Array(workerData.flag as SharedArrayBuffer);
const p = oneThreadProduct(workerData.n as number, 'busy');
p.run();
Atomics.store(flag, 0, 1);
while (Atomics.load(flag, 0) === 1) p.run();
await p.close();
