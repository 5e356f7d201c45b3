// Strided iteration for the CPU kernels: walk a shape with one or more strided views, innermost dimension
// in a tight loop. Adjacent dimensions that are contiguous in every view are merged first, so a plain
// contiguous copy becomes one long loop and a row-broadcast becomes two.

/** Merge dims d and d+1 wherever every view has stride[d] = stride[d+1]·shape[d+1]; drop size-1 dims. */
export function collapse(
  shape: readonly number[],
  strides: (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, v) => outStrides[v]![last] === s[d]! * size);
    if (mergeable) {
      outShape[last]! *= size;
      strides.forEach((s, v) => (outStrides[v]![last] = s[d]!));
    } else {
      outShape.push(size);
      strides.forEach((s, v) => outStrides[v]!.push(s[d]!));
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    outStrides.forEach((s) => s.push(0));
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `row(offsets, len, innerStrides)` once per innermost row of the collapsed iteration space,
 * with each view's starting offset. Rows come in row-major order, so reductions stay in a fixed order.
 */
export function forEachRow(
  shape: readonly number[],
  views: { strides: readonly number[]; offset: number }[],
  row: (offsets: number[], len: number, inner: number[]) => void,
): void {
  const c = collapse(
    shape,
    views.map((v) => v.strides),
  );
  const nd = c.shape.length;
  const len = c.shape[nd - 1]!;
  const inner = c.strides.map((s) => s[nd - 1]!);
  const idx = new Array<number>(nd - 1).fill(0);
  const offsets = views.map((v) => v.offset);
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) rows *= c.shape[d]!;
  for (let r = 0; r < rows; r++) {
    row(offsets, len, inner);
    // odometer increment over the outer dims
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      for (let v = 0; v < views.length; v++) offsets[v]! += c.strides[v]![d]!;
      if (idx[d]! < c.shape[d]!) break;
      for (let v = 0; v < views.length; v++) offsets[v]! -= c.strides[v]![d]! * c.shape[d]!;
      idx[d] = 0;
    }
  }
}
