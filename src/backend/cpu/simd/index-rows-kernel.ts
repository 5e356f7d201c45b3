// The sparse MoE's row gather and row scatter-add as WebAssembly: tokens gathered into expert order and the
// experts' outputs added back to their tokens (moe-dispatch.ts), each also run by the other's backward; at the
// MoE bench's shapes each moves 131k numbers a layer, where float32.ts's loops move about one in 1–3 ns.
//   gather:      out[j·w + i]  = src[idx[j]·w + i]
//   scatterAdd:  dst[idx[j]·w + i] += src[j·w + i],  j = 0, 1, … in order,  i < w
// The gather moves bits. f32x4.add is IEEE float32 addition, the loop's fround(a + b): the same adds in the same
// order give the same bits.
import { KernelMemory } from './kernel-memory.ts';
import { FunctionBody } from './wasm-emitter.ts';

/** Below this many numbers moved the loops run (the copies in and out and the call would cost more). */
const MIN_NUMBERS = 4096;

/**
 * gather(table, idx, rows, count, rowBytes) or scatterAdd(…): byte offsets; rowBytes a multiple of 16. `table` is
 * the indexed array (src of the gather, dst of the scatter-add); `rows` the other, walked in order.
 */
function emitIndexRows(add: boolean): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32']);
  const [table, idx, rows, count, rowBytes] = [0, 1, 2, 3, 4];
  const [j, i, picked] = [f.local('i32'), f.local('i32'), f.local('i32')];
  f.forRange(
    j,
    () => f.i32(0),
    () => f.get(count),
    1,
    () => {
      // picked = table + idx[j]·rowBytes
      f.get(table).get(idx).get(j).i32(4).i32Mul().i32Add().i32Load().get(rowBytes).i32Mul().i32Add().set(picked);
      f.forRange(
        i,
        () => f.i32(0),
        () => f.get(rowBytes),
        16,
        () => {
          if (add) {
            f.get(picked).get(i).i32Add();
            f.get(picked).get(i).i32Add().v128Load();
            f.get(rows).get(i).i32Add().v128Load();
            f.f32x4Add().v128Store();
          } else {
            f.get(rows).get(i).i32Add();
            f.get(picked).get(i).i32Add().v128Load();
            f.v128Store();
          }
        },
      );
      f.get(rows).get(rowBytes).i32Add().set(rows);
    },
  );
  return f;
}

export class SimdIndexRows {
  private readonly memory = new KernelMemory();
  private readonly fns = this.memory.instantiate([
    { name: 'gather', body: emitIndexRows(false) },
    { name: 'scatterAdd', body: emitIndexRows(true) },
  ]) as Record<'gather' | 'scatterAdd', (...args: number[]) => void>;

  /**
   * out [count, w] = rows idx of src [n, w] (every index already checked to lie in [0, n)), when rows are whole
   * vectors, the table has at most 2·count rows and it fits; false, with nothing written, otherwise.
   */
  gather(src: Float32Array, idx: Int32Array, out: Float32Array, n: number, count: number, w: number): boolean {
    return this.run('gather', src, idx, out, n, count, w);
  }

  /** dst [n, w] += src [count, w] scattered by idx [count], as gather takes it; false, nothing written, otherwise. */
  scatterAdd(dst: Float32Array, idx: Int32Array, src: Float32Array, n: number, count: number, w: number): boolean {
    return this.run('scatterAdd', dst, idx, src, n, count, w);
  }

  private run(
    kind: 'gather' | 'scatterAdd',
    table: Float32Array,
    idx: Int32Array,
    rows: Float32Array,
    n: number,
    count: number,
    w: number,
  ): boolean {
    // A table outside the arena is copied in whole (and, for the scatter-add, out): not for a few rows of a large
    // one. (Kept for tables in the arena too, which need no copy: the loops' speed there is not measured.)
    if (count * w < MIN_NUMBERS || w % 4 !== 0 || n > 2 * count) return false;
    const call = this.memory.call([4 * n * w, 4 * count, 4 * count * w]);
    if (!call) return false;
    const [t, r] = [table.subarray(0, n * w), rows.subarray(0, count * w)];
    const tableAt = kind === 'scatterAdd' ? call.inout(0, t) : call.in(0, t);
    const idxAt = call.in(1, idx.subarray(0, count));
    this.fns[kind](tableAt, idxAt, kind === 'scatterAdd' ? call.in(2, r) : call.out(2, r), count, 4 * w);
    call.finish();
    return true;
  }
}
