// Tensor: a shape, a dtype and backend-owned storage, plus what autograd needs (requiresGrad, grad, and the
// node that made it). Tensors are always contiguous row-major; views (transpose, slice) are materialised by
// a copy kernel, so every kernel sees plain dense memory. Numbers reach the host only through `data()`.
import type { Backend, DType, HostArray, Storage } from '../backend/backend.ts';
import type { Rng } from './rng.ts';

/** How a tensor was computed: its inputs and the rule that maps the output's gradient to theirs. */
export interface GradNode {
  op: string;
  inputs: Tensor[];
  backward(grad: Tensor): (Tensor | null)[];
}

export class Tensor {
  requiresGrad: boolean;
  grad: Tensor | null = null;
  node: GradNode | null = null;
  /** Optional name (parameters carry their checkpoint name). */
  name: string | undefined;

  constructor(
    readonly backend: Backend,
    readonly storage: Storage,
    readonly shape: readonly number[],
    requiresGrad = false,
  ) {
    if (numel(shape) !== storage.length)
      throw new Error(`shape [${shape}] needs ${numel(shape)} elements, storage has ${storage.length}`);
    this.requiresGrad = requiresGrad;
  }

  get dtype(): DType {
    return this.storage.dtype;
  }
  get size(): number {
    return this.storage.length;
  }
  get ndim(): number {
    return this.shape.length;
  }
  /** Dimension size with negative indices from the end. */
  dim(i: number): number {
    const k = i < 0 ? this.shape.length + i : i;
    if (k < 0 || k >= this.shape.length) throw new Error(`dim ${i} out of range for shape [${this.shape}]`);
    return this.shape[k]!;
  }

  /** Copy the numbers to the host: the one explicit read (async, so a GPU backend can map its buffer). */
  data(): Promise<HostArray> {
    return this.backend.read(this.storage);
  }
  /** Synchronous read for host-memory backends; tests and the CPU-only tools use it, library code does not. */
  dataSync(): HostArray {
    return this.backend.readSync(this.storage);
  }
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item() needs a single element, shape is [${this.shape}]`);
    return (await this.data())[0]!;
  }

  toString(): string {
    return `Tensor(${this.dtype} [${this.shape.join(', ')}]${this.requiresGrad ? ', grad' : ''})`;
  }
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape [${shape}]`);
    n *= d;
  }
  return n;
}

// ---- the current backend ------------------------------------------------------------------------
// One process-wide default keeps call sites short; every tensor still carries its own backend, and
// ops run on their inputs' backend. The program's edge picks it (backend/choose.ts); core names none.
let current: Backend | undefined;

export function defaultBackend(): Backend {
  if (!current)
    throw new Error('no backend chosen: call chooseBackend() (src/backend/choose.ts) at the edge of the program first');
  return current;
}
export function setDefaultBackend(b: Backend): void {
  current = b;
}

export interface CreateOptions {
  dtype?: DType;
  backend?: Backend;
  requiresGrad?: boolean;
}

/** A tensor from host numbers. */
export function tensor(
  data: ArrayLike<number>,
  shape: readonly number[] = [data.length],
  opts: CreateOptions = {},
): Tensor {
  const b = opts.backend ?? defaultBackend();
  return new Tensor(b, born(b.fromHost(opts.dtype ?? 'float32', data)), shape, opts.requiresGrad ?? false);
}

/** Integer indices (token ids, targets, positions). */
export function intTensor(
  data: ArrayLike<number>,
  shape: readonly number[] = [data.length],
  backend?: Backend,
): Tensor {
  return tensor(data, shape, { dtype: 'int32', backend });
}

export function full(shape: readonly number[], value: number, opts: CreateOptions = {}): Tensor {
  const b = opts.backend ?? defaultBackend();
  const s = born(b.alloc(opts.dtype ?? 'float32', numel(shape)));
  if (value !== 0) b.fill(s, value);
  return new Tensor(b, s, shape, opts.requiresGrad ?? false);
}
export const zeros = (shape: readonly number[], opts: CreateOptions = {}) => full(shape, 0, opts);
export const ones = (shape: readonly number[], opts: CreateOptions = {}) => full(shape, 1, opts);

/** Normal(0, std²) entries drawn in order from `rng`. */
export function randn(shape: readonly number[], rng: Rng, std = 1, opts: CreateOptions = {}): Tensor {
  const n = numel(shape);
  const host = new Float64Array(n);
  for (let i = 0; i < n; i++) host[i] = rng.normal() * std;
  return tensor(host, shape, opts);
}

/** An empty result tensor of a given shape on a backend (ops use this for outputs). */
export function empty(backend: Backend, dtype: DType, shape: readonly number[]): Tensor {
  const n = numel(shape);
  return new Tensor(backend, born(backend.allocUninit?.(dtype, n) ?? backend.alloc(dtype, n)), shape);
}

// ---- births: the storages made while a set watches (autograd's backward frees the gradients it made) ----
let births: Set<Storage> | undefined;

/** Record every storage made from now on in `set` (undefined stops); returns the set watching before. */
export function watchBirths(set: Set<Storage> | undefined): Set<Storage> | undefined {
  const prev = births;
  births = set;
  return prev;
}

function born(s: Storage): Storage {
  births?.add(s);
  return s;
}
