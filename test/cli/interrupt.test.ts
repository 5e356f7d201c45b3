// Ctrl-C at the CLI edge: the first SIGINT aborts the signal a loop polls (the step finishes, the run saves and
// exits 130 with the resume command); a second exits 130 at once. Checked with a fake process and through a
// real child process receiving real SIGINTs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installInterrupt, INTERRUPTED_EXIT, type SignalTarget } from '../../src/cli/interrupt.ts';

function fakeProcess() {
  const ee = new EventEmitter();
  const exits: number[] = [];
  const target = Object.assign(ee, { exit: (code: number) => void exits.push(code) }) as unknown as SignalTarget &
    EventEmitter;
  return { target, exits, emit: () => ee.emit('SIGINT') };
}

describe('installInterrupt', () => {
  it('first Ctrl-C aborts the signal and says so; the second exits 130; dispose removes the handler', () => {
    const p = fakeProcess();
    const err: string[] = [];
    const i = installInterrupt({
      io: { err: (s) => void err.push(s) },
      target: p.target,
      resume: 'tinyseek aha --resume',
    });
    expect([i.signal.aborted, i.exitCode(0)]).toEqual([false, 0]);
    p.emit();
    expect([i.signal.aborted, i.exitCode(0), p.exits]).toEqual([true, INTERRUPTED_EXIT, []]);
    expect(err.join('')).toMatch(/Ctrl-C again to stop at once/);
    expect(i.resumeHint()).toBe('interrupted: the run directory is consistent; continue with: tinyseek aha --resume\n');
    p.emit();
    expect(p.exits).toEqual([INTERRUPTED_EXIT]);
    i.dispose();
    expect(p.target.listenerCount('SIGINT')).toBe(0);
  });
});

const LOOP = join(import.meta.dirname, '..', 'helpers', 'interrupt-loop.ts');

/** Runs the loop child, sends `signals` SIGINTs (150 ms apart) once it is ready; resolves its exit and output. */
function interrupted(
  mode: 'fast' | 'slow',
  signals: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOOP, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      const first = stdout === '';
      stdout += d;
      if (first) for (let k = 0; k < signals; k++) setTimeout(() => child.kill('SIGINT'), 100 + 150 * k);
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('Ctrl-C through a real child process (slow: one Node start each)', () => {
  it('one SIGINT: the step finishes, the run saves, prints how to resume and exits 130', async () => {
    const r = await interrupted('fast', 1);
    expect(r.code).toBe(INTERRUPTED_EXIT);
    expect(r.stdout).toMatch(
      /^ready\nsaved step \d+\ninterrupted: the run directory is consistent; continue with: tinyseek pretrain --out runs\/x --resume\n$/,
    );
    expect(r.stderr).toMatch(/finishing this step and saving/);
  }, 60_000);

  it('a second SIGINT during a slow save exits 130 at once, before the save completes', async () => {
    const r = await interrupted('slow', 2);
    expect(r.code).toBe(INTERRUPTED_EXIT);
    expect(r.stdout).toBe('ready\n');
    expect(r.stderr).toMatch(/stopped at once/);
  }, 60_000);
});

const BIN = join(import.meta.dirname, '../../bin/tinyseek.js');
const FLAGS = [
  '--d-model',
  '16',
  '--layers',
  '1',
  '--heads',
  '2',
  '--steps',
  '60',
  '--seq-len',
  '48',
  '--batch-size',
  '2',
  '--eval-every',
  '1000',
  '--checkpoint-every',
  '1000',
];

/** Run a command in a child and send SIGINT once stderr matches `when` (its first progress line). */
function interruptedCommand(args: string[], when: RegExp): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sent && when.test(err)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code) => resolve({ code, err }));
  });
}

// Each test starts several CLI processes that train for real: generous limits, so a loaded machine is slow, not red.
describe('Ctrl-C on the real long commands (slow: child processes)', { timeout: 240_000 }, () => {
  it('pretrain: exits 130 after a consistent save, and --resume reproduces the uninterrupted run exactly', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tinyseek-int-'));
    const whole = join(root, 'whole'),
      parts = join(root, 'parts');
    expect(spawnSync(process.execPath, [BIN, 'pretrain', '--out', whole, ...FLAGS]).status).toBe(0);
    const r = await interruptedCommand(['pretrain', '--out', parts, ...FLAGS], /pretrain\s+\d+%/);
    expect(r.code).toBe(130);
    expect(r.err).toContain(`tinyseek pretrain --out ${parts} --resume`);
    const step = JSON.parse(readFileSync(join(parts, 'config.json'), 'utf8')).step as number;
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(60);
    expect(spawnSync(process.execPath, [BIN, 'pretrain', '--out', parts, '--resume']).status).toBe(0);
    for (const f of ['metrics.jsonl', 'model.safetensors', 'config.json'])
      expect(readFileSync(join(parts, f)).equals(readFileSync(join(whole, f)))).toBe(true);
  });

  it("experiment: exits 130 with the --resume line, and resuming gives the uninterrupted run's table and metrics", async () => {
    const root = mkdtempSync(join(tmpdir(), 'tinyseek-int-'));
    const whole = join(root, 'whole'),
      parts = join(root, 'parts');
    const args = (out: string) => ['experiment', 'moe-balance', '--steps', '30', '--out', out];
    expect(spawnSync(process.execPath, [BIN, ...args(whole)]).status).toBe(0);
    const r = await interruptedCommand(args(parts), /moe-balance\s+\d+%/);
    expect(r.code).toBe(130);
    expect(r.err).toContain(`tinyseek experiment moe-balance --out ${parts} --resume`);
    expect(existsSync(join(parts, 'results.json'))).toBe(false);
    expect(spawnSync(process.execPath, [BIN, 'experiment', 'moe-balance', '--out', parts, '--resume']).status).toBe(0);
    for (const f of ['results.json', 'metrics.jsonl', 'table.md', 'plot.svg'])
      expect(readFileSync(join(parts, f)).equals(readFileSync(join(whole, f)))).toBe(true);
  });

  it('aha: exits 130 with the --resume line, and resuming ends byte for byte where an uninterrupted run does', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tinyseek-int-'));
    const whole = join(root, 'whole'),
      parts = join(root, 'parts');
    const flags = ['--steps', '8', '--prompts', '4', '--group-size', '4', '--eval-every', '3', '--eval-size', '8'];
    const more = ['--eval-samples', '2', '--max-new-tokens', '48'];
    expect(spawnSync(process.execPath, [BIN, 'aha', '--out', whole, ...flags, ...more]).status).toBe(0);
    const r = await interruptedCommand(['aha', '--out', parts, ...flags, ...more], /step 3/);
    expect(r.code).toBe(130);
    expect(r.err).toContain(`tinyseek aha --out ${parts} --resume`);
    expect(JSON.parse(readFileSync(join(parts, 'config.json'), 'utf8')).stopped.step).toBeLessThan(8);
    expect(spawnSync(process.execPath, [BIN, 'aha', '--out', parts, '--resume']).status).toBe(0);
    for (const f of ['metrics.jsonl', 'samples.jsonl', 'summary.json', 'model.safetensors', 'config.json'])
      expect(readFileSync(join(parts, f)).equals(readFileSync(join(whole, f)))).toBe(true);
  });

  it('sft: exits 130 with the --resume line, and resuming ends byte for byte where an uninterrupted run does', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tinyseek-int-'));
    const data = join(root, 'w.jsonl'),
      whole = join(root, 'whole'),
      parts = join(root, 'parts');
    expect(spawnSync(process.execPath, [BIN, 'traces', '--out', data, '--n', '96']).status).toBe(0);
    const args = (out: string) => [
      'sft',
      '--model',
      'fixtures/aha-base',
      '--data',
      data,
      '--out',
      out,
      '--steps',
      '24',
      '--batch-size',
      '8',
      '--eval-every',
      '12',
      '--eval-n',
      '8',
    ];
    expect(spawnSync(process.execPath, [BIN, ...args(whole)]).status).toBe(0);
    const r = await interruptedCommand(args(parts), /sft\s+\d+%/);
    expect(r.code).toBe(130);
    expect(r.err).toContain(`tinyseek sft --out ${parts} --resume`);
    expect(spawnSync(process.execPath, [BIN, 'sft', '--out', parts, '--resume']).status).toBe(0);
    for (const f of ['metrics.jsonl', 'model.safetensors', 'config.json'])
      expect(readFileSync(join(parts, f)).equals(readFileSync(join(whole, f)))).toBe(true);
  });
});
