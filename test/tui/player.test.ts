// The player with its effects, without ink: runs end in progress (saved to the state file), cancelling
// keeps what a run had, exercise files are re-checked on save (file watching) and reset on x x, and a
// restart resumes from the state file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lesson, RunStep, Step } from '../../src/tui/manifest.ts';
import { createPlayer, type Player } from '../../src/tui/player.ts';
import { loadProgress } from '../../src/tui/progress-file.ts';
import { emptyProgress } from '../../src/tui/progress.ts';
import { demoLesson, demoSteps } from './fixtures/demo/index.ts';
import { removeTempDirs, tempDir, testEnv, waitFor } from './helpers.ts';

const players: Player[] = [];
afterEach(() => {
  for (const p of players.splice(0)) p.dispose();
  removeTempDirs();
});

function start(lesson: Lesson = demoLesson(), opts: { watch?: boolean; step?: number } = {}) {
  const env = testEnv([lesson], { watch: opts.watch ?? false });
  const player = createPlayer(env, emptyProgress());
  players.push(player);
  player.dispatch({ kind: 'open', lesson: 0, step: opts.step ?? 0 });
  return { player, env, s: () => player.getState() };
}

/** A run that reports once, then waits until it is cancelled and returns what it had. */
const waitsForCancel: RunStep['run'] = async (ctx) => {
  ctx.report({ kind: 'progress', step: 1, total: 10, metrics: { loss: 0.9, acc: 0.1 } });
  while (!ctx.signal.aborted) await new Promise((r) => setTimeout(r, 5));
  return { metrics: { loss: 0.9 }, lines: ['stopped at step 1'] };
};

describe('the player', () => {
  it('runs a run step to the end and saves its result', async () => {
    const { player, env, s } = start(demoLesson(), { step: 2 });
    player.dispatch({ kind: 'startRun' });
    await waitFor(() => s().session?.runs[2]?.status === 'done', 'the run to finish');
    expect(s().session?.runs[2]?.series['loss']).toEqual([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5]);
    expect(loadProgress(env.progressFile).lessons['42-demo']?.runs[2]).toEqual({
      metrics: { steps: 5, loss: 0.2 },
      lines: ['counted to 5'],
      knobs: { steps: 5, mode: 'a' },
      cancelled: false,
    });
  });

  it('cancels a run with c and keeps what it had measured', async () => {
    const steps: Step[] = demoSteps();
    steps[2] = { ...(steps[2] as RunStep), run: waitsForCancel };
    const { player, env, s } = start(demoLesson({ steps }), { step: 2 });
    player.key('space', { page: 10, maxScroll: 0 });
    await waitFor(() => s().session?.runs[2]?.step === 1, 'the first report');
    player.key('c', { page: 10, maxScroll: 0 });
    await waitFor(() => s().session?.runs[2]?.status === 'cancelled', 'the run to stop');
    const saved = loadProgress(env.progressFile).lessons['42-demo']!;
    expect(saved.runs[2]).toMatchObject({ cancelled: true, lines: ['stopped at step 1'] });
    expect(saved.done).not.toContain(2);
  });

  it('re-checks an exercise file when it is saved', async () => {
    const { s } = start(demoLesson(), { step: 4, watch: true });
    await waitFor(() => s().session?.exercise?.status === 'fail', 'the first check');
    expect(s().session?.exercise?.watch).toBe('watching');
    writeFileSync(s().session!.exercise!.path!, 'export const double = (x: number) => x * 2;\n');
    await waitFor(() => s().session?.exercise?.status === 'pass', 'a check after the save');
    expect(s().progress.lessons['42-demo']?.exercises[4]).toBe(true);
  });

  it('puts the starter back on x x and checks it again', async () => {
    const { player, s } = start(demoLesson(), { step: 4 });
    await waitFor(() => s().session?.exercise?.status === 'fail', 'the first check');
    const path = s().session!.exercise!.path!;
    writeFileSync(path, 'export const double = (x: number) => x * 2;\n');
    player.dispatch({ kind: 'recheck' });
    await waitFor(() => s().session?.exercise?.status === 'pass', 'the pass');
    player.dispatch({ kind: 'reset' });
    player.dispatch({ kind: 'reset' });
    await waitFor(
      () => s().session?.exercise?.status === 'fail' && s().session?.exercise?.checks === 3,
      'the check of the starter',
    );
    expect(readFileSync(path, 'utf8')).toContain('return x;');
  });

  it('loads the solution after a pass', async () => {
    const { player, s } = start(demoLesson(), { step: 4 });
    await waitFor(() => s().session?.exercise?.status === 'fail', 'the first check');
    writeFileSync(s().session!.exercise!.path!, 'export const double = (x: number) => x * 2;\n');
    player.dispatch({ kind: 'recheck' });
    await waitFor(() => s().session?.exercise?.status === 'pass', 'the pass');
    player.dispatch({ kind: 'solution' });
    expect(s().session?.exercise?.solution).toContain('return 2 * x;');
  });

  it('resumes from the state file after a restart', async () => {
    const first = start(demoLesson(), { step: 3 });
    first.player.dispatch({ kind: 'pick', option: 1 });
    first.player.dispatch({ kind: 'quit' });
    const again = createPlayer(first.env, loadProgress(first.env.progressFile), { startLesson: 0 });
    players.push(again);
    expect(again.getState().session?.step).toBe(3);
    expect(again.getState().progress.lessons['42-demo']?.checks[3]).toBe(1);
  });

  it('says so on screen when the state file cannot be written', () => {
    const blocker = join(tempDir(), 'a-file');
    writeFileSync(blocker, 'not a folder');
    const env = testEnv([demoLesson()], { progressFile: join(blocker, 'progress.json') });
    const player = createPlayer(env, emptyProgress());
    players.push(player);
    player.dispatch({ kind: 'open', lesson: 0 });
    expect(player.getState().notice).toMatch(/^could not save progress to .*a-file\/progress.json: E[A-Z]+/);
  });
});
