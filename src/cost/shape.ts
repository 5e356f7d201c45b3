// ModelShape: the handful of numbers the cost model needs from a transformer, dense or DeepSeek-style
// (MLA attention, DeepSeekMoE FFNs with shared and routed experts, MTP modules). cost/ reads no model code:
// a tinyseek ModelConfig, a Hugging Face config.json (hf-config.ts) or a preset (models.ts) all become one
// of these. Field names follow tinyseek's config and DeepSeek's model.py (dim → d, inter_dim → dFF, ...).
// FFNs are SwiGLU (three matrices), as in DeepSeek, Llama and Qwen.
// Source: ../shared/reference/deepseek-v3-architecture.md §0.
import { InputError } from '../core/errors.ts';

export type AttentionKind = 'mha' | 'gqa' | 'mla';

export interface ModelShape {
  name: string;
  /** Hidden size (HF hidden_size, model.py dim). */
  d: number;
  nLayers: number;
  nHeads: number;
  vocab: number;
  /** Dense FFN width (intermediate_size / inter_dim), used by the first nDenseLayers layers. */
  dFF: number;
  /** Output head shares the embedding matrix. */
  tieEmbeddings: boolean;
  attention: AttentionKind;
  /** MHA/GQA: per-head width; nKvHeads = nHeads for MHA. */
  headDim: number;
  nKvHeads: number;
  /** Biases on the Q, K, V projections (Qwen2). */
  qkvBias: boolean;
  /** MLA (V2 §2.1): query compression rank (0 = none), KV compression rank d_c, per-head widths. */
  qLoraRank: number;
  kvLoraRank: number;
  qkNopeHeadDim: number;
  qkRopeHeadDim: number;
  vHeadDim: number;
  /** Leading layers with a dense FFN; the rest are MoE when nRoutedExperts > 0. */
  nDenseLayers: number;
  nRoutedExperts: number;
  nSharedExperts: number;
  /** Routed experts per token, K_r. */
  nActivatedExperts: number;
  moeInterDim: number;
  /** Expert groups and the groups a token may reach (node-limited routing's M for V3: 8 / 4). */
  nExpertGroups: number;
  nLimitedGroups: number;
  /** MTP depth D (V3 §2.2): extra modules trained alongside, discarded at inference. */
  mtpDepth: number;
}

export type ShapeInput = Pick<ModelShape, 'name' | 'd' | 'nLayers' | 'nHeads' | 'vocab'> & Partial<ModelShape>;

/** Fills the defaults a plain dense MHA transformer implies, then validates; `where` names the source. */
export function defineShape(input: ShapeInput, where = input.name): ModelShape {
  const moe = (input.nRoutedExperts ?? 0) > 0;
  const attention =
    input.attention ?? (input.nKvHeads !== undefined && input.nKvHeads !== input.nHeads ? 'gqa' : 'mha');
  const shape: ModelShape = {
    dFF: 4 * input.d,
    tieEmbeddings: false,
    attention,
    headDim: input.d / input.nHeads,
    nKvHeads: input.nHeads,
    qkvBias: false,
    qLoraRank: 0,
    kvLoraRank: 0,
    qkNopeHeadDim: 0,
    qkRopeHeadDim: 0,
    vHeadDim: 0,
    nDenseLayers: moe ? 0 : input.nLayers,
    nRoutedExperts: 0,
    nSharedExperts: 0,
    nActivatedExperts: 0,
    moeInterDim: 0,
    nExpertGroups: 1,
    nLimitedGroups: 1,
    mtpDepth: 0,
    // Fields given as undefined keep their default.
    ...(Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as ShapeInput),
  };
  const problems = shapeProblems(shape);
  if (problems.length) throw new InputError(`${where}: ${problems.join('; ')}`);
  return shape;
}

const isCount = (v: number, min = 1) => Number.isInteger(v) && v >= min;

/** Everything wrong with a shape, as readable phrases; empty when it is usable. */
export function shapeProblems(s: ModelShape): string[] {
  const p: string[] = [];
  for (const k of ['d', 'nLayers', 'nHeads', 'vocab'] as const)
    if (!isCount(s[k])) p.push(`${k} must be a whole number ≥ 1 (got ${s[k]})`);
  for (const k of ['nDenseLayers', 'nRoutedExperts', 'nSharedExperts', 'nActivatedExperts', 'mtpDepth'] as const)
    if (!isCount(s[k], 0)) p.push(`${k} must be a whole number ≥ 0 (got ${s[k]})`);
  if (s.nDenseLayers > s.nLayers) p.push(`nDenseLayers (${s.nDenseLayers}) exceeds nLayers (${s.nLayers})`);
  if (s.nDenseLayers > 0 && !isCount(s.dFF)) p.push(`dFF must be ≥ 1 when dense layers exist (got ${s.dFF})`);
  if (s.attention === 'mla') {
    if (!isCount(s.kvLoraRank)) p.push(`MLA needs kvLoraRank ≥ 1 (got ${s.kvLoraRank})`);
    if (!isCount(s.qkNopeHeadDim)) p.push(`MLA needs qkNopeHeadDim ≥ 1 (got ${s.qkNopeHeadDim})`);
    if (!isCount(s.vHeadDim)) p.push(`MLA needs vHeadDim ≥ 1 (got ${s.vHeadDim})`);
    if (!isCount(s.qkRopeHeadDim, 0)) p.push(`qkRopeHeadDim must be ≥ 0 (got ${s.qkRopeHeadDim})`);
    if (!isCount(s.qLoraRank, 0)) p.push(`qLoraRank must be ≥ 0 (got ${s.qLoraRank})`);
  } else {
    if (!isCount(s.headDim)) p.push(`headDim must be a whole number ≥ 1 (got ${s.headDim}; d / nHeads is not whole?)`);
    if (!isCount(s.nKvHeads) || s.nHeads % s.nKvHeads !== 0)
      p.push(`nKvHeads (${s.nKvHeads}) must divide nHeads (${s.nHeads})`);
    if (s.attention === 'mha' && s.nKvHeads !== s.nHeads) p.push(`MHA has nKvHeads = nHeads (got ${s.nKvHeads})`);
  }
  if (s.nRoutedExperts > 0) {
    if (s.nDenseLayers === s.nLayers) p.push('an MoE model needs at least one MoE layer (nDenseLayers < nLayers)');
    if (!isCount(s.moeInterDim)) p.push(`moeInterDim must be ≥ 1 (got ${s.moeInterDim})`);
    if (!isCount(s.nActivatedExperts) || s.nActivatedExperts > s.nRoutedExperts)
      p.push(`nActivatedExperts (${s.nActivatedExperts}) must be 1..nRoutedExperts (${s.nRoutedExperts})`);
    if (!isCount(s.nExpertGroups) || s.nRoutedExperts % s.nExpertGroups !== 0)
      p.push(`nExpertGroups (${s.nExpertGroups}) must divide nRoutedExperts (${s.nRoutedExperts})`);
    if (!isCount(s.nLimitedGroups) || s.nLimitedGroups > s.nExpertGroups)
      p.push(`nLimitedGroups (${s.nLimitedGroups}) must be 1..nExpertGroups (${s.nExpertGroups})`);
  } else if (s.nDenseLayers !== s.nLayers) {
    p.push(`a dense model has nDenseLayers = nLayers (got ${s.nDenseLayers} of ${s.nLayers})`);
  }
  return p;
}

export const isMoe = (s: ModelShape): boolean => s.nRoutedExperts > 0;
export const moeLayers = (s: ModelShape): number => s.nLayers - s.nDenseLayers;

/** One line that says what the model is, for report headers. */
export function describeShape(s: ModelShape): string {
  const attn =
    s.attention === 'mla'
      ? `MLA (d_c ${s.kvLoraRank}, rope ${s.qkRopeHeadDim})`
      : s.attention === 'gqa'
        ? `GQA ${s.nHeads}/${s.nKvHeads} heads`
        : `MHA ${s.nHeads} heads`;
  const ffn = isMoe(s)
    ? `MoE ${s.nRoutedExperts} routed + ${s.nSharedExperts} shared, top-${s.nActivatedExperts}` +
      (s.nDenseLayers ? `, ${s.nDenseLayers} dense layer${s.nDenseLayers > 1 ? 's' : ''}` : '')
    : 'dense FFN';
  return `${s.nLayers} layers, d ${s.d}, ${attn}, ${ffn}${s.mtpDepth ? `, MTP depth ${s.mtpDepth}` : ''}`;
}

const NUMBER_FIELDS = [
  'd',
  'nLayers',
  'nHeads',
  'vocab',
  'dFF',
  'headDim',
  'nKvHeads',
  'qLoraRank',
  'kvLoraRank',
  'qkNopeHeadDim',
  'qkRopeHeadDim',
  'vHeadDim',
  'nDenseLayers',
  'nRoutedExperts',
  'nSharedExperts',
  'nActivatedExperts',
  'moeInterDim',
  'nExpertGroups',
  'nLimitedGroups',
  'mtpDepth',
] as const;

/**
 * A shape from an untyped object, e.g. a tinyseek ModelConfig read from a run directory's config.json:
 * the field names are the same, unknown fields are ignored (a ModelConfig carries more than cost needs),
 * wrongly typed ones are an InputError naming `where`.
 */
export function shapeFromPlain(obj: Record<string, unknown>, where: string): ModelShape {
  const input: Record<string, unknown> = { name: typeof obj.name === 'string' ? obj.name : where };
  for (const k of NUMBER_FIELDS) {
    const v = obj[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new InputError(`${where}: field '${k}' must be a number, got ${JSON.stringify(v)}`);
    input[k] = v;
  }
  for (const k of ['tieEmbeddings', 'qkvBias'] as const) {
    const v = obj[k];
    if (v === undefined) continue;
    if (typeof v !== 'boolean')
      throw new InputError(`${where}: field '${k}' must be true or false, got ${JSON.stringify(v)}`);
    input[k] = v;
  }
  if (obj.attention !== undefined) {
    if (obj.attention !== 'mha' && obj.attention !== 'gqa' && obj.attention !== 'mla')
      throw new InputError(
        `${where}: field 'attention' must be "mha", "gqa" or "mla", got ${JSON.stringify(obj.attention)}`,
      );
    input.attention = obj.attention;
  }
  for (const k of ['d', 'nLayers', 'nHeads', 'vocab'] as const)
    if (input[k] === undefined) throw new InputError(`${where}: missing field '${k}'`);
  return defineShape(input as ShapeInput, where);
}

/** Same architecture, ignoring the name and the MTP modules (which inference discards). */
export function sameArchitecture(a: ModelShape, b: ModelShape): boolean {
  const strip = ({ name: _n, mtpDepth: _m, ...rest }: ModelShape) => JSON.stringify(rest, Object.keys(rest).sort());
  return strip(a) === strip(b);
}
