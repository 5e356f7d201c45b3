// Recycled typed arrays for the CPU backend: fewer fresh allocations (and page faults, and garbage collection)
// per training step.
//
// During a backward pass autograd knows when a gradient is dead: no pending gradient refers to its storage
// any more. It then hands the storage to the backend's reuse scope (backend.ts `reuseScope`), which keeps the
// array in a free list keyed by (element type, length) if — and only if — the scope itself allocated it, so
// a tensor made before the pass (a weight, an activation, a captured mask) is never reused. The next alloc of
// that key takes the array zero-filled, exactly what a fresh one holds: results cannot depend on reuse.
// The pool is bounded (`maxBytes`); arrays beyond it, and small ones, are left to the garbage collector.
import type { DType, HostArray } from '../backend.ts';

/** Arrays shorter than this are not pooled (a fresh one costs less than the bookkeeping). */
export const POOL_MIN_LENGTH = 256;

function make(dtype: DType, n: number): HostArray {
  return dtype === 'float32' ? new Float32Array(n) : dtype === 'float64' ? new Float64Array(n) : new Int32Array(n);
}

export class ArrayPool {
  /** Free lists per element type and length. */
  private readonly lists = new Map<DType, Map<number, HostArray[]>>();
  private pooledBytes = 0;

  constructor(readonly maxBytes = 64 * 1024 * 1024) {}

  /** A zero-filled array of `n` elements: a pooled one when there is one of that type and length. */
  take(dtype: DType, n: number): HostArray {
    const a = n >= POOL_MIN_LENGTH ? this.lists.get(dtype)?.get(n)?.pop() : undefined;
    if (!a) return make(dtype, n);
    this.pooledBytes -= a.byteLength;
    return a.fill(0);
  }

  /** Keep `a` for a later `take` (the caller guarantees nothing else holds it). */
  give(dtype: DType, a: HostArray): void {
    if (a.length < POOL_MIN_LENGTH || this.pooledBytes + a.byteLength > this.maxBytes) return;
    let byLength = this.lists.get(dtype);
    if (!byLength) this.lists.set(dtype, (byLength = new Map()));
    let list = byLength.get(a.length);
    if (!list) byLength.set(a.length, (list = []));
    list.push(a);
    this.pooledBytes += a.byteLength;
  }

  /** Bytes held in free lists now. */
  get bytes(): number {
    return this.pooledBytes;
  }
}
