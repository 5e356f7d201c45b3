// The lesson commands: `lessons [--list] [check]`, `lesson N [--plain]`, `start`, with a fake terminal.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import type { IO } from '../../src/cli/command.ts';
import { makeLessonCommands } from '../../src/cli/lessons.ts';
import { lessons as registry } from '../../lessons/index.ts';
import type { Lesson } from '../../src/tui/manifest.ts';
import type { OpenOptions } from '../../src/tui/open.tsx';
import { demoLesson } from './fixtures/demo/index.ts';
import { removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

function setup(
  opts: {
    lessons?: Lesson[];
    interactive?: boolean;
    noWorkspaceEnv?: boolean;
    state?: string;
    cwd?: string;
    /** How the player ends: q (the default) or Ctrl-C. */
    ends?: 'quit' | 'interrupted';
  } = {},
) {
  const dir = opts.cwd ?? tempDir();
  const opened: OpenOptions[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const io: IO = { out: (s) => void out.push(s), err: (s) => void err.push(s), isTTY: false };
  const env: Record<string, string> = {
    TINYSEEK_STATE: opts.state ?? join(dir, 'progress.json'),
    ...(opts.noWorkspaceEnv ? {} : { TINYSEEK_WORKSPACE: join(dir, 'ws') }),
  };
  const cmds = makeLessonCommands({
    lessons: opts.lessons ?? [demoLesson()],
    env,
    cwd: dir,
    interactive: () => opts.interactive ?? false,
    columns: () => 80,
    open: async (o) => (opened.push(o), opts.ends ?? 'quit'),
  });
  return { ...cmds, io, dir, env, opened, text: () => out.join(''), errText: () => err.join('') };
}

describe('tinyseek lessons', () => {
  it('lists the lessons with progress and how to run one', async () => {
    const t = setup({
      lessons: [
        demoLesson(),
        demoLesson({ id: '43-later', number: 43, title: 'Later', requires: ['src/rl/not-built-yet.ts'] }),
      ],
    });
    expect(await t.lessonsCommand.run(['--list'], t.io)).toBe(0);
    const text = t.text();
    expect(text).toContain(`tinyseek lessons (progress: ${t.env.TINYSEEK_STATE})`);
    expect(text).toContain('  42  Demo  [not started]');
    expect(text).toMatch(
      /One more lesson appears once their modules are built: 43 Later \(needs\s+src\/rl\/not-built-yet.ts\)/,
    );
    expect(text).toContain('tinyseek lesson 42 --plain');
  });

  it('shows saved progress in the list', async () => {
    const t = setup();
    writeFileSync(
      t.env.TINYSEEK_STATE,
      JSON.stringify({
        version: 1,
        lessons: { '42-demo': { step: 1, furthest: 1, done: [0, 1], checks: {}, exercises: {}, runs: {} } },
      }),
    );
    await t.lessonsCommand.run([], t.io);
    expect(t.text()).toContain('  42  Demo  [2/5 steps]');
    expect(t.text()).toContain('\n0 of 1 lessons done · 2 of 5 steps\n');
    const j = setup({ state: t.env.TINYSEEK_STATE, cwd: t.dir });
    expect(await j.lessonsCommand.run(['--json'], j.io)).toBe(0);
    expect(JSON.parse(j.text())).toMatchObject({
      progressFile: t.env.TINYSEEK_STATE,
      lessons: [{ number: 42, id: '42-demo', title: 'Demo', steps: { done: 2, total: 5 }, complete: false }],
      hidden: [],
    });
  });

  it('check exits 0 when every lesson works and 1 otherwise', async () => {
    const good = setup();
    expect(await good.lessonsCommand.run(['check'], good.io)).toBe(0);
    expect(good.text()).toMatch(/ok: 1 lesson checked/);
    const bad = setup({ lessons: [demoLesson({ number: 1 })] });
    expect(await bad.lessonsCommand.run(['check'], bad.io)).toBe(1);
    expect(bad.text()).toMatch(/FAILED/);
  });

  it('rejects an unknown subcommand', async () => {
    const t = setup();
    await expect(t.lessonsCommand.run(['chek'], t.io)).rejects.toThrow(
      new UsageError("unknown argument 'chek' for 'lessons' (did you mean 'check' or 'verify'?)"),
    );
  });
});

describe('tinyseek lesson N', () => {
  it('opens the player at the lesson in a terminal', async () => {
    const t = setup({ interactive: true });
    expect(await t.lessonCommand.run(['42', '--manual-run'], t.io)).toBe(0);
    expect(t.opened).toHaveLength(1);
    expect(t.opened[0]).toMatchObject({
      startLesson: 0,
      budget: 'full',
      watch: false,
      progressFile: t.env.TINYSEEK_STATE,
      workspace: t.env.TINYSEEK_WORKSPACE,
    });
  });

  it('exits 130 when the learner leaves the player with Ctrl-C, 0 with q (lesson N and start)', async () => {
    const t = setup({ interactive: true, ends: 'interrupted' });
    expect(await t.lessonCommand.run(['42'], t.io)).toBe(130);
    expect(await t.startCommand.run([], t.io)).toBe(130);
    const u = setup({ interactive: true, ends: 'quit' });
    expect(await u.startCommand.run([], u.io)).toBe(0);
  });

  it('prints the lesson as text with --plain, or when not in a terminal', async () => {
    const t = setup({ interactive: true });
    expect(await t.lessonCommand.run(['42', '--plain', '--budget', 'small'], t.io)).toBe(1); // the starter fails its check
    expect(t.opened).toHaveLength(0);
    expect(t.text()).toContain('Step 3/5 (run): Count');
    const u = setup({ interactive: false });
    expect(await u.lessonCommand.run(['42', '--budget', 'small', '--step', '3'], u.io)).toBe(0);
    expect(u.errText()).toMatch(/not a terminal/);
  });

  it('says which lessons exist, and why a hidden one is not available', async () => {
    const t = setup({
      lessons: [demoLesson(), demoLesson({ id: '43-later', number: 43, requires: ['src/rl/not-built-yet.ts'] })],
    });
    await expect(t.lessonCommand.run(['7'], t.io)).rejects.toThrow('there is no lesson 7 (available: 42)');
    await expect(t.lessonCommand.run(['43'], t.io)).rejects.toThrow(
      'lesson 43 is not available yet: it needs src/rl/not-built-yet.ts',
    );
    await expect(t.lessonCommand.run(['x'], t.io)).rejects.toThrow("lesson number must be a whole number, got 'x'");
    await expect(t.lessonCommand.run(['42', '--plain', '--step', '9'], t.io)).rejects.toThrow(
      'lesson 42 has 5 steps, not 9',
    );
  });

  it('reports a malformed lesson as an input error naming its file', async () => {
    const t = setup({ lessons: [demoLesson({ number: 1 })] });
    await expect(t.lessonCommand.run(['1'], t.io)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^lesson test\/tui\/fixtures\/demo\/index.ts: number 1/),
    });
  });
});

const SOLVED = 'export const double = (x: number) => 2 * x;\n';
const progressOf = (t: ReturnType<typeof setup>) => JSON.parse(readFileSync(t.env.TINYSEEK_STATE!, 'utf8'));

describe('lesson state (as rustlings keeps it)', () => {
  it('--plain records progress: prose read, runs finished, exercises passed; exit 1 while the exercise fails', async () => {
    const t = setup();
    expect(await t.lessonCommand.run(['42', '--plain', '--budget', 'small'], t.io)).toBe(1);
    let lp = progressOf(t).lessons['42-demo'];
    expect(lp.done).toEqual([0, 2]); // the intro and the run; checks need an answer, the exercise fails
    expect(lp.exercises).toEqual({});
    expect(lp.runs['2'].lines).toEqual(['counted to 4']);
    writeFileSync(join(t.env.TINYSEEK_WORKSPACE!, '42-demo', 'double.ts'), SOLVED);
    expect(await t.lessonCommand.run(['42', '--plain', '--step', '5'], t.io)).toBe(0);
    lp = progressOf(t).lessons['42-demo'];
    expect([lp.done, lp.exercises]).toEqual([[0, 2, 4], { 4: true }]);
  });

  it('ties the workspace to the progress file, so another folder finds the same files', async () => {
    const state = join(tempDir(), 'progress.json');
    const a = setup({ noWorkspaceEnv: true, state });
    await a.lessonCommand.run(['42', '--plain', '--step', '5'], a.io);
    expect(progressOf(a).workspace).toBe(join(a.dir, 'tinyseek-workspace'));
    writeFileSync(join(a.dir, 'tinyseek-workspace', '42-demo', 'double.ts'), SOLVED);
    const b = setup({ noWorkspaceEnv: true, state }); // another current folder, the same progress file
    expect(await b.lessonCommand.run(['42', '--plain', '--step', '5'], b.io)).toBe(0);
    expect(b.text()).toContain(`Your file: ${join(a.dir, 'tinyseek-workspace', '42-demo', 'double.ts')}`);
    expect(existsSync(join(b.dir, 'tinyseek-workspace'))).toBe(false);
  });

  it("lessons verify checks the learner's own files: not started, failing, passing", async () => {
    const t = setup();
    expect(await t.lessonsCommand.run(['verify'], t.io)).toBe(1);
    expect(t.text()).toMatch(/· lesson 42 step 5 \(Double it\): not started/);
    await t.lessonCommand.run(['42', '--plain', '--step', '5'], t.io);
    expect(await t.lessonsCommand.run(['verify'], t.io)).toBe(1);
    expect(t.text()).toMatch(/✗ lesson 42 step 5 \(Double it\): double\(1\) returned 1, expected 2/);
    writeFileSync(join(t.env.TINYSEEK_WORKSPACE!, '42-demo', 'double.ts'), SOLVED);
    expect(await t.lessonsCommand.run(['verify'], t.io)).toBe(0);
    expect(t.text()).toMatch(/✓ lesson 42 step 5 \(Double it\): passed\n1 passed, 0 failed, 0 not started\n$/);
    expect(progressOf(t).lessons['42-demo'].exercises).toEqual({ 4: true });
  });

  it('lesson N --reset S puts the starter back and forgets the pass; only exercise steps can be reset', async () => {
    const t = setup();
    const file = join(t.env.TINYSEEK_WORKSPACE!, '42-demo', 'double.ts');
    await t.lessonCommand.run(['42', '--plain', '--step', '5'], t.io);
    const starter = readFileSync(file, 'utf8');
    writeFileSync(file, SOLVED);
    expect(await t.lessonCommand.run(['42', '--plain', '--step', '5'], t.io)).toBe(0);
    expect(await t.lessonCommand.run(['42', '--reset', '5'], t.io)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(starter);
    expect(progressOf(t).lessons['42-demo'].exercises).toEqual({});
    expect(progressOf(t).lessons['42-demo'].done).not.toContain(4);
    await expect(t.lessonCommand.run(['42', '--reset', '1'], t.io)).rejects.toThrow(
      '--reset 1: not an exercise step of lesson 42 (its exercises: 5)',
    );
  });
});

describe('tinyseek start', () => {
  it('opens the menu in a terminal', async () => {
    const t = setup({ interactive: true });
    expect(await t.startCommand.run([], t.io)).toBe(0);
    expect(t.opened).toHaveLength(1);
    expect(t.opened[0]).toMatchObject({ watch: true, progressFile: t.env.TINYSEEK_STATE });
    expect(t.opened[0]!.startLesson).toBeUndefined();
  });

  it('prints the list and how to run a lesson anywhere else', async () => {
    const t = setup({ lessons: registry });
    expect(await t.startCommand.run([], t.io)).toBe(0);
    expect(t.opened).toHaveLength(0);
    expect(t.text()).toContain('00  Welcome: how the player works');
    expect(t.text()).toContain('tinyseek lesson 0 --plain');
    expect(t.text()).toMatch(/Not a terminal, so no menu/);
  });

  it('does not write a progress file just by listing', async () => {
    const t = setup();
    await t.startCommand.run([], t.io);
    expect(() => readFileSync(t.env.TINYSEEK_STATE)).toThrow();
  });
});
