// RMSNorm's forward pass as WebAssembly emitted by TypeScript, with the bits of the CPU backend's loop
// (cpu-backend.ts `rmsnorm` on float32 storages): 3% of a lesson training step as a loop.
//   ss = Σ_j x_j·x_j (float64, in j order),  r = fr(1 / √(ss/n + ε)),  out_j = fr((x_j·r)·w_j)
// The row's sum is scalar and in the loop's order; the elementwise work runs two float64 lanes at a time, the
// same IEEE operations in the same order (x_j·r is exact in float64, ·w_j rounds there, the store to float32).
// A pair may run past a row's end: its stores there are overwritten when the next row is computed.
import { KernelMemory } from './kernel-memory.ts';
import { loop, sumInOrder } from './rows-backward-kernel.ts';
import { FunctionBody } from './wasm-emitter.ts';

/** rmsnorm(x, w, out, rs, rows, n, nf, eps): byte offsets of float32 x, w, out and the kept 1/rms rs. */
function emitRmsnorm(): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f64', 'f64']);
  const [x, w, out, rs, rows, n, nf, eps] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [r, j, row] = [f.local('i32'), f.local('i32'), f.local('i32')];
  const [ss, inv] = [f.local('f64'), f.local('f64')];
  const inv2 = f.local('v128');
  const rowAt = (base: number) => f.get(base).get(row).get(j).i32(4).i32Mul().i32Add().i32Add();
  const colAt = (base: number) => f.get(base).get(j).i32(4).i32Mul().i32Add();
  loop(
    f,
    r,
    () => f.get(rows),
    1,
    () => {
      f.get(r).get(n).i32Mul().i32(4).i32Mul().set(row);
      sumInOrder(f, j, n, ss, () => {
        rowAt(x).f32Load().f64PromoteF32();
        rowAt(x).f32Load().f64PromoteF32().f64Mul();
      });
      f.f64Const(1).get(ss).get(nf).f64Div().get(eps).f64Add().f64Sqrt().f64Div().set(inv);
      f.get(rs).get(r).i32(4).i32Mul().i32Add().get(inv).f32DemoteF64().f32Store();
      f.get(inv).f32DemoteF64().f64PromoteF32().f64x2Splat().set(inv2);
      loop(
        f,
        j,
        () => f.get(n),
        2,
        () => {
          rowAt(out);
          rowAt(x).v128Load64Zero().f64x2PromoteLowF32x4().get(inv2).f64x2Mul();
          colAt(w).v128Load64Zero().f64x2PromoteLowF32x4().f64x2Mul();
          f.f32x4DemoteF64x2Zero().v128Store64Lane0();
        },
      );
    },
  );
  return f;
}

/** Below this many numbers the loop runs (a guess, as for the other kernels; not measured finely). */
const MIN_NUMBERS = 256;

export class SimdRmsnorm {
  private readonly memory = new KernelMemory();
  private readonly fn = this.memory.instantiate([{ name: 'rmsnorm', body: emitRmsnorm() }]).rmsnorm as (
    ...args: number[]
  ) => void;

  /**
   * out (rows × n) and rs (rows) from x and w: the CPU loop's float32 bits; false, with nothing written, when it
   * is too small to pay or does not fit.
   */
  run(x: Float32Array, w: Float32Array, out: Float32Array, rs: Float32Array, rows: number, n: number, eps: number) {
    const count = rows * n;
    if (count < MIN_NUMBERS) return false;
    const call = this.memory.call([4 * count, 4 * n, 4 * count, 4 * rows]);
    if (!call) return false;
    const [ax, aw] = [call.in(0, x.subarray(0, count)), call.in(1, w.subarray(0, n))];
    this.fn(ax, aw, call.out(2, out.subarray(0, count)), call.out(3, rs.subarray(0, rows)), rows, n, n, eps);
    call.finish();
    return true;
  }
}
