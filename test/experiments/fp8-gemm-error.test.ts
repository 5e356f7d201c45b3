import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import {
  errorStats,
  formatFp8GemmErrorTable,
  runFp8GemmErrorStudy,
  writeFp8GemmErrorRun,
} from '../../src/experiments/fp8-gemm-error.ts';

describe('FP8 GEMM error study', () => {
  const results = runFp8GemmErrorStudy({ ks: [128, 2048], m: 4, n: 4, dists: ['uniform'] });
  const at = (setup: string, k: number) => results.points.find((p) => p.setup === setup && p.k === k)!.accumulation;

  it('measures the limited register drifting as K grows, and promotion holding the error flat', () => {
    expect(at('h800', 2048).maxRel).toBeGreaterThan(4 * at('h800', 128).maxRel);
    expect(at('h800-promote', 2048).maxRel).toBeLessThan(2 * at('h800-promote', 128).maxRel);
    expect(at('h800-promote', 2048).maxRel).toBeLessThan(at('h800', 2048).maxRel / 5);
    expect(at('v3-recipe', 2048).maxRel).toBeLessThan(at('h800', 2048).maxRel / 5);
  });

  it('orders the accumulator models: truncate-each worst, FP32 best', () => {
    for (const k of [128, 2048]) {
      expect(at('truncate-each', k).normwise).toBeGreaterThan(at('h800', k).normwise);
      expect(at('fp32', k).normwise).toBeLessThan(1e-5);
    }
  });

  it('is deterministic in its seed', () => {
    expect(runFp8GemmErrorStudy({ ks: [128], m: 2, n: 2, dists: ['normal'], seed: 3 })).toEqual(
      runFp8GemmErrorStudy({ ks: [128], m: 2, n: 2, dists: ['normal'], seed: 3 }),
    );
  });

  it('writes results.json, table.txt and an SVG plot per distribution', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyseek-fp8-study-'));
    try {
      const files = writeFp8GemmErrorRun(dir, results);
      expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['results.json', 'table.txt', 'plot-uniform.svg']);
      expect(JSON.parse(readFileSync(files[0]!, 'utf8'))).toEqual(JSON.parse(JSON.stringify(results)));
      expect(readFileSync(files[1]!, 'utf8')).toBe(formatFp8GemmErrorTable(results));
      expect(readFileSync(files[2]!, 'utf8')).toMatch(/<svg[\s\S]*<\/svg>\s*$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('computes max, median and normwise relative errors, skipping zero references', () => {
    expect(errorStats([1.1, 2, 0.5], [1, 2, 0])).toEqual({
      maxRel: expect.closeTo(0.1, 12),
      medianRel: expect.closeTo(0.1, 12),
      normwise: expect.closeTo(Math.sqrt(0.01 + 0.25) / Math.sqrt(5), 12),
    });
  });

  it('rejects an empty or non-integer K list', () => {
    expect(() => runFp8GemmErrorStudy({ ks: [] })).toThrow(InputError);
    expect(() => runFp8GemmErrorStudy({ ks: [12.5] })).toThrow(InputError);
  });
});
