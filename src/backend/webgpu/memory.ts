// GPU memory for tensors: buffers are pooled by size and given back when their storage is freed, explicitly
// (`free`) or when the garbage collector finds the storage unreachable (a FinalizationRegistry), so a training
// loop that drops its intermediate tensors reuses the same buffers step after step instead of leaking them.
// Reuse is safe without waiting for the GPU: a reused buffer is only written by commands recorded after every
// command that read its old contents, and one queue runs them in order (WebGPU's queue ordering).
// The collector does not see GPU memory, so once many buffer bytes have been handed out (new or reused) the
// pool asks it for a collection at the next read (a step's edge), after which the registry hands the dead
// storages' buffers back. Counting only new buffers would let a step that reused everything skip the
// collection, so that the next step found the pool empty and created (and the GPU cleared) a step's worth of
// new buffers: every other step slow.
import type { DType, Storage } from '../backend.ts';
import { collectGarbage } from '../gc.ts';

/**
 * Buffer bytes handed out after which the next read asks for a collection: 8× the live bytes, within 256 MiB–1 GiB.
 * A full collection every step halved the d=128 step on an H100: at a fixed 256 MiB 81k/91k tokens/s, with this
 * rule 172k/181k (250 steps each, alternated, run 30); the lesson model 85k/107k and 74k/108k, d=512 152k both.
 * Dead buffers held between collections stay within 8× what the model keeps alive, and at most 1 GiB.
 */
const GC_MIN_BYTES = 256 * 2 ** 20,
  GC_MAX_BYTES = 2 ** 30;

/** A device buffer with a stable id (bind groups are cached by the ids they bind). */
export interface Buf {
  readonly gpu: GPUBuffer;
  readonly id: number;
  readonly bytes: number;
}

export class GpuStorage implements Storage {
  constructor(
    readonly dtype: DType,
    readonly length: number,
    public buf: Buf | null,
  ) {}
}

const USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

export class BufferPool {
  private nextId = 1;
  private free = new Map<number, Buf[]>();
  private readonly registry = new FinalizationRegistry<Buf>((b) => this.release(b));
  /** Bytes held by live storages, and bytes parked in the pool for reuse. */
  liveBytes = 0;
  pooledBytes = 0;
  private takenSinceGc = 0;

  constructor(private readonly device: GPUDevice) {}

  /** Element counts round up to whole 16-byte lines, so near sizes share buffers; at least one line. */
  static bytesFor(length: number): number {
    return Math.max(16, Math.ceil((length * 4) / 16) * 16);
  }

  /** A buffer of `length` elements: a pooled one (`fresh` false: its contents are stale) or a new zeroed one. */
  take(length: number): { buf: Buf; fresh: boolean } {
    const bytes = BufferPool.bytesFor(length);
    const list = this.free.get(bytes);
    const reused = list?.pop();
    this.liveBytes += bytes;
    this.takenSinceGc += bytes;
    if (reused) {
      this.pooledBytes -= bytes;
      return { buf: reused, fresh: false };
    }
    return { buf: this.create(bytes, false), fresh: true };
  }

  /** A pooled buffer for `length` elements, if one is parked (its contents are stale). */
  reuse(length: number): Buf | undefined {
    const bytes = BufferPool.bytesFor(length);
    const b = this.free.get(bytes)?.pop();
    if (b) {
      this.pooledBytes -= bytes;
      this.liveBytes += bytes;
      this.takenSinceGc += bytes;
    }
    return b;
  }

  /** A new buffer holding `data` (mapped at creation, so no queued command can see it before it is filled). */
  upload(data: Float32Array | Int32Array): Buf {
    const bytes = BufferPool.bytesFor(data.length);
    const buf = this.create(bytes, true);
    const view =
      data instanceof Int32Array
        ? new Int32Array(buf.gpu.getMappedRange())
        : new Float32Array(buf.gpu.getMappedRange());
    view.set(data);
    buf.gpu.unmap();
    this.liveBytes += bytes;
    this.takenSinceGc += bytes;
    return buf;
  }

  private create(bytes: number, mapped: boolean): Buf {
    const gpu = this.device.createBuffer({ size: bytes, usage: USAGE(), mappedAtCreation: mapped });
    return { gpu, id: this.nextId++, bytes };
  }

  /** Collect garbage if many buffer bytes were handed out since the last time (or always, when `force`). */
  collectIfNeeded(force = false): void {
    const limit = Math.min(GC_MAX_BYTES, Math.max(GC_MIN_BYTES, 8 * this.liveBytes));
    if (!force && this.takenSinceGc < limit) return;
    this.takenSinceGc = 0;
    collectGarbage();
  }

  /** Track a storage: its buffer returns to the pool when the storage is collected. */
  track(s: GpuStorage): void {
    if (s.buf) this.registry.register(s, s.buf, s);
  }

  /** Explicit free: the buffer goes back to the pool now, and the storage may not be used again. */
  dispose(s: GpuStorage): void {
    if (!s.buf) return;
    this.registry.unregister(s);
    this.release(s.buf);
    s.buf = null;
  }

  private release(b: Buf): void {
    this.liveBytes -= b.bytes;
    this.pooledBytes += b.bytes;
    let list = this.free.get(b.bytes);
    if (!list) this.free.set(b.bytes, (list = []));
    list.push(b);
  }

  /** Destroy every pooled buffer (call only with no recorded commands pending: the backend flushes first). */
  trim(): number[] {
    const ids: number[] = [];
    for (const list of this.free.values()) for (const b of list) (b.gpu.destroy(), ids.push(b.id));
    this.free.clear();
    this.pooledBytes = 0;
    return ids;
  }
}
