// The ink view, frame by frame (ink-testing-library, fixed width 80): the menu, a prose step, a
// finished run with its chart and result, an exercise going from ✗ to ✓ with the solution after the pass,
// resizing, and colour-free output under NO_COLOR.
import { writeFileSync } from 'node:fs';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/tui/App.tsx';
import { createPlayer, type Player } from '../../src/tui/player.ts';
import { loadProgress } from '../../src/tui/progress-file.ts';
import { emptyProgress } from '../../src/tui/progress.ts';
import { stripAnsi, styler, type StyleMode } from '../../src/tui/style.ts';
import { demoLesson } from './fixtures/demo/index.ts';
import { removeTempDirs, testEnv, waitFor } from './helpers.ts';

const RIGHT = '\u001B[C';
const DOWN = '\u001B[B';
const ENTER = '\r';

let mounted: { unmount(): void; player: Player }[] = [];
afterEach(() => {
  for (const m of mounted) {
    m.unmount();
    m.player.dispose();
  }
  mounted = [];
  removeTempDirs();
});

function mount(opts: { mode?: StyleMode; width?: number; start?: number; onInterrupt?: () => void } = {}) {
  const env = testEnv([demoLesson()]);
  const player = createPlayer(env, emptyProgress(), { startLesson: opts.start });
  const ui = render(
    <App player={player} style={styler(opts.mode ?? 'none')} width={opts.width ?? 80} onInterrupt={opts.onInterrupt} />,
  );
  mounted.push({ unmount: ui.unmount, player });
  const frame = () => ui.lastFrame() ?? '';
  const until = (text: string | RegExp) =>
    waitFor(
      () => (typeof text === 'string' ? frame().includes(text) : text.test(frame())),
      `a frame with ${String(text)}:\n${frame()}`,
    );
  /** Types keys one at a time, letting the app handle each before the next (then `until` the frame). */
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      ui.stdin.write(k);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { ui, env, player, frame, until, press };
}

describe('the player view', () => {
  it('shows the menu with progress, the summary and the keys', async () => {
    const { frame, until } = mount();
    await until('Lessons');
    expect(frame()).toMatchSnapshot();
    expect(frame()).toContain('› 42  Demo  not started');
    expect(frame()).toContain('Lessons  0 of 1 lessons done · 0 of 5 steps');
    expect(frame().trimEnd().split('\n').at(-1)).toBe('↑/↓ choose · Enter open · q quit');
  });

  it('opens a lesson on Enter and renders its prose step', async () => {
    const { frame, until, press } = mount();
    await until('Lessons');
    await press(ENTER);
    await until('step 1/5 (prose)');
    expect(frame()).toMatchSnapshot();
    expect(frame()).toContain('Demo\n====');
    expect(frame()).toContain('- one\n- two');
  });

  it('runs a run step: progress, a live chart, the result and the verdict on the prediction', async () => {
    const { frame, until, press, env } = mount({ start: 0 });
    await until('step 1/5');
    await press(RIGHT);
    await until('Will the loss end below 0.5?');
    await press(ENTER);
    await until('Prediction recorded');
    await press(RIGHT);
    await until('Press space to run it.');
    expect(frame()).toContain('your prediction in step 2: 1. yes — run to see.');
    await press('k', ' ');
    await until('Result (steps=8, mode=a)');
    const f = frame();
    expect(f).toContain('counted to 8');
    expect(f).toContain('✓ your prediction in step 2 (1. yes) — the run agrees.');
    expect(f).toMatch(/■ loss 0\.125 +■ acc 1/);
    expect(f).toMatch(/┤/);
    expect(f).toContain('space/Enter run again');
    expect(loadProgress(env.progressFile).lessons['42-demo']?.runs[2]?.lines).toEqual(['counted to 8']);
  });

  it('takes an exercise from ✗ to ✓ and shows the solution only after the pass', async () => {
    const { frame, until, press, player } = mount({ start: 0 });
    await until('step 1/5');
    await press(RIGHT, RIGHT, RIGHT, RIGHT);
    await until('✗ Check #1 failed:');
    expect(frame()).toContain('double(1) returned 1, expected 2');
    await press('s');
    await until('the solution opens once your code passes the check');
    await press('h');
    await until('Multiply by two.');
    const path = player.getState().session!.exercise!.path!;
    expect(frame()).toContain(path);
    writeFileSync(path, 'export function double(x: number): number {\n  return 2 * x;\n}\n');
    await press('r');
    await until('✓ Check #2 passed.');
    expect(frame()).toContain('Press s to compare with the reference solution.');
    await press('s');
    await until('Reference solution');
    expect(frame()).toContain('// Fixture solution.');
    expect(frame()).toMatch(/step 5\/5 \(exercise\)  x \. \. \. >/);
  });

  it('answers a check and shows whether it was right', async () => {
    const { frame, until, press } = mount({ start: 0 });
    await until('step 1/5');
    await press(RIGHT, RIGHT, RIGHT);
    await until('What is 1 + 1?');
    await press(DOWN, DOWN, ENTER);
    await until('✗ Not this time: the answer is 2.');
    expect(frame()).toContain('› 3. 3 ← your answer');
    expect(frame()).toContain('  2. 2 ← right');
  });

  it('follows the terminal width when none is fixed', async () => {
    const env = testEnv([demoLesson()]);
    const player = createPlayer(env, emptyProgress(), { startLesson: 0 });
    const ui = render(<App player={player} style={styler('none')} />);
    mounted.push({ unmount: ui.unmount, player });
    await waitFor(() => ui.lastFrame()?.includes('step 1/5'), 'the first frame');
    const ruleWidth = () =>
      ui
        .lastFrame()!
        .split('\n')
        .find((l) => l.startsWith('───'))!.length;
    expect(ruleWidth()).toBe(99);
    Object.defineProperty(ui.stdout, 'columns', { value: 50, configurable: true });
    ui.stdout.emit('resize');
    await waitFor(() => ruleWidth() === 49, 'a narrower frame');
  });

  it('uses attributes but no colours under NO_COLOR', async () => {
    const { frame, until } = mount({ mode: 'mono', start: 0 });
    await until('step 1/5');
    expect(frame()).toMatch(/\x1b\[1m/);
    expect(frame()).not.toMatch(/\x1b\[(3[0-7]|9[0-7])m/);
    expect(stripAnsi(frame())).toContain('Some bold prose with `code`.');
  });

  it('quits on q and saves where the learner was', async () => {
    const { until, press, env, player } = mount({ start: 0 });
    await until('step 1/5');
    await press(RIGHT, 'q');
    await waitFor(() => player.getState().quit, 'quit');
    expect(loadProgress(env.progressFile).lessons['42-demo']).toMatchObject({ step: 1, done: [0] });
  });

  it('on Ctrl-C says so (the command then exits 130) and keeps the progress already saved', async () => {
    let interrupted = false;
    const { until, press, env } = mount({ start: 0, onInterrupt: () => (interrupted = true) });
    await until('step 1/5');
    await press(RIGHT);
    await until('step 2/5');
    await press('\x03');
    await waitFor(() => interrupted, 'the interrupt');
    expect(loadProgress(env.progressFile).lessons['42-demo']).toMatchObject({ step: 1, done: [0] });
  });
});
