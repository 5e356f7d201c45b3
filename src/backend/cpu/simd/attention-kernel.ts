// Causal multi-head attention over heads laid out [B, T, H, D], forward and backward, as the WebAssembly of the
// float32 GEMM, the softmax and the softmax backward (gemm-kernel.ts, softmax-kernel.ts, rows-backward-kernel.ts)
// over one memory, driven head by head from here. Per (batch, head), with s = scale:
//   S = Q·Kᵀ,  P = softmax(s·S, causal),  O = P·V
//   dP = dO·Vᵀ,  dS = s·P ⊙ (dP − Σ_j dP_j P_j),  dQ = dS·K,  dK = dSᵀ·Q,  dV = Pᵀ·dO
// What the ops of core/ops/attention.ts do (two batched matmuls around causalSoftmax, with the head permutes
// before and after), and with their bits: each product is the same kernel's sum in order p = 0..k−1 from a zero,
// and the softmax and its backward are the same emitted functions. Three things are left out, none of which
// moves a bit of a finite result:
//   - the permutes: Q, K, V, O and their gradients are read and written where they lie, rows H·D apart;
//   - the tiles of S and dP wholly above the diagonal: the softmax and its backward (causal rows) read nothing
//     past a row's limit, where the ops' full rows add y = 0 times a finite dP, ±0, to the sum;
//   - the steps of p that multiply a masked zero (P = 0 above the diagonal, dS = ±0 there in the ops, +0 here):
//     a sum that starts at +0 and adds ±0 is unchanged, whatever their order (IEEE: x + ±0 = x, +0 + −0 = +0).
// So a non-finite V or dO is the one case the ops (0·∞ = NaN in a masked step) and this disagree on.
// RoPE ('half' layout) may ride along: Q and K arrive unturned and are turned into the kernel's scratch by
// rope-kernel.ts's function (forward, and again in the backward, which turns dQ and dK back in place before they
// leave): the rope op's bits.
import type { HeadsShape } from '../../backend.ts';
import { KernelMemory } from './kernel-memory.ts';
import { emitGemm, emitPack, F32_TILE, gemmSingle } from './gemm-kernel.ts';
import { emitSoftmaxBackward } from './rows-backward-kernel.ts';
import { emitRope } from './rope-kernel.ts';
import { emitSoftmax, PER_PASS } from './softmax-kernel.ts';

const { mr: MR, nr: NR } = F32_TILE;
/** Rows per call of the products: NR, so the causal panels of a call's rows are one count (rows g·NR.. need g+1). */
const GROUP = NR;

type Fn = (...args: number[]) => void;

/** RoPE to apply to Q and K first: a position per row of [B·T] and the tables' cos and sin [positions, D/2]. */
export interface HeadsRope {
  pos: Int32Array;
  cos: Float32Array;
  sin: Float32Array;
}

export class SimdAttention {
  private readonly memory = new KernelMemory();
  private readonly fns = this.memory.instantiate([
    { name: 'gemm', body: emitGemm(F32_TILE) },
    { name: 'gemmRows', body: emitGemm(F32_TILE, false, true) },
    { name: 'pack', body: emitPack(true) },
    { name: 'softmax', body: emitSoftmax() },
    { name: 'softmaxBackward', body: emitSoftmaxBackward() },
    { name: 'rope', body: emitRope() },
  ]) as Record<'gemm' | 'gemmRows' | 'pack' | 'softmax' | 'softmaxBackward' | 'rope', Fn>;

  /**
   * Whole tiles only: T and D multiples of the tile's NR (and so of MR); with RoPE, D/2 even (rope-kernel.ts) and
   * every position inside the tables.
   */
  static takes({ B, T, D }: HeadsShape, rope?: HeadsRope): boolean {
    if (!(T > 0 && D > 0 && T % NR === 0 && D % NR === 0 && NR % MR === 0)) return false;
    if (!rope) return true;
    const half = D / 2;
    return half % 2 === 0 && rope.pos.length >= B * T && tableRows(rope, B * T, half) >= 0;
  }

  /** The regions of a call for a shape, by name: the operands, the RoPE tables' rows in use, one head's scratch. */
  private call({ B, T, H, D }: HeadsShape, table = 0) {
    const n = 4 * B * T * H * D,
      head = 4 * T * T;
    const names = ['q', 'k', 'v', 'o', 'dq', 'dk', 'dv', 'p', 'pos', 'cos', 'sin', 'panels', 's', 'ds', 'rowScratch'];
    const call = this.memory.call([
      ...[n, n, n, n, n, n, n, 4 * B * H * T * T, 4 * B * T, 4 * table, 4 * table, 4 * T * D, head, head],
      8 * (Math.ceil(T / PER_PASS) + 1) * PER_PASS,
    ]);
    return call && { call, i: Object.fromEntries(names.map((name, i) => [name, i])) as Record<string, number> };
  }

  private tableOf(shape: HeadsShape, rope?: HeadsRope): number {
    return rope ? tableRows(rope, shape.B * shape.T, shape.D / 2) * (shape.D / 2) : 0;
  }

  /** Makes room for the forward and the backward of this shape; false where it does not fit. */
  fits(shape: HeadsShape, rope?: HeadsRope): boolean {
    return SimdAttention.takes(shape, rope) && this.call(shape, this.tableOf(shape, rope)) !== null;
  }

  /**
   * Places q, k and v (in place; under RoPE, q and k are turned from where they lie into their scratch) and
   * returns the call with the byte offsets of everything by name (scratch where an operand is not placed).
   */
  private place(q: Float32Array, k: Float32Array, v: Float32Array, shape: HeadsShape, rope?: HeadsRope) {
    const { B, T, H, D } = shape,
      n = B * T * H * D,
      table = this.tableOf(shape, rope);
    const { call, i } = this.call(shape, table)!; // `fits` made room
    const at: Record<string, number> = Object.fromEntries(Object.entries(i).map(([name, j]) => [name, call.at[j]!]));
    at.v = call.in(i.v!, v.subarray(0, n));
    if (rope) {
      const [qFrom, kFrom] = [call.in(i.q!, q.subarray(0, n)), call.in(i.k!, k.subarray(0, n))];
      at.pos = call.in(i.pos!, rope.pos.subarray(0, B * T));
      at.cos = call.in(i.cos!, rope.cos.subarray(0, table));
      at.sin = call.in(i.sin!, rope.sin.subarray(0, table));
      this.turn(at, qFrom, at.q!, shape, 1);
      this.turn(at, kFrom, at.k!, shape, 1);
    } else {
      at.q = call.in(i.q!, q.subarray(0, n));
      at.k = call.in(i.k!, k.subarray(0, n));
    }
    return { call, i, at };
  }

  /** Turns [B, T, H, D] at `from` by RoPE into `to` (sign −1: back; the same offset: in place). */
  private turn(at: Record<string, number>, from: number, to: number, { B, T, H, D }: HeadsShape, sign: number) {
    this.fns.rope(from, at.pos!, at.cos!, at.sin!, to, B * T, H, D / 2, sign);
  }

  /**
   * C [T, T] (rows 4T bytes apart) = X·Yᵀ on and below the diagonal, for one head's rows of X (H·D apart) and
   * Yᵀ packed (packTransposed): rows g·NR.. take panels 0..g, the rest lie above the diagonal.
   */
  private causalScores(x: number, panels: number, c: number, { T, H, D }: HeadsShape) {
    const row = 4 * H * D;
    for (let g = 0; g < T / GROUP; g++)
      gemmSingle(this.fns.gemmRows, {
        a: x,
        b: panels,
        c,
        k: D,
        panels: g + 1,
        ldc: 4 * T,
        from: (g * GROUP) / MR,
        to: ((g + 1) * GROUP) / MR,
        aStep: 4,
        aRow: row,
        aBlock: MR * row,
        bStep: 4 * NR,
        bPanel: 4 * D * NR,
      });
  }

  /**
   * C = A·Y for A [T, T] zero above the diagonal and one head's rows of Y and C (H·D apart): rows g·NR.. take the
   * steps p < (g + 1)·NR.
   */
  private causalTimesRows(a: number, y: number, c: number, { T, H, D }: HeadsShape) {
    const row = 4 * H * D;
    for (let g = 0; g < T / GROUP; g++)
      gemmSingle(this.fns.gemmRows, {
        a,
        b: y,
        c,
        k: (g + 1) * GROUP,
        panels: D / NR,
        ldc: row,
        from: (g * GROUP) / MR,
        to: ((g + 1) * GROUP) / MR,
        aStep: 4,
        aRow: 4 * T,
        aBlock: 4 * T * MR,
        bStep: row,
        bPanel: 4 * NR,
      });
  }

  /**
   * C = Aᵀ·Y for A [T, T] zero above the diagonal (read where it lies) and one head's rows of Y and C: rows g·NR..
   * of C (columns of A) take the steps p ≥ g·NR.
   */
  private causalTransposedTimesRows(a: number, y: number, c: number, { T, H, D }: HeadsShape) {
    const row = 4 * H * D;
    for (let g = 0; g < T / GROUP; g++) {
      const p0 = g * GROUP;
      gemmSingle(this.fns.gemm, {
        a: a + 4 * p0 * T,
        b: y + p0 * row,
        c,
        k: T - p0,
        panels: D / NR,
        ldc: row,
        from: p0 / MR,
        to: ((g + 1) * GROUP) / MR,
        aStep: 4 * T,
        aRow: 4,
        aBlock: 4 * MR,
        bStep: row,
        bPanel: 4 * NR,
      });
    }
  }

  /** Packs one head's rows of X (T rows, H·D apart) as the column panels of Xᵀ: panel jb is [p][NR]. */
  private packTransposed(src: number, dst: number, { T, H, D }: HeadsShape) {
    for (let jb = 0; jb < T / NR; jb++)
      this.fns.pack(src + jb * NR * 4 * H * D, dst + jb * D * NR * 4, NR, NR, D, 4 * H * D, 4);
  }

  /**
   * out = softmax(scale·Q·Kᵀ, causal)·V for q, k, v, out [B, T, H, D], q and k turned by `rope` first where given;
   * p [B, H, T, T] receives the probabilities where given. The caller checks `fits` first.
   */
  forward(
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    out: Float32Array,
    p: Float32Array | undefined,
    shape: HeadsShape,
    scale: number,
    rope?: HeadsRope,
  ): void {
    const { B, T, H, D } = shape,
      { call, i, at } = this.place(q, k, v, shape, rope),
      n = B * T * H * D;
    at.o = call.out(i.o!, out.subarray(0, n));
    if (p) at.p = call.out(i.p!, p.subarray(0, B * H * T * T));
    eachHead(shape, at.p!, (head, pHead) => {
      this.packTransposed(at.k! + head, at.panels!, shape);
      this.causalScores(at.q! + head, at.panels!, at.s!, shape);
      this.fns.softmax(at.s!, pHead, at.rowScratch!, T, T, scale, T, 0);
      this.causalTimesRows(pHead, at.v! + head, at.o! + head, shape);
    });
    call.finish();
  }

  /**
   * dq, dk, dv [B, T, H, D] from the forward's q, k, v (unturned, with the forward's `rope`), its p and g = ∂out.
   * The caller checked `fits`.
   */
  backward(
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    p: Float32Array,
    g: Float32Array,
    dq: Float32Array,
    dk: Float32Array,
    dv: Float32Array,
    shape: HeadsShape,
    scale: number,
    rope?: HeadsRope,
  ): void {
    const { B, T, H, D } = shape,
      { call, i, at } = this.place(q, k, v, shape, rope),
      n = B * T * H * D;
    at.o = call.in(i.o!, g.subarray(0, n)); // dO where O was
    at.p = call.in(i.p!, p.subarray(0, B * H * T * T));
    at.dq = call.out(i.dq!, dq.subarray(0, n));
    at.dk = call.out(i.dk!, dk.subarray(0, n));
    at.dv = call.out(i.dv!, dv.subarray(0, n));
    eachHead(shape, at.p!, (head, pHead) => {
      // dP = dO·Vᵀ on and below the diagonal (the softmax backward reads nothing above it)
      this.packTransposed(at.v! + head, at.panels!, shape);
      this.causalScores(at.o! + head, at.panels!, at.s!, shape);
      this.fns.softmaxBackward(pHead, at.s!, at.ds!, T, T, scale, T, 0);
      this.causalTimesRows(at.ds!, at.k! + head, at.dq! + head, shape);
      this.causalTransposedTimesRows(at.ds!, at.q! + head, at.dk! + head, shape);
      this.causalTransposedTimesRows(pHead, at.o! + head, at.dv! + head, shape);
    });
    if (rope) for (const x of [at.dq!, at.dk!]) this.turn(at, x, x, shape, -1);
    call.finish();
  }
}

/** For each (batch, head): the byte offset of its rows in a [B, T, H, D] operand and of its probabilities in p. */
function eachHead({ B, T, H, D }: HeadsShape, p: number, fn: (head: number, pHead: number) => void) {
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) fn(4 * (b * T * H * D + h * D), p + 4 * (b * H + h) * T * T);
}

/** Rows of the RoPE tables the positions use (the largest position + 1); −1 where one is outside them. */
function tableRows(rope: HeadsRope, rows: number, half: number): number {
  let last = -1;
  for (let r = 0; r < rows; r++) {
    const p = rope.pos[r]!;
    if (p < 0 || (p + 1) * half > rope.cos.length || (p + 1) * half > rope.sin.length) return -1;
    if (p > last) last = p;
  }
  return last + 1;
}
