// Crash-safe saving, through real child processes: a child saves checkpoints in a loop and is killed with
// SIGKILL at random moments, many times. Every directory it leaves either loads, with all weights from the
// step its config names (never a mix of two saves), the extra file too, or is refused as incomplete by name.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { loadCheckpoint, readPinnedFile } from '../../src/model/checkpoint.ts';

const TRIALS = 24;
const LOOP = join(import.meta.dirname, '..', 'helpers', 'save-loop.ts');

/** Starts the save loop, waits for its first save, lets it run `delayMs` more, then kills it with SIGKILL. */
function killDuringSaves(dir: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOOP, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`save loop exited with ${code}`)),
    );
  });
}

describe('kill -9 during checkpoint saves (slow: real child processes)', () => {
  it(`${TRIALS} random kills: every directory loads consistently or is reported incomplete`, async () => {
    const rng = new Rng('crash-save');
    const outcomes = { loaded: 0, incomplete: 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = mkdtempSync(join(tmpdir(), 'tinyseek-crash-'));
      try {
        await killDuringSaves(dir, rng.int(0, 60));
        let loaded: ReturnType<typeof loadCheckpoint> | undefined;
        let extra: Uint8Array | undefined;
        try {
          loaded = loadCheckpoint(dir);
          extra = readPinnedFile(dir, 'optimizer.bin');
        } catch (e) {
          loaded = undefined;
          expect(e).toBeInstanceOf(InputError);
          expect((e as Error).message).toMatch(new RegExp(`^${dir}: incomplete checkpoint`));
          outcomes.incomplete++;
        }
        if (loaded) {
          const step = loaded.meta.step as number;
          expect(step).toBeGreaterThanOrEqual(1);
          for (const [name, p] of loaded.model.params)
            expect([name, p.dataSync().every((v) => v === step)]).toEqual([name, true]);
          expect(new Float32Array(extra!.buffer, extra!.byteOffset, extra!.length / 4).every((v) => v === step)).toBe(
            true,
          );
          outcomes.loaded++;
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    expect(outcomes.loaded + outcomes.incomplete).toBe(TRIALS);
    expect(outcomes.loaded).toBeGreaterThan(0);
  }, 180_000);
});
