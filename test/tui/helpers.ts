// Shared helpers for the player's tests: temp folders for the state file and the workspace, a player
// environment over given lessons, and waitFor (polls a condition; tests never assert on time).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lesson } from '../../src/tui/manifest.ts';
import type { PlayerEnv } from '../../src/tui/effects.ts';

const made: string[] = [];

export function tempDir(prefix = 'tinyseek-tui-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function testEnv(lessons: Lesson[], opts: Partial<PlayerEnv> = {}): PlayerEnv {
  const dir = tempDir();
  return {
    lessons,
    hidden: [],
    progressFile: join(dir, 'state', 'progress.json'),
    workspace: join(dir, 'workspace'),
    budget: 'full',
    watch: false,
    ...opts,
  };
}

/** Resolves once `cond` returns a truthy value (checked every 10 ms); fails with `what` after a few seconds. */
export async function waitFor<T>(cond: () => T, what: string, tries = 500): Promise<NonNullable<T>> {
  for (let i = 0; i < tries; i++) {
    const v = cond();
    if (v) return v as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
