// Strided copies of float32 rows as WebAssembly: attention's head permutes ([B, T, H, D] ⇄ [B, H, T, D]), 16 rows
// of a step over a lesson model's activations, each a row of D = 16 numbers. The JavaScript loop moves about one
// number a nanosecond at that row length (a float32 read widened to float64, a store narrowing it back); this
// moves 16 bytes an instruction, after a memcpy of the source in and before a memcpy of the result out.
//   dst[o + i0·d0 + i1·d1 + i2·d2 + j] = src[s + i0·s0 + i1·s1 + i2·s2 + j],  j < n3
// It moves bits: the result is the index map's exactly, NaN payloads included (the loop's float32 read may quiet
// a signalling NaN, which no arithmetic makes, so on anything a model computes the two agree).
import { KernelMemory } from './kernel-memory.ts';
import { FunctionBody } from './wasm-emitter.ts';

/**
 * Below this many numbers the loop runs (a guess: the copies in and out and the calls are taken to cost more than
 * they save; not measured finely).
 */
export const SIMD_COPY_MIN = 4096;

/** rows(src, dst, rows, srcStride, dstStride, rowBytes): byte offsets and strides; rowBytes a multiple of 16. */
function emitRows(): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [src, dst, rows, srcStride, dstStride, rowBytes] = [0, 1, 2, 3, 4, 5];
  const [r, j] = [f.local('i32'), f.local('i32')];
  f.forRange(
    r,
    () => f.i32(0),
    () => f.get(rows),
    1,
    () => {
      f.forRange(
        j,
        () => f.i32(0),
        () => f.get(rowBytes),
        16,
        () => {
          f.get(dst).get(j).i32Add();
          f.get(src).get(j).i32Add().v128Load();
          f.v128Store();
        },
      );
      f.get(src).get(srcStride).i32Add().set(src);
      f.get(dst).get(dstStride).i32Add().set(dst);
    },
  );
  return f;
}

/** A source view after merging (strided.ts `collapse`), padded to four dims in front: sizes n, strides s. */
export interface Copy4 {
  n: [number, number, number, number];
  s: [number, number, number, number];
  srcOffset: number;
}

export class SimdCopy {
  private readonly memory = new KernelMemory();
  private readonly rowsFn = this.memory.instantiate([{ name: 'rows', body: emitRows() }]).rows as (
    ...args: number[]
  ) => void;

  /**
   * The copy into dst[dstOffset…], contiguous in the iteration's order, when rows are whole vectors (n3 a multiple
   * of 4, unit inner stride) and it fits; false, with nothing written, otherwise.
   */
  run(src: Float32Array, c: Copy4, dst: Float32Array, dstOffset: number): boolean {
    const [n0, n1, n2, n3] = c.n,
      [s0, s1, s2, s3] = c.s;
    const total = n0 * n1 * n2 * n3;
    if (total < SIMD_COPY_MIN || n3 % 4 !== 0 || s3 !== 1 || s0 < 0 || s1 < 0 || s2 < 0) return false;
    const extent = (n0 - 1) * s0 + (n1 - 1) * s1 + (n2 - 1) * s2 + n3;
    const call = this.memory.call([4 * extent, 4 * total]);
    if (!call) return false;
    const from = call.in(0, src.subarray(c.srcOffset, c.srcOffset + extent));
    let o = call.out(1, dst.subarray(dstOffset, dstOffset + total));
    for (let i0 = 0; i0 < n0; i0++)
      for (let i1 = 0; i1 < n1; i1++) {
        this.rowsFn(from + 4 * (i0 * s0 + i1 * s1), o, n2, 4 * s2, 4 * n3, 4 * n3);
        o += 4 * n2 * n3;
      }
    call.finish();
    return true;
  }
}
