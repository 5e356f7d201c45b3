// The CLI edge: every failure becomes one line and an exit code (usage 2, files and data 1, bugs 70 with the
// stack only under TINYSEEK_DEBUG), and output paths are checked before any work. File-system codes that a
// test running as root cannot provoke (EACCES, ENOSPC, EROFS) are built by hand.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { describeFailure } from '../../src/cli/failure.ts';
import { checkOutDir, checkOutFile } from '../../src/cli/output.ts';
import { InputError } from '../../src/core/errors.ts';

const fsError = (code: string, path: string, syscall = 'open') =>
  Object.assign(new Error(`${code}: x, ${syscall} '${path}'`), { code, path, syscall });

describe('describeFailure', () => {
  it('usage errors exit 2, input errors exit 1, with their message', () => {
    expect(describeFailure(new UsageError('--n must be ≥ 1'))).toEqual({ code: 2, line: '--n must be ≥ 1' });
    expect(describeFailure(new InputError('x.json: not valid JSON'))).toEqual({
      code: 1,
      line: 'x.json: not valid JSON',
    });
  });

  it.each([
    ['ENOENT', 'no such file or directory'],
    ['EEXIST', 'already exists'],
    ['ENOTDIR', 'a part of the path is a file'],
    ['EISDIR', 'is a directory'],
    ['EACCES', 'permission denied'],
    ['EROFS', 'read-only file system'],
    ['ENOSPC', 'no space left'],
  ])('%s names the path in one line, exit 1', (code, reason) => {
    const f = describeFailure(fsError(code, '/runs/x/model.safetensors'));
    expect(f.code).toBe(1);
    expect(f.line.startsWith('/runs/x/model.safetensors: ')).toBe(true);
    expect(f.line).toContain(reason);
    expect(f.line).toContain(`(${code})`);
    expect(f.line).not.toContain('\n');
  });

  it('allocation failures exit 1 with a hint; anything else is a bug: exit 70, stack only under TINYSEEK_DEBUG', () => {
    expect(describeFailure(new RangeError('Invalid typed array length: 10000000000'))).toMatchObject({
      code: 1,
      line: expect.stringMatching(/^not enough memory.*try smaller values$/),
    });
    const bug = describeFailure(new TypeError('x is undefined'), {});
    expect(bug).toEqual({
      code: 70,
      line: 'internal error: TypeError: x is undefined (a bug: please report it; TINYSEEK_DEBUG=1 shows the stack)',
    });
    expect(describeFailure(new TypeError('x is undefined'), { TINYSEEK_DEBUG: '1' }).line).toMatch(/\n\s+at /);
  });
});

describe('output paths, checked before work starts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tinyseek-out-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'a-file');
  writeFileSync(file, '');

  it('accepts an existing directory and one that can be created, and writes nothing', () => {
    expect(() => checkOutDir(dir)).not.toThrow();
    expect(() => checkOutDir(join(dir, 'new', 'deeper'))).not.toThrow();
    expect(() => checkOutFile(join(dir, 'new', 'x.json'))).not.toThrow();
    expect(() => checkOutFile(file)).not.toThrow();
  });

  it('refuses a file as a directory, a path under a file, a directory as a file, and an empty path', () => {
    expect(() => checkOutDir(file)).toThrow(
      new InputError(`${file}: exists and is a file, not a directory (--out names a run directory)`),
    );
    expect(() => checkOutDir(join(file, 'sub', 'x'))).toThrow(/a-file.*(is a file|not a directory)/);
    expect(() => checkOutFile(dir, '--json-out')).toThrow(`${dir}: is a directory, expected a file`);
    expect(() => checkOutDir(' ')).toThrow('--out: an empty path');
  });
});
