// The grouped matmul of the sparse MoE (core/ops/grouped.ts) in one call: every group's product over one
// memory, with the float32 GEMM emitted for the matmul (gemm-kernel.ts), instead of one `matmulAt` per group
// with its own copies in and out. Rows o_g..o_{g+1}−1 belong to group g; with W [G, out, in]:
//   forward  Y[o_g:] = X[o_g:]·W_gᵀ       dx  ∂X[o_g:] = ∂Y[o_g:]·W_g       dw  ∂W_g = ∂Y[o_g:]ᵀ·X[o_g:]
// Each product is the kernel's sum in order p = 0..k−1, as `matmulAt`'s, so the same bits. The rows of a group
// are read where they lie; a group whose rows are not a whole number of the tile's row blocks computes its last
// block with the next rows too, whose results the next group (taken in order) overwrites, or past the last row,
// into slack (a tile's rows are independent sums). A group without rows has ∂W_g = 0.
import { KernelMemory } from './kernel-memory.ts';
import { emitGemm, emitPack, F32_TILE, gemmSingle } from './gemm-kernel.ts';

const { mr: MR, nr: NR } = F32_TILE;

export type GroupedKind = 'forward' | 'dx' | 'dw';

/** Rows M, group count G, and each group's weight [out, in]. */
export interface GroupedShape {
  M: number;
  G: number;
  inDim: number;
  outDim: number;
}

type Fn = (...args: number[]) => void;

export class SimdGrouped {
  private readonly memory = new KernelMemory();
  private readonly fns = this.memory.instantiate([
    { name: 'gemm', body: emitGemm(F32_TILE) },
    { name: 'gemmRows', body: emitGemm(F32_TILE, false, true) },
    { name: 'pack', body: emitPack(true) },
  ]) as Record<'gemm' | 'gemmRows' | 'pack', Fn>;

  /** Whole column panels: in and out multiples of the tile's NR (and so of its MR). */
  static takes({ M, G, inDim, outDim }: GroupedShape): boolean {
    return M > 0 && G > 0 && inDim % NR === 0 && outDim % NR === 0 && inDim > 0 && outDim > 0 && NR % MR === 0;
  }

  /**
   * The product `kind` (see above) of a and b into c: forward a = X [M, in], b = W, c = Y [M, out]; dx a = ∂Y,
   * b = W, c = ∂X; dw a = ∂Y, b = X, c = ∂W [G, out, in]. False, with nothing written, where it does not take the
   * shapes or they do not fit the memory.
   */
  run(kind: GroupedKind, a: Float32Array, b: Float32Array, c: Float32Array, offsets: Int32Array, s: GroupedShape) {
    if (!SimdGrouped.takes(s)) return false;
    const { M, G, inDim, outDim } = s,
      slack = M + MR,
      wSize = outDim * inDim;
    const [aLen, bLen, cLen] =
      kind === 'forward'
        ? [M * inDim, G * wSize, M * outDim]
        : kind === 'dx'
          ? [M * outDim, G * wSize, M * inDim]
          : [M * outDim, M * inDim, G * wSize];
    const aRow = kind === 'forward' ? inDim : outDim,
      cRow = kind === 'dx' ? inDim : outDim;
    // A and C with MR rows of slack (a last partial row block); one group's packed Wᵀ for the forward.
    const call = this.memory.call([
      4 * slack * aRow,
      4 * Math.max(bLen, slack * inDim),
      4 * Math.max(cLen, slack * cRow),
      4 * wSize,
    ]);
    if (!call) return false;
    const [aAt, bAt] = [call.in(0, a.subarray(0, aLen)), call.in(1, b.subarray(0, bLen))];
    // C in place has no slack rows: a last row block that would run past row M goes to scratch, and its rows in.
    const cAt = call.out(2, c.subarray(0, cLen), 4 * cLen),
      tailAt = call.at[2]!,
      cInPlace = cAt !== tailAt;
    const panelsAt = call.at[3]!;
    const { gemm, gemmRows, pack } = this.fns;
    /** Row blocks [0, blocks) of the group from row o, through `gemm(cBase, from, to)` with block 0 at cBase: into C,
     * but a last block that runs past row M (C in place) into scratch, whose rows before M are then copied in. */
    const byBlocks = (o: number, blocks: number, gemmRun: (cBase: number, from: number, to: number) => void) => {
      const spill = cInPlace && o + blocks * MR > M;
      if (!spill || blocks > 1) gemmRun(cAt + 4 * o * cRow, 0, spill ? blocks - 1 : blocks); // (the gemm takes no empty range)
      if (!spill) return;
      const first = o + (blocks - 1) * MR; // the tail block's first row
      gemmRun(tailAt - 4 * (blocks - 1) * MR * cRow, blocks - 1, blocks);
      c.set(this.memory.f32(tailAt, (M - first) * cRow), first * cRow);
    };
    for (let g = 0; g < G; g++) {
      const o = offsets[g]!,
        m = offsets[g + 1]! - o,
        blocks = Math.ceil(m / MR);
      if (kind === 'dw') {
        const cG = cAt + 4 * g * wSize;
        if (m === 0) this.memory.f32(cG, wSize).fill(0);
        // ∂W_g [out, in]: A (i, p) = ∂Y[o + p, i] (transposed, read where it lies), B = X[o:] [m, in]
        else
          gemmSingle(gemm, {
            a: aAt + 4 * o * outDim,
            b: bAt + 4 * o * inDim,
            c: cG,
            k: m,
            panels: inDim / NR,
            ldc: 4 * inDim,
            from: 0,
            to: outDim / MR,
            aStep: 4 * outDim,
            aRow: 4,
            aBlock: 4 * MR,
            bStep: 4 * inDim,
            bPanel: 4 * NR,
          });
        continue;
      }
      if (m === 0) continue;
      // forward: Y[o:] = X[o:]·W_gᵀ with W_gᵀ packed as column panels (panel jb: rows jb·NR.. of W_g, [p][NR]);
      // dx: ∂X[o:] = ∂Y[o:]·W_g, W_g stored [out, in] read where it lies as B [k, n]. A's rows are read where they lie.
      const fwd = kind === 'forward',
        k = fwd ? inDim : outDim,
        n = fwd ? outDim : inDim,
        w = bAt + 4 * g * wSize;
      if (fwd)
        for (let jb = 0; jb < outDim / NR; jb++)
          pack(w + 4 * jb * NR * inDim, panelsAt + 4 * jb * inDim * NR, NR, NR, inDim, 4 * inDim, 4);
      byBlocks(o, blocks, (cBase, from, to) =>
        gemmSingle(gemmRows, {
          a: aAt + 4 * o * k,
          b: fwd ? panelsAt : w,
          c: cBase,
          k,
          panels: n / NR,
          ldc: 4 * n,
          from,
          to,
          aStep: 4,
          aRow: 4 * k,
          aBlock: 4 * MR * k,
          bStep: fwd ? 4 * NR : 4 * n,
          bPanel: fwd ? 4 * k * NR : 4 * NR,
        }),
      );
    }
    call.finish();
    return true;
  }
}
