// Ctrl-C through a real child process and a real SIGINT: the first one finishes the step, leaves a consistent
// run directory and exits 130 with the --resume line; resuming ends byte for byte where an uninterrupted run does.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
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

/** Run pretrain in a child and send SIGINT once its first progress line appears. */
function interrupted(out: string): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'pretrain', '--out', out, ...FLAGS], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '',
      sent = false;
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sent && /pretrain\s+\d+%/.test(err)) {
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
    const r = await interrupted(parts);
    expect(r.code).toBe(130);
    expect(r.err).toContain(`tinyseek pretrain --out ${parts} --resume`);
    const step = JSON.parse(readFileSync(join(parts, 'config.json'), 'utf8')).step as number;
    expect(step).toBeGreaterThan(0);
    expect(step).toBeLessThan(60);
    expect(spawnSync(process.execPath, [BIN, 'pretrain', '--out', parts, '--resume']).status).toBe(0);
    for (const f of ['metrics.jsonl', 'model.safetensors', 'optimizer.safetensors'])
      expect(readFileSync(join(parts, f)).equals(readFileSync(join(whole, f)))).toBe(true);
  });
});
