import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { loadGpuFile, parseGpuFile } from '../../src/cost/gpu-file.ts';

const good = {
  id: 'x9',
  name: 'X9',
  bf16Tflops: 500,
  hbmGB: 64,
  hbmTBps: 2,
  nvlinkGBps: 100,
  ibGBps: 25,
  gpusPerNode: 4,
};
const parse = (v: unknown) => parseGpuFile(JSON.stringify(v), 'my.json');
const failure = (v: unknown): string => {
  try {
    parse(v);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
};

describe('user GPU file', () => {
  it('reads the example fixture', () => {
    const gpus = loadGpuFile('fixtures/cost/gpus/example.json');
    expect(gpus.map((g) => g.id)).toEqual(['h800-measured', 'mi300x']);
    expect(gpus[1]!.fp8Tflops).toBe(2614.9);
  });

  it('accepts a single object and fills fp8Tflops and source', () => {
    const [g] = parse(good);
    expect(g).toMatchObject({ id: 'x9', fp8Tflops: null, source: 'user file my.json' });
  });

  it('names the file and the field for a missing field', () => {
    const { ibGBps: _, ...missing } = good;
    expect(failure(missing)).toBe("my.json: missing field 'ibGBps'");
  });

  it('names the entry and the field for a mistyped one', () => {
    expect(failure([good, { ...good, id: 'y', hbmGB: '80' }])).toMatch(
      /^my\.json entry 1: field 'hbmGB' must be a positive number/,
    );
    expect(failure({ ...good, gpusPerNode: 2.5 })).toMatch(/field 'gpusPerNode' must be a whole number/);
    expect(failure({ ...good, id: 'Big GPU' })).toMatch(/field 'id' must be a lower-case id/);
  });

  it('rejects unknown fields (typos), duplicate ids and measurements above the datasheet', () => {
    expect(failure({ ...good, nvlinkGbps: 3 })).toMatch(/unknown field 'nvlinkGbps'/);
    expect(failure([good, good])).toMatch(/id 'x9' appears twice/);
    expect(failure({ ...good, ibMeasuredGBps: 30 })).toMatch(/'ibMeasuredGBps' \(30\) exceeds ibGBps/);
    expect(failure([])).toMatch(/empty/);
  });

  it('reports unreadable and malformed files by name', () => {
    expect(() => loadGpuFile('no/such/file.json')).toThrow(/no\/such\/file\.json: cannot read GPU file \(ENOENT\)/);
    const dir = mkdtempSync(join(tmpdir(), 'gpu-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"id": ');
    expect(() => loadGpuFile(bad)).toThrow(
      new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON`),
    );
  });
});
