import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { DEEPSEEK_V3, LLAMA_31_405B } from '../../src/cost/models.ts';
import { defineShape, describeShape, sameArchitecture, shapeFromPlain, shapeProblems } from '../../src/cost/shape.ts';

describe('ModelShape', () => {
  it('fills the defaults of a plain dense MHA transformer', () => {
    const s = defineShape({ name: 'tiny', d: 64, nLayers: 2, nHeads: 4, vocab: 100 });
    expect(s).toMatchObject({
      attention: 'mha',
      headDim: 16,
      nKvHeads: 4,
      dFF: 256,
      nDenseLayers: 2,
      nRoutedExperts: 0,
      mtpDepth: 0,
    });
  });

  it('infers GQA when the KV heads are fewer than the query heads', () => {
    expect(defineShape({ name: 'g', d: 64, nLayers: 2, nHeads: 8, nKvHeads: 2, vocab: 10 }).attention).toBe('gqa');
  });

  it('keeps a default for a field passed as undefined', () => {
    expect(defineShape({ name: 't', d: 64, nLayers: 2, nHeads: 4, vocab: 100, dFF: undefined }).dFF).toBe(256);
  });

  it('names every impossible field', () => {
    const p = shapeProblems({
      ...DEEPSEEK_V3,
      nActivatedExperts: 300,
      nExpertGroups: 7,
      nDenseLayers: 70,
      kvLoraRank: 0,
    });
    expect(p.join('\n')).toMatch(/nActivatedExperts \(300\) must be 1..nRoutedExperts/);
    expect(p.join('\n')).toMatch(/nExpertGroups \(7\) must divide nRoutedExperts \(256\)/);
    expect(p.join('\n')).toMatch(/nDenseLayers \(70\) exceeds nLayers \(61\)/);
    expect(p.join('\n')).toMatch(/MLA needs kvLoraRank ≥ 1/);
    expect(() => defineShape({ name: 'bad', d: 10, nLayers: 1, nHeads: 3, vocab: 5 })).toThrow(InputError);
    expect(() => defineShape({ name: 'bad', d: 64, nLayers: 1, nHeads: 8, nKvHeads: 3, vocab: 5 })).toThrow(
      /nKvHeads \(3\) must divide nHeads \(8\)/,
    );
  });

  it('reads a tinyseek ModelConfig-like object, ignoring fields cost does not need', () => {
    const s = shapeFromPlain(
      { name: 'toy', d: 32, nLayers: 2, nHeads: 4, vocab: 20, dFF: 64, seed: 7, ropeTheta: 1e4 },
      'run/config.json',
    );
    expect(s).toMatchObject({ name: 'toy', d: 32, dFF: 64, headDim: 8 });
    expect(() => shapeFromPlain({ d: '32', nLayers: 2, nHeads: 4, vocab: 20 }, 'run/config.json')).toThrow(
      "run/config.json: field 'd' must be a number",
    );
    expect(() => shapeFromPlain({ d: 32, nLayers: 2, nHeads: 4 }, 'c.json')).toThrow("c.json: missing field 'vocab'");
    expect(() => shapeFromPlain({ d: 32, nLayers: 2, nHeads: 4, vocab: 9, attention: 'flash' }, 'c.json')).toThrow(
      /'attention' must be/,
    );
  });

  it('compares architectures without the name or the MTP modules', () => {
    expect(sameArchitecture(DEEPSEEK_V3, { ...DEEPSEEK_V3, name: 'x', mtpDepth: 0 })).toBe(true);
    expect(sameArchitecture(DEEPSEEK_V3, { ...DEEPSEEK_V3, d: 7000 })).toBe(false);
  });

  it('describes itself in one line', () => {
    expect(describeShape(DEEPSEEK_V3)).toBe(
      '61 layers, d 7168, MLA (d_c 512, rope 64), MoE 256 routed + 1 shared, top-8, 3 dense layers, MTP depth 1',
    );
    expect(describeShape(LLAMA_31_405B)).toBe('126 layers, d 16384, GQA 128/8 heads, dense FFN');
  });
});
