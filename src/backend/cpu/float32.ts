// Float32 copies of the CPU backend's hottest generic loops (elementwise zips, scalar maps, strided copies).
//
// The generic kernels in cpu-backend.ts see Float32Array, Float64Array and Int32Array storage, so V8 compiles
// their element accesses polymorphic; a training step's tensors are all float32. These functions are only ever
// called with Float32Arrays, so they stay monomorphic (measured 2–5× faster per element on a lesson step's
// shapes). Each line computes exactly what the generic kernel's line computes: the same bits.
import type { BinaryOp, View } from '../backend.ts';
import type { SimdCopy } from './simd/copy-kernel.ts';
import { collapse, forEachRow } from './strided.ts';

/** out[i] = op(a[view a at i], b[view b at i]) over `aView.shape`; out is contiguous. */
export function binaryF32(
  op: BinaryOp,
  as: Float32Array,
  aView: View,
  bs: Float32Array,
  bView: View,
  os: Float32Array,
  oStrides: number[],
): void {
  const aArr = as,
    bArr = bs,
    oArr = os;
  forEachRow(aView.shape, [{ strides: oStrides, offset: 0 }, aView, bView], (off, len, inner) => {
    // Locals, not the enclosing function's parameters: V8 reloads captured variables on every element
    // (measured: a third slower per element).
    const as = aArr,
      bs = bArr,
      os = oArr;
    const o0 = off[0]!,
      a0 = off[1]!,
      b0 = off[2]!,
      sa = inner[1]!,
      sb = inner[2]!;
    switch (op) {
      case 'add':
        if (sa === 1 && sb === 1) for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i]! + bs[b0 + i]!;
        else for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i * sa]! + bs[b0 + i * sb]!;
        break;
      case 'sub':
        for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i * sa]! - bs[b0 + i * sb]!;
        break;
      case 'mul':
        if (sa === 1 && sb === 1) for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i]! * bs[b0 + i]!;
        else if (sa === 1 && sb === 0) {
          // a row times one number (a per-row weight broadcast along the row): read it once
          const bv = bs[b0]!;
          for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i]! * bv;
        } else for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i * sa]! * bs[b0 + i * sb]!;
        break;
      case 'div':
        for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i * sa]! / bs[b0 + i * sb]!;
        break;
      case 'max':
        for (let i = 0; i < len; i++) {
          const x = as[a0 + i * sa]!,
            y = bs[b0 + i * sb]!;
          os[o0 + i] = x >= y ? x : y;
        }
        break;
      case 'min':
        for (let i = 0; i < len; i++) {
          const x = as[a0 + i * sa]!,
            y = bs[b0 + i * sb]!;
          os[o0 + i] = x <= y ? x : y;
        }
        break;
      case 'eq':
        for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i * sa] === bs[b0 + i * sb] ? 1 : 0;
        break;
      case 'gt':
        for (let i = 0; i < len; i++) os[o0 + i] = as[a0 + i * sa]! > bs[b0 + i * sb]! ? 1 : 0;
        break;
    }
  });
}

/** The scalar maps a step runs most (scores·scale, gradient scaling, exp); false when `op` is another one. */
export function unaryF32(op: string, xs: Float32Array, os: Float32Array, scalar: number): boolean {
  const n = xs.length;
  switch (op) {
    case 'mulScalar':
      for (let i = 0; i < n; i++) os[i] = xs[i]! * scalar;
      return true;
    case 'addScalar':
      for (let i = 0; i < n; i++) os[i] = xs[i]! + scalar;
      return true;
    case 'exp':
      for (let i = 0; i < n; i++) os[i] = Math.exp(xs[i]!);
      return true;
    case 'neg':
      for (let i = 0; i < n; i++) os[i] = -xs[i]!;
      return true;
  }
  return false;
}

/**
 * Copy a strided view of src into a strided view of dst. Up to four dims after merging (collapse) run as plain
 * nested loops (attention's head permutes are rows of a head's 16 numbers, and a callback per row cost more than
 * the copy), or as WebAssembly (`simd`, copy-kernel.ts) when the target is contiguous.
 */
export function copyF32(src: Float32Array, srcView: View, dst: Float32Array, dstView: View, simd?: SimdCopy): void {
  const c = collapse(srcView.shape, [srcView.strides, dstView.strides]);
  if (c.shape.length > 4) return copyRows(src, srcView, dst, dstView);
  const pad = 4 - c.shape.length;
  const four = (xs: number[], none: number) =>
    [0, 1, 2, 3].map((d) => (d < pad ? none : xs[d - pad]!)) as [number, number, number, number];
  const [n0, n1, n2, n3] = four(c.shape, 1),
    [s0, s1, s2, s3] = four(c.strides[0]!, 0),
    [d0, d1, d2, d3] = four(c.strides[1]!, 0);
  // dst row-major in the iteration's order (a dim of size 1 may have any stride)
  const dense =
    d3 === 1 && (n2 === 1 || d2 === n3) && (n1 === 1 || d1 === n2 * n3) && (n0 === 1 || d0 === n1 * n2 * n3);
  const o0 = dstView.offset;
  if (simd && dense && simd.run(src, { n: [n0, n1, n2, n3], s: [s0, s1, s2, s3], srcOffset: srcView.offset }, dst, o0))
    return;
  const contiguous = s3 === 1 && d3 === 1;
  for (let i0 = 0; i0 < n0; i0++)
    for (let i1 = 0; i1 < n1; i1++)
      for (let i2 = 0; i2 < n2; i2++) {
        const s = srcView.offset + i0 * s0 + i1 * s1 + i2 * s2,
          o = o0 + i0 * d0 + i1 * d1 + i2 * d2;
        if (contiguous && n3 >= 256) dst.set(src.subarray(s, s + n3), o);
        else if (contiguous) for (let i = 0; i < n3; i++) dst[o + i] = src[s + i]!;
        else for (let i = 0; i < n3; i++) dst[o + i * d3] = src[s + i * s3]!;
      }
}

/**
 * The backend's row gather and scatter-add for float32 rows, shape [outer, n, count, inner, idxOuterStride]:
 * out row (r, j) = src row (r, idx[r, j]), and dst row (r, idx[r, j]) += src row (r, j) in j's order. The MoE's
 * token gather and its add-back run them on 64-wide rows, each twice a step (forward and backward).
 */
export function gatherF32(s: Float32Array, ix: Int32Array, o: Float32Array, shape: RowsShape): void {
  const [outer, n, count, inner, idxOuterStride] = shape;
  for (let r = 0; r < outer; r++)
    for (let j = 0; j < count; j++) {
      const from = (r * n + rowIndex(ix, r * idxOuterStride + j, n, 'gather')) * inner,
        to = (r * count + j) * inner;
      // A short row (a routing weight, a picked score) is copied by hand: a subarray per row costs more.
      if (inner >= 32) o.set(s.subarray(from, from + inner), to);
      else for (let i = 0; i < inner; i++) o[to + i] = s[from + i]!;
    }
}

/** dst row (r, idx[r, j]) += src row (r, j): see gatherF32. */
export function scatterAddF32(o: Float32Array, ix: Int32Array, s: Float32Array, shape: RowsShape): void {
  const [outer, n, count, inner, idxOuterStride] = shape;
  for (let r = 0; r < outer; r++)
    for (let j = 0; j < count; j++) {
      const to = (r * n + rowIndex(ix, r * idxOuterStride + j, n, 'scatterAdd')) * inner,
        from = (r * count + j) * inner;
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        // four a pass: a third faster than one on the MoE's 64-wide rows (the same adds in the same order)
        o[to + i] = o[to + i]! + s[from + i]!;
        o[to + i + 1] = o[to + i + 1]! + s[from + i + 1]!;
        o[to + i + 2] = o[to + i + 2]! + s[from + i + 2]!;
        o[to + i + 3] = o[to + i + 3]! + s[from + i + 3]!;
      }
      for (; i < inner; i++) o[to + i] = o[to + i]! + s[from + i]!;
    }
}

/** [outer, n, count, inner, idxOuterStride]. */
export type RowsShape = [number, number, number, number, number];

/** ix[at], checked to lie in [0, n). */
export function rowIndex(ix: Int32Array, at: number, n: number, op: string): number {
  const id = ix[at]!;
  if (id < 0 || id >= n) throw new RangeError(`${op}: index ${id} out of range [0, ${n})`);
  return id;
}

/** copyF32 for views of more than four dims (after merging): one callback per innermost row. */
function copyRows(src: Float32Array, srcView: View, dst: Float32Array, dstView: View): void {
  forEachRow(srcView.shape, [srcView, dstView], (off, len, inner) => {
    const s = src,
      o = dst; // locals: see binaryF32
    const s0 = off[0]!,
      d0 = off[1]!,
      ss = inner[0]!,
      ds = inner[1]!;
    if (ss === 1 && ds === 1) {
      if (len >= 256) o.set(s.subarray(s0, s0 + len), d0);
      else for (let i = 0; i < len; i++) o[d0 + i] = s[s0 + i]!;
    } else for (let i = 0; i < len; i++) o[d0 + i * ds] = s[s0 + i * ss]!;
  });
}
