import { describe, expect, it } from 'vitest';
import { explainV3Cost } from '../../src/cost/explain.ts';

describe('explainV3Cost', () => {
  const lines = explainV3Cost();
  const text = lines.join('\n');

  it('walks from parameters to dollars with computed numbers', () => {
    expect(lines[0]).toBe(
      'DeepSeek-V3 has 671.0B parameters; a token activates 37.6B of them (published: 671B / 37B).',
    );
    expect(text).toContain('249.8 GFLOP per token at 4K context (DeepSeek: 250), plus 10.2 for the MTP module');
    expect(text).toContain('3.70e24 FLOP of pre-training');
    expect(text).toContain('38.94% MFU, so each GPU delivers 385 TFLOP/s');
    expect(text).toContain('= 2.665M GPU-hours (published 2.664M, +0.05%)');
    expect(text).toContain('180K per trillion tokens, 54.2 days on 2048 GPUs');
    expect(text).toContain('2.789M GPU-hours (published 2.788M)');
    expect(text).toContain('$5.579M (published $5.576M)');
  });

  it('names the assumption that carries the result and what overlap buys', () => {
    expect(text).toMatch(/The assumption that carries it is the MFU: at 30% .* 3\.46M GPU-hours, at 50% 2\.08M/);
    expect(text).toMatch(/DualPipe hides it under compute/);
    expect(text).toMatch(/Without that overlap \(1F1B\), at the same kernel efficiency: 3\.7\dM GPU-hours, \+\d+\.\d%/);
  });

  it('is deterministic', () => {
    expect(explainV3Cost()).toEqual(lines);
  });
});
