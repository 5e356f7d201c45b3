// `tinyseek r1`: bad input is one line and an exit code, before any work starts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IO } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';

async function run(...argv: string[]) {
  const r = { stdout: '', stderr: '', isTTY: false };
  const io: IO = { isTTY: false, out: (s) => void (r.stdout += s), err: (s) => void (r.stderr += s) };
  const code = await main(argv, io);
  return { code, ...r };
}

const dir = mkdtempSync(join(tmpdir(), 'tinyseek-r1-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tinyseek r1', () => {
  it.each([
    [['r1', '--budget', 'huge'], 2, /--budget must be one of default, small/],
    [['r1', '--stage', 'warm-up'], 2, /--stage must be one of zero, cold-start/],
    [['r1', '--seeds', '1,1', '--out', join(dir, 'a')], 2, /--seeds repeats a seed/],
    [['r1', '--language-weight', '-1'], 2, /language-weight/],
    [['r1', '--out', join(dir, 'full')], 2, /not empty; continue it with --resume/],
    [['r1', '--out', join(dir, 'd'), '--values', '1'], 2, /--values goes with --sweep/],
    [['r1', '--out', join(dir, 'd'), '--sweep', 'weight', '--values', 'x'], 2, /--values: 'x' is not a weight/],
    [['r1', '--out', join(dir, 'b'), '--base', join(dir, 'nothing')], 1, /no base checkpoint here/],
    [['r1', '--out', join(dir, 'c'), '--stage', 'final-rl'], 1, /starts from rejection-sft, which is not finished/],
    [['r1', '--out', join(dir, 'broken'), '--resume'], 1, /r1\.json: not valid JSON/],
  ])('%j exits %i with one line', async (argv, code, message) => {
    mkdirSync(join(dir, 'full'), { recursive: true });
    writeFileSync(join(dir, 'full', 'x'), '');
    mkdirSync(join(dir, 'broken'), { recursive: true });
    writeFileSync(join(dir, 'broken', 'r1.json'), '{"budget":');
    const r = await run(...(argv as string[]));
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
