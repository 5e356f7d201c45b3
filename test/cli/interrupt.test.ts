// Ctrl-C through a real child process and a real SIGINT: the first one finishes the step, leaves a consistent
// run directory and exits 130 with the --resume line; resuming ends byte for byte where an uninterrupted run does.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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
function interrupted(args: string[], when: RegExp): Promise<{ code: number | null; err: string }> {
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

describe('Ctrl-C on a long command', () => {
  it('pretrain: exits 130 after a consistent save, and --resume reproduces the uninterrupted run exactly', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tinyseek-int-'));
    const whole = join(root, 'whole'),
      parts = join(root, 'parts');
    expect(spawnSync(process.execPath, [BIN, 'pretrain', '--out', whole, ...FLAGS]).status).toBe(0);
    const r = await interrupted(['pretrain', '--out', parts, ...FLAGS], /pretrain\s+\d+%/);
    expect(r.code).toBe(130);
    expect(r.err).toContain(`tinyseek pretrain --out ${parts} --resume`);
    const step = JSON.parse(readFileSync(join(parts, 'config.json'), 'utf8')).step as number;
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(60);
    expect(spawnSync(process.execPath, [BIN, 'pretrain', '--out', parts, '--resume']).status).toBe(0);
    for (const f of ['metrics.jsonl', 'model.safetensors', 'optimizer.safetensors'])
      expect(readFileSync(join(parts, f)).equals(readFileSync(join(whole, f)))).toBe(true);
  });

  it('experiment: stops after a step, exits 130 and writes nothing', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tinyseek-int-')), 'exp');
    const r = await interrupted(['experiment', 'moe-balance', '--steps', '200', '--out', out], /moe-balance\s+\d+%/);
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/interrupted: moe-balance stopped after \d+ steps; nothing was written/);
    expect(existsSync(out)).toBe(false);
  });
});
