// Softmax over rows of float32 scores as WebAssembly emitted by TypeScript, with the bits of the CPU backend's
// loop (cpu-backend.ts `softmax`, not the log form), whose cost is one Math.exp per score: attention's softmax,
// 7–9% of a lesson training step.
//   v_j = fround(scale·x_j) for j < limit (limit = n, or the causal mask's min(n, r mod tq + offset + 1))
//   m = max_j v_j (NaN never above it),  e_j = exp(v_j − m),  s = Σ_j e_j (in j order)
//   out_j = e_j / s for j < limit, 0 after
// The sum is scalar and in the loop's order; the scaling, the maximum (by lanes: the same value, see below) and
// the division (correctly rounded either way) go two scores an instruction; the exp is exp-neg-abs.ts's (v_j − m
// ≤ 0, so exp(−|v_j − m|) is it), 8 scores a pass, over a row's scaled scores kept in float64 scratch.
import { KernelMemory } from './kernel-memory.ts';
import { expNegAbs, interleave, PAIRS, V128Constants } from './exp-neg-abs.ts';
import { sumInOrder } from './rows-backward-kernel.ts';
import { FunctionBody } from './wasm-emitter.ts';

export const PER_PASS = 2 * PAIRS;

/** softmax(x, out, v, rows, n, scale, tq, offset): byte offsets of float32 x and out and float64 scratch v. */
export function emitSoftmax(): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32', 'f64', 'i32', 'i32']);
  const [x, out, v, rows, n, scale, tq, offset] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [r, j, limit, xRow, outRow, tqSafe] = Array.from({ length: 6 }, () => f.local('i32'));
  const [vj, max, sum] = Array.from({ length: 3 }, () => f.local('f64'));
  const [maxPair, pair, scale2, sumPair] = Array.from({ length: 4 }, () => f.local('v128'));
  const pairs = () => Array.from({ length: PAIRS }, () => f.local('v128'));
  const [d, e] = [pairs(), pairs()];
  const k = new V128Constants(f);
  const expStatements = expNegAbs(f, k, d, e);
  /** for (j = from; j < end; j += step) body */
  const loop = (end: () => void, step: number, body: () => void, from = () => f.i32(0)) =>
    f.forRange(j, from, end, step, body);
  const vAt = () => f.get(v).get(j).i32(8).i32Mul().i32Add();

  // a modulus that cannot trap when there is no mask (tq = 0)
  f.get(tq).i32(1).get(tq).select().set(tqSafe);
  f.get(scale).f64x2Splat().set(scale2);
  const head = f.code.length;
  f.forRange(
    r,
    () => f.i32(0),
    () => f.get(rows),
    1,
    () => {
      // limit = tq ? min(n, r mod tq + offset + 1) : n
      f.get(r).get(tqSafe).i32RemU().get(offset).i32Add().i32(1).i32Add().set(limit);
      f.get(limit).get(n).get(limit).get(n).i32LtU().select().set(limit);
      f.get(limit).get(n).get(tq).select().set(limit);
      f.get(r).get(n).i32Mul().i32(4).i32Mul().tee(xRow).get(out).i32Add().set(outRow);
      f.get(xRow).get(x).i32Add().set(xRow);
      // v_j = fround(scale·x_j), m = max v_j: two a step (each lane its own maximum), then the odd one, then the
      // lanes' maxima. The order moves m only between +0 and −0, which no e_j tells apart (v − ±0 = v, exp(±0) = 1).
      f.f64Const(-Infinity).f64x2Splat().set(maxPair);
      f.i32(0).set(j);
      f.block().get(limit).i32(2).i32LtU().brIf(0);
      f.loop();
      {
        vAt();
        f.get(xRow).get(j).i32(4).i32Mul().i32Add().v128Load64Zero().f64x2PromoteLowF32x4();
        f.get(scale2).f64x2Mul().f32x4DemoteF64x2Zero().f64x2PromoteLowF32x4().tee(pair).v128Store();
        f.get(pair).get(maxPair).get(pair).get(maxPair).f64x2Gt().v128Bitselect().set(maxPair);
        f.get(j).i32(2).i32Add().tee(j).i32(2).i32Add().get(limit).i32LeU().brIf(0); // while j + 2 ≤ limit
      }
      f.end().end();
      f.get(maxPair).f64x2ExtractLane(0).set(max);
      f.get(maxPair).f64x2ExtractLane(1).set(vj);
      f.get(vj).get(max).get(vj).get(max).f64Gt().select().set(max);
      loop(
        () => f.get(limit),
        1,
        () => {
          f.get(xRow).get(j).i32(4).i32Mul().i32Add().f32Load().f64PromoteF32().get(scale).f64Mul();
          f.f32DemoteF64().f64PromoteF32().set(vj);
          vAt().get(vj).f64Store();
          f.get(vj).get(max).get(vj).get(max).f64Gt().select().set(max);
        },
        () => f.get(j),
      );
      // e_j = exp(v_j − m), in place, 8 a pass (the scratch holds a whole pass past the row's end)
      f.get(max).f64x2Splat().set(maxPair);
      loop(
        () => f.get(limit),
        PER_PASS,
        () =>
          interleave([
            (p) =>
              vAt()
                .v128Load(16 * p)
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
      // s = Σ e_j in order; out_j = e_j / s, two a step; 0 past the limit
      sumInOrder(f, j, limit, sum, () => vAt().f64Load());
      f.get(sum).f64x2Splat().set(sumPair);
      f.i32(0).set(j);
      f.block().get(limit).i32(2).i32LtU().brIf(0);
      f.loop();
      {
        f.get(outRow).get(j).i32(4).i32Mul().i32Add();
        vAt().v128Load().get(sumPair).f64x2Div().f32x4DemoteF64x2Zero().v128Store64Lane0();
        f.get(j).i32(2).i32Add().tee(j).i32(2).i32Add().get(limit).i32LeU().brIf(0);
      }
      f.end().end();
      loop(
        () => f.get(limit),
        1,
        () => {
          f.get(outRow).get(j).i32(4).i32Mul().i32Add();
          vAt().f64Load().get(sum).f64Div().f32DemoteF64().f32Store();
        },
        () => f.get(j),
      );
      loop(
        () => f.get(n),
        1,
        () => f.get(outRow).get(j).i32(4).i32Mul().i32Add().f32Zero().f32Store(),
        () => f.get(limit),
      );
    },
  );
  k.setAt(head);
  return f;
}

/** Below this many scores the plain loop is as fast. */
const MIN_SCORES = 256;

export class SimdSoftmax {
  private readonly memory = new KernelMemory();
  private readonly fn = this.memory.instantiate([{ name: 'softmax', body: emitSoftmax() }]).softmax as (
    ...args: number[]
  ) => void;

  /**
   * out = softmax(scale·x) over rows of n, causal as the backend's option says: the loop's bits. False, with
   * nothing written, when the rows are too few to pay or do not fit the memory.
   */
  run(
    x: Float32Array,
    out: Float32Array,
    rows: number,
    n: number,
    scale: number,
    causal?: { tq: number; offset: number },
  ) {
    const count = rows * n;
    if (count < MIN_SCORES) return false;
    const call = this.memory.call([4 * count, 4 * count, 8 * (Math.ceil(n / PER_PASS) + 1) * PER_PASS]);
    if (!call) return false;
    const [ax, aout] = [call.in(0, x.subarray(0, count)), call.out(1, out.subarray(0, count))];
    this.fn(ax, aout, call.at[2]!, rows, n, scale, causal?.tq ?? 0, causal?.offset ?? 0);
    call.finish();
    return true;
  }
}
