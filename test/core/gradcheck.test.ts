// Every differentiable op against central differences, in float64.
import { describe, expect, it } from 'vitest';
import * as o from '../../src/core/ops/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { intTensor, tensor, type Tensor } from '../../src/core/tensor.ts';
import { gradcheck, randT } from '../helpers/gradcheck.ts';

const rng = new Rng(42).child('gradcheck');
const r = (...shape: number[]) => randT(rng, shape);
const pos = (...shape: number[]) => o.addScalar(o.map('abs', r(...shape)), 0.5); // strictly positive leaf
const leaf = (t: Tensor) => tensor(t.dataSync(), t.shape, { dtype: 'float64', requiresGrad: true });
/** A fixed random projection makes the scalar depend on every output element with a different weight. */
const proj = (t: Tensor) =>
  o.sum(
    o.mul(
      t,
      tensor(
        Array.from({ length: t.size }, (_, i) => Math.sin(i + 1)),
        t.shape,
        { dtype: 'float64' },
      ),
    ),
  );

const cases: [string, () => number][] = [
  ['add (broadcast)', () => gradcheck((a, b) => proj(o.add(a, b)), [r(2, 3, 4), r(3, 1)])],
  ['sub (broadcast)', () => gradcheck((a, b) => proj(o.sub(a, b)), [r(4), r(2, 4)])],
  ['mul (broadcast)', () => gradcheck((a, b) => proj(o.mul(a, b)), [r(2, 1, 4), r(3, 4)])],
  ['div', () => gradcheck((a, b) => proj(o.div(a, b)), [r(2, 3), leaf(pos(2, 3))])],
  ['maximum', () => gradcheck((a, b) => proj(o.maximum(a, b)), [r(3, 4), r(4)])],
  ['neg exp', () => gradcheck((a) => proj(o.exp(o.neg(a))), [r(3, 4)])],
  ['log', () => gradcheck((a) => proj(o.log(a)), [leaf(pos(3, 4))])],
  ['sqrt', () => gradcheck((a) => proj(o.sqrt(a)), [leaf(pos(3, 4))])],
  ['rsqrt', () => gradcheck((a) => proj(o.rsqrt(a)), [leaf(pos(3, 4))])],
  ['square', () => gradcheck((a) => proj(o.square(a)), [r(3, 4)])],
  ['sigmoid', () => gradcheck((a) => proj(o.sigmoid(a)), [r(3, 4)])],
  ['tanh', () => gradcheck((a) => proj(o.tanh(a)), [r(3, 4)])],
  ['relu', () => gradcheck((a) => proj(o.relu(a)), [leaf(o.addScalar(r(3, 4), 0.05))])],
  ['silu', () => gradcheck((a) => proj(o.silu(a)), [r(3, 4)])],
  ['addScalar mulScalar', () => gradcheck((a) => proj(o.mulScalar(o.addScalar(a, 2), -3)), [r(5)])],
  ['powScalar', () => gradcheck((a) => proj(o.powScalar(a, 3)), [r(5)])],
  ['sum over axis', () => gradcheck((a) => proj(o.sum(a, 1)), [r(2, 3, 4)])],
  ['sum all', () => gradcheck((a) => o.sum(o.square(a)), [r(2, 3)])],
  ['mean keepdim', () => gradcheck((a) => proj(o.mean(a, -1, true)), [r(2, 3, 4)])],
  ['max', () => gradcheck((a) => proj(o.max(a, 1)), [r(3, 5)])],
  ['reshape', () => gradcheck((a) => proj(o.reshape(a, [4, -1])), [r(2, 3, 2)])],
  ['permute', () => gradcheck((a) => proj(o.permute(a, [2, 0, 1])), [r(2, 3, 4)])],
  ['transpose', () => gradcheck((a) => proj(o.transpose(a, 0, 2)), [r(2, 3, 4)])],
  ['slice', () => gradcheck((a) => proj(o.slice(a, 1, 1, 3)), [r(2, 4, 3)])],
  ['concat', () => gradcheck((a, b) => proj(o.concat([a, b, a], 1)), [r(2, 2, 3), r(2, 1, 3)])],
  ['expand', () => gradcheck((a) => proj(o.expand(a, [3, 2, 4])), [r(2, 1)])],
  ['matmul', () => gradcheck((a, b) => proj(o.matmul(a, b)), [r(3, 4), r(4, 5)])],
  ['matmul batched, shared right', () => gradcheck((a, b) => proj(o.matmul(a, b)), [r(2, 3, 4), r(4, 5)])],
  ['matmul batched, shared left', () => gradcheck((a, b) => proj(o.matmul(a, b)), [r(3, 4), r(2, 4, 5)])],
  ['matmul transB', () => gradcheck((a, b) => proj(o.matmul(a, b, { transB: true })), [r(2, 3, 4), r(2, 5, 4)])],
  ['matmul transA', () => gradcheck((a, b) => proj(o.matmul(a, b, { transA: true })), [r(2, 4, 3), r(2, 4, 5)])],
  [
    'matmul both transposed, shared',
    () => gradcheck((a, b) => proj(o.matmul(a, b, { transA: true, transB: true })), [r(2, 4, 3), r(5, 4)]),
  ],
  ['embedding', () => gradcheck((t) => proj(o.embedding(t, intTensor([2, 0, 2, 1], [2, 2]))), [r(3, 4)])],
  ['takeAlong', () => gradcheck((x) => proj(o.takeAlong(x, 1, intTensor([1, 1, 3, 0, 2, 2], [3, 2]))), [r(3, 4)])],
  ['scatterAddRows', () => gradcheck((s) => proj(o.scatterAddRows(4, intTensor([2, 0, 2]), s)), [r(3, 3)])],
  ['topk values', () => gradcheck((x) => proj(o.topk(x, 2).values), [r(3, 5)])],
  ['softmax', () => gradcheck((a) => proj(o.softmax(a)), [r(3, 5)])],
  ['causal softmax with offset', () => gradcheck((a) => proj(o.causalSoftmax(a, 1)), [r(2, 3, 4)])],
  ['scaled causal softmax (fused scale)', () => gradcheck((a) => proj(o.causalSoftmax(a, 1, 3, 0.37)), [r(2, 3, 4)])],
  ['logSoftmax', () => gradcheck((a) => proj(o.logSoftmax(a)), [r(3, 5)])],
  ['tokenLogProbs', () => gradcheck((z) => proj(o.tokenLogProbs(z, intTensor([1, 4, 0]))), [r(3, 5)])],
  [
    'crossEntropy with ignoreIndex and weights',
    () =>
      gradcheck(
        (z) =>
          o.crossEntropy(z, intTensor([1, -1, 0, 3]), { weights: tensor([1, 1, 0.5, 2], [4], { dtype: 'float64' }) }),
        [r(4, 5)],
      ),
  ],
  ['rmsNorm', () => gradcheck((x, w) => proj(o.rmsNorm(x, w, 1e-6)), [r(3, 6), r(6)])],
  ...(['interleaved', 'half'] as const).map((style): [string, () => number] => [
    `rope (${style})`,
    () => {
      const tables = o.ropeTables(o.ropeInvFreq(4, 10000), 8, { dtype: 'float64' });
      return gradcheck((x) => proj(o.rope(x, intTensor([0, 3, 5, 7]), tables, style)), [r(4, 2, 4)]);
    },
  ]),
  ['swiglu', () => gradcheck((a, b) => proj(o.swiglu(a, b)), [r(3, 4), r(3, 4)])],
  ['swiglu times a row weight', () => gradcheck((a, b, w) => proj(o.swiglu(a, b, w)), [r(3, 4), r(3, 4), r(3, 1)])],
  [
    'causal attention (GQA)',
    () => gradcheck((q, k, v) => proj(o.causalAttention(q, k, v)), [r(1, 4, 3, 2), r(1, 2, 3, 2), r(1, 2, 3, 3)]),
  ],
  [
    'attention with cache offset and key bias',
    () =>
      gradcheck(
        (q, k, v) =>
          proj(
            o.causalAttention(q, k, v, {
              offset: 2,
              bias: tensor([-1e9, 0, 0, 0, 0], [1, 1, 1, 5], { dtype: 'float64' }),
            }),
          ),
        [r(2, 2, 3, 2), r(2, 1, 5, 2), r(2, 1, 5, 2)],
      ),
  ],
];

describe('gradients match central differences (float64)', () => {
  it.each(cases)('%s', (_name, check) => {
    expect(check()).toBeLessThan(1e-6);
  });
});
