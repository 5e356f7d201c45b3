// Smoke tests under a real pseudo-terminal (util-linux `script`): `npm start` opens the menu and quits on
// q (exit 0) or Ctrl-C (exit 130); the player opens lesson 0, checks its exercise file through tsx, and quits. Skipped, saying why,
// where `script` is missing or `start` is not registered yet.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/registry.ts';
import { repoRoot } from '../../src/tui/catalog.ts';
import { removeTempDirs, tempDir, waitFor } from './helpers.ts';

afterEach(removeTempDirs);

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const registered = commands.some((c) => c.name === 'start');
if (!hasScript) console.warn('pty smoke tests skipped: the `script` command (util-linux) is not installed');
if (!registered) console.warn("npm start smoke test skipped: 'start' is not registered in src/cli/registry.ts yet");

/** Runs `command` in a pseudo-terminal; `send` types into it; resolves the exit code. */
function inPty(command: string) {
  const dir = tempDir();
  // Ink draws only the final frame when it thinks it runs in CI; a learner's terminal is not CI.
  const { CI: _ci, CONTINUOUS_INTEGRATION: _ci2, ...env } = process.env;
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: repoRoot,
    env: { ...env, TINYSEEK_STATE: join(dir, 'progress.json'), TINYSEEK_WORKSPACE: join(dir, 'ws'), NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const until = (text: string) => waitFor(() => out.includes(text), `'${text}' in:\n${out}`, 2000);
  const send = (keys: string) => child.stdin.write(keys);
  const stop = () => child.kill();
  return { until, send, exited, stop, output: () => out };
}

describe('under a pseudo-terminal', () => {
  it.skipIf(!hasScript || !registered)('npm start opens the lesson menu and q quits', async () => {
    const t = inPty('node bin/tinyseek.js start');
    try {
      await t.until('Enter open');
      expect(t.output()).toContain('Welcome: how the player works');
      t.send('q');
      expect(await t.exited).toBe(0);
    } finally {
      t.stop();
    }
  });

  it.skipIf(!hasScript || !registered)('Ctrl-C leaves the menu with exit code 130', async () => {
    const t = inPty('node bin/tinyseek.js start');
    try {
      await t.until('Enter open');
      t.send('\x03');
      expect(await t.exited).toBe(130);
    } finally {
      t.stop();
    }
  });

  it.skipIf(!hasScript)('the player opens lesson 0, checks the exercise file through tsx, and quits', async () => {
    const t = inPty('node --import tsx test/tui/fixtures/start.ts lesson 0');
    try {
      await t.until('step 1/6');
      for (let k = 0; k < 4; k++) {
        t.send('\u001B[C');
        await t.until(`step ${k + 2}/6`);
      }
      await t.until('Check #1 failed');
      expect(t.output()).toContain('softmax([1000, 1001, 1002]) returned [NaN, NaN, NaN]');
      t.send('q');
      expect(await t.exited).toBe(0);
    } finally {
      t.stop();
    }
  });
});
