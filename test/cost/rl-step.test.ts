// The analytic cost of one RL step of the tiny model (cost/rl-step.ts): what GRPO saves by dropping PPO's critic.
import { describe, expect, it } from 'vitest';
import { forwardFlopsPerToken, rlStepCost } from '../../src/cost/rl-step.ts';
import { defaultConfig, parameterCount } from '../../src/model/config.ts';

describe('step cost: what GRPO saves over PPO', () => {
  const shape = { sequences: 64, promptLen: 16, completionLen: 60, mu: 1, reference: true };
  it('PPO keeps a critic as large as the policy: one more model resident and trained', () => {
    const g = rlStepCost(defaultConfig, 'grpo', shape),
      p = rlStepCost(defaultConfig, 'ppo', shape);
    expect(g.residentModels).toBe(2);
    expect(p.residentModels).toBe(3);
    expect(p.trainedModels).toBe(2);
    expect(p.weightBytes - g.weightBytes).toBe((parameterCount(defaultConfig) + defaultConfig.dModel) * 4);
    expect(p.optimizerBytes).toBe(2 * g.optimizerBytes);
    expect(p.totalFlops).toBeGreaterThan(g.totalFlops);
    expect(p.criticFlops).toBeCloseTo(4 * 64 * 76 * forwardFlopsPerToken(defaultConfig, 76), 0);
    expect(g.criticFlops).toBe(0);
  });

  it('counts forward FLOPs as 2 per weight plus the causal attention core', () => {
    const c = { ...defaultConfig, nLayers: 1 };
    const matrices = parameterCount(c) - c.vocabSize * c.dModel - 3 * c.dModel;
    expect(forwardFlopsPerToken(c, 0)).toBe(2 * (matrices + c.dModel * c.vocabSize));
    expect(forwardFlopsPerToken(c, 10) - forwardFlopsPerToken(c, 0)).toBe(4 * c.dModel * 5);
  });

  it('charges an extra old-policy forward only when μ > 1', () => {
    const one = rlStepCost(defaultConfig, 'grpo', shape),
      two = rlStepCost(defaultConfig, 'grpo', { ...shape, mu: 2 });
    expect(two.trainFlops).toBeCloseTo(2 * one.trainFlops + one.trainFlops / 3, 0);
  });
});
