// Lesson 06's first run: how many numbers the KV cache keeps per token, for MHA, GQA, MQA and MLA, at two
// sizes: the tiny models of src/experiments/mla-cache.ts and DeepSeek-V3's shape (61 layers, 128 heads of
// width 128). Every count comes from cacheNumbersPerTokenPerLayer (src/model/config.ts):
//   MHA 2·n_h·d_h   GQA 2·n_kv·d_h   MQA 2·d_h   MLA d_c + d_h^R   (V2 Table 1)
// and V3's total and activated parameters from parameterCount / activatedParameterCount. Pure arithmetic:
// instant on any budget. The knob sets MLA's latent width d_c (kvLoraRank; V3 uses 512).
import type { RunContext, RunResult } from '../../src/tui/manifest.ts';

/** DeepSeek-V3's published shape as a ModelConfig (inference/configs/config_671B.json). */
export const V3_SHAPE = {
  vocabSize: 129280,
  dModel: 7168,
  nLayers: 61,
  nHeads: 128,
  nKvHeads: 128,
  dFF: 18432,
  maxSeqLen: 4096,
  ropeTheta: 10000,
  ropeStyle: 'interleaved',
  normEps: 1e-6,
  tieEmbeddings: false,
  initStd: 0.006,
  mla: { qLoraRank: 1536, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
  moe: {
    nRoutedExperts: 256,
    nSharedExperts: 1,
    nActivatedExperts: 8,
    moeInterDim: 2048,
    nDenseLayers: 3,
    nGroups: 8,
    topkGroups: 4,
    routeScale: 2.5,
    scoreFunc: 'sigmoid',
    normTopkProb: true,
    biasUpdateSpeed: 0.001,
    seqAuxAlpha: 0.0001,
  },
  mtpDepth: 1,
  mtpLambda: 0.3,
} as const;

const CONTEXT = 32768;
const gb = (numbersPerToken: number, layers: number) => (numbersPerToken * layers * 2 * CONTEXT) / 1e9; // BF16

export async function kvCacheRun(ctx: RunContext): Promise<RunResult> {
  const { validateConfig, cacheNumbersPerTokenPerLayer, parameterCount, activatedParameterCount, attentionKind } =
    await import('../../src/model/config.ts');
  const { mlaCacheModel } = await import('../../src/experiments/mla-cache.ts');
  const kvLoraRank = Number(ctx.knobs['kvLoraRank']);
  const lines: string[] = [];

  lines.push('tiny models (d = 48, 4 heads of 12, the mla-cache experiment):');
  const tiny: Record<string, number> = {};
  for (const v of ['mha', 'gqa', 'mqa', 'mla'] as const) {
    const c = mlaCacheModel(v);
    tiny[v] = cacheNumbersPerTokenPerLayer(c);
    lines.push(
      `  ${attentionKind(c).toUpperCase().padEnd(4)} ${String(tiny[v]).padStart(6)} numbers per token per layer   (${parameterCount(c)} parameters)`,
    );
  }
  ctx.report({ kind: 'progress', step: 1, total: 2 });
  await ctx.tick();

  // The MHA/GQA/MQA rows use a model whose 128 heads are 128 wide, as V3's are (V3's d_model / n_h is 56,
  // so the config is widened only for counting): the comparison of V2 Table 1.
  const v3 = validateConfig({ ...V3_SHAPE, mla: { ...V3_SHAPE.mla, kvLoraRank } });
  const wide = (nKvHeads: number) =>
    validateConfig({ ...V3_SHAPE, mla: undefined, moe: undefined, mtpDepth: 0, dModel: 128 * 128, nKvHeads });
  const rows: [string, number][] = [
    ['MHA, 128 KV heads', cacheNumbersPerTokenPerLayer(wide(128))],
    ['GQA, 8 KV heads', cacheNumbersPerTokenPerLayer(wide(8))],
    ['MQA, 1 KV head', cacheNumbersPerTokenPerLayer(wide(1))],
    [`MLA, d_c = ${kvLoraRank}`, cacheNumbersPerTokenPerLayer(v3)],
  ];
  lines.push('', `V3-sized (61 layers, 128 heads of width 128), BF16, one sequence of ${CONTEXT} tokens:`);
  for (const [name, n] of rows)
    lines.push(
      `  ${name.padEnd(20)} ${String(n).padStart(6)} numbers/token/layer  ${gb(n, 61).toFixed(1).padStart(6)} GB   ${n === rows[0]![1] ? 'the baseline' : `${(rows[0]![1] / n).toFixed(1)}× smaller than MHA`}`,
    );
  const total = parameterCount(v3),
    active = activatedParameterCount(v3);
  lines.push(
    '',
    `V3 parameters (main model + MTP): ${(total / 1e9).toFixed(1)}B; used by one token: ${(active / 1e9).toFixed(1)}B (${((100 * active) / total).toFixed(1)}%)`,
  );
  ctx.report({ kind: 'progress', step: 2, total: 2 });
  await ctx.tick();
  return {
    metrics: {
      mhaV3: rows[0]![1],
      mlaV3: rows[3]![1],
      ratioV3: rows[0]![1] / rows[3]![1],
      tinyMla: tiny['mla']!,
      tinyMha: tiny['mha']!,
      totalParams: total,
      activeParams: active,
    },
    lines,
  };
}
