// Cross-entropy's fused log-softmax-and-take (fused.ts `logSoftmaxTake` and its backward) as WebAssembly emitted
// by TypeScript, with the loops' float32 bits: one Math.exp per logit each way, 3% of a lesson training step as
// loops.
//   forward:  m = max_j x_j,  s = Σ_j exp(x_j − m) (in j order),  lse = m + log s,  out = fr(x_t − lse)
//   backward: gx_j = fr((j = t ? g : 0) − fr(fr(exp(fr(x_j − lse)))·g))
// The kernels do the exps (exp-neg-abs.ts, 8 a pass: x_j − m ≤ 0 and fr(x_j − lse) ≤ 0, so exp(−|v|) is exp(v))
// and the elementwise work; per row, the maximum and the sum run scalar in the loop's order, and the log and the
// target's entry stay in TypeScript (Math.log, and one Math.exp a row), where the loop computes them.
// The backward reports a row whose fr(x_j − lse) is positive (an lse below its row's maximum, which the forward
// never makes): the caller then runs the loop.
import * as fused from '../fused.ts';
import { expNegAbs, interleave, PAIRS, V128Constants } from './exp-neg-abs.ts';
import { KernelMemory } from './kernel-memory.ts';
import { loop, sumInOrder } from './rows-backward-kernel.ts';
import { FunctionBody } from './wasm-emitter.ts';

const PER_PASS = 2 * PAIRS;

/** lse(x, ms, ss, rows, n, v): byte offsets of float32 x, float64 row maxima ms and sums ss, float64 scratch v. */
function emitForward(): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [x, ms, ss, rows, n, v] = [0, 1, 2, 3, 4, 5];
  const [r, j, xRow] = [f.local('i32'), f.local('i32'), f.local('i32')];
  const [xj, max, sum] = [f.local('f64'), f.local('f64'), f.local('f64')];
  const maxPair = f.local('v128');
  const pairs = () => Array.from({ length: PAIRS }, () => f.local('v128'));
  const [d, e] = [pairs(), pairs()];
  const k = new V128Constants(f);
  const expStatements = expNegAbs(f, k, d, e);
  const xAt = () => f.get(xRow).get(j).i32(4).i32Mul().i32Add();
  const vAt = () => f.get(v).get(j).i32(8).i32Mul().i32Add();
  const head = f.code.length;
  loop(
    f,
    r,
    () => f.get(rows),
    1,
    () => {
      f.get(x).get(r).get(n).i32Mul().i32(4).i32Mul().i32Add().set(xRow);
      f.f64Const(-Infinity).set(max);
      loop(
        f,
        j,
        () => f.get(n),
        1,
        () => {
          xAt().f32Load().f64PromoteF32().set(xj);
          f.get(xj).get(max).get(xj).get(max).f64Gt().select().set(max);
        },
      );
      // exp(x_j − m), 8 a pass into the scratch (a pass may read past the row: those are never summed)
      f.get(max).f64x2Splat().set(maxPair);
      loop(
        f,
        j,
        () => f.get(n),
        PER_PASS,
        () =>
          interleave([
            (p) =>
              xAt()
                .v128Load64Zero(8 * p)
                .f64x2PromoteLowF32x4()
                .get(maxPair)
                .f64x2Sub()
                .set(d[p]!),
            ...expStatements,
            (p) =>
              vAt()
                .get(e[p]!)
                .v128Store(16 * p),
          ]),
      );
      sumInOrder(f, j, n, sum, () => vAt().f64Load());
      f.get(ms).get(r).i32(8).i32Mul().i32Add().get(max).f64Store();
      f.get(ss).get(r).i32(8).i32Mul().i32Add().get(sum).f64Store();
    },
  );
  k.setAt(head);
  return f;
}

/**
 * backward(x, lse, g, gx, rows, n, flag): byte offsets of float32 x, float64 lse, float32 g (one a row) and gx, and
 * 16 bytes at flag, nonzero where some fr(x_j − lse) was positive. gx_j = 0 − m_j for every j; the caller sets
 * the target's entry.
 */
function emitBackward(): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [x, lse, g, gx, rows, n, flag] = [0, 1, 2, 3, 4, 5, 6];
  const [r, j, row] = [f.local('i32'), f.local('i32'), f.local('i32')];
  const [l2, g2, positive, left] = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  const pairs = () => Array.from({ length: PAIRS }, () => f.local('v128'));
  const [d, e] = [pairs(), pairs()];
  const k = new V128Constants(f);
  const expStatements = expNegAbs(f, k, d, e);
  const round2 = () => f.f32x4DemoteF64x2Zero().f64x2PromoteLowF32x4();
  const at = (base: number) => f.get(base).get(row).get(j).i32(4).i32Mul().i32Add().i32Add();
  const head = f.code.length;
  f.get(flag).v128Load().set(positive);
  loop(
    f,
    r,
    () => f.get(rows),
    1,
    () => {
      f.get(r).get(n).i32Mul().i32(4).i32Mul().set(row);
      f.get(lse).get(r).i32(8).i32Mul().i32Add().v128Load64Splat().set(l2);
      f.get(g).get(r).i32(4).i32Mul().i32Add().v128Load32Splat().f64x2PromoteLowF32x4().set(g2);
      loop(
        f,
        j,
        () => f.get(n),
        PER_PASS,
        () => {
          // lanes j + 2p, j + 2p + 1 count only while below n (a pass may run into the next row)
          f.get(n).get(j).i32Sub().f64ConvertI32S().f64x2Splat().set(left);
          interleave([
            (p) => {
              at(x)
                .v128Load64Zero(8 * p)
                .f64x2PromoteLowF32x4()
                .get(l2)
                .f64x2Sub();
              round2();
              f.set(d[p]!);
              f.get(positive).get(d[p]!);
              k.f64(0);
              f.f64x2Gt();
              k.f64Pair(2 * p, 2 * p + 1);
              f.get(left).f64x2Lt().v128And().v128Or().set(positive);
            },
            ...expStatements,
            (p) => {
              at(gx);
              k.f64(0);
              f.get(e[p]!);
              round2();
              f.get(g2).f64x2Mul();
              round2();
              f.f64x2Sub()
                .f32x4DemoteF64x2Zero()
                .v128Store64Lane0(8 * p);
            },
          ]);
        },
      );
    },
  );
  f.get(flag).get(positive).v128Store();
  k.setAt(head);
  return f;
}

/** Below this many logits the loops run (a guess, as for the other kernels; not measured finely). */
const MIN_LOGITS = 256;

export class SimdCrossEntropy {
  private readonly memory = new KernelMemory();
  private readonly fns = this.memory.instantiate([
    { name: 'forward', body: emitForward() },
    { name: 'backward', body: emitBackward() },
  ]) as Record<'forward' | 'backward', (...args: number[]) => void>;

  /**
   * fused.logSoftmaxTake's float32 bits: out[r] = fr(x[r, t_r] − lse_r), lse kept for the backward. Returns
   * whether the kernel ran (false: the loop did).
   */
  forward(xs: Float32Array, ts: Int32Array, os: Float32Array, lse: Float64Array, rows: number, n: number): boolean {
    const count = rows * n;
    const call =
      count < MIN_LOGITS ? null : this.memory.call([4 * count + 4 * PER_PASS, 8 * rows, 8 * rows, 8 * (n + PER_PASS)]);
    if (!call) {
      fused.logSoftmaxTake(xs, ts, os, lse, rows, n);
      return false;
    }
    const [, ams, ass, av] = call.at as number[];
    this.fns.forward(call.in(0, xs.subarray(0, count)), ams!, ass!, rows, n, av!);
    const ms = this.memory.f64(ams!, rows),
      ss = this.memory.f64(ass!, rows);
    for (let r = 0; r < rows; r++) {
      const l = (lse[r] = ms[r]! + Math.log(ss[r]!));
      os[r] = Math.fround(xs[r * n + ts[r]!]! - l);
    }
    return true;
  }

  /** fused.logSoftmaxTakeBackward's float32 bits. Returns whether the kernel's result was used (false: the loop's). */
  backward(
    xs: Float32Array,
    ts: Int32Array,
    lse: Float64Array,
    gs: Float32Array,
    gx: Float32Array,
    rows: number,
    n: number,
  ): boolean {
    const count = rows * n;
    const loopInstead = () => {
      fused.logSoftmaxTakeBackward(xs, ts, lse, gs, gx, rows, n);
      return false;
    };
    const call =
      count < MIN_LOGITS
        ? null
        : this.memory.call([4 * count + 4 * PER_PASS, 8 * rows, 4 * rows, 4 * count + 4 * PER_PASS, 16]);
    if (!call) return loopInstead();
    const [ax, alse, ag] = [
      call.in(0, xs.subarray(0, count)),
      call.in(1, lse.subarray(0, rows)),
      call.in(2, gs.subarray(0, rows)),
    ];
    const agx = call.out(3, gx.subarray(0, count)),
      aflag = call.at[4]!;
    const flag = this.memory.i32(aflag, 4);
    flag.fill(0);
    this.fns.backward(ax, alse, ag, agx, rows, n, aflag);
    if (flag.some((w) => w !== 0)) return loopInstead(); // (gx, if written in place, is the loop's to overwrite)
    call.finish();
    for (let r = 0; r < rows; r++) {
      const t = ts[r]!,
        g = gs[r]!;
      if (t < 0 || t >= n) continue;
      const m = Math.fround(Math.fround(Math.exp(Math.fround(xs[r * n + t]! - lse[r]!))) * g);
      gx[r * n + t] = g - m;
    }
    return true;
  }
}
