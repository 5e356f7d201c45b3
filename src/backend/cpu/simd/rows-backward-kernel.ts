// The backward passes of two row-wise ops as WebAssembly emitted by TypeScript, with the bits of fused.ts's
// float32 loops: each row's sum is scalar and in the loop's order, every value rounded where the loop rounds, so
// the same IEEE operations in the same order.
//   RMSNorm (fused.rmsnormBackward): s = Σ_j fr(fr(g_j·w_j)·x_j),  b = fr(fr(r·fr(r·r))·fr(fr(s)·(1/n)))
//     gx_j = fr(g_j·w_j)·r rounded − fr(x_j·b),  gw_j = Σ_rows fr(g_j·fr(x_j·r))   (r = the row's 1/rms)
//   softmax (fused.softmaxBackward): s = fr(Σ_j fr(g_j·y_j)),  out_j = fr(fr(y_j·fr(g_j − s))·scale)
//     (causal rows, for attention-kernel.ts: j below the row's limit only, +0 after)
// RMSNorm's elementwise work runs four float32 lanes at a time: fr(a·b) and fr(a − b) of two float32 values is
// the float32 product or difference (float64 holds the product exactly, and for a difference rounding twice, to
// float64 and then to float32, gives the float32 result, since 53 ≥ 2·24 + 2), so only the sums stay float64.
// The softmax's runs two float64 lanes at a time (its scale is a float64). 5% and 3–4% of a lesson training step
// as loops. A vector may run past a row's end: it reads the next row (or the padding after the last) and its
// stores there are overwritten when that row is computed.
import * as fused from '../fused.ts';
import { KernelMemory } from './kernel-memory.ts';
import { FunctionBody } from './wasm-emitter.ts';

/** for (j = 0; j < end; j += step) body, over the i32 local j. */
export function loop(f: FunctionBody, j: number, end: () => void, step: number, body: () => void) {
  f.forRange(j, () => f.i32(0), end, step, body);
}

/** s = Σ_{j<n} term, in j order: `term` pushes the float64 term of index j. */
export function sumInOrder(f: FunctionBody, j: number, n: number, s: number, term: () => void) {
  f.f64Zero().set(s);
  loop(
    f,
    j,
    () => f.get(n),
    1,
    () => {
      f.get(s);
      term();
      f.f64Add().set(s);
    },
  );
}

/** rmsnormBackward(x, w, rs, g, gx, gw, acc, rows, n, invN): byte offsets (acc float64, the rest float32). */
function emitRmsnormBackward(): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f64']);
  const [x, w, rs, g, gx, gw, acc, rows, n, invN] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [r, j, row, n4] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
  const [rr, s, b] = [f.local('f64'), f.local('f64'), f.local('f64')];
  const [rr4, b4, gp, xp, u] = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  const round = () => f.f32DemoteF64().f64PromoteF32();
  const rowAt = (base: number) => f.get(base).get(row).get(j).i32(4).i32Mul().i32Add().i32Add();
  const colAt = (base: number, bytes: number) => f.get(base).get(j).i32(bytes).i32Mul().i32Add();
  const add = () => f.f64PromoteF32().get(s).f64Add().set(s); // s += the float32 on the stack
  f.get(n).i32(-4).i32And().set(n4);
  loop(
    f,
    j,
    () => f.get(n),
    1,
    () => colAt(acc, 8).f64Zero().f64Store(),
  );
  loop(
    f,
    r,
    () => f.get(rows),
    1,
    () => {
      f.get(r).get(n).i32Mul().i32(4).i32Mul().set(row);
      f.get(rs).get(r).i32(4).i32Mul().i32Add().f32Load().f64PromoteF32().set(rr);
      // s = Σ_j fr(fr(g·w)·x) in j order: four terms a step as float32 products (the same roundings), then added
      // one by one in float64; the last n mod 4 terms one at a time
      f.f64Zero().set(s);
      loop(
        f,
        j,
        () => f.get(n4),
        4,
        () => {
          rowAt(g).v128Load();
          colAt(w, 4).v128Load().f32x4Mul();
          rowAt(x).v128Load().f32x4Mul().set(u);
          for (let lane = 0; lane < 4; lane++) {
            f.get(u).f32x4ExtractLane(lane);
            add();
          }
        },
      );
      f.forRange(
        j,
        () => f.get(n4),
        () => f.get(n),
        1,
        () => {
          rowAt(g).f32Load();
          colAt(w, 4).f32Load().f32Mul();
          rowAt(x).f32Load().f32Mul();
          add();
        },
      );
      f.get(rr).get(rr).get(rr).f64Mul();
      round();
      f.f64Mul();
      round();
      f.get(s);
      round();
      f.get(invN).f64Mul();
      round();
      f.f64Mul();
      round();
      f.set(b);
      f.get(rr).f32DemoteF64().f32x4Splat().set(rr4);
      f.get(b).f32DemoteF64().f32x4Splat().set(b4);
      // four columns a step (the last may run past the row: into the next row, computed after, or the padding)
      loop(
        f,
        j,
        () => f.get(n),
        4,
        () => {
          rowAt(g).v128Load().set(gp);
          rowAt(x).v128Load().set(xp);
          // gx = fr(fr(g·w)·r) − fr(x·b)
          rowAt(gx).get(gp);
          colAt(w, 4).v128Load().f32x4Mul().get(rr4).f32x4Mul();
          f.get(xp).get(b4).f32x4Mul().f32x4Sub().v128Store();
          // acc += fr(g·fr(x·r)), two float64 lanes at a time
          f.get(gp).get(xp).get(rr4).f32x4Mul().f32x4Mul().set(u);
          colAt(acc, 8);
          colAt(acc, 8).v128Load().get(u).f64x2PromoteLowF32x4().f64x2Add().v128Store();
          colAt(acc, 8);
          colAt(acc, 8)
            .v128Load(16)
            .get(u)
            .get(u)
            .f32x4Shuffle([2, 3, 2, 3])
            .f64x2PromoteLowF32x4()
            .f64x2Add()
            .v128Store(16);
        },
      );
    },
  );
  loop(
    f,
    j,
    () => f.get(n),
    1,
    () => {
      colAt(gw, 4);
      colAt(acc, 8).f64Load().f32DemoteF64().f32Store();
    },
  );
  return f;
}

/**
 * softmaxBackward(y, g, out, rows, n, scale, tq, offset): byte offsets of float32 y, g and out. With tq > 0 a row
 * r is causal (softmax-kernel.ts): only its first limit = min(n, r mod tq + offset + 1) numbers are read, and the
 * rest of out is +0 (where y is 0, the full row's sum adds ±0 and its out is ±0: the same sums downstream).
 */
export function emitSoftmaxBackward(): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32', 'f64', 'i32', 'i32']);
  const [y, g, out, rows, n, scale, tq, offset] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [r, j, row, limit, tqSafe] = Array.from({ length: 5 }, () => f.local('i32'));
  const s = f.local('f64');
  const [s2, scale2] = [f.local('v128'), f.local('v128')];
  const round2 = () => f.f32x4DemoteF64x2Zero().f64x2PromoteLowF32x4();
  const rowAt = (base: number) => f.get(base).get(row).get(j).i32(4).i32Mul().i32Add().i32Add();
  f.get(scale).f64x2Splat().set(scale2);
  f.get(tq).i32(1).get(tq).select().set(tqSafe); // a modulus that cannot trap when there is no mask
  loop(
    f,
    r,
    () => f.get(rows),
    1,
    () => {
      f.get(r).get(n).i32Mul().i32(4).i32Mul().set(row);
      // limit = tq ? min(n, r mod tq + offset + 1) : n
      f.get(r).get(tqSafe).i32RemU().get(offset).i32Add().i32(1).i32Add().set(limit);
      f.get(limit).get(n).get(limit).get(n).i32LtU().select().set(limit);
      f.get(limit).get(n).get(tq).select().set(limit);
      sumInOrder(f, j, limit, s, () => {
        rowAt(g).f32Load().f64PromoteF32();
        rowAt(y).f32Load().f64PromoteF32().f64Mul().f32DemoteF64().f64PromoteF32();
      });
      f.get(s).f32DemoteF64().f64PromoteF32().f64x2Splat().set(s2);
      loop(
        f,
        j,
        () => f.get(limit),
        2,
        () => {
          rowAt(out);
          rowAt(y).v128Load64Zero().f64x2PromoteLowF32x4();
          rowAt(g).v128Load64Zero().f64x2PromoteLowF32x4().get(s2).f64x2Sub();
          round2();
          f.f64x2Mul();
          round2();
          f.get(scale2).f64x2Mul().f32x4DemoteF64x2Zero().v128Store64Lane0();
        },
      );
      // +0 past the limit (over the pair that ran past it, if one did)
      f.forRange(
        j,
        () => f.get(limit),
        () => f.get(n),
        1,
        () => rowAt(out).f32Zero().f32Store(),
      );
    },
  );
  return f;
}

/** Below this many numbers the loops are as fast. */
const MIN_NUMBERS = 256;

export class SimdRowsBackward {
  private readonly memory = new KernelMemory();
  private readonly fns = this.memory.instantiate([
    { name: 'rmsnorm', body: emitRmsnormBackward() },
    { name: 'softmax', body: emitSoftmaxBackward() },
  ]) as Record<'rmsnorm' | 'softmax', (...args: number[]) => void>;

  /** fused.rmsnormBackward's float32 bits: gx (rows × n) and gw (n) from x, w, the kept 1/rms and g. */
  rmsnorm(
    x: Float32Array,
    w: Float32Array,
    rs: Float32Array,
    g: Float32Array,
    gx: Float32Array,
    gw: Float32Array,
    rows: number,
    n: number,
  ): void {
    const count = rows * n;
    const call =
      count < MIN_NUMBERS
        ? null
        : this.memory.call([4 * count, 4 * count, 4 * count, 4 * n, 4 * rows, 4 * n, 8 * (n + 4)]);
    if (!call) return fused.rmsnormBackward(x, w, rs, g, gx, gw, rows, n);
    const [ax, ag, aw, ars] = [
      call.in(0, x.subarray(0, count)),
      call.in(1, g.subarray(0, count)),
      call.in(3, w.subarray(0, n)),
      call.in(4, rs.subarray(0, rows)),
    ];
    const [agx, agw] = [call.out(2, gx.subarray(0, count)), call.out(5, gw.subarray(0, n))];
    this.fns.rmsnorm(ax, aw, ars, ag, agx, agw, call.at[6]!, rows, n, 1 / n);
    call.finish();
  }

  /** fused.softmaxBackward's float32 bits: out from the softmax output y and the gradient g. */
  softmax(y: Float32Array, g: Float32Array, out: Float32Array, rows: number, n: number, scale: number): void {
    const count = rows * n;
    const call = count < MIN_NUMBERS ? null : this.memory.call([4 * count, 4 * count, 4 * count]);
    if (!call) return fused.softmaxBackward(y, g, out, rows, n, scale);
    const [ay, ag] = [call.in(0, y.subarray(0, count)), call.in(1, g.subarray(0, count))];
    this.fns.softmax(ay, ag, call.out(2, out.subarray(0, count)), rows, n, scale, 0, 0);
    call.finish();
  }
}
