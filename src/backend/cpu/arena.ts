// Tensor memory inside one shared WebAssembly memory, so that the SIMD kernels (simd/) read and write a tensor
// where it lies instead of copying it into a memory of their own and back out (at d=128 the copies were about a
// tenth of a training step: bench/in-place.ts). One arena per thread, shared by every CPU backend on it and by
// the kernels' scratch space; the matmul's workers run over the same memory.
// Regions: a tensor's array is a region of whole 64-byte lines with at least two to spare past its end, so a
// kernel may read and write its last pass of 16 numbers, and a little past it, in place. Freed regions wait in lists by size (the host
// pool's size classes make sizes repeat from step to step) and new ones are cut from the top. The memory never
// shrinks (WebAssembly memories cannot): what a run holds at its peak stays committed until the process ends.
// Shared, because a shared memory's arrays stay valid when it grows (an unshared one's are detached).
// A region comes back when its storage is freed or found unreachable (a FinalizationRegistry, as host-pool.ts).
// The collector does not see the arena's bytes as memory pressure, so the host pool asks for collections itself
// (host-pool.ts, ARENA_GC_AFTER_BYTES).
import type { DType, HostArray } from '../backend.ts';

/** 64 KiB pages the arena may grow to: 2 GiB, so that every byte offset is a positive int32. */
export const ARENA_PAGES = 32768;
const PAGE = 65536;
const LINE = 64;

const bytesPer = (dtype: DType) => (dtype === 'float64' ? 8 : 4);

export class Arena {
  readonly memory = new WebAssembly.Memory({ initial: 1, maximum: ARENA_PAGES, shared: true });
  /** Every `memory.buffer` seen (a shared memory hands out a new one after each growth, over the same bytes). */
  private readonly buffers = new WeakSet<ArrayBufferLike>([this.memory.buffer]);
  private top = LINE; // offset 0 is never a region, so no region starts at null's address
  private readonly freeLists = new Map<number, number[]>();
  /** Region start → the region's bytes; and → the bytes of the tensor that holds it now. */
  private readonly regions = new Map<number, number>();
  private readonly held = new Map<number, number>();
  private readonly registry = new FinalizationRegistry<{ start: number; then: () => void }>(({ start, then }) => {
    this.free(start);
    then();
  });
  /** Counters for the bench and the tests: bytes in regions held now, regions reused and cut. */
  heldBytes = 0;
  reused = 0;
  created = 0;

  /**
   * A region of at least `bytes` (plus the slack), or -1 when the arena is full: a free one of that size, else the
   * smallest free one at most a quarter larger (the sizes of a MoE's routed rows drift from step to step), else a
   * new one.
   */
  alloc(bytes: number): number {
    const size = (Math.ceil(bytes / LINE) + 2) * LINE;
    let fit = this.freeLists.get(size)?.length ? size : 0;
    if (!fit)
      for (const [s, list] of this.freeLists)
        if (list.length > 0 && s > size && s <= size * 1.25 && (!fit || s < fit)) fit = s;
    if (fit) {
      this.reused++;
      this.heldBytes += fit;
      return this.freeLists.get(fit)!.pop()!;
    }
    const end = this.top + size;
    if (end > ARENA_PAGES * PAGE) return -1;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      this.memory.grow(Math.ceil((end - have) / PAGE));
      this.buffers.add(this.memory.buffer);
    }
    this.created++;
    this.regions.set(this.top, size);
    this.top = end;
    this.heldBytes += size;
    return end - size;
  }

  /**
   * Scratch space for `owner` (a kernel): one region, cut anew (a quarter larger) when a call needs more, and
   * given back when `owner` is found unreachable.
   */
  scratch(owner: object): Scratch {
    const s = new Scratch(this);
    this.scratches.register(owner, s);
    return s;
  }
  private readonly scratches = new FinalizationRegistry<Scratch>((s) => s.drop());

  /** The bytes of the region at `start` (an `alloc` result). */
  regionBytes(start: number): number {
    return this.regions.get(start)!;
  }

  /** Give back the region at `start` (an `alloc` result). */
  free(start: number): void {
    const size = this.regions.get(start)!;
    this.held.delete(start);
    this.heldBytes -= size;
    const list = this.freeLists.get(size);
    if (list) list.push(start);
    else this.freeLists.set(size, [start]);
  }

  /** A tensor's array of n elements in a region with room for `room`, or undefined when the arena is full. */
  array(dtype: DType, n: number, room = n): HostArray | undefined {
    const at = this.alloc(room * bytesPer(dtype));
    if (at < 0) return undefined;
    this.held.set(at, n * bytesPer(dtype));
    const buf = this.memory.buffer;
    return dtype === 'float32'
      ? new Float32Array(buf, at, n)
      : dtype === 'float64'
        ? new Float64Array(buf, at, n)
        : new Int32Array(buf, at, n);
  }

  /** Whether `a` is a tensor's array made by `array` (not a view of part of one). */
  holds(a: HostArray): boolean {
    return this.buffers.has(a.buffer) && this.held.get(a.byteOffset) === a.byteLength;
  }

  /** Watch `owner`: once it is unreachable, the region of `a` (which `holds`) comes back, and `then` runs. */
  track(owner: object, a: HostArray, then: () => void): void {
    this.registry.register(owner, { start: a.byteOffset, then }, owner);
  }

  /** Give back the region of `a` now; `owner` (tracked with it, if at all) must not be used again. Whether it was
   * tracked. */
  release(owner: object, a: HostArray): boolean {
    const tracked = this.registry.unregister(owner);
    this.free(a.byteOffset);
    return tracked;
  }

  /** `a`'s byte offset where a kernel may read `bytes` from it in place (in this memory), else -1. */
  readable(a: HostArray, bytes: number): number {
    const inside = a.byteOffset + bytes + LINE <= this.memory.buffer.byteLength; // a kernel may read a little past
    return this.buffers.has(a.buffer) && inside ? a.byteOffset : -1;
  }

  /**
   * `a`'s byte offset where a kernel may write `bytes` from it in place (and up to 16 bytes past them, as into a
   * region that `kernel-memory.ts` lays out), else -1: only a whole tensor's array, whose region has the room.
   */
  writable(a: HostArray, bytes: number): number {
    const whole = this.buffers.has(a.buffer) && this.held.get(a.byteOffset) === a.byteLength;
    return whole && bytes + 16 <= this.regions.get(a.byteOffset)! ? a.byteOffset : -1;
  }
}

/** A kernel's scratch region in an arena (`Arena.scratch`). */
export class Scratch {
  /** The region's byte offset (-1: none yet). */
  at = -1;
  private bytes = 0;
  constructor(private readonly arena: Arena) {}

  /** Make the region hold at least `bytes`; false when the arena is full. */
  fit(bytes: number): boolean {
    if (bytes <= this.bytes) return true;
    this.drop();
    const size = Math.max(bytes, Math.ceil(this.bytes * 1.25));
    this.at = this.arena.alloc(size);
    if (this.at < 0) return false;
    this.bytes = size;
    return true;
  }

  drop(): void {
    if (this.at >= 0) this.arena.free(this.at);
    this.at = -1;
    this.bytes = 0;
  }
}

let perThread: Arena | undefined;
/** This thread's arena. */
export function arena(): Arena {
  return (perThread ??= new Arena());
}
