// Host memory for tensors, reused across steps. When a storage is found unreachable (a FinalizationRegistry) or
// freed explicitly, its array is parked in a pool keyed by dtype and length, and the next allocation of that
// size takes it instead of a new one.
// Why: a new typed array above glibc's mmap threshold (128 KiB) is fresh pages from the kernel, each faulted in
// and zeroed on first touch, and it grows V8's external memory until a full collection; a training step makes
// the same shapes every time, so from the second step on most of its memory can be reused instead.
// When: the collector finds dead storages only when it runs, and hands them back only when the event loop turns
// (every training loop yields once a step). A pool that waited for V8 would run dry between its rare full
// collections, so once `gcAfterBytes` have been handed out (new or reused) the pool asks for a collection, and
// the storages the last steps dropped are parked at the next turn of the loop. Counting reused bytes too keeps
// a step that reused everything from skipping the collection the next step needs (webgpu/memory.ts does the same).
// A loop that never turns the event loop (`await` on a settled promise does not: core/yield.ts) never gets its
// dead storages back, and the registry holds each of their arrays until it does: a d=128 training step made
// 140 MB that way, 6 GB after 42 steps. So at most `maxWatchedBytes` are watched (tracked, not yet given back);
// past it a storage's array is not tracked and goes to the collector like any other.
// Determinism: `take(…, zero = true)` zero-fills, and an uninitialised take is only for a kernel that writes its
// whole output (`empty`), so no result depends on which array comes back or on when the collector ran. The mode
// `poison` fills every reused uninitialised array with NaN, so that a kernel reading what it did not write
// changes a test's numbers (test/backend/host-pool.test.ts); TINYSEEK_POOL=0 turns reuse off.
// With an arena (arena.ts), pooled arrays are cut from its shared WebAssembly memory, where the SIMD kernels read
// and write them in place, and their regions go back to the arena instead of being parked here; only when the
// arena is full, or too much is watched, does a take make an ordinary array. V8 does not count the arena's bytes
// as memory, so it no longer collects sooner as a step's arrays pile up: left to itself it collected every 20–35
// steps of MoE pretraining (d=64), the regions of the dead storages waiting meanwhile, and the arena grew without
// bound (1 GB after 400 steps, where the ordinary arrays had peaked at 570 MB). So with an arena the pool asks for
// a collection after ARENA_GC_AFTER_BYTES handed out: 1 GiB held the arena at 580 MiB from step 200 to 500, for
// 2–4% of the MoE's tokens/s; every 256 MiB held it at 180 MiB and cost 11% (a forced collection takes ~9 ms).
import type { DType, HostArray } from '../backend.ts';
import { InputError } from '../../core/errors.ts';
import { collectGarbage } from '../gc.ts';
import type { Arena } from './arena.ts';

export type PoolMode = 'on' | 'off' | 'poison';

export interface HostPoolOptions {
  mode: PoolMode;
  /** Arrays below this many elements are left to the allocator: small ones are cheap, and many. */
  minLength: number;
  /** Bytes handed out (new or reused) after which the pool asks for a collection. */
  gcAfterBytes: number;
  /** At most this many bytes are parked; beyond it the arrays of the least recently released sizes are left to
   * the collector (a sampling loop whose batch shrinks as rows finish leaves sizes behind that never return). */
  maxParkedBytes: number;
  /** At most this many bytes of tracked storages wait for the registry (watched); beyond it arrays go untracked. */
  maxWatchedBytes: number;
}

/** With an arena: bytes handed out after which the pool asks for a collection (see above). */
export const ARENA_GC_AFTER_BYTES = 2 ** 30;

export const defaultHostPool: HostPoolOptions = {
  mode: 'on',
  minLength: 1024,
  gcAfterBytes: Infinity,
  maxParkedBytes: 256 * 2 ** 20,
  maxWatchedBytes: 2 ** 30,
};

/** The pool `poison` sets: every size pooled, a collection every 16 MiB handed out, so that most takes reuse. */
export const poisonHostPool: Partial<HostPoolOptions> = { mode: 'poison', minLength: 1, gcAfterBytes: 16 * 2 ** 20 };

/** TINYSEEK_POOL: 1 (or unset) reuses, 0 does not, poison reuses everything and fills stale arrays with NaN. */
export function hostPoolFromEnv(): Partial<HostPoolOptions> {
  const v = process.env.TINYSEEK_POOL || '1';
  if (v === '1') return { mode: 'on' };
  if (v === '0') return { mode: 'off' };
  if (v === 'poison') return poisonHostPool;
  throw new InputError(`TINYSEEK_POOL must be 0, 1 or poison, got '${v}'`);
}

function make(dtype: DType, n: number): HostArray {
  return dtype === 'float32' ? new Float32Array(n) : dtype === 'float64' ? new Float64Array(n) : new Int32Array(n);
}

const dtypeOf = (a: HostArray): DType =>
  a instanceof Float32Array ? 'float32' : a instanceof Float64Array ? 'float64' : 'int32';
/**
 * The length a pooled array of `n` elements is made with: n rounded up to m·2^e with m in 8..15, at most 1/8
 * more, so that tensors whose lengths vary a little from step to step (an expert's routed rows) share arrays.
 */
export function sizeClass(n: number): number {
  const e = Math.max(0, Math.floor(Math.log2(n)) - 3);
  return Math.ceil(n / 2 ** e) * 2 ** e;
}

function wholeArray(a: HostArray): HostArray {
  return a instanceof Float32Array
    ? new Float32Array(a.buffer)
    : a instanceof Float64Array
      ? new Float64Array(a.buffer)
      : new Int32Array(a.buffer);
}

const key = (dtype: DType, n: number): number => n * 4 + (dtype === 'float32' ? 0 : dtype === 'float64' ? 1 : 2);

export class HostPool {
  readonly opts: HostPoolOptions;
  private readonly parked = new Map<number, HostArray[]>();
  private readonly registry = new FinalizationRegistry<HostArray>((a) => {
    this.watchedBytes -= a.buffer.byteLength;
    this.release(a);
  });
  private takenSinceGc = 0;
  /** Counters for the bench and the tests: bytes parked now, bytes watched now, takes served from the pool and
   * new, collections. */
  parkedBytes = 0;
  watchedBytes = 0;
  reused = 0;
  created = 0;
  collections = 0;

  constructor(
    opts: Partial<HostPoolOptions> = {},
    /** Where pooled arrays are cut from, when given (arena.ts). */
    readonly arena?: Arena,
  ) {
    this.opts = { ...defaultHostPool, ...(arena ? { gcAfterBytes: ARENA_GC_AFTER_BYTES } : {}), ...opts };
  }

  private pooled(n: number): boolean {
    return this.opts.mode !== 'off' && n >= this.opts.minLength;
  }

  /** An array of `n` elements of `dtype`: zero-filled when `zero`, otherwise with unspecified contents. */
  take(dtype: DType, n: number, zero: boolean): HostArray {
    if (!this.pooled(n)) return make(dtype, n);
    const L = sizeClass(n);
    this.takenSinceGc += L * (dtype === 'float64' ? 8 : 4);
    if (this.takenSinceGc >= this.opts.gcAfterBytes) {
      this.takenSinceGc = 0;
      this.collections++;
      collectGarbage();
    }
    if (this.arena && this.watchedBytes + L * (dtype === 'float64' ? 8 : 4) <= this.opts.maxWatchedBytes) {
      const before = this.arena.reused;
      const a = this.arena.array(dtype, n, L);
      if (a) {
        if (this.arena.reused === before) this.created++;
        else {
          this.reused++;
          if (zero) a.fill(0);
          else if (this.opts.mode === 'poison') a.fill(dtype === 'int32' ? -0x7fffffff : NaN);
        }
        return a;
      }
    }
    const whole = this.parked.get(key(dtype, L))?.pop();
    if (!whole) {
      this.created++;
      const a = make(dtype, L);
      return L === n ? a : a.subarray(0, n);
    }
    this.parkedBytes -= whole.byteLength;
    this.reused++;
    const a = L === n ? whole : whole.subarray(0, n);
    if (zero) a.fill(0);
    else if (this.opts.mode === 'poison') a.fill(dtype === 'int32' ? -0x7fffffff : NaN);
    return a;
  }

  /** Watch `owner`: once it is unreachable, `data` goes back to the pool. */
  track(owner: object, data: HostArray): void {
    if (!this.pooled(data.length)) return;
    if (this.arena?.holds(data)) {
      this.watchedBytes += data.byteLength;
      return this.arena.track(owner, data, () => (this.watchedBytes -= data.byteLength));
    }
    const bytes = data.buffer.byteLength;
    if (this.watchedBytes + bytes > this.opts.maxWatchedBytes) return;
    this.watchedBytes += bytes;
    this.registry.register(owner, data, owner);
  }

  /** Give `data` back now; `owner` (tracked with it) must not be used again. */
  free(owner: object, data: HostArray): void {
    if (!this.pooled(data.length)) return;
    if (this.arena?.holds(data)) {
      if (this.arena.release(owner, data)) this.watchedBytes -= data.byteLength;
      return;
    }
    if (this.registry.unregister(owner)) this.watchedBytes -= data.buffer.byteLength;
    this.release(data);
  }

  /** Drop every parked array (to the collector); storages still alive come back as before. */
  clear(): void {
    this.parked.clear();
    this.parkedBytes = 0;
  }

  /**
   * Park the whole array that `a` (a take's result: the array, or a view of its start) lives in. Its size moves
   * to the back of the map's order; over the cap, sizes are dropped from the front (least recently released).
   */
  private release(a: HostArray): void {
    const whole = a.byteLength === a.buffer.byteLength ? a : wholeArray(a);
    if (whole.byteLength > this.opts.maxParkedBytes) return;
    const k = key(dtypeOf(whole), whole.length);
    const list = this.parked.get(k) ?? [];
    this.parked.delete(k);
    this.parked.set(k, list);
    list.push(whole);
    this.parkedBytes += whole.byteLength;
    for (const [old, arrays] of this.parked) {
      if (this.parkedBytes <= this.opts.maxParkedBytes) break;
      while (arrays.length > 0 && this.parkedBytes > this.opts.maxParkedBytes)
        this.parkedBytes -= arrays.pop()!.byteLength;
      if (arrays.length === 0) this.parked.delete(old);
    }
  }
}
