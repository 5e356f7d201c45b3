// The `tinyseek` command: help for everything, and bad input answered in one line with exit code 2 (usage) or 1 (files).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IO } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';
import { commands, loadCommands } from '../../src/cli/registry.ts';
import { PRETRAIN_PRESETS } from '../../src/train/presets.ts';

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

async function run(...argv: string[]) {
  const io = recorder();
  const code = await main(argv, io);
  return { code, ...io };
}

describe('tinyseek CLI', () => {
  it('--help lists every command and exits 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    for (const c of commands) expect(r.stdout).toContain(c.name);
  });

  it('lists each command under the name and summary of the module that implements it (loaded only on use)', async () => {
    const real = await loadCommands();
    expect(commands.map((c) => [c.name, c.summary])).toEqual(real.map((c) => [c.name, c.summary]));
  });

  it('--version and -V print the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
    for (const flag of ['--version', '-V'])
      expect(await run(flag)).toMatchObject({ code: 0, stdout: `tinyseek ${version}\n` });
  });

  it.each(commands.map((c) => c.name))('%s --help prints usage and exits 0, as help %s does', async (name) => {
    const r = await run(name, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: tinyseek/);
    expect(await run('help', name)).toMatchObject({ code: 0, stdout: r.stdout });
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate' \(run/],
    [['pretran'], /unknown command 'pretran'; did you mean 'pretrain'\?/],
    [['pretrain', '--step', '3'], /unknown flag --step for 'pretrain'; did you mean --steps\?/],
    [['help', 'frobnicate'], /unknown command 'frobnicate'/],
    [
      ['cost', 'trian'],
      /unknown subcommand 'trian' for 'cost'; did you mean 'train'\? \(known: train, serve, model, gpus\)/,
    ],
    [['pretrain', '--steps', 'abc'], /--steps expects a number, got 'abc'/],
    [['pretrain', '--steps', '1.5'], /--steps expects an integer/],
    [['pretrain', '--bogus'], /unknown flag --bogus for 'pretrain'/],
    [['pretrain', '--lr'], /--lr needs a value/],
    [['pretrain', '--kinds', 'add,division'], /unknown kind division/],
    [['pretrain', '--confirm-frac', '2'], /--confirm-frac must be ≤ 1/],
    [['pretrain', '--guess-frac', '0.5'], /--guess-frac: needs a countdown-<condition> preset/],
    [
      ['pretrain', '--comparison', '--slip-frac', '0'],
      /--comparison, --slip-frac: need a countdown-<condition> preset/,
    ],
    [['pretrain', '--preset', 'countdown-all', '--guess-plain'], /--guess-plain needs --guess-frac/],
    [
      ['pretrain', '--preset', 'countdown-all', '--comparison-drill-prompts'],
      /--comparison-drill-prompts needs --comparison-drill-frac/,
    ],
    [['pretrain', '--preset', 'countdown-all', '--no-claim-checks'], /--no-claim-checks needs --slip-frac 0/],
    [['pretrain', '--preset', 'huge'], /--preset must be one of base, aha/],
    [['aha', '--overlong', 'hard'], /--overlong must be one of none, mask, soft/],
    [
      ['aha', '--task', 'countdown', '--overlong', 'soft', '--overlong-buffer', '500'],
      /aha: overlongBuffer must be in \[1, maxNewTokens\] for soft overlong, got 500/,
    ],
    [['aha', '--repetition-weight', '0.5'], /aha: repetitionWeight .* needs a countdown task/],
    [['sample', '--problem', '1+1'], /--model DIR is required/],
    [['eval', '--model', 'x', '--kind', 'poetry'], /--kind must be one of/],
    [['eval', '--model', 'x', '--difficulty', '9'], /--difficulty for add must be in/],
  ])('%j → one line on stderr, exit 2', async (argv, message) => {
    const r = await run(...(argv as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('pretrain starts from its preset, the corpus flags change only the corpus mix, --init continues a checkpoint', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tinyseek-cli-'));
    const out2 = mkdtempSync(join(tmpdir(), 'tinyseek-cli-'));
    try {
      const tiny = [
        '--steps',
        '1',
        '--batch-size',
        '1',
        '--d-model',
        '16',
        '--layers',
        '1',
        '--heads',
        '2',
        '--eval-every',
        '1000',
      ];
      const r = await run('pretrain', '--preset', 'aha', '--confirm-frac', '0.5', '--out', out, ...tiny);
      expect(r.code).toBe(0);
      const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).pretrain;
      expect(cfg.mix).toEqual({ ...JSON.parse(JSON.stringify(PRETRAIN_PRESETS.aha.mix)), confirmFrac: 0.5 });
      expect([cfg.seqLen, cfg.steps]).toEqual([PRETRAIN_PRESETS.aha.seqLen, 1]);
      const g = await run('pretrain', '--preset', 'countdown-all', '--guess-frac', '0.8', '--out', out, ...tiny);
      expect(g.code).toBe(0);
      const gcfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).pretrain;
      expect(gcfg.mix).toEqual({
        ...JSON.parse(JSON.stringify(PRETRAIN_PRESETS['countdown-all'].mix)),
        guessFrac: 0.8,
        guessPlain: false,
      });
      // the trace knobs, continued from that checkpoint
      const flags = ['--comparison', '--geometric-fails', '--slip-frac', '0', '--no-claim-checks'];
      const c = await run('pretrain', '--preset', 'countdown-verify', '--init', out, ...flags, '--out', out2, ...tiny);
      expect(c.code).toBe(0);
      const ccfg = JSON.parse(readFileSync(join(out2, 'config.json'), 'utf8')).pretrain;
      expect(ccfg.init).toBe(out);
      expect(ccfg.mix).toMatchObject({ comparison: true, geometricFails: true, slipFrac: 0, checkClaims: false });
      const missing = await run('pretrain', '--init', join(out, 'nothing'), '--out', join(out2, 'x'), ...tiny);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/nothing\/config\.json: not found \(--init takes a checkpoint directory\)/);
      expect(existsSync(join(out2, 'x'))).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
      rmSync(out2, { recursive: true, force: true });
    }
  });

  it('a missing checkpoint is reported by name with exit 1', async () => {
    const r = await run('eval', '--model', '/nonexistent/run');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/nonexistent\/run\/config\.json: not found/);
  });
});
