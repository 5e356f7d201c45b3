import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { InputError } from '../../src/core/errors.ts';
import type { IO } from '../../src/cli/command.ts';
import { fp8Command, makeFp8Command, parseNumberToken } from '../../src/cli/fp8.ts';

function recorder(): IO & { stdout: string; stderr: string } {
  const r = {
    stdout: '',
    stderr: '',
    isTTY: false,
    out: (s: string) => void (r.stdout += s),
    err: (s: string) => void (r.stderr += s),
  };
  return r;
}
const withStdin = (text: string | null) => makeFp8Command({ readStdin: async () => text });
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('tinyseek fp8 cast', () => {
  it('prints code, bits, value and relative error for each --values entry', async () => {
    const io = recorder();
    expect(await fp8Command.run(['cast', '--values', '1.5,0.1,-0,500'], io)).toBe(0);
    const lines = io.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/input\s+code\s+bits\s+value\s+rel\.error/);
    expect(lines[1]).toMatch(/^\s*1\.5\s+0x3c\s+0\.0111\.100\s+1\.5\s+0$/);
    expect(lines[2]).toMatch(/0\.1\s+0x1d\s+0\.0011\.101\s+0\.1015625\s+1\.56%/);
    expect(lines[3]).toMatch(/-0\s+0x80\s+1\.0000\.000\s+-0\s+0/);
    expect(lines[4]).toMatch(/500\s+0x7f\s+0\.1111\.111\s+NaN\s+overflow/);
  });

  it('saturates with --saturate and casts to E5M2 with --format e5m2', async () => {
    const io = recorder();
    await fp8Command.run(['cast', '--values', '500,-1e9', '--saturate', '--json'], io);
    expect(JSON.parse(io.stdout)).toEqual([
      { input: 500, code: 0x7e, value: 448 },
      { input: -1e9, code: 0xfe, value: -448 },
    ]);
    const io2 = recorder();
    await fp8Command.run(['cast', '--values', '1e5,inf,nan', '--format', 'e5m2', '--json'], io2);
    expect(JSON.parse(io2.stdout)).toEqual([
      { input: 100000, code: 0x7c, value: 'Infinity' },
      { input: 'Infinity', code: 0x7c, value: 'Infinity' },
      { input: 'NaN', code: 0x7f, value: 'NaN' },
    ]);
  });

  it('reads stdin one number per line', async () => {
    const io = recorder();
    expect(await withStdin('1\n\n2.5e-3\n-inf\n').run(['cast', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout).map((r: { input: unknown }) => r.input)).toEqual([1, 0.0025, '-Infinity']);
  });

  it('validates every number before printing anything: bad stdin lines are named (exit 1), bad --values are usage errors', async () => {
    const io = recorder();
    await expect(withStdin('1\nabc\n\n2.5e-3\n0x10\n-inf\n').run(['cast', '--json'], io)).rejects.toThrow(
      new InputError("stdin line 2: 'abc' is not a number (and 1 more: line 5)"),
    );
    expect(io.stdout).toBe('');
    await expect(fp8Command.run(['cast', '--values', '1,abc'], io)).rejects.toThrow(
      new UsageError("--values: value 2: 'abc' is not a number"),
    );
    expect(io.stdout).toBe('');
  });

  it('refuses empty input', async () => {
    await expect(fp8Command.run(['cast', '--values', ''], recorder())).rejects.toThrow(
      new UsageError('--values: no numbers to cast'),
    );
    await expect(fp8Command.run(['cast', '--values', ' , '], recorder())).rejects.toThrow(UsageError);
    await expect(withStdin('\n  \n').run(['cast'], recorder())).rejects.toThrow(
      new InputError('stdin: no numbers to cast'),
    );
  });

  it('refuses to wait on an interactive stdin when no --values are given', async () => {
    await expect(withStdin(null).run(['cast'], recorder())).rejects.toThrow(UsageError);
  });

  it('rejects a bad format and unknown flags', async () => {
    await expect(fp8Command.run(['cast', '--format', 'e3m4', '--values', '1'], recorder())).rejects.toThrow(UsageError);
    await expect(fp8Command.run(['cast', '--bogus'], recorder())).rejects.toThrow(UsageError);
    await expect(fp8Command.run(['nope'], recorder())).rejects.toThrow(UsageError);
  });

  it('parses numbers as people type them and nothing else', () => {
    expect(parseNumberToken(' -1.5e3 ')).toBe(-1500);
    expect(parseNumberToken('.5')).toBe(0.5);
    expect(parseNumberToken('Infinity')).toBe(Infinity);
    expect(parseNumberToken('NaN')).toBeNaN();
    for (const bad of ['', '1e', '0x10', '1,5', 'one', '--1']) expect(parseNumberToken(bad)).toBeUndefined();
  });
});

describe('tinyseek fp8 table', () => {
  it('prints all 256 codes with bits, value and class', async () => {
    const io = recorder();
    expect(await fp8Command.run(['table', '--format', 'e5m2'], io)).toBe(0);
    const lines = io.stdout.trim().split('\n');
    expect(lines).toHaveLength(2 + 256);
    expect(io.stdout).toMatch(/0x7b\s+0\.11110\.11\s+57344\s+normal/);
    expect(io.stdout).toMatch(/0xfc\s+1\.11111\.00\s+-Infinity\s+inf/);
    expect(io.stdout).toMatch(/0x01\s+0\.00000\.01\s+0\.0000152587890625\s+subnormal/);
  });

  it('gives the same table as JSON', async () => {
    const io = recorder();
    await fp8Command.run(['table', '--json'], io);
    const rows = JSON.parse(io.stdout);
    expect(rows).toHaveLength(256);
    expect(rows[0x7e]).toEqual({ code: 0x7e, bits: '0.1111.110', value: 448, class: 'normal' });
    expect(rows[0xff].class).toBe('nan');
  });
});

describe('tinyseek fp8 scale', () => {
  it('prints the outlier demo as a table', async () => {
    const io = recorder();
    expect(await fp8Command.run(['scale', '--tile', '32', '--channels', '64'], io)).toBe(0);
    for (const name of ['per-tensor, no outlier', 'per-tensor', 'tile 1x32', 'block 32x32'])
      expect(io.stdout).toContain(name);
    expect(io.stdout).toMatch(/flushed to 0/);
  });

  it('emits JSON and validates its flags', async () => {
    const io = recorder();
    await fp8Command.run(['scale', '--json', '--tokens', '4', '--channels', '256'], io);
    expect(JSON.parse(io.stdout).rows).toHaveLength(4);
    await expect(fp8Command.run(['scale', '--outlier', '0'], recorder())).rejects.toThrow(UsageError);
    await expect(fp8Command.run(['scale', '--tile', '0'], recorder())).rejects.toThrow(UsageError);
  });
});

describe('tinyseek fp8 gemm-error', () => {
  it('runs the study into a run directory and prints the table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyseek-fp8-'));
    dirs.push(dir);
    const io = recorder();
    expect(
      await fp8Command.run(
        ['gemm-error', '--ks', '64,256', '--m', '2', '--n', '3', '--dist', 'uniform', '--out', dir],
        io,
      ),
    ).toBe(0);
    for (const f of ['results.json', 'table.txt', 'plot-uniform.svg']) expect(existsSync(join(dir, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).points).toHaveLength(2 * 6);
    expect(io.stdout).toContain('h800-promote');
    expect(io.stderr).toContain('fp8 gemm-error done 2/2');
  });

  it('rejects an unknown distribution', async () => {
    await expect(fp8Command.run(['gemm-error', '--dist', 'cauchy'], recorder())).rejects.toThrow(UsageError);
  });
});
