// The register-tiled GEMM micro-kernel, emitted as WebAssembly SIMD by TypeScript.
//
//   C[i, j] = Σ_p A[i, p] · B[p, j],  each sum in order p = 0..k−1 — the CPU reference's semantics
//   (../matmul.ts) for either `Accumulate`, so this kernel gives the reference's bits exactly.
//
// Operands arrive packed as float64 (see simd-matmul.ts): A in row blocks of MR rows, [p][MR] contiguous,
// B in column panels of NR columns, [p][NR] contiguous. For each (row block, panel) the kernel keeps an
// MR×NR tile of C in MR·NR/2 f64x2 registers, and each step of p splats one A value per row and loads NR/2
// vectors of B: one multiply then one add per pair of lanes (or one relaxed multiply-add, opt-in: for f32
// inputs the product of two f32 values is exact in f64, so fused and unfused give the same bits).
// The tile is written to a float64 C whose rows are `ldc` bytes apart. Threads split the row blocks.
//
// Float32 accumulation (`acc: 'f32'`, the default for float32 operands): the same loops over f32x4 lanes,
// operands packed as float32 and each product and partial sum rounded to float32, still in order p = 0..k−1.
// Twice the lanes per instruction and half the bytes of the float64 tile (kept for float64 operands and
// TINYSEEK_GEMM=f64).
import { FunctionBody, emitModule } from './wasm-emitter.ts';

export interface GemmTile {
  /** Rows of A per register tile. */
  mr: number;
  /** Columns of B per register tile (a multiple of 2: f64x2 lanes). */
  nr: number;
  /** Also emit `gemmFma`, with f64x2.relaxed_madd instead of mul then add (float32 operands only). */
  relaxed: boolean;
  /** Accumulator lanes: float64 (f64x2) or float32 (f32x4; nr a multiple of 4). Default float64. */
  acc?: 'f64' | 'f32';
}

export const DEFAULT_TILE: GemmTile = { mr: 4, nr: 4, relaxed: false };
/** The float32 tile: 4×8, eight f32x4 accumulators. */
export const F32_TILE: GemmTile = { mr: 4, nr: 8, relaxed: false, acc: 'f32' };

/** Bytes per packed element: 8 for float64 accumulation, 4 for float32. */
export const elemBytes = (tile: GemmTile): number => (tile.acc === 'f32' ? 4 : 8);

/**
 * gemm(aOff, bOff, cOff, k, panels, perBatch, aBatchBytes, bBatchBytes, cBatchBytes, ldc, start, end, group):
 * the tiles of row blocks [start, end) of the flattened (batch entry, row block) space, all panels each.
 * Panels are visited `group` at a time, all row blocks per group, so that a group of packed B stays in
 * cache while the row blocks of A stream past it (each tile is still one sum over all of p, so the order of
 * tiles changes nothing in the result). Offsets and strides are in bytes; k ≥ 1 and start < end are the
 * caller's job.
 */
export function emitGemm(tile: GemmTile, fma = false): FunctionBody {
  const { mr, nr } = tile;
  const eb = elemBytes(tile),
    f32 = eb === 4;
  const vecs = nr / (16 / eb);
  const f = new FunctionBody([
    'i32',
    'i32',
    'i32',
    'i32',
    'i32',
    'i32',
    'i32',
    'i32',
    'i32',
    'i32',
    'i32',
    'i32',
    'i32',
  ]);
  const [aOff, bOff, cOff, k, panels, perBatch, aBatch, bBatch, cBatch, ldc, start, end, group] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
  ];
  const blk = f.local('i32'),
    e = f.local('i32'),
    ib = f.local('i32');
  const aPanel = f.local('i32'),
    cRow = f.local('i32'),
    bp = f.local('i32'),
    ap = f.local('i32'),
    aEnd = f.local('i32');
  const jb = f.local('i32'),
    cTile = f.local('i32'),
    cAddr = f.local('i32');
  const g0 = f.local('i32'),
    gEnd = f.local('i32');
  const acc = Array.from({ length: mr * vecs }, () => f.local('v128'));
  const bv = Array.from({ length: vecs }, () => f.local('v128'));
  const av = f.local('v128');
  const aBlockBytes = f.local('i32'),
    bPanelBytes = f.local('i32');

  // aBlockBytes = k · mr · eb and bPanelBytes = k · nr · eb: one packed row block of A, one panel of B.
  f.get(k)
    .i32(mr * eb)
    .i32Mul()
    .set(aBlockBytes);
  f.get(k)
    .i32(nr * eb)
    .i32Mul()
    .set(bPanelBytes);
  f.i32(0).set(g0);
  f.loop(); // over groups of panels
  {
    // gEnd = min(g0 + group, panels)
    f.get(g0).get(group).i32Add().tee(gEnd).get(panels).get(gEnd).get(panels).i32LtU().select().set(gEnd);
    f.get(start).set(blk);
    f.loop(); // over row blocks
    {
      // e = blk / perBatch; ib = blk − e·perBatch
      f.get(blk).get(perBatch).i32DivU().tee(e).get(perBatch).i32Mul().set(ib);
      f.get(blk).get(ib).i32Sub().set(ib);
      // aPanel = aOff + e·aBatch + ib·aBlockBytes
      f.get(aOff).get(e).get(aBatch).i32Mul().i32Add().get(ib).get(aBlockBytes).i32Mul().i32Add().set(aPanel);
      // cRow = cOff + e·cBatch + ib·mr·ldc; the group's first tile is g0·nr·eb further
      f.get(cOff).get(e).get(cBatch).i32Mul().i32Add().get(ib).i32(mr).i32Mul().get(ldc).i32Mul().i32Add().set(cRow);
      f.get(cRow)
        .get(g0)
        .i32(nr * eb)
        .i32Mul()
        .i32Add()
        .set(cTile);
      // bp = bOff + e·bBatch + g0·bPanelBytes (the panels follow one another, so bp runs on from panel to panel)
      f.get(bOff).get(e).get(bBatch).i32Mul().i32Add().get(g0).get(bPanelBytes).i32Mul().i32Add().set(bp);
      f.get(aPanel).get(aBlockBytes).i32Add().set(aEnd);
      f.get(g0).set(jb);
      f.loop(); // over the group's column panels
      {
        for (const a of acc) f.v128Zero().set(a);
        f.get(aPanel).set(ap);
        f.loop(); // over p
        {
          for (let c = 0; c < vecs; c++)
            f.get(bp)
              .v128Load(c * 16)
              .set(bv[c]!);
          for (let r = 0; r < mr; r++) {
            if (f32)
              f.get(ap)
                .v128Load32Splat(r * 4)
                .set(av);
            else
              f.get(ap)
                .v128Load64Splat(r * 8)
                .set(av);
            for (let c = 0; c < vecs; c++) {
              const t = acc[r * vecs + c]!;
              if (f32) f.get(t).get(av).get(bv[c]!).f32x4Mul().f32x4Add().set(t);
              else if (fma) f.get(av).get(bv[c]!).get(t).f64x2RelaxedMadd().set(t);
              else f.get(t).get(av).get(bv[c]!).f64x2Mul().f64x2Add().set(t);
            }
          }
          f.get(bp)
            .i32(nr * eb)
            .i32Add()
            .set(bp);
          f.get(ap)
            .i32(mr * eb)
            .i32Add()
            .tee(ap)
            .get(aEnd)
            .i32LtU()
            .brIf(0);
        }
        f.end();
        // Store the tile: row r at cTile + r·ldc.
        f.get(cTile).set(cAddr);
        for (let r = 0; r < mr; r++) {
          for (let c = 0; c < vecs; c++)
            f.get(cAddr)
              .get(acc[r * vecs + c]!)
              .v128Store(c * 16);
          if (r + 1 < mr) f.get(cAddr).get(ldc).i32Add().set(cAddr);
        }
        f.get(cTile)
          .i32(nr * eb)
          .i32Add()
          .set(cTile);
        f.get(jb).i32(1).i32Add().tee(jb).get(gEnd).i32LtU().brIf(0);
      }
      f.end();
      f.get(blk).i32(1).i32Add().tee(blk).get(end).i32LtU().brIf(0);
    }
    f.end();
    f.get(gEnd).tee(g0).get(panels).i32LtU().brIf(0);
  }
  f.end();
  return f;
}

/**
 * pack(src, dst, rows, w, k, sRow, sP): one packed block of float32 source rows as float64 (as float32 when
 * `f32`): dst[p·w + r] = src[r·sRow + p·sP] for r < rows, 0 for rows ≤ r < w (byte strides; rows, k ≥ 1).
 * A row block of op(A) and a column panel of op(B) are both this, with their own strides.
 */
export function emitPack(f32 = false): FunctionBody {
  const eb = f32 ? 4 : 8;
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [src, dst, rows, w, k, sRow, sP] = [0, 1, 2, 3, 4, 5, 6];
  const p = f.local('i32'),
    r = f.local('i32'),
    s = f.local('i32');
  f.loop(); // over p
  {
    f.get(src).set(s).i32(0).set(r);
    f.loop(); // r < rows: copy
    if (f32) f.get(dst).get(s).f32Load().f32Store();
    else f.get(dst).get(s).f32Load().f64PromoteF32().f64Store();
    f.get(dst).i32(eb).i32Add().set(dst).get(s).get(sRow).i32Add().set(s);
    f.get(r).i32(1).i32Add().tee(r).get(rows).i32LtU().brIf(0);
    f.end();
    f.block().get(r).get(w).i32GeU().brIf(0); // rows ≤ r < w: zeros
    if (f32) f.loop().get(dst).f32Zero().f32Store().get(dst).i32(eb).i32Add().set(dst);
    else f.loop().get(dst).f64Zero().f64Store().get(dst).i32(eb).i32Add().set(dst);
    f.get(r).i32(1).i32Add().tee(r).get(w).i32LtU().brIf(0).end();
    f.end();
    f.get(src).get(sP).i32Add().set(src);
    f.get(p).i32(1).i32Add().tee(p).get(k).i32LtU().brIf(0);
  }
  f.end();
  return f;
}

/**
 * unpack(src, dst, rows, n, ldc): dst[i·n + j] = float32(src[i·ldc + j]) for i < rows, j < n (rows, n ≥ 1);
 * src holds float64, or float32 when `f32`.
 */
export function emitUnpack(f32 = false): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32']);
  const [src, dst, rows, n, ldc] = [0, 1, 2, 3, 4];
  const i = f.local('i32'),
    j = f.local('i32'),
    s = f.local('i32');
  f.loop();
  {
    f.get(src).set(s).i32(0).set(j);
    if (f32) f.loop().get(dst).get(s).f32Load().f32Store();
    else f.loop().get(dst).get(s).f64Load().f32DemoteF64().f32Store();
    f.get(dst)
      .i32(4)
      .i32Add()
      .set(dst)
      .get(s)
      .i32(f32 ? 4 : 8)
      .i32Add()
      .set(s);
    f.get(j).i32(1).i32Add().tee(j).get(n).i32LtU().brIf(0).end();
    f.get(src).get(ldc).i32Add().set(src);
    f.get(i).i32(1).i32Add().tee(i).get(rows).i32LtU().brIf(0);
  }
  f.end();
  return f;
}

/**
 * The kernel module's bytes for one tile shape over a shared memory of at most `maxPages` 64 KiB pages.
 * A module holding a relaxed instruction fails to validate where relaxed SIMD is off, so it is opt-in.
 */
export function gemmModule(tile: GemmTile, maxPages: number): Uint8Array {
  const fns = [
    { name: 'gemm', body: emitGemm(tile) },
    { name: 'pack', body: emitPack(tile.acc === 'f32') },
    { name: 'unpack', body: emitUnpack(tile.acc === 'f32') },
  ];
  if (tile.relaxed && tile.acc !== 'f32') fns.push({ name: 'gemmFma', body: emitGemm(tile, true) });
  return emitModule(fns, { initialPages: 1, maxPages, shared: true });
}
