// The seam between math and hardware: a small set of forward-only kernels plus alloc / read / free.
//
// Autograd (src/core) and the model never touch storage: they call these kernels, and gradients are
// written once, beside each op, in terms of other kernels. Every kernel writes into a preallocated `out`
// and has a fixed reduction order, so a backend that follows the CPU reference gives the same numbers to
// within its float32 arithmetic (the CPU backend in ./cpu is the living definition of every kernel; float64 is
// CPU-only, and the WebGPU backend's parity suite states its tolerances), and a rerun on one backend gives the
// same bits. Index arguments (gather, scatterAdd) are not checked by the kernels (a GPU could not without a
// read back): their makers keep them in range (token ids are checked where text and files come in, routing
// indices come from topk). Host reads happen only through `read`, which is async so that a GPU backend can
// map its buffers.

export type DType = 'float32' | 'float64' | 'int32';
export type HostArray = Float32Array | Float64Array | Int32Array;

/** Backend-owned memory. Opaque outside the backend that made it. */
export interface Storage {
  readonly dtype: DType;
  readonly length: number;
}

/**
 * The message when a kernel of `backend` is handed a storage another backend made: tensors of one computation
 * must live on one backend (they are placed where they are made: `tinyseek --backend`, or the tensor options).
 */
export function foreignStorage(backend: string, s: Storage): string {
  const other = (s as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
  return `a ${s.dtype} tensor of another backend (${other}) was given to the ${backend} backend: every tensor of one computation must live on one backend`;
}

/** Elementwise maps. `*Scalar` ops take the kernel's `scalar` argument: out = f(x, scalar). */
export type UnaryOp =
  | 'copy'
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'abs'
  | 'square'
  | 'recip'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'silu'
  | 'siluGrad'
  | 'sin'
  | 'cos'
  | 'addScalar'
  | 'mulScalar'
  | 'powScalar'
  | 'maxScalar'
  | 'minScalar'
  | 'eqScalar'
  | 'neScalar'
  | 'gtScalar';

/** Elementwise zips with broadcasting. Comparisons give 1 or 0. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'eq' | 'gt';

export type ReduceOp = 'sum' | 'max';

/** A strided view: element at multi-index i is at offset + Σ i[d]·strides[d]. Stride 0 broadcasts. */
export interface View {
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

/** C[b] = op(A[b]) · op(B[b]) for b < batch, with A [m,k] (or [k,m] if transA), B [k,n] (or [n,k] if transB). */
export interface MatmulLayout {
  batch: number;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  /** Elements between consecutive batch entries; 0 reuses the same matrix for every entry. */
  aBatchStride: number;
  bBatchStride: number;
}

/** The shape of a causal attention over heads laid out [B, T, H, D]: batch, positions, heads, head width. */
export interface HeadsShape {
  B: number;
  T: number;
  H: number;
  D: number;
}

/** RoPE for causalAttentionHeads: int32 positions [B·T] and the tables' cos and sin [positions, D/2]. */
export interface HeadsRopeStorage {
  pos: Storage;
  cos: Storage;
  sin: Storage;
}

/**
 * Rows of length n: softmax over each row. `causal` masks column j of row r when
 * j > (r mod tq) + offset (query t attends to keys 0..t+offset), as in decoder attention with a KV cache.
 */
export interface SoftmaxOptions {
  log: boolean;
  causal?: { tq: number; offset: number };
  /**
   * Softmax of scale·x (attention's 1/√d): each scaled score rounded to the storage type first, as a separate
   * mulScalar would store it, so the fused row gives the composed ops' bits. Default 1.
   */
  scale?: number;
}

/**
 * Rotary position embedding over x viewed as [rows, heads, dim] where row r has position pos[r].
 * cos/sin are tables [maxPos, dim/2]. 'interleaved' rotates pairs (2i, 2i+1) (DeepSeek reference code);
 * 'half' rotates (i, i + dim/2) (HF Llama/DeepSeek layout). `inverse` rotates by −θ (the backward pass).
 */
export interface RopeLayout {
  rows: number;
  heads: number;
  dim: number;
  style: 'interleaved' | 'half';
  inverse: boolean;
}

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step for bias correction. */
  step: number;
}

export interface Backend {
  readonly name: string;
  alloc(dtype: DType, length: number): Storage;
  /**
   * Memory whose contents are unspecified, for a kernel's output that the kernel overwrites whole (`empty`);
   * a GPU backend saves the zero-fill a reused buffer would need. Backends without it get `alloc`.
   */
  allocUninit?(dtype: DType, length: number): Storage;
  fromHost(dtype: DType, data: ArrayLike<number>): Storage;
  /** Copy to the host. The only way numbers leave a backend. */
  read(s: Storage): Promise<HostArray>;
  /** Synchronous read, only for backends whose memory is host memory (the CPU); others throw. */
  readSync(s: Storage): HostArray;
  free(s: Storage): void;

  fill(out: Storage, value: number): void;
  unary(op: UnaryOp, x: Storage, out: Storage, scalar?: number): void;
  /** out[i] = op(a[view a at i], b[view b at i]) over `shape`; out is contiguous. */
  binary(op: BinaryOp, a: Storage, aView: View, b: Storage, bView: View, out: Storage): void;
  /** x viewed as [outer, n, inner] → out [outer, inner], reducing in order j = 0..n−1. */
  reduce(op: ReduceOp, x: Storage, out: Storage, outer: number, n: number, inner: number): void;
  /** Copy a strided view of src into a strided view of dst (both over the same shape). */
  copy(src: Storage, srcView: View, dst: Storage, dstView: View): void;
  matmul(a: Storage, b: Storage, out: Storage, layout: MatmulLayout): void;
  /**
   * One `matmul` (batch 1) on sub-ranges: A, B and out start `aOffset`, `bOffset`, `outOffset` elements in.
   * The grouped matmul of the sparse MoE runs one per expert. Optional: a backend without it has no sparse MoE.
   */
  matmulAt?(
    a: Storage,
    aOffset: number,
    b: Storage,
    bOffset: number,
    out: Storage,
    outOffset: number,
    layout: MatmulLayout,
  ): void;
  /**
   * Optional (the CPU's SIMD kernels): the grouped matmul's products for all groups in one call, each group's the
   * `matmulAt` it stands for (the same bits). Rows offsets[g]..offsets[g+1]−1 are group g's; with W [G, out, in]:
   * 'forward' a = X [M, in], b = W, out = Y [M, out], Y[o_g:] = X[o_g:]·W_gᵀ; 'dx' a = ∂Y, b = W, out = ∂X,
   * ∂X[o_g:] = ∂Y[o_g:]·W_g; 'dw' a = ∂Y, b = X, out = ∂W, ∂W_g = ∂Y[o_g:]ᵀ·X[o_g:] (0 for a group without rows).
   * False, with nothing written, where it does not take the shapes (the caller then runs `matmulAt` per group).
   */
  groupedMatmul?(
    kind: 'forward' | 'dx' | 'dw',
    a: Storage,
    b: Storage,
    out: Storage,
    offsets: Int32Array,
    shape: { M: number; G: number; inDim: number; outDim: number },
  ): boolean;
  /**
   * out[o, j, :] = src[o, idx[o·idxOuterStride + j], :] for src [outer, n, inner], idx of `count` per outer.
   * idxOuterStride is `count` (an index per outer row) or 0 (one shared index list, e.g. an embedding).
   */
  gather(
    src: Storage,
    idx: Storage,
    out: Storage,
    outer: number,
    n: number,
    count: number,
    inner: number,
    idxOuterStride: number,
  ): void;
  /** dst[o, idx[o·s + j], :] += src[o, j, :], in order o, j: the transpose of gather. */
  scatterAdd(
    dst: Storage,
    idx: Storage,
    src: Storage,
    outer: number,
    n: number,
    count: number,
    inner: number,
    idxOuterStride: number,
  ): void;
  /** Largest k of each row of length n, in descending order; ties go to the lower index. */
  topk(x: Storage, values: Storage, indices: Storage, rows: number, n: number, k: number): void;
  softmax(x: Storage, out: Storage, rows: number, n: number, opts: SoftmaxOptions): void;
  /** out = x · rstd · w per row; rstd[r] = 1/sqrt(mean(x[r]²) + eps) is also written. */
  rmsnorm(x: Storage, w: Storage, out: Storage, rstd: Storage, rows: number, n: number, eps: number): void;
  rope(x: Storage, pos: Storage, cos: Storage, sin: Storage, out: Storage, layout: RopeLayout): void;

  // Fused kernels: one pass where the composed ops take several. Each rounds every intermediate to the
  // storage type exactly where the composed ops would store it, so it gives the composed ops' bits.
  /**
   * Softmax backward per row of y (the softmax output): out = scale · (y ⊙ (g − Σ_j g_j·y_j)), the product
   * rounded to the storage type before the scale (softmax's `scale` option; default 1).
   */
  softmaxBackward(y: Storage, g: Storage, out: Storage, rows: number, n: number, scale?: number): void;
  /**
   * RMSNorm backward (y = x·r·w, r = rstd per row), with u = g ⊙ w:
   * gx = u·r − x·(r·r²)·mean(u ⊙ x);  gw = Σ_rows g ⊙ (x·r).
   */
  rmsnormBackward(
    x: Storage,
    w: Storage,
    rstd: Storage,
    g: Storage,
    gx: Storage,
    gw: Storage,
    rows: number,
    n: number,
  ): void;
  /** SwiGLU: out = SiLU(gate) ⊙ up. */
  swiglu(gate: Storage, up: Storage, out: Storage): void;
  /** SwiGLU backward: dGate = (g ⊙ up) ⊙ SiLU'(gate), dUp = g ⊙ SiLU(gate). */
  swigluBackward(gate: Storage, up: Storage, g: Storage, dGate: Storage, dUp: Storage): void;
  /**
   * Optional (the CPU's SIMD kernels): causal attention over heads laid out [B, T, H, D] (q, k, v and out),
   * out = softmax(scale·q·kᵀ, causal)·v per (batch, head), q and k first turned by `rope` ('half' layout, a
   * position per row of [B·T]) where given, with the bits of the ops it stands for (rope, the head permutes, two
   * batched matmuls and causalSoftmax; core/ops/attention.ts); p [B, H, T, T] receives the probabilities where
   * given, for the backward. False, with nothing written, where the kernel does not take the shape (the caller
   * then runs the ops); true means the backward takes it too.
   */
  causalAttentionHeads?(
    q: Storage,
    k: Storage,
    v: Storage,
    out: Storage,
    p: Storage | undefined,
    shape: HeadsShape,
    scale: number,
    rope?: HeadsRopeStorage,
  ): boolean;
  /** Its backward from the kept p: dq, dk, dv [B, T, H, D] (of the unturned q and k) from g = ∂out, the ops' bits. */
  causalAttentionHeadsBackward?(
    q: Storage,
    k: Storage,
    v: Storage,
    p: Storage,
    g: Storage,
    dq: Storage,
    dk: Storage,
    dv: Storage,
    shape: HeadsShape,
    scale: number,
    rope?: HeadsRopeStorage,
  ): void;
  /** Optional (the CPU's): swiglu that also writes σ(gate) to sig (float64), so that the backward needs no exp. */
  swigluKeep?(gate: Storage, up: Storage, out: Storage, sig: Storage): void;
  /** swigluBackward with the σ(gate) that swigluKeep kept. */
  swigluBackwardKept?(gate: Storage, up: Storage, sig: Storage, g: Storage, dGate: Storage, dUp: Storage): void;
  /**
   * Optional (the CPU's): swigluKeep with each row of n times w[row], out = (SiLU(gate) ⊙ up) ⊙ w (the MoE combine
   * weight folded in), the bits of swiglu then a row-broadcast mul. Without it the two ops run.
   */
  swigluScaledKeep?(gate: Storage, up: Storage, w: Storage, out: Storage, sig: Storage, n: number): void;
  /** Its backward: dGate, dUp = swigluBackwardKept of g ⊙ w;  dw[r] = Σ_j g[r, j]·(SiLU(gate) ⊙ up)[r, j]. */
  swigluScaledBackwardKept?(
    gate: Storage,
    up: Storage,
    w: Storage,
    sig: Storage,
    g: Storage,
    dGate: Storage,
    dUp: Storage,
    dw: Storage,
    n: number,
  ): void;
  /**
   * log p(target) per row of x [rows, n]: out[r] = logSoftmax(x)[r, targets[r]]; lse (float64 [rows]) receives
   * each row's log Σ exp for the backward. Optional (the CPU's): without it the composed ops run.
   */
  logSoftmaxTake?(x: Storage, targets: Storage, out: Storage, lse: Storage, rows: number, n: number): void;
  /** Its backward: gx[r, j] = [j = targets[r]]·g[r] − softmax(x)[r, j]·g[r], in one pass. */
  logSoftmaxTakeBackward?(
    x: Storage,
    targets: Storage,
    lse: Storage,
    g: Storage,
    gx: Storage,
    rows: number,
    n: number,
  ): void;
  /** One AdamW step in place on param, m, v (decoupled weight decay, bias-corrected moments). */
  adamw(param: Storage, grad: Storage, m: Storage, v: Storage, h: AdamWHyper): void;
}
