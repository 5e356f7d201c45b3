// Validation and defaults of the optional DeepSeek sections of a ModelConfig (config.ts): `mla`, `moe` and
// `ropeScaling` (YaRN). Each section is checked key by key, with unknown keys refused, and a partial `moe` or
// `ropeScaling` is completed from V3-style defaults. Errors name the key and go through the caller's `bad`,
// which prefixes the config's source (a file, a flag).
import type { InputError } from '../core/errors.ts';
import type { MlaConfig, MoeConfig, YarnScaling } from './config.ts';

/** V3's gate in miniature: the defaults a `moe` section fills in (sizes are the caller's). */
export const defaultMoe: MoeConfig = {
  nRoutedExperts: 8,
  nSharedExperts: 1,
  nActivatedExperts: 2,
  moeInterDim: 32,
  nDenseLayers: 1,
  nGroups: 1,
  topkGroups: 1,
  routeScale: 1,
  scoreFunc: 'sigmoid',
  normTopkProb: true,
  biasUpdateSpeed: 0.001,
  seqAuxAlpha: 0.0001,
};

export const defaultYarn: YarnScaling = {
  type: 'yarn',
  factor: 1,
  originalMaxPositionEmbeddings: 4096,
  betaFast: 32,
  betaSlow: 1,
};

export type Bad = (what: string) => InputError;

function section(v: unknown, name: string, keys: string[], bad: Bad): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${name} must be an object`);
  const extra = Object.keys(v).filter((k) => !keys.includes(k));
  if (extra.length) throw bad(`${name}: unknown keys ${extra.join(', ')}`);
  return v as Record<string, unknown>;
}

function int(o: Record<string, unknown>, name: string, key: string, min: number, bad: Bad): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw bad(`${name}.${key} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function num(
  o: Record<string, unknown>,
  name: string,
  key: string,
  ok: (v: number) => boolean,
  rule: string,
  bad: Bad,
): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v))
    throw bad(`${name}.${key} must be ${rule}, got ${JSON.stringify(v)}`);
  return v;
}

export function validateMla(v: unknown, bad: Bad): MlaConfig {
  const o = section(v, 'mla', ['qLoraRank', 'kvLoraRank', 'qkNopeHeadDim', 'qkRopeHeadDim', 'vHeadDim'], bad);
  const m: MlaConfig = {
    qLoraRank: int(o, 'mla', 'qLoraRank', 0, bad),
    kvLoraRank: int(o, 'mla', 'kvLoraRank', 1, bad),
    qkNopeHeadDim: int(o, 'mla', 'qkNopeHeadDim', 1, bad),
    qkRopeHeadDim: int(o, 'mla', 'qkRopeHeadDim', 2, bad),
    vHeadDim: int(o, 'mla', 'vHeadDim', 1, bad),
  };
  if (m.qkRopeHeadDim % 2 !== 0) throw bad(`mla.qkRopeHeadDim ${m.qkRopeHeadDim} must be even for RoPE`);
  return m;
}

export function validateMoe(v: unknown, nLayers: number, bad: Bad): MoeConfig {
  const o = section(
    { ...defaultMoe, ...section(v, 'moe', Object.keys(defaultMoe), bad) },
    'moe',
    Object.keys(defaultMoe),
    bad,
  );
  const m: MoeConfig = {
    nRoutedExperts: int(o, 'moe', 'nRoutedExperts', 1, bad),
    nSharedExperts: int(o, 'moe', 'nSharedExperts', 0, bad),
    nActivatedExperts: int(o, 'moe', 'nActivatedExperts', 1, bad),
    moeInterDim: int(o, 'moe', 'moeInterDim', 1, bad),
    nDenseLayers: int(o, 'moe', 'nDenseLayers', 0, bad),
    nGroups: int(o, 'moe', 'nGroups', 1, bad),
    topkGroups: int(o, 'moe', 'topkGroups', 1, bad),
    routeScale: num(o, 'moe', 'routeScale', (x) => x > 0, '> 0', bad),
    scoreFunc: o.scoreFunc as MoeConfig['scoreFunc'],
    normTopkProb: o.normTopkProb as boolean,
    biasUpdateSpeed: num(o, 'moe', 'biasUpdateSpeed', (x) => x >= 0, '≥ 0', bad),
    seqAuxAlpha: num(o, 'moe', 'seqAuxAlpha', (x) => x >= 0, '≥ 0', bad),
  };
  if (m.scoreFunc !== 'sigmoid' && m.scoreFunc !== 'softmax')
    throw bad(`moe.scoreFunc must be 'sigmoid' or 'softmax', got ${JSON.stringify(m.scoreFunc)}`);
  if (typeof m.normTopkProb !== 'boolean') throw bad('moe.normTopkProb must be true or false');
  if (m.nDenseLayers > nLayers) throw bad(`moe.nDenseLayers ${m.nDenseLayers} exceeds nLayers ${nLayers}`);
  if (m.nRoutedExperts % m.nGroups !== 0)
    throw bad(`moe.nRoutedExperts ${m.nRoutedExperts} is not divisible by nGroups ${m.nGroups}`);
  if (m.topkGroups > m.nGroups) throw bad(`moe.topkGroups ${m.topkGroups} exceeds nGroups ${m.nGroups}`);
  const reachable = m.topkGroups * (m.nRoutedExperts / m.nGroups);
  if (m.nActivatedExperts > reachable)
    throw bad(
      `moe.nActivatedExperts ${m.nActivatedExperts} exceeds the ${reachable} experts in ${m.topkGroups} kept group(s)`,
    );
  return m;
}

export function validateYarn(v: unknown, bad: Bad): YarnScaling {
  const keys = [
    'type',
    'factor',
    'originalMaxPositionEmbeddings',
    'betaFast',
    'betaSlow',
    'mscale',
    'mscaleAllDim',
    'attentionFactor',
  ];
  const o = { ...defaultYarn, ...section(v, 'ropeScaling', keys, bad) } as Record<string, unknown>;
  if (o.type !== 'yarn') throw bad(`ropeScaling.type must be 'yarn', got ${JSON.stringify(o.type)}`);
  const y: YarnScaling = {
    type: 'yarn',
    factor: num(o, 'ropeScaling', 'factor', (x) => x >= 1, '≥ 1', bad),
    originalMaxPositionEmbeddings: int(o, 'ropeScaling', 'originalMaxPositionEmbeddings', 1, bad),
    betaFast: num(o, 'ropeScaling', 'betaFast', (x) => x > 0, '> 0', bad),
    betaSlow: num(o, 'ropeScaling', 'betaSlow', (x) => x > 0, '> 0', bad),
  };
  for (const k of ['mscale', 'mscaleAllDim', 'attentionFactor'] as const) {
    if (o[k] !== undefined) y[k] = num(o, 'ropeScaling', k, (x) => x >= 0, '≥ 0', bad);
  }
  return y;
}
