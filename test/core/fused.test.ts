// Fused kernels against the composed ops they replace: the same bits (tolerance 0), float32 and float64,
// any shape, the causal softmax's masked zeros included. Their gradients are checked in gradcheck.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backward, noGrad } from '../../src/core/autograd.ts';
import { causalSoftmax, mul, mulScalar, rmsNorm, softmax, sum, swiglu } from '../../src/core/ops/index.ts';
import { swigluComposed } from '../../src/core/ops/activation.ts';
import { rmsNormBackwardComposed } from '../../src/core/ops/norm.ts';
import { softmaxBackwardComposed } from '../../src/core/ops/softmax.ts';
import { Rng } from '../../src/core/rng.ts';
import { randn, tensor, type Tensor } from '../../src/core/tensor.ts';

const dtypes = ['float32', 'float64'] as const;
const shape = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 9 }));

/** Gradients of Σ y ⊙ G (a fixed random G) with respect to each input. */
function grads(f: (...xs: Tensor[]) => Tensor, xs: Tensor[], G: Tensor): Tensor[] {
  for (const x of xs) x.grad = null;
  backward(sum(mul(f(...xs), G)));
  return xs.map((x) => x.grad!);
}

describe("fused kernels give the composed ops' bits", () => {
  it('softmax backward (plain and causal)', () => {
    fc.assert(
      fc.property(shape, fc.integer(), fc.boolean(), fc.constantFrom(...dtypes), ([rows, n], seed, causal, dtype) => {
        const rng = new Rng(seed);
        const x = randn([rows, n], rng.child('x'), 2, { dtype, requiresGrad: true }),
          G = randn([rows, n], rng.child('g'), 1, { dtype });
        const f = (a: Tensor) => (causal ? causalSoftmax(a, 1, rows) : softmax(a));
        const [fused] = grads(f, [x], G);
        const y = noGrad(() => f(x));
        expect(fused!.dataSync()).toEqual(noGrad(() => softmaxBackwardComposed(y, G)).dataSync());
      }),
      { numRuns: 200 },
    );
  });

  it('the scaled causal softmax (an attention row): scale, mask and softmax fused, forward and backward', () => {
    fc.assert(
      fc.property(
        shape,
        fc.integer(),
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        fc.constantFrom(...dtypes),
        ([rows, n], seed, scale, dtype) => {
          const rng = new Rng(seed);
          const x = randn([rows, n], rng.child('x'), 2, { dtype, requiresGrad: true }),
            G = randn([rows, n], rng.child('g'), 1, { dtype });
          const offset = Math.max(0, n - rows);
          const [fusedGrad] = grads((a) => causalSoftmax(a, offset, rows, scale), [x], G);
          const [composedGrad] = grads((a) => causalSoftmax(mulScalar(a, scale), offset, rows), [x], G);
          const fused = noGrad(() => causalSoftmax(x, offset, rows, scale)),
            composed = noGrad(() => causalSoftmax(mulScalar(x, scale), offset, rows));
          expect(fused.dataSync()).toEqual(composed.dataSync());
          expect(fusedGrad!.dataSync()).toEqual(composedGrad!.dataSync());
        },
      ),
      { numRuns: 200 },
    );
  });

  it('RMSNorm backward, for x and the weight', () => {
    fc.assert(
      fc.property(shape, fc.integer(), fc.constantFrom(...dtypes), ([rows, n], seed, dtype) => {
        const rng = new Rng(seed);
        const x = randn([rows, n], rng.child('x'), 1, { dtype, requiresGrad: true }),
          w = randn([n], rng.child('w'), 1, { dtype, requiresGrad: true });
        const G = randn([rows, n], rng.child('g'), 1, { dtype });
        const [gx, gw] = grads((a, b) => rmsNorm(a, b, 1e-6), [x, w], G);
        // rstd as the forward kernel stores it: 1/√(mean(x²) + ε) rounded to the storage type.
        const rstdData = new Float64Array(rows),
          xs = x.dataSync();
        for (let r = 0; r < rows; r++) {
          let ss = 0;
          for (let j = 0; j < n; j++) ss += xs[r * n + j]! * xs[r * n + j]!;
          rstdData[r] = dtype === 'float32' ? Math.fround(1 / Math.sqrt(ss / n + 1e-6)) : 1 / Math.sqrt(ss / n + 1e-6);
        }
        const r = tensor(rstdData, [rows, 1], { dtype });
        const [cx, cw] = noGrad(() => rmsNormBackwardComposed(x, w, r, G));
        expect(gx!.dataSync()).toEqual(cx.dataSync());
        expect(gw!.dataSync()).toEqual(cw.dataSync());
      }),
      { numRuns: 200 },
    );
  });

  it('SwiGLU forward and backward', () => {
    fc.assert(
      fc.property(shape, fc.integer(), fc.constantFrom(...dtypes), ([rows, n], seed, dtype) => {
        const rng = new Rng(seed);
        const a = randn([rows, n], rng.child('a'), 3, { dtype, requiresGrad: true }),
          b = randn([rows, n], rng.child('b'), 1, { dtype, requiresGrad: true });
        const G = randn([rows, n], rng.child('g'), 1, { dtype });
        expect(noGrad(() => swiglu(a, b)).dataSync()).toEqual(noGrad(() => swigluComposed(a, b)).dataSync());
        const fused = grads(swiglu, [a, b], G).map((t) => t.dataSync());
        const composed = grads(swigluComposed, [a, b], G).map((t) => t.dataSync());
        expect(fused).toEqual(composed);
      }),
      { numRuns: 200 },
    );
  });

  it('SwiGLU times a row weight (the MoE combine weight): forward and backward, the weight’s gradient included', () => {
    fc.assert(
      fc.property(shape, fc.integer(), fc.constantFrom(...dtypes), ([rows, n], seed, dtype) => {
        const rng = new Rng(seed);
        const a = randn([rows, n], rng.child('a'), 3, { dtype, requiresGrad: true }),
          b = randn([rows, n], rng.child('b'), 1, { dtype, requiresGrad: true }),
          w = randn([rows, 1], rng.child('w'), 1, { dtype, requiresGrad: true });
        const G = randn([rows, n], rng.child('g'), 1, { dtype });
        expect(noGrad(() => swiglu(a, b, w)).dataSync()).toEqual(noGrad(() => swigluComposed(a, b, w)).dataSync());
        const fused = grads(swiglu, [a, b, w], G).map((t) => t.dataSync());
        const composed = grads(swigluComposed, [a, b, w], G).map((t) => t.dataSync());
        expect(fused).toEqual(composed);
      }),
      { numRuns: 200 },
    );
  });
});
