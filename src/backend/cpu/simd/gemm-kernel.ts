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
// TINYSEEK_GEMM=f64). Float32 operands may also be read where they lie, unpacked, and C written as the result's
// rows (emitGemm's strides): the same loads and sums at other addresses, so the same bits. The relaxed float32
// tile (opt-in) adds each product with one f32x4.relaxed_madd, rounded once where the machine fuses: other bits.
import { FunctionBody, emitModule } from './wasm-emitter.ts';

export interface GemmTile {
  /** Rows of A per register tile. */
  mr: number;
  /** Columns of B per register tile (a multiple of 2: f64x2 lanes). */
  nr: number;
  /** Also emit `gemmFma` (and `gemmRowsFma` for float32 tiles), with a relaxed multiply-add instead of mul then
   * add: float64 tiles use it for float32 operands only (the same bits); float32 tiles round each product-sum
   * once where the machine fuses, so their bits differ from the reference's (opt-in). */
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
 * gemm(aOff, bOff, cOff, k, panels, perBatch, aBatchBytes, bBatchBytes, cBatchBytes, ldc, start, end, group,
 *      aStep, aRow, aBlock, bStep, bPanel): the tiles of row blocks [start, end) of the flattened (batch entry,
 * row block) space, all panels each. Panels are visited `group` at a time, all row blocks per group, so that a
 * group of B stays in cache while the row blocks of A stream past it (each tile is still one sum over all of p,
 * so the order of tiles changes nothing in the result). Offsets and strides are in bytes; k ≥ 1 and
 * start < end are the caller's job.
 * Where the operands are: element (r, p) of row block ib at aOff + e·aBatch + ib·aBlock + p·aStep + r·aRow, and
 * element (p, c) of panel jb at bOff + e·bBatch + jb·bPanel + p·bStep + c·eb. Packed (simd-matmul.ts): aStep = mr·eb,
 * aRow = eb, aBlock = k·mr·eb, bStep = nr·eb, bPanel = k·nr·eb. A float32 operand read where it lies, unpacked:
 * A stored [m, k] has aStep = 4, aRow = 4k, aBlock = 4k·mr; stored [k, m] (transposed), aStep = 4m, aRow = 4,
 * aBlock = 4·mr; B stored [k, n] has bStep = 4n, bPanel = 4·nr. `rows` emits the form that reads aRow from its
 * argument (one address add per row and step); without it aRow is taken to be eb and its argument ignored.
 */
export function emitGemm(tile: GemmTile, fma = false, rows = false): FunctionBody {
  const { mr, nr } = tile;
  const eb = elemBytes(tile),
    f32 = eb === 4;
  const vecs = nr / (16 / eb);
  const f = new FunctionBody(new Array<'i32'>(18).fill('i32'));
  const [aOff, bOff, cOff, k, panels, perBatch, aBatch, bBatch, cBatch, ldc, start, end, group] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
  ];
  const [aStep, aRow, aBlock, bStep, bPanel] = [13, 14, 15, 16, 17];
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
    cAddr = f.local('i32'),
    bStart = f.local('i32');
  const g0 = f.local('i32'),
    gEnd = f.local('i32');
  const acc = Array.from({ length: mr * vecs }, () => f.local('v128'));
  const bv = Array.from({ length: vecs }, () => f.local('v128'));
  const av = f.local('v128');
  const aSpan = f.local('i32');
  // rowAt[r] = r·aRow, the byte offset of row r of a block from its row 0 (the `rows` form only)
  const rowAt = rows ? Array.from({ length: mr }, () => f.local('i32')) : [];
  for (let r = 1; r < rowAt.length; r++) f.get(aRow).i32(r).i32Mul().set(rowAt[r]!);

  // aSpan = k · aStep: from a block's step 0 to past its last step
  f.get(k).get(aStep).i32Mul().set(aSpan);
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
      // aPanel = aOff + e·aBatch + ib·aBlock
      f.get(aOff).get(e).get(aBatch).i32Mul().i32Add().get(ib).get(aBlock).i32Mul().i32Add().set(aPanel);
      // cRow = cOff + e·cBatch + ib·mr·ldc; the group's first tile is g0·nr·eb further
      f.get(cOff).get(e).get(cBatch).i32Mul().i32Add().get(ib).i32(mr).i32Mul().get(ldc).i32Mul().i32Add().set(cRow);
      f.get(cRow)
        .get(g0)
        .i32(nr * eb)
        .i32Mul()
        .i32Add()
        .set(cTile);
      // bStart = bOff + e·bBatch + g0·bPanel: the group's first panel
      f.get(bOff).get(e).get(bBatch).i32Mul().i32Add().get(g0).get(bPanel).i32Mul().i32Add().set(bStart);
      f.get(aPanel).get(aSpan).i32Add().set(aEnd);
      f.get(g0).set(jb);
      f.loop(); // over the group's column panels
      {
        for (const a of acc) f.v128Zero().set(a);
        f.get(aPanel).set(ap);
        f.get(bStart).set(bp);
        f.loop(); // over p
        {
          for (let c = 0; c < vecs; c++)
            f.get(bp)
              .v128Load(c * 16)
              .set(bv[c]!);
          for (let r = 0; r < mr; r++) {
            if (rows && r > 0) f.get(ap).get(rowAt[r]!).i32Add();
            else f.get(ap);
            if (f32) f.v128Load32Splat(rows ? 0 : r * 4).set(av);
            else f.v128Load64Splat(rows ? 0 : r * 8).set(av);
            for (let c = 0; c < vecs; c++) {
              const t = acc[r * vecs + c]!;
              if (f32 && fma) f.get(av).get(bv[c]!).get(t).f32x4RelaxedMadd().set(t);
              else if (f32) f.get(t).get(av).get(bv[c]!).f32x4Mul().f32x4Add().set(t);
              else if (fma) f.get(av).get(bv[c]!).get(t).f64x2RelaxedMadd().set(t);
              else f.get(t).get(av).get(bv[c]!).f64x2Mul().f64x2Add().set(t);
            }
          }
          f.get(bp).get(bStep).i32Add().set(bp);
          f.get(ap).get(aStep).i32Add().tee(ap).get(aEnd).i32LtU().brIf(0);
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
        f.get(bStart).get(bPanel).i32Add().set(bStart);
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
 * One product of a single matrix (no batch) as a call of an instantiated `gemm` or `gemmRows`: the row blocks
 * [from, to) of C at c (rows ldc bytes apart), all `panels` panels in one group, the operands where `a` and `b`
 * say, with emitGemm's strides (bytes). Named fields for the one-thread kernels that drive the GEMM themselves.
 */
export interface SingleProduct {
  a: number;
  b: number;
  c: number;
  k: number;
  panels: number;
  ldc: number;
  from: number;
  to: number;
  aStep: number;
  aRow: number;
  aBlock: number;
  bStep: number;
  bPanel: number;
}

export function gemmSingle(gemm: (...args: number[]) => void, p: SingleProduct): void {
  // perBatch = to: every block of the call is batch entry 0
  gemm(
    p.a,
    p.b,
    p.c,
    p.k,
    p.panels,
    p.to,
    0,
    0,
    0,
    p.ldc,
    p.from,
    p.to,
    p.panels,
    p.aStep,
    p.aRow,
    p.aBlock,
    p.bStep,
    p.bPanel,
  );
}

/**
 * pack(src, dst, rows, w, k, sRow, sP): one packed block of float32 source rows as float64 (as float32 when
 * `f32`): dst[p·w + r] = src[r·sRow + p·sP] for r < rows, 0 for rows ≤ r < w (byte strides; rows, k ≥ 1).
 * A row block of op(A) and a column panel of op(B) are both this, with their own strides. With `f32`, a full
 * block (rows = w, w a multiple of 4) goes four values to a load: copied when its w values per p are adjacent
 * (sRow = 4: a panel of B, or a row block of a transposed A), transposed 4×4 at a time when its p values are
 * (sP = 4: a row block of A, or a panel of a transposed B; the last k mod 4 steps of p one by one).
 */
export function emitPack(f32 = false): FunctionBody {
  const eb = f32 ? 4 : 8;
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [src, dst, rows, w, k, sRow, sP] = [0, 1, 2, 3, 4, 5, 6];
  const p = f.local('i32'),
    r = f.local('i32'),
    s = f.local('i32');
  if (f32) emitPackTransposed(f, src, dst, rows, w, k, sRow, sP, p, r, s);
  f.block(); // the element-by-element loop follows this block; the vector path returns
  if (f32) {
    // sRow ≠ 4, a partial block or w not a multiple of 4: take the element-by-element loop.
    f.get(sRow).i32(4).i32Ne().get(rows).get(w).i32Ne().i32Or().get(w).i32(3).i32And().i32Or().brIf(0);
    f.loop(); // over p
    {
      f.get(src).set(s).i32(0).set(r);
      f.loop(); // over r, four at a time
      f.get(dst).get(s).v128Load().v128Store();
      f.get(dst).i32(16).i32Add().set(dst).get(s).i32(16).i32Add().set(s);
      f.get(r).i32(4).i32Add().tee(r).get(w).i32LtU().brIf(0);
      f.end();
      f.get(src).get(sP).i32Add().set(src);
      f.get(p).i32(1).i32Add().tee(p).get(k).i32LtU().brIf(0);
    }
    f.end();
    f.return_();
  }
  f.end();
  f.block().get(p).get(k).i32GeU().brIf(0); // the steps of p the transposing path left, if any
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
  f.end();
  return f;
}

/**
 * pack's transposing path for a full float32 block with adjacent p values (sP = 4): for each group of four
 * steps of p and four rows, load the rows' four values (one vector each), transpose them with shuffles, and
 * store four vectors, one per step. It leaves p, src and dst past the steps done (p = 0: not taken).
 */
function emitPackTransposed(
  f: FunctionBody,
  src: number,
  dst: number,
  rows: number,
  w: number,
  k: number,
  sRow: number,
  sP: number,
  p: number,
  r: number,
  s: number,
): void {
  const x = Array.from({ length: 4 }, () => f.local('v128')),
    t = Array.from({ length: 4 }, () => f.local('v128'));
  const d = f.local('i32');
  f.block();
  {
    // sP ≠ 4, a partial block, w not a multiple of 4 or k < 4: not taken.
    f.get(sP).i32(4).i32Ne().get(rows).get(w).i32Ne().i32Or().get(w).i32(3).i32And().i32Or();
    f.get(k).i32(4).i32LtU().i32Or().brIf(0);
    f.loop(); // over p, four at a time
    {
      f.i32(0).set(r);
      f.loop(); // over r, four at a time
      {
        // x[i] = the values of row r + i at p..p+3
        f.get(src).get(r).get(sRow).i32Mul().i32Add().set(s);
        for (let i = 0; i < 4; i++) {
          f.get(s).v128Load().set(x[i]!);
          if (i < 3) f.get(s).get(sRow).i32Add().set(s);
        }
        // t[0] = (x0[0] x1[0] x0[1] x1[1]), t[1] = (x0[2] x1[2] x0[3] x1[3]), t[2], t[3] the same of x2, x3
        for (const [o, a, lanes] of [
          [0, 0, [0, 4, 1, 5]],
          [1, 0, [2, 6, 3, 7]],
          [2, 2, [0, 4, 1, 5]],
          [3, 2, [2, 6, 3, 7]],
        ] as const)
          f.get(x[a]!)
            .get(x[a + 1]!)
            .f32x4Shuffle(lanes)
            .set(t[o]!);
        // step p + q: the four rows' values, stored at dst + q·w·4 + r·4
        f.get(dst).get(r).i32(4).i32Mul().i32Add().set(d);
        for (let q = 0; q < 4; q++) {
          const [a, lanes] = q % 2 === 0 ? ([q >> 1, [0, 1, 4, 5]] as const) : ([q >> 1, [2, 3, 6, 7]] as const);
          f.get(d)
            .get(t[a]!)
            .get(t[a + 2]!)
            .f32x4Shuffle(lanes)
            .v128Store();
          if (q < 3) f.get(d).get(w).i32(4).i32Mul().i32Add().set(d);
        }
        f.get(r).i32(4).i32Add().tee(r).get(w).i32LtU().brIf(0);
      }
      f.end();
      f.get(src).i32(16).i32Add().set(src);
      f.get(dst).get(w).i32(16).i32Mul().i32Add().set(dst);
      f.get(p).i32(4).i32Add().tee(p).i32(4).i32Add().get(k).i32LeU().brIf(0); // while p + 4 ≤ k
    }
    f.end();
  }
  f.end();
}

/**
 * unpack(src, dst, rows, n, ldc): dst[i·n + j] = float32(src[i·ldc + j]) for i < rows, j < n (rows, n ≥ 1);
 * src holds float64, or float32 when `f32` (copied four values to a load, then one by one past the last four).
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
    if (f32) {
      f.block().get(n).i32(4).i32LtU().brIf(0); // fewer than four columns: the one-by-one loop only
      f.loop().get(dst).get(s).v128Load().v128Store();
      f.get(dst).i32(16).i32Add().set(dst).get(s).i32(16).i32Add().set(s);
      f.get(j).i32(4).i32Add().tee(j).i32(4).i32Add().get(n).i32LeU().brIf(0); // while j + 4 ≤ n
      f.end().end();
      f.block().get(j).get(n).i32GeU().brIf(0); // nothing left past the last four
    }
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
    if (f32) f.end();
    f.get(src).get(ldc).i32Add().set(src);
    f.get(i).i32(1).i32Add().tee(i).get(rows).i32LtU().brIf(0);
  }
  f.end();
  return f;
}

/**
 * The kernel module's bytes for one tile shape over a memory of at most `maxPages` 64 KiB pages, shared (for
 * worker threads) unless `shared` is false. A module holding a relaxed instruction fails to validate where
 * relaxed SIMD is off, so it is opt-in.
 */
export function gemmModule(tile: GemmTile, maxPages: number, shared = true): Uint8Array {
  const fns = [
    { name: 'gemm', body: emitGemm(tile) },
    { name: 'pack', body: emitPack(tile.acc === 'f32') },
    { name: 'unpack', body: emitUnpack(tile.acc === 'f32') },
  ];
  if (tile.acc === 'f32') fns.push({ name: 'gemmRows', body: emitGemm(tile, false, true) });
  if (tile.relaxed) fns.push({ name: 'gemmFma', body: emitGemm(tile, true) });
  if (tile.relaxed && tile.acc === 'f32') fns.push({ name: 'gemmRowsFma', body: emitGemm(tile, true, true) });
  return emitModule(fns, { initialPages: 1, maxPages, shared });
}
