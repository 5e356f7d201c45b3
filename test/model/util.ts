// Shared helpers for the model tests: small DeepSeek-style configs, float64 models with non-trivial weights,
// a fixed projection that turns any tensor into a scalar depending on every element, and next-token batches.
import { mul, sum } from '../../src/core/ops/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { intTensor, randn, tensor, type Tensor } from '../../src/core/tensor.ts';
import { validateConfig, type ModelConfig } from '../../src/model/config.ts';
import { Transformer } from '../../src/model/transformer.ts';

/** A tiny V3-shaped config (MLA + MoE after one dense layer); `over` replaces any part. */
export function tinyV3(over: Partial<ModelConfig> = {}): ModelConfig {
  return validateConfig({
    vocabSize: 23,
    dModel: 16,
    nLayers: 2,
    nHeads: 2,
    nKvHeads: 2,
    dFF: 24,
    maxSeqLen: 32,
    tieEmbeddings: false,
    initStd: 0.3,
    normEps: 1e-6,
    ropeStyle: 'interleaved',
    mla: { qLoraRank: 6, kvLoraRank: 5, qkNopeHeadDim: 3, qkRopeHeadDim: 4, vHeadDim: 3 },
    moe: {
      nRoutedExperts: 6,
      nSharedExperts: 1,
      nActivatedExperts: 2,
      moeInterDim: 4,
      nDenseLayers: 1,
      nGroups: 3,
      topkGroups: 2,
      routeScale: 2.5,
      scoreFunc: 'sigmoid',
      normTopkProb: true,
      biasUpdateSpeed: 0.001,
      seqAuxAlpha: 0.0001,
    },
    ...over,
  });
}

/** A float64 model whose every parameter (norms and the balancing bias included) is random, so no path is trivial. */
export function randomModel(config: ModelConfig, seed: number): Transformer {
  const m = Transformer.init(config, new Rng(seed), 'float64');
  const rng = new Rng(seed).child('perturb');
  for (const [name, p] of m.params) {
    if (name.endsWith('norm.weight')) {
      const r = randn(p.shape, rng.child(name), 0.2, { dtype: 'float64' }).dataSync();
      m.params.set(
        name,
        tagged(
          name,
          Float64Array.from(r, (x) => 1 + x),
          p.shape,
          true,
        ),
      );
    } else if (name.endsWith('e_score_correction_bias')) {
      m.params.set(
        name,
        tagged(name, randn(p.shape, rng.child(name), 0.1, { dtype: 'float64' }).dataSync(), p.shape, false),
      );
    }
  }
  return m;
}

function tagged(name: string, data: ArrayLike<number>, shape: readonly number[], requiresGrad: boolean): Tensor {
  const t = tensor(data, shape, { dtype: 'float64', requiresGrad });
  t.name = name;
  return t;
}

/** A fixed, element-dependent linear functional: Σ_i x_i · sin(i + 1). */
export const proj = (t: Tensor): Tensor =>
  sum(
    mul(
      t,
      tensor(
        Array.from({ length: t.size }, (_, i) => Math.sin(i + 1)),
        t.shape,
        { dtype: t.dtype },
      ),
    ),
  );

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** A copy of a model's parameters as leaves that require grad (for gradcheck), in parameters() order. */
export function leaves(m: Transformer): Tensor[] {
  return m.parameters().map((p) => tagged(p.name!, p.dataSync(), p.shape, p.requiresGrad));
}

/** A model over the given parameter tensors (same names and order as `like`). */
export function withParams(like: Transformer, ps: Tensor[]): Transformer {
  const names = [...like.params.keys()];
  return new Transformer(like.config, new Map(ps.map((p, i) => [names[i]!, p])));
}

/** Rows of `len` ids as a next-token batch: x is each row but its last id, y each row but its first. */
export function nextTokenBatch(ids: readonly number[], len: number): { x: Tensor; y: Tensor } {
  const rows = ids.length / len;
  return {
    x: intTensor(
      ids.filter((_, i) => i % len < len - 1),
      [rows, len - 1],
    ),
    y: intTensor(
      ids.filter((_, i) => i % len > 0),
      [rows, len - 1],
    ),
  };
}
