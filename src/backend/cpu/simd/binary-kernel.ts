// Elementwise add, sub, mul and div of two contiguous float32 arrays as WebAssembly SIMD (f32x4 lanes, 16
// numbers a pass): the residual adds and gradient sums of a training step, which the JavaScript loop runs at
// about 2 ns an element (a float32 read, a float64 operation, a rounding store) and this at about 0.3 with
// copies in and out (less on tensors in the arena, read and written in place: kernel-memory.ts).
//   out[i] = a[i] ∘ b[i],  ∘ ∈ {+, −, ×, ÷}, rounded to float32
// The same bits as the loop: one IEEE float32 operation is what float64 arithmetic on two float32 values gives
// once rounded to float32 (53 ≥ 2·24 + 2, so rounding twice never differs for +, −, × and ÷).
import { KernelMemory } from './kernel-memory.ts';
import { FunctionBody } from './wasm-emitter.ts';

export type SimdBinaryOp = 'add' | 'sub' | 'mul' | 'div';
export const SIMD_BINARY_OPS: readonly SimdBinaryOp[] = ['add', 'sub', 'mul', 'div'];

/** Numbers per pass: 4 vectors of 4. */
const PER_PASS = 16;
/** Below this many elements the plain loop is as fast. */
export const SIMD_BINARY_MIN = 1024;

/** op(a, b, out, bytes): float32 operands at byte offsets a and b, the result at out; bytes a multiple of 64. */
function emitBinary(op: SimdBinaryOp): FunctionBody {
  const f = new FunctionBody(['i32', 'i32', 'i32', 'i32']);
  const [a, b, out, bytes] = [0, 1, 2, 3];
  const i = f.local('i32');
  f.forRange(
    i,
    () => f.i32(0),
    () => f.get(bytes),
    4 * PER_PASS,
    () => {
      for (let v = 0; v < PER_PASS / 4; v++) {
        f.get(out).get(i).i32Add();
        f.get(a)
          .get(i)
          .i32Add()
          .v128Load(16 * v);
        f.get(b)
          .get(i)
          .i32Add()
          .v128Load(16 * v);
        ({ add: () => f.f32x4Add(), sub: () => f.f32x4Sub(), mul: () => f.f32x4Mul(), div: () => f.f32x4Div() })[op]();
        f.v128Store(16 * v);
      }
    },
  );
  return f;
}

export class SimdBinary {
  private readonly memory = new KernelMemory();
  private readonly fns = this.memory.instantiate(SIMD_BINARY_OPS.map((op) => ({ name: op, body: emitBinary(op) })));

  /** out = a ∘ b elementwise (equal lengths); false, with nothing written, when it does not fit the memory. */
  run(op: SimdBinaryOp, a: Float32Array, b: Float32Array, out: Float32Array): boolean {
    const n = a.length,
      bytes = 4 * Math.ceil(n / PER_PASS) * PER_PASS;
    const call = this.memory.call([bytes, bytes, bytes]);
    if (!call) return false;
    const fn = this.fns[op] as (a: number, b: number, out: number, bytes: number) => void;
    fn(call.in(0, a), call.in(1, b), call.out(2, out), bytes);
    call.finish();
    return true;
  }
}
