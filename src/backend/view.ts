// Strided views over contiguous row-major memory (the `View` the copy and binary kernels take).
import type { View } from './backend.ts';

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

export function contiguousView(shape: readonly number[], offset = 0): View {
  return { shape, strides: contiguousStrides(shape), offset };
}

/** The part [start, end) along `axis` of a contiguous tensor of `shape`, as a strided view into its storage. */
export function sliceView(shape: readonly number[], axis: number, start: number, end: number): View {
  const strides = contiguousStrides(shape);
  const out = shape.slice();
  out[axis] = end - start;
  return { shape: out, strides, offset: start * strides[axis]! };
}
