// Rotary position embedding in the 'half' layout as WebAssembly emitted by TypeScript, with the bits of the CPU
// backend's loop (cpu-backend.ts `rope` on float32 storages): 2–3% of a lesson training step as a loop.
//   out_i = fr(x_i·c_i − x_{i+h}·s_i),  out_{i+h} = fr(x_i·s_i + x_{i+h}·c_i)   (h = dim/2, i < h)
// with c_i, s_i the tables' row for the position (s negated for the inverse rotation). Each product of two
// float32 numbers is exact in float64, the sum rounds there, the store to float32: two float64 lanes at a time,
// the same IEEE operations as the loop. Needs h even, so that a pair never crosses into the other half.
import { KernelMemory } from './kernel-memory.ts';
import { loop } from './rows-backward-kernel.ts';
import { FunctionBody } from './wasm-emitter.ts';

/** rope(x, pos, cos, sin, out, rows, heads, half, sign): byte offsets (pos int32, the rest float32). */
export function emitRope(): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f64']);
  const [x, pos, cos, sin, out, rows, heads, half, sign] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [r, h, i, t, base] = Array.from({ length: 5 }, () => f.local('i32'));
  const [x0, x1, c, s, sign2] = Array.from({ length: 5 }, () => f.local('v128'));
  const pair = (from: number, at: number, add: number) =>
    f.get(from).get(at).get(i).i32Add().i32(4).i32Mul().i32Add().v128Load64Zero(add).f64x2PromoteLowF32x4();
  const store = (at: number, add: number) => f.get(out).get(at).get(i).i32Add().i32(4).i32Mul().i32Add();
  f.get(sign).f64x2Splat().set(sign2);
  loop(
    f,
    r,
    () => f.get(rows),
    1,
    () => {
      f.get(pos).get(r).i32(4).i32Mul().i32Add().i32Load().get(half).i32Mul().set(t);
      loop(
        f,
        h,
        () => f.get(heads),
        1,
        () => {
          f.get(r).get(heads).i32Mul().get(h).i32Add().get(half).i32Mul().i32(2).i32Mul().set(base);
          loop(
            f,
            i,
            () => f.get(half),
            2,
            () => {
              pair(cos, t, 0).set(c);
              pair(sin, t, 0).get(sign2).f64x2Mul().set(s);
              pair(x, base, 0).set(x0);
              f.get(x).get(base).get(half).i32Add().get(i).i32Add().i32(4).i32Mul().i32Add();
              f.v128Load64Zero().f64x2PromoteLowF32x4().set(x1);
              store(base, 0);
              f.get(x0).get(c).f64x2Mul().get(x1).get(s).f64x2Mul().f64x2Sub();
              f.f32x4DemoteF64x2Zero().v128Store64Lane0();
              f.get(out).get(base).get(half).i32Add().get(i).i32Add().i32(4).i32Mul().i32Add();
              f.get(x0).get(s).f64x2Mul().get(x1).get(c).f64x2Mul().f64x2Add();
              f.f32x4DemoteF64x2Zero().v128Store64Lane0();
            },
          );
        },
      );
    },
  );
  return f;
}

/** Below this many numbers the loop runs (a guess, as for the other kernels; not measured finely). */
const MIN_NUMBERS = 256;

export class SimdRope {
  private readonly memory = new KernelMemory();
  private readonly fn = this.memory.instantiate([{ name: 'rope', body: emitRope() }]).rope as (
    ...args: number[]
  ) => void;

  /**
   * out = x rotated by the tables' rows at `pos` ('half' layout, x [rows, heads, dim]): the CPU loop's float32 bits.
   * False, with nothing written, when dim/2 is odd, a position is outside the tables, or it does not fit.
   */
  run(
    x: Float32Array,
    pos: Int32Array,
    cos: Float32Array,
    sin: Float32Array,
    out: Float32Array,
    rows: number,
    heads: number,
    dim: number,
    inverse: boolean,
  ): boolean {
    const half = dim / 2,
      count = rows * heads * dim;
    if (count < MIN_NUMBERS || half % 2 !== 0) return false;
    let last = -1;
    for (let r = 0; r < rows; r++) {
      const p = pos[r]!;
      if (p < 0 || (p + 1) * half > cos.length || (p + 1) * half > sin.length) return false;
      if (p > last) last = p;
    }
    const table = (last + 1) * half;
    const call = this.memory.call([4 * count, 4 * rows, 4 * table, 4 * table, 4 * count]);
    if (!call) return false;
    const [ax, apos] = [call.in(0, x.subarray(0, count)), call.in(1, pos.subarray(0, rows))];
    const [acos, asin] = [call.in(2, cos.subarray(0, table)), call.in(3, sin.subarray(0, table))];
    this.fn(ax, apos, acos, asin, call.out(4, out.subarray(0, count)), rows, heads, half, inverse ? -1 : 1);
    call.finish();
    return true;
  }
}
