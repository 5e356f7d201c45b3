// DeepSeekMoE: the FFN equals its sparse definition, dense layers come first, balancing works as V3 describes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../../src/core/autograd.ts';
import { add, mulScalar, reshape, slice } from '../../src/core/ops/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { randn, tensor, type Tensor } from '../../src/core/tensor.ts';
import {
  activatedParameterCount,
  isMoeLayer,
  parameterCount,
  parameterShapes,
  type MoeConfig,
} from '../../src/model/config.ts';
import { route } from '../../src/model/gate.ts';
import {
  maxViolation,
  mlp,
  moeFfn,
  sequenceBalanceLoss,
  updateRoutingBias,
  type MoeLayerLog,
} from '../../src/model/moe.ts';
import { gradcheck } from '../helpers/gradcheck.ts';
import { leaves, maxAbs, maxAbsDiff, proj, randomModel, tinyV3, withParams } from './util.ts';

const PRE = 'model.layers.1.mlp.';

/** Expert e's own weights (gate_proj.weight, ...), sliced out of the layer's stacked tensors. */
const expert =
  (p: (n: string) => Tensor, e: number) =>
  (name: string): Tensor => {
    const stacked = p(PRE + 'experts.' + name);
    return reshape(slice(stacked, 0, e, e + 1), stacked.shape.slice(1));
  };

describe('the DeepSeekMoE FFN', () => {
  it('equals Σ over chosen experts of g·FFN_e(x) plus the shared experts, token by token', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 1e6 }),
        (groups, perGroup, shared, N, seed) => {
          const E = groups * perGroup;
          const c = tinyV3({
            moe: {
              ...tinyV3().moe!,
              nRoutedExperts: E,
              nGroups: groups,
              topkGroups: groups,
              nActivatedExperts: Math.min(2, E),
              nSharedExperts: shared,
            },
          });
          const m = randomModel(c, seed),
            p = (n: string) => m.p(n);
          const x = randn([N, c.dModel], new Rng(seed).child('x'), 1, { dtype: 'float64' });
          const y = noGrad(() => moeFfn(p, PRE, x, c.moe!, { B: 1, T: N, layer: 1 })).dataSync();
          const r = noGrad(() => route(x, p(PRE + 'gate.weight'), p(PRE + 'gate.e_score_correction_bias'), c.moe!));
          const idx = r.indices.dataSync(),
            w = r.weights.dataSync(),
            K = c.moe!.nActivatedExperts;
          const expected: number[] = [];
          noGrad(() => {
            for (let n = 0; n < N; n++) {
              const xn = slice(x, 0, n, n + 1);
              let out = shared > 0 ? mlp(p, PRE + 'shared_experts.', xn) : mulScalar(xn, 0);
              for (let j = 0; j < K; j++)
                out = add(out, mulScalar(mlp(expert(p, idx[n * K + j]!), '', xn), w[n * K + j]!));
              expected.push(...out.dataSync());
            }
          });
          expect(maxAbs(y)).toBeGreaterThan(1e-3);
          expect(maxAbsDiff(y, expected)).toBeLessThan(1e-12);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps dense FFNs in the first nDenseLayers layers and MoE after them', () => {
    for (const nDense of [0, 1, 2, 3]) {
      const c = tinyV3({ nLayers: 3, moe: { ...tinyV3().moe!, nDenseLayers: nDense } });
      const names = [...parameterShapes(c).keys()];
      for (let l = 0; l < 3; l++) {
        expect(isMoeLayer(c, l)).toBe(l >= nDense);
        expect(names.includes(`model.layers.${l}.mlp.gate_proj.weight`)).toBe(l < nDense);
        expect(names.includes(`model.layers.${l}.mlp.experts.down_proj.weight`)).toBe(l >= nDense);
        expect(names.includes(`model.layers.${l}.mlp.gate.e_score_correction_bias`)).toBe(l >= nDense);
      }
    }
  });

  it('counts activated parameters as one token uses them (the routed experts by K/N)', () => {
    const c = tinyV3();
    const perExpert = 3 * c.dModel * c.moe!.moeInterDim;
    const routed = c.moe!.nRoutedExperts * perExpert,
      bias = c.moe!.nRoutedExperts;
    expect(activatedParameterCount(c)).toBe(parameterCount(c) - routed - bias + c.moe!.nActivatedExperts * perExpert);
    const dense = tinyV3({ moe: undefined });
    expect(activatedParameterCount(dense)).toBe(parameterCount(dense));
  });

  it('has gradients that match central differences (input, gate and every expert)', () => {
    const c = tinyV3({
      dModel: 4,
      nLayers: 2,
      moe: {
        ...tinyV3().moe!,
        nRoutedExperts: 4,
        nGroups: 2,
        topkGroups: 1,
        nActivatedExperts: 2,
        moeInterDim: 2,
        seqAuxAlpha: 0.5,
      },
    });
    const like = randomModel(c, 21),
      ps = leaves(like);
    const mine = ps.filter((t) => t.name!.startsWith(PRE) && t.requiresGrad);
    const x = randn([3, 4], new Rng(2).child('x'), 1, { dtype: 'float64', requiresGrad: true });
    const f = (xi: Tensor, ...rest: Tensor[]) => {
      const m = withParams(
        like,
        ps.map((t) => rest[mine.indexOf(t)] ?? t),
      );
      const log: MoeLayerLog[] = [];
      const y = moeFfn((n) => m.p(n), PRE, xi, c.moe!, { B: 1, T: 3, layer: 1, log });
      return add(proj(y), log[0]!.aux!); // the balance loss is differentiated too
    };
    expect(gradcheck(f, [x, ...mine])).toBeLessThan(1e-6);
  });
});

describe('the sequence-wise balance loss', () => {
  it('is Σ_i f_i·P_i per sequence, averaged over sequences', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 1e6 }),
        (B, T, seed) => {
          const moe: MoeConfig = { ...tinyV3().moe!, nGroups: 1, topkGroups: 1 };
          const E = moe.nRoutedExperts,
            K = moe.nActivatedExperts;
          const x = randn([B * T, 4], new Rng(seed).child('x'), 1, { dtype: 'float64' }),
            w = randn([E, 4], new Rng(seed).child('w'), 1, { dtype: 'float64' });
          const r = noGrad(() => route(x, w, undefined, moe));
          const got = noGrad(() => sequenceBalanceLoss(r.indices, r.scores, moe, B, T)).dataSync()[0]!;
          const idx = r.indices.dataSync(),
            s = r.scores.dataSync();
          let want = 0;
          for (let b = 0; b < B; b++) {
            for (let i = 0; i < E; i++) {
              let count = 0,
                p = 0;
              for (let t = 0; t < T; t++) {
                const row = b * T + t;
                for (let j = 0; j < K; j++) if (idx[row * K + j] === i) count++;
                let total = 0;
                for (let e = 0; e < E; e++) total += s[row * E + e]!;
                p += s[row * E + i]! / total / T;
              }
              want += ((E / (K * T)) * count * p) / B;
            }
          }
          expect(got).toBeCloseTo(want, 12);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('auxiliary-loss-free balancing', () => {
  const bias = (params: Map<string, Tensor>, l: number) =>
    Array.from(params.get(`model.layers.${l}.mlp.gate.e_score_correction_bias`)!.dataSync());

  it('lowers the bias of overloaded experts by γ and raises it for underloaded ones', () => {
    const m = randomModel(tinyV3({ nLayers: 3 }), 4),
      before1 = bias(m.params, 1),
      before2 = bias(m.params, 2);
    const counts = (v: number[]) => tensor(v, [6], { dtype: 'float64' });
    // Layer 1 in two micro-batches (loads add up to [6, 0, 2, 2, 1, 1], mean 2); layer 2 not logged.
    updateRoutingBias(
      m.params,
      [
        { layer: 1, counts: counts([4, 0, 1, 1, 1, 1]) },
        { layer: 1, counts: counts([2, 0, 1, 1, 0, 0]) },
      ],
      0.01,
    );
    const after = bias(m.params, 1);
    [-0.01, 0.01, 0, 0, 0.01, 0.01].forEach((d, i) => expect(after[i]! - before1[i]!).toBeCloseTo(d, 12));
    expect(bias(m.params, 2)).toEqual(before2);
    expect(m.params.get('model.layers.1.mlp.gate.e_score_correction_bias')!.requiresGrad).toBe(false);
  });

  it('evens out the load on a fixed batch (MaxVio falls)', () => {
    const c = tinyV3();
    const m = randomModel(c, 8),
      x = randn([64, c.dModel], new Rng(8).child('x'), 1, { dtype: 'float64' });
    // A skewed gate: one expert's affinity row points along the mean input.
    const skew = Array.from(m.p(PRE + 'gate.weight').dataSync());
    for (let i = 0; i < c.dModel; i++) skew[i] = skew[i]! + 1;
    m.params.set(PRE + 'gate.weight', tensor(skew, [6, c.dModel], { dtype: 'float64' }));
    const vio = () => {
      const log: MoeLayerLog[] = [];
      noGrad(() => moeFfn((n) => m.p(n), PRE, x, c.moe!, { B: 1, T: 64, layer: 1, log }));
      return { log, v: maxViolation(log[0]!.counts.dataSync()) };
    };
    const first = vio().v;
    let last = first;
    for (let step = 0; step < 150; step++) {
      const { log, v } = vio();
      last = v;
      updateRoutingBias(m.params, log, 0.01);
    }
    expect(first).toBeGreaterThan(0.4);
    expect(last).toBeLessThan(first / 2);
  });

  it('measures MaxVio as (max − mean) / mean', () => {
    expect(maxViolation([2, 2, 2, 2])).toBe(0);
    expect(maxViolation([8, 0, 0, 0])).toBe(3);
    expect(maxViolation([3, 1])).toBe(0.5);
    expect(maxViolation([0, 0])).toBe(0);
  });
});
