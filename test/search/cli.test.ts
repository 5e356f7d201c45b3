import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import type { IO } from '../../src/cli/command.ts';
import { mctsCommand } from '../../src/cli/mcts.ts';
import { prmCommand } from '../../src/cli/prm.ts';
import { InputError } from '../../src/core/errors.ts';

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
const root = mkdtempSync(join(tmpdir(), 'prm-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const json = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

describe('tinyseek prm and mcts', () => {
  it('label → train → rerank, and mcts, each leave summary.json, metrics.jsonl and a plot', async () => {
    const io = recorder();
    const d = (x: string) => join(root, x);
    expect(
      await prmCommand.run(['label', '--problems', '2', '--traces', '2', '--n', '2', '--out', d('label')], io),
    ).toBe(0);
    expect(io.stdout).toMatch(/N=2\s+accuracy/);
    expect(
      await prmCommand.run(['train', '--labels', d('label/labels.jsonl'), '--steps', '2', '--out', d('prm')], io),
    ).toBe(0);
    expect(
      await prmCommand.run(['rerank', '--prm', d('prm'), '--n', '1,2', '--problems', '2', '--out', d('bon')], io),
    ).toBe(0);
    const bon = json(d('bon/summary.json')).bestOfN as { selector: string; n: number; accuracy: number }[];
    expect(bon.map((r) => `${r.selector}@${r.n}`)).toContain('oracle@2');
    expect(
      await mctsCommand.run(
        ['--value', d('prm'), '--problems', '1', '--sims', '1', '--k', '2', '--out', d('mcts')],
        io,
      ),
    ).toBe(0);
    for (const f of ['label/labels.svg', 'prm/loss.svg', 'bon/best-of-n.svg', 'mcts/tokens.svg', 'mcts/tree.txt'])
      expect(existsSync(d(f))).toBe(true);
    for (const dir of ['label', 'prm', 'bon', 'mcts']) {
      expect(existsSync(d(`${dir}/summary.json`))).toBe(true);
      expect(existsSync(d(`${dir}/metrics.jsonl`))).toBe(true);
    }
  }, 60_000);

  it('refuses bad input with one clear line', async () => {
    const io = recorder();
    await expect(prmCommand.run(['train', '--out', join(root, 'x')], io)).rejects.toThrow(UsageError);
    const bad = join(root, 'bad.jsonl');
    writeFileSync(bad, '{"a":1}\n');
    await expect(prmCommand.run(['train', '--labels', bad, '--out', join(root, 'x')], io)).rejects.toThrow(
      /bad\.jsonl:1: not a label record/,
    );
    await expect(
      prmCommand.run(['rerank', '--prm', 'fixtures/aha-base', '--out', join(root, 'y')], io),
    ).rejects.toThrow(InputError);
    await expect(mctsCommand.run(['--level', 'leaf'], io)).rejects.toThrow(/--level must be one of step, token/);
  });
});
