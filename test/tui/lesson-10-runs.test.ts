// Lesson 10's live steps on the small budget: the Countdown RL run charts the behaviours per step and the
// verification tests at evaluations; the intervention step shows the base alone until a run has trained a policy,
// then both, judged by the same injected path; same knobs, same output.
import { describe, expect, it } from 'vitest';
import lesson from '../../lessons/10-learning-to-check/index.ts';
import { CD_SERIES, INTERVENTION_PROBLEMS } from '../../lessons/10-learning-to-check/countdown-run.ts';
import type { KnobValue, RunEvent, RunStep } from '../../src/tui/manifest.ts';

const step = (id: string) => lesson.steps.find((s): s is RunStep => s.kind === 'run' && s.id === id)!;
const defaults = (s: RunStep) => Object.fromEntries((s.knobs ?? []).map((k) => [k.name, k.default]));

async function run(s: RunStep, knobs: Record<string, KnobValue> = {}) {
  const events: RunEvent[] = [];
  const result = await s.run({
    knobs: { ...defaults(s), ...knobs },
    budget: 'small',
    signal: new AbortController().signal,
    report: (e) => events.push(e),
    tick: async () => {},
  });
  return { result, events };
}

describe('lesson 10 live steps', () => {
  it("the intervention knob's problems are the first of the RL run's held-out set", async () => {
    const { heldOutSet } = await import('../../src/world/index.ts');
    const { DEFAULT_RL } = await import('../../src/rl/config.ts');
    const held = heldOutSet('countdown', 3, INTERVENTION_PROBLEMS.length, DEFAULT_RL.heldOutSeed).map((p) => p.prompt);
    expect(INTERVENTION_PROBLEMS).toEqual(held);
  });

  it('the intervention step shows the base alone before any run, deterministically', async () => {
    const a = await run(step('intervention'), { problem: INTERVENTION_PROBLEMS[1]! });
    expect(a.result.lines.some((l) => l.startsWith('base (fixtures/countdown-search/kept): …'))).toBe(true);
    expect(a.result.lines.at(-1)).toMatch(/run the RL step on the search base first/);
    // The searching base's paths open by naming the target, so its injected path does too; the primed base's not.
    expect(a.result.lines[1]).toMatch(/^forced prefix: to 14: /);
    const all = await run(step('intervention'), { problem: INTERVENTION_PROBLEMS[1]!, base: 'all' });
    expect(all.result.lines[1]).toMatch(/^forced prefix: \d/);
    expect(all.result.lines.some((l) => l.startsWith('base (fixtures/countdown-primed/all): …'))).toBe(true);
    expect(Object.keys(a.result.metrics).sort()).toEqual(['baseCaught', 'baseFooled', 'baseRecovered']);
    expect((await run(step('intervention'), { problem: INTERVENTION_PROBLEMS[1]! })).result).toEqual(a.result);
    // Another problem, another forced path.
    const b = await run(step('intervention'), { problem: INTERVENTION_PROBLEMS[2]! });
    expect(b.result.lines[0]).not.toBe(a.result.lines[0]);
    expect(a.result.lines[0]).toBe(`problem: ${INTERVENTION_PROBLEMS[1]}`);
    await expect(run(step('intervention'), { problem: '1 2 3 to 6' })).rejects.toThrow(/not among/);
  });

  it('the RL run charts behaviours every step and the held-out tests, then the intervention shows both models', async () => {
    const { result, events } = await run(step('countdown'));
    const progress = events.filter((e) => e.kind === 'progress');
    expect(progress.map((e) => e.step)).toEqual([1, 2, 3]);
    for (const e of progress.slice(0, 2)) {
      for (const k of [CD_SERIES.verdicts, CD_SERIES.checks, CD_SERIES.tries, CD_SERIES.subgoals, CD_SERIES.pass1])
        expect(e.metrics).toHaveProperty([k]);
    }
    expect(result.metrics['steps']).toBe(2);
    for (const k of ['pass1First', 'pass1Last', 'caughtFirst', 'caughtLast', 'verdictsFirst', 'verdictsLast'])
      expect(Number.isFinite(result.metrics[k])).toBe(true);
    // Every series the chart names is reported.
    const reported = new Set(progress.flatMap((e) => Object.keys(e.metrics ?? {})));
    for (const s of step('countdown').chart!.series) expect(reported.has(s)).toBe(true);

    const iv = await run(step('intervention'), { problem: INTERVENTION_PROBLEMS[1]! });
    const before = await run(step('intervention'), { problem: INTERVENTION_PROBLEMS[1]! });
    expect(iv.result).toEqual(before.result);
    expect(iv.result.lines.some((l) => l.startsWith('after 2 RL steps (seed 0): …'))).toBe(true);
    expect(Object.keys(iv.result.metrics)).toContain('rlCaught');
    // The trained policy is the search base's: the primed base's page shows the base alone.
    const other = await run(step('intervention'), { problem: INTERVENTION_PROBLEMS[1]!, base: 'all' });
    expect(other.result.lines.some((l) => l.startsWith('after '))).toBe(false);
    // The prediction is judged by what the run measured.
    const check = lesson.steps.find((s) => s.kind === 'check' && s.run === 'countdown');
    expect(check?.kind === 'check' && [0, 1, 2].includes(check.answer(result))).toBe(true);
  });
});
