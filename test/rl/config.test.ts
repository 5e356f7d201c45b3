// The RL config: variants set exactly the knobs their papers name; bad values are refused by name.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { DEFAULT_RL, parseTasks, resolveRlConfig, VARIANT_NAMES } from '../../src/rl/config.ts';
import { emptyMetrics, METRIC_KEYS, metricsLine, parseMetrics } from '../../src/rl/step-metrics.ts';
import { softOverlongPenalty } from '../../src/rl/overlong.ts';

describe('RL variants', () => {
  it('GRPO is the DeepSeekMath default: std-scaled advantages, per-answer mean, k3 KL, symmetric clip', () => {
    expect(resolveRlConfig()).toMatchObject({
      algorithm: 'grpo',
      scaleRewards: 'group',
      lossAgg: 'sequence',
      klCoef: 0.04,
      clipEps: 0.2,
      clipEpsHigh: 0.2,
      mu: 1,
    });
  });
  it('Dr. GRPO drops the std and the 1/|o| normaliser and nothing else', () => {
    const g = resolveRlConfig(),
      d = resolveRlConfig({ variant: 'dr_grpo' });
    const diff = (Object.keys(g) as (keyof typeof g)[]).filter((k) => JSON.stringify(g[k]) !== JSON.stringify(d[k]));
    expect(diff.sort()).toEqual(['lossAgg', 'scaleRewards', 'variant']);
    expect(d).toMatchObject({ scaleRewards: 'none', lossAgg: 'constant' });
  });
  it('DAPO has clip-higher, token-level mean, dynamic-sampling filter, overlong mask and no KL', () => {
    expect(resolveRlConfig({ variant: 'dapo' })).toMatchObject({
      clipEps: 0.2,
      clipEpsHigh: 0.28,
      lossAgg: 'token',
      dropZeroVariance: true,
      overlong: 'mask',
      klCoef: 0,
    });
  });
  it('lets explicit overrides win over the variant', () => {
    expect(resolveRlConfig({ variant: 'dapo', klCoef: 0.01 }).klCoef).toBe(0.01);
  });
  it('knows every variant it names', () => {
    for (const v of VARIANT_NAMES) expect(resolveRlConfig({ variant: v }).variant).toBe(v);
  });
});

describe('RL config validation', () => {
  it.each([
    [{ groupSize: 0 }, /groupSize/],
    [{ temperature: 0 }, /temperature/],
    [{ promptsPerStep: 6, minibatches: 4 }, /divisible/],
    [{ variant: 'reinforce' as const, mu: 2 }, /on-policy/],
    [{ tasks: [] }, /tasks/],
    [{ tasks: [{ kind: 'add' as const, difficulty: 9 }] }, /difficulty of add/],
    [{ topP: 1.5 }, /topP/],
    [{ variant: 'sarsa' as never }, /unknown variant/],
    [{ repetitionWeight: -1 }, /repetitionWeight/],
    [{ repetitionWeight: 0.5 }, /needs a countdown task/],
  ])('refuses %j', (over, msg) => {
    expect(() => resolveRlConfig(over)).toThrow(InputError);
    expect(() => resolveRlConfig(over)).toThrow(msg);
  });
  it('parses tasks as kind:difficulty lists', () => {
    expect(parseTasks('add:3, mul:2')).toEqual([
      { kind: 'add', difficulty: 3 },
      { kind: 'mul', difficulty: 2 },
    ]);
    expect(() => parseTasks('div:2')).toThrow(/unknown kind/);
    expect(() => parseTasks('add')).toThrow(/needs a difficulty/);
  });
  it('has defaults that validate', () => {
    expect(() => resolveRlConfig({ ...DEFAULT_RL })).not.toThrow();
  });
});

describe('metrics lines', () => {
  it('always carry every key, in one fixed order, with 6 significant digits', () => {
    const m = { ...emptyMetrics(3), reward: 1 / 3, kl: 0.000123456789 };
    const line = metricsLine(m);
    expect(Object.keys(JSON.parse(line))).toEqual(['step', ...METRIC_KEYS]);
    expect(JSON.parse(line)).toMatchObject({ step: 3, reward: 0.333333, kl: 0.000123457, evalPass1: null });
    expect(parseMetrics(line + '\n\n' + line)).toHaveLength(2);
  });
  it('refuse a file line that is not a metrics record, naming the line', () => {
    expect(() => parseMetrics('{"step":0}\n{oops', 'm.jsonl')).toThrow(/m\.jsonl: line 2/);
    expect(() => parseMetrics('{"reward":1}')).toThrow(/no step/);
  });
});

describe('DAPO soft overlong punishment', () => {
  it('is 0 up to L_max − L_cache, falls linearly to −1 at L_max, and −1 beyond', () => {
    expect(softOverlongPenalty(80, 100, 20)).toBe(0);
    expect(softOverlongPenalty(90, 100, 20)).toBeCloseTo(-0.5, 12);
    expect(softOverlongPenalty(100, 100, 20)).toBeCloseTo(-1, 12);
    expect(softOverlongPenalty(130, 100, 20)).toBe(-1);
    expect(() => softOverlongPenalty(10, 100, 0)).toThrow(RangeError);
  });
});
