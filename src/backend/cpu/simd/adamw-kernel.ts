// The AdamW update (core/optim.ts) over float32 parameters as WebAssembly emitted by TypeScript, with the bits of
// the CPU backend's loop (cpu-backend.ts `adamw`): two float64 lanes at a time, the same IEEE operations in the
// same order, each stored value rounded to float32 where the loop stores it.
//   m ← fr(β1·m + (1−β1)·g),  v ← fr(β2·v + ((1−β2)·g)·g)
//   θ ← fr(θ·(1 − lr·λ) − (lr·(m/c1)) / (√(v/c2) + ε))   with c1 = 1 − β1^t, c2 = 1 − β2^t
import { KernelMemory } from './kernel-memory.ts';
import { loop } from './rows-backward-kernel.ts';
import { FunctionBody } from './wasm-emitter.ts';

/** The float64 scalars of one update, in the kernel's parameter order. */
const SCALARS = ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'c1', 'c2', 'decay', 'lr', 'eps'] as const;

/** adamw(p, g, m, v, n, …SCALARS): byte offsets of float32 arrays of n numbers, updated in place (p, m, v). */
function emitAdamw(): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32', 'i32', ...SCALARS.map(() => 'f64' as const)]);
  const [p, g, m, v, n] = [0, 1, 2, 3, 4];
  const scalar = (name: (typeof SCALARS)[number]) => 5 + SCALARS.indexOf(name);
  const i = f.local('i32');
  const pairs = Object.fromEntries(SCALARS.map((name) => [name, f.local('v128')])) as Record<string, number>;
  const [gp, mp, vp] = [f.local('v128'), f.local('v128'), f.local('v128')];
  for (const name of SCALARS) f.get(scalar(name)).f64x2Splat().set(pairs[name]!);
  const at = (base: number) => f.get(base).get(i).i32(4).i32Mul().i32Add();
  const load = (base: number) => at(base).v128Load64Zero().f64x2PromoteLowF32x4();
  const round = () => f.f32x4DemoteF64x2Zero().f64x2PromoteLowF32x4();
  const k = (name: (typeof SCALARS)[number]) => f.get(pairs[name]!);
  loop(
    f,
    i,
    () => f.get(n),
    2,
    () => {
      load(g).set(gp);
      k('beta1');
      load(m).f64x2Mul();
      k('oneMinusBeta1');
      f.get(gp).f64x2Mul().f64x2Add();
      round();
      f.set(mp);
      k('beta2');
      load(v).f64x2Mul();
      k('oneMinusBeta2');
      f.get(gp).f64x2Mul().get(gp).f64x2Mul().f64x2Add();
      round();
      f.set(vp);
      at(m).get(mp).f32x4DemoteF64x2Zero().v128Store64Lane0();
      at(v).get(vp).f32x4DemoteF64x2Zero().v128Store64Lane0();
      at(p);
      load(p);
      k('decay');
      f.f64x2Mul();
      k('lr');
      f.get(mp);
      k('c1');
      f.f64x2Div().f64x2Mul().get(vp);
      k('c2');
      f.f64x2Div().f64x2Sqrt();
      k('eps');
      f.f64x2Add().f64x2Div().f64x2Sub().f32x4DemoteF64x2Zero().v128Store64Lane0();
    },
  );
  return f;
}

/** Below this many parameters the loop runs (a guess, as for the other kernels; not measured finely). */
const MIN_PARAMS = 256;

export class SimdAdamw {
  private readonly memory = new KernelMemory();
  private readonly fn = this.memory.instantiate([{ name: 'adamw', body: emitAdamw() }]).adamw as (
    ...args: number[]
  ) => void;

  /**
   * One update of p, m and v in place from g: the loop's float32 bits. `c1`, `c2` and `decay` as the loop computes
   * them. False, with nothing written, when too small to pay or it does not fit.
   */
  run(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    h: { beta1: number; beta2: number; lr: number; eps: number },
    c1: number,
    c2: number,
    decay: number,
  ): boolean {
    const n = p.length;
    if (n < MIN_PARAMS) return false;
    const call = this.memory.call([4 * n, 4 * n, 4 * n, 4 * n]);
    if (!call) return false;
    const [ap, ag] = [call.inout(0, p.subarray(0, n)), call.in(1, g.subarray(0, n))];
    const [am, av] = [call.inout(2, m.subarray(0, n)), call.inout(3, v.subarray(0, n))];
    this.fn(ap, ag, am, av, n, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, c1, c2, decay, h.lr, h.eps);
    call.finish();
    return true;
  }
}
