// The WebGPU backend: every kernel of backend.ts as a WGSL compute shader (wgsl.ts, matmul-wgsl.ts) on buffers
// that stay on the device. Kernels are recorded into one command encoder and submitted together when a value
// is read (the one async `read`) or a chunk of them is recorded; pipelines and bind groups are cached; each dispatch's
// sizes go into a slice of one parameter buffer (a dynamic offset). Storage is float32 or int32 only:
// float64 is CPU-only (WGSL has no f64). Buffers come from a pool and return to it (memory.ts).
import type {
  AdamWHyper,
  Backend,
  BinaryOp,
  DType,
  HostArray,
  MatmulLayout,
  ReduceOp,
  RopeLayout,
  SoftmaxOptions,
  Storage,
  UnaryOp,
  View,
} from '../backend.ts';
import { foreignStorage } from '../backend.ts';
import { BufferPool, GpuStorage } from './memory.ts';
import type { OpenedDevice } from './device.ts';
import { matmulVec4Source, vec4Fits, VEC4_TILES } from './matmul-vec4.ts';
import { LARGE_TILE, matmulSource, SMALL_TILE, type MatmulTile } from './matmul-wgsl.ts';
import * as W from './wgsl.ts';

/** Words of parameters per dispatch (one 256-byte slot: the storage-offset alignment) and slots per submit. */
const SLOT = 64;
const SLOTS = 1024;
const MAX_GROUPS = 65535;

interface Kernel {
  id: number;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

const f32Bits = new Float32Array(1);
const u32OfF32 = new Uint32Array(f32Bits.buffer);
/** A float parameter as the u32 word the shader bitcasts back. */
function fb(x: number): number {
  f32Bits[0] = x;
  return u32OfF32[0]!;
}

function viewWords(v: View): number[] {
  return [...v.shape, ...v.strides];
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  readonly device: GPUDevice;
  readonly description: string;
  readonly features: string[];
  private readonly keepAlive: unknown[];
  private readonly pool: BufferPool;
  private readonly kernels = new Map<Function, Map<string, Kernel>>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  private bindGroups = new Map<string, GPUBindGroup>();
  private readonly params: GPUBuffer;
  private readonly arena = new Uint32Array(SLOT * SLOTS);
  private slots = 0;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private nextKernel = 1;
  private error: string | undefined;
  private stagings: GPUBuffer[] = [];
  private afterSubmit: (() => void)[] = [];
  /** Opt-in kernel timing (bench only): a timestamp pair per dispatch, summed by kernel. */
  private profiler:
    | {
        querySet: GPUQuerySet;
        resolve: GPUBuffer;
        labels: string[];
        pending: Promise<void>[];
        totals: Map<string, [number, number]>;
      }
    | undefined;
  /** A label for the next dispatch's timing (matmul shapes), set by a kernel method. */
  private note = '';
  /** Dispatches recorded so far (a test and the bench count them). */
  dispatches = 0;
  /**
   * Dispatches per submit: the recorded commands are submitted in chunks of this many, so the GPU runs the
   * first kernels of a step while JavaScript is still recording the rest (0: submit only at a read).
   */
  submitEvery = 64;

  constructor(opened: OpenedDevice) {
    this.device = opened.device;
    this.description = opened.description;
    this.features = opened.features;
    this.keepAlive = opened.keepAlive;
    this.pool = new BufferPool(this.device);
    // Validation errors arrive asynchronously; the next read reports the first one instead of returning zeros.
    this.device.addEventListener('uncapturederror', (e) => {
      this.error ??= (e as GPUUncapturedErrorEvent).error.message;
    });
    this.params = this.device.createBuffer({
      size: this.arena.byteLength,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
  }

  /** Bytes held by live tensors, and parked in the pool for reuse. */
  get memory(): { liveBytes: number; pooledBytes: number } {
    return { liveBytes: this.pool.liveBytes, pooledBytes: this.pool.pooledBytes };
  }

  // ---- memory ---------------------------------------------------------------------------------------------

  private check(dtype: DType): void {
    if (dtype === 'float64')
      throw new Error('float64 is CPU-only: the WebGPU backend stores float32 and int32 (WGSL has no f64)');
  }

  alloc(dtype: DType, length: number): Storage {
    this.check(dtype);
    const { buf, fresh } = this.pool.take(length);
    const s = new GpuStorage(dtype, length, buf);
    this.pool.track(s);
    if (!fresh && length > 0) this.fill(s, 0);
    return s;
  }

  allocUninit(dtype: DType, length: number): Storage {
    this.check(dtype);
    const s = new GpuStorage(dtype, length, this.pool.take(length).buf);
    this.pool.track(s);
    return s;
  }

  fromHost(dtype: DType, data: ArrayLike<number>): Storage {
    this.check(dtype);
    const host = dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data);
    // A pooled buffer is filled by a copy recorded in the encoder, after the commands that last used it.
    const reused = this.pool.reuse(host.length);
    if (reused) {
      const staging = this.device.createBuffer({
        size: reused.bytes,
        usage: GPUBufferUsage.COPY_SRC,
        mappedAtCreation: true,
      });
      (host instanceof Int32Array
        ? new Int32Array(staging.getMappedRange())
        : new Float32Array(staging.getMappedRange())
      ).set(host);
      staging.unmap();
      this.endPass();
      this.enc().copyBufferToBuffer(staging, 0, reused.gpu, 0, reused.bytes);
      this.stagings.push(staging);
    }
    const s = new GpuStorage(dtype, host.length, reused ?? this.pool.upload(host));
    this.pool.track(s);
    return s;
  }

  async read(s: Storage): Promise<HostArray> {
    const g = this.buf(s);
    const bytes = Math.max(4, s.length * 4);
    const staging = this.device.createBuffer({
      size: Math.ceil(bytes / 4) * 4,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.endPass();
    this.enc().copyBufferToBuffer(g.gpu, 0, staging, 0, staging.size);
    this.flush();
    this.pool.collectIfNeeded();
    await staging.mapAsync(GPUMapMode.READ);
    const range = staging.getMappedRange();
    const out =
      s.dtype === 'int32'
        ? new Int32Array(range.slice(0, s.length * 4))
        : new Float32Array(range.slice(0, s.length * 4));
    staging.unmap();
    staging.destroy();
    const error = this.error;
    this.error = undefined;
    if (error) throw new Error(`WebGPU: ${error.split('\n')[0]}`);
    return out;
  }

  readSync(): HostArray {
    throw new Error('the WebGPU backend has no synchronous reads: use await tensor.data()');
  }

  free(s: Storage): void {
    this.pool.dispose(s as GpuStorage);
  }

  /** Submit what is recorded, then destroy pooled buffers (frees device memory between phases of a program). */
  trim(): void {
    this.flush();
    this.pool.trim();
    this.bindGroups = new Map();
  }

  /** Time every dispatch from now on with timestamp queries (needs the 'timestamp-query' feature). */
  startProfile(): void {
    const count = 2 * SLOTS;
    this.flush();
    this.profiler = {
      querySet: this.device.createQuerySet({ type: 'timestamp', count }),
      resolve: this.device.createBuffer({
        size: count * 8,
        usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      }),
      labels: [],
      pending: [],
      totals: new Map(),
    };
  }

  /** GPU milliseconds and dispatch counts by kernel since startProfile, largest first. */
  async profile(): Promise<{ kernel: string; ms: number; count: number }[]> {
    this.flush();
    const p = this.profiler!;
    await Promise.all(p.pending);
    return [...p.totals].map(([kernel, [ns, count]]) => ({ kernel, ms: ns / 1e6, count })).sort((a, b) => b.ms - a.ms);
  }

  private collectTimings(): void {
    const p = this.profiler;
    if (!p || p.labels.length === 0 || !this.encoder) return;
    const n = p.labels.length * 2;
    const staging = this.device.createBuffer({ size: n * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.encoder.resolveQuerySet(p.querySet, 0, n, p.resolve, 0);
    this.encoder.copyBufferToBuffer(p.resolve, 0, staging, 0, n * 8);
    const labels = p.labels;
    p.labels = [];
    // mapped once submitted (a buffer may not be mapped while a submit uses it)
    this.afterSubmit.push(() =>
      p.pending.push(
        staging.mapAsync(GPUMapMode.READ).then(() => {
          const t = new BigInt64Array(staging.getMappedRange());
          labels.forEach((l, i) => {
            const e = p.totals.get(l) ?? [0, 0];
            p.totals.set(l, [e[0] + Number(t[2 * i + 1]! - t[2 * i]!), e[1] + 1]);
          });
          staging.unmap();
          staging.destroy();
        }),
      ),
    );
  }

  /** Collect garbage now and let the registry return dead tensors' buffers (tests of memory use call it). */
  async collect(): Promise<void> {
    this.pool.collectIfNeeded(true);
    for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0));
  }

  /** Wait until the GPU has run everything recorded so far (benchmarks time with it). */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
  }

  destroy(): void {
    this.flush();
    this.device.destroy();
  }

  private buf(s: Storage) {
    if (!(s instanceof GpuStorage)) throw new Error(foreignStorage('webgpu', s));
    const b = s.buf;
    if (!b) throw new Error('use of a freed WebGPU tensor');
    return b;
  }

  // ---- recording ------------------------------------------------------------------------------------------

  private enc(): GPUCommandEncoder {
    return (this.encoder ??= this.device.createCommandEncoder());
  }
  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** Submit the recorded commands, after uploading their parameters (queue order keeps the two together). */
  flush(): void {
    this.endPass();
    if (!this.encoder) return;
    this.collectTimings();
    if (this.slots > 0) this.device.queue.writeBuffer(this.params, 0, this.arena, 0, this.slots * SLOT);
    this.device.queue.submit([this.encoder.finish()]);
    for (const s of this.stagings) s.destroy(); // freed once the submitted copies have run
    for (const f of this.afterSubmit.splice(0)) f();
    this.stagings = [];
    this.encoder = null;
    this.slots = 0;
  }

  private layout(access: string): GPUBindGroupLayout {
    let l = this.layouts.get(access);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [
        {
          binding: 0,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: 'read-only-storage', hasDynamicOffset: true, minBindingSize: SLOT * 4 },
        },
      ];
      [...access].forEach((a, i) =>
        entries.push({
          binding: i + 1,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: a === 'w' ? 'storage' : 'read-only-storage' },
        }),
      );
      l = this.device.createBindGroupLayout({ entries });
      this.layouts.set(access, l);
    }
    return l;
  }

  /**
   * The kernel that `make(...args)` writes, compiled once; `access` says per binding whether it is read ('r') or
   * written ('w'). Cached by the generator and a short key of its arguments, so a dispatch neither rebuilds its
   * source nor hashes it: keyed by the source itself, every dispatch built and hashed a string of 0.5–10 KB, and
   * training the lesson model ran at 57–58k tokens/s against 80–82k now (the same H100, alternated; run 27).
   */
  private kernel<A extends (string | boolean | MatmulTile)[]>(
    access: string,
    make: (...args: A) => string,
    ...args: A
  ): Kernel {
    let byArgs = this.kernels.get(make);
    if (!byArgs) this.kernels.set(make, (byArgs = new Map()));
    const key = access + args.map((a) => (typeof a === 'object' ? JSON.stringify(a) : a)).join();
    let k = byArgs.get(key);
    if (!k) {
      const layout = this.layout(access);
      const module = this.device.createShaderModule({ code: make(...args) });
      const pipeline = this.device.createComputePipeline({
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: 'main' },
      });
      k = { id: this.nextKernel++, pipeline, layout };
      byArgs.set(key, k);
    }
    return k;
  }

  /** Record one dispatch of `k` over `groups` workgroups with parameter words `p` and tensors `bufs`. */
  private run(k: Kernel, access: string, p: number[], storages: Storage[], groups: [number, number, number]): void {
    if (groups[0] === 0 || groups[1] === 0 || groups[2] === 0) return;
    // WebGPU forbids binding one buffer twice when a binding writes it: read such an input from a copy.
    const bufs = storages.map((s) => this.buf(s));
    for (let i = 0; i < bufs.length; i++) {
      if (access[i] !== 'r') continue;
      if (bufs.some((b, j) => j !== i && access[j] === 'w' && b.id === bufs[i]!.id)) {
        const copy = this.alloc(storages[i]!.dtype, storages[i]!.length);
        this.unary('copy', storages[i]!, copy);
        storages[i] = copy;
        bufs[i] = this.buf(copy);
      }
    }
    if (this.slots === SLOTS) this.flush();
    const slot = this.slots++;
    for (let i = 0; i < p.length; i++) this.arena[slot * SLOT + i] = p[i]! >>> 0;
    const key = `${k.id}:${bufs.map((b) => b.id).join(',')}`;
    let bg = this.bindGroups.get(key);
    if (!bg) {
      if (this.bindGroups.size > 50_000) this.bindGroups = new Map();
      bg = this.device.createBindGroup({
        layout: k.layout,
        entries: [
          { binding: 0, resource: { buffer: this.params, size: SLOT * 4 } },
          ...bufs.map((b, i) => ({ binding: i + 1, resource: { buffer: b.gpu } })),
        ],
      });
      this.bindGroups.set(key, bg);
    }
    const prof = this.profiler;
    if (prof) {
      this.endPass();
      const i = prof.labels.length;
      const caller = /WebGpuBackend\.(\w+)/.exec(new Error().stack!.split('\n').slice(2).join('\n'))?.[1] ?? '?';
      prof.labels.push(caller + this.note);
      this.note = '';
      this.pass = this.enc().beginComputePass({
        timestampWrites: { querySet: prof.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
      });
    }
    const pass = (this.pass ??= this.enc().beginComputePass());
    pass.setPipeline(k.pipeline);
    pass.setBindGroup(0, bg, [slot * SLOT * 4]);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    if (prof) this.endPass();
    this.dispatches++;
    if (this.submitEvery > 0 && this.slots >= this.submitEvery) this.flush();
    // Keep the storages reachable until their commands are recorded (the registry may pool them after).
    void storages;
  }

  /** Workgroups for `count` items of `per` threads, split over x and y past the 65535 limit. */
  private grid(count: number, per = W.WG): [number, number, number] {
    const g = Math.ceil(count / per);
    return g <= MAX_GROUPS ? [g, 1, 1] : [MAX_GROUPS, Math.ceil(g / MAX_GROUPS), 1];
  }

  // ---- kernels --------------------------------------------------------------------------------------------

  fill(out: Storage, value: number): void {
    const t = W.elem(out.dtype);
    this.run(this.kernel('w', W.fillSource, t), 'w', [out.length, fb(value), value | 0], [out], this.grid(out.length));
  }

  unary(op: UnaryOp, x: Storage, out: Storage, scalar = 0): void {
    const k = this.kernel('rw', W.unarySource, op, W.elem(x.dtype), W.elem(out.dtype));
    this.run(k, 'rw', [x.length, fb(scalar)], [x, out], this.grid(x.length));
  }

  binary(op: BinaryOp, a: Storage, aView: View, b: Storage, bView: View, out: Storage): void {
    const n = aView.shape.reduce((p, q) => p * q, 1);
    const p = [n, aView.shape.length, aView.offset, bView.offset, ...aView.shape, ...aView.strides, ...bView.strides];
    const k = this.kernel('rrw', W.binarySource, op, W.elem(a.dtype), W.elem(b.dtype), W.elem(out.dtype));
    this.run(k, 'rrw', p, [a, b, out], this.grid(n));
  }

  reduce(op: ReduceOp, x: Storage, out: Storage, outer: number, n: number, inner: number): void {
    const outputs = outer * inner;
    const tx = W.elem(x.dtype),
      to = W.elem(out.dtype);
    // Long rows with few outputs get a workgroup each (a fixed tree); otherwise a thread per output.
    if ((n >= 256 && outputs <= 65536) || (n >= 32 && outputs <= 4096)) {
      this.run(
        this.kernel('rw', W.reduceTreeSource, op, tx, to),
        'rw',
        [outputs, n, inner],
        [x, out],
        this.grid(outputs, 1),
      );
    } else {
      this.run(
        this.kernel('rw', W.reduceSerialSource, op, tx, to),
        'rw',
        [outputs, n, inner],
        [x, out],
        this.grid(outputs),
      );
    }
  }

  copy(src: Storage, srcView: View, dst: Storage, dstView: View): void {
    const n = srcView.shape.reduce((p, q) => p * q, 1);
    const p = [n, srcView.shape.length, srcView.offset, dstView.offset, ...viewWords(srcView), ...dstView.strides];
    const k = this.kernel('rw', W.copySource, W.elem(src.dtype), W.elem(dst.dtype));
    this.run(k, 'rw', p, [src, dst], this.grid(n));
  }

  /**
   * The matmul tile for a problem: the largest aligned vec4 tile that divides it and still makes ≥ 256
   * workgroups (two per streaming multiprocessor of a large GPU); otherwise the bounds-checked kernel, with large
   * tiles once C has enough of them to fill the GPU.
   */
  matmulTile(l: MatmulLayout): MatmulTile {
    const fits = VEC4_TILES.filter((t) => vec4Fits(t, l));
    const groups = (t: MatmulTile) => (l.m / t.bm) * (l.n / t.bn) * l.batch;
    const vec4 = fits.find((t) => groups(t) >= 256) ?? fits[fits.length - 1];
    return vec4 ?? this.checkedTile(l);
  }

  private checkedTile(l: MatmulLayout): MatmulTile {
    return l.m * l.n * l.batch >= 512 * 512 && l.m >= 128 && l.n >= 128 ? LARGE_TILE : SMALL_TILE;
  }

  /**
   * Split-K for a weight gradient Xᵀ·dY (transA, long K, few output tiles): S slabs of K become a batch of S
   * partial products, then an ordered sum over the slabs: more workgroups, and still no atomics.
   */
  private splitK(l: MatmulLayout): number {
    if (!l.transA || l.transB || l.batch !== 1) return 1;
    const tiles = Math.ceil(l.m / 128) * Math.ceil(l.n / 128);
    for (const s of [16, 8, 4, 2]) if (tiles * s <= 528 && l.k % s === 0 && l.k / s >= 256) return s;
    return 1;
  }

  matmul(a: Storage, b: Storage, out: Storage, l: MatmulLayout, tile?: MatmulTile): void {
    if (l.k === 0) return this.fill(out, 0);
    const s = this.splitK(l);
    if (s > 1) {
      const kc = l.k / s;
      const parts = this.allocUninit('float32', s * l.m * l.n);
      const slabs = { ...l, batch: s, k: kc, aBatchStride: kc * l.m, bBatchStride: kc * l.n };
      this.matmul(a, b, parts, slabs, tile);
      this.reduce('sum', parts, out, 1, s, l.m * l.n);
      this.free(parts);
      return;
    }
    tile ??= this.matmulTile(l);
    if (tile.vec4 && !vec4Fits(tile, l)) tile = this.checkedTile(l);
    const k = this.kernel('rrw', tile.vec4 ? matmulVec4Source : matmulSource, tile, l.transA, l.transB);
    if (this.profiler) this.note = ` ${l.batch}x${l.m}x${l.n}x${l.k}${l.transA ? 'T' : ''}${l.transB ? 't' : ''}`;
    const groups: [number, number, number] = [Math.ceil(l.n / tile.bn), Math.ceil(l.m / tile.bm), l.batch];
    this.run(k, 'rrw', [l.m, l.n, l.k, l.aBatchStride, l.bBatchStride], [a, b, out], groups);
  }

  gather(
    src: Storage,
    idx: Storage,
    out: Storage,
    outer: number,
    n: number,
    count: number,
    inner: number,
    idxOuterStride: number,
  ): void {
    const total = outer * count * inner;
    const k = this.kernel('rrw', W.gatherSource, W.elem(src.dtype));
    this.run(k, 'rrw', [total, n, count, inner, idxOuterStride], [src, idx, out], this.grid(total));
  }

  scatterAdd(
    dst: Storage,
    idx: Storage,
    src: Storage,
    outer: number,
    n: number,
    count: number,
    inner: number,
    idxOuterStride: number,
  ): void {
    // Few target rows: a thread per destination element (parallel); else a thread per column (less work).
    const byTarget = n <= 4096 && outer * n * inner <= 1 << 24;
    const k = this.kernel('wrr', byTarget ? W.scatterAddByTargetSource : W.scatterAddSource, W.elem(dst.dtype));
    const threads = byTarget ? outer * n * inner : outer * inner;
    this.run(k, 'wrr', [threads, n, count, inner, idxOuterStride], [dst, idx, src], this.grid(threads));
  }

  topk(x: Storage, values: Storage, indices: Storage, rows: number, n: number, k: number): void {
    const kern = this.kernel('rww', W.topkSource, W.elem(x.dtype));
    this.run(kern, 'rww', [rows, n, k], [x, values, indices], this.grid(rows));
  }

  softmax(x: Storage, out: Storage, rows: number, n: number, opts: SoftmaxOptions): void {
    const c = opts.causal;
    const p = [rows, n, c ? 1 : 0, c?.tq ?? 1, c?.offset ?? 0, opts.log ? 1 : 0, fb(opts.scale ?? 1)];
    this.run(this.kernel('rw', W.softmaxSource), 'rw', p, [x, out], this.grid(rows, 1));
  }

  rmsnorm(x: Storage, w: Storage, out: Storage, rstd: Storage, rows: number, n: number, eps: number): void {
    this.run(this.kernel('rrww', W.rmsnormSource), 'rrww', [rows, n, fb(eps)], [x, w, out, rstd], this.grid(rows, 1));
  }

  rope(x: Storage, pos: Storage, cos: Storage, sin: Storage, out: Storage, L: RopeLayout): void {
    const total = (L.rows * L.heads * L.dim) / 2;
    const p = [total, L.heads, L.dim, L.style === 'half' ? 1 : 0, fb(L.inverse ? -1 : 1)];
    this.run(this.kernel('rrrrw', W.ropeSource), 'rrrrw', p, [x, pos, cos, sin, out], this.grid(total));
  }

  softmaxBackward(y: Storage, g: Storage, out: Storage, rows: number, n: number, scale = 1): void {
    const p = [rows, n, fb(scale)];
    this.run(this.kernel('rrw', W.softmaxBackwardSource), 'rrw', p, [y, g, out], this.grid(rows, 1));
  }

  rmsnormBackward(
    x: Storage,
    w: Storage,
    rstd: Storage,
    g: Storage,
    gx: Storage,
    gw: Storage,
    rows: number,
    n: number,
  ): void {
    const k1 = this.kernel('rrrrw', W.rmsnormBackwardRowsSource);
    this.run(k1, 'rrrrw', [rows, n], [x, w, rstd, g, gx], this.grid(rows, 1));
    // gw = Σ_rows g ⊙ (x·r): the terms in parallel, then the ordered column sum of the reduce kernel.
    const terms = this.alloc('float32', rows * n);
    const k2 = this.kernel('rrrw', W.rmsnormBackwardTermsSource);
    this.run(k2, 'rrrw', [rows * n, n], [x, rstd, g, terms], this.grid(rows * n));
    this.reduce('sum', terms, gw, 1, rows, n);
    this.free(terms);
  }

  swiglu(gate: Storage, up: Storage, out: Storage): void {
    this.run(this.kernel('rrw', W.swigluSource), 'rrw', [gate.length], [gate, up, out], this.grid(gate.length));
  }

  swigluBackward(gate: Storage, up: Storage, g: Storage, dGate: Storage, dUp: Storage): void {
    const k = this.kernel('rrrww', W.swigluBackwardSource);
    this.run(k, 'rrrww', [gate.length], [gate, up, g, dGate, dUp], this.grid(gate.length));
  }

  adamw(param: Storage, grad: Storage, m: Storage, v: Storage, h: AdamWHyper): void {
    const p = [
      param.length,
      fb(h.beta1),
      fb(h.beta2),
      fb(h.lr),
      fb(h.eps),
      fb(1 - Math.pow(h.beta1, h.step)),
      fb(1 - Math.pow(h.beta2, h.step)),
      fb(1 - h.lr * h.weightDecay),
    ];
    this.run(this.kernel('wrww', W.adamwSource), 'wrww', p, [param, grad, m, v], this.grid(param.length));
  }
}
