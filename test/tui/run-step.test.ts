// Running a step: every way a run ends becomes one outcome, and a bad result is a failure.
import { describe, expect, it } from 'vitest';
import type { RunEvent, RunStep } from '../../src/tui/manifest.ts';
import { defaultKnobs, startRun } from '../../src/tui/run-step.ts';
import v3Lesson from '../../lessons/06-v3-architecture/index.ts';
import { countRun } from './fixtures/demo/index.ts';

const step = (run: RunStep['run']): RunStep => ({
  kind: 'run',
  title: 'T',
  markdown: 'm',
  knobs: [{ name: 'steps', label: 's', values: [3, 6], default: 3 }],
  run,
});

describe('startRun', () => {
  it('passes the knobs and the budget, relays events and returns the result', async () => {
    const events: RunEvent[] = [];
    const h = startRun(step(countRun), { knobs: { steps: 6 }, budget: 'full', onEvent: (e) => events.push(e) });
    expect(await h.outcome).toEqual({
      kind: 'done',
      result: { metrics: { steps: 6, loss: 1 / 6 }, lines: ['counted to 6'] },
    });
    expect(events.filter((e) => e.kind === 'progress')).toHaveLength(6);
    expect(events).toContainEqual({ kind: 'log', text: 'first step done' });
  });

  it('gives every knob its default', () => {
    expect(defaultKnobs(step(countRun))).toEqual({ steps: 3 });
  });

  it('is cancelled by cancel(), keeping the result the run returned', async () => {
    const h = startRun(step(countRun), {
      knobs: { steps: 1000 },
      budget: 'full',
      onEvent: (e) => {
        if (e.kind === 'progress' && e.step === 2) h.cancel();
      },
    });
    const outcome = await h.outcome;
    expect(outcome).toEqual({
      kind: 'cancelled',
      result: { metrics: { steps: 2, loss: 0.5 }, lines: ['counted to 2'] },
    });
  });

  it('keeps the last reported metrics when a cancelled run throws', async () => {
    const h = startRun(
      step(async (ctx) => {
        ctx.report({ kind: 'progress', step: 1, total: 9, metrics: { loss: 0.7 } });
        await ctx.tick();
        if (ctx.signal.aborted) throw new Error('aborted');
        return { metrics: {}, lines: [] };
      }),
      { knobs: {}, budget: 'full', onEvent: () => h.cancel() },
    );
    expect(await h.outcome).toEqual({
      kind: 'cancelled',
      result: { metrics: { loss: 0.7 }, lines: ['cancelled at step 1/9: these are the last numbers it reported'] },
    });
  });

  it("stops a lesson's long experiment soon after cancel (lesson 6's MTP run, 400 training steps)", async () => {
    const mtp = v3Lesson.steps.find((s): s is RunStep => s.kind === 'run' && s.id === 'mtp')!;
    const steps: number[] = [];
    const h = startRun(mtp, {
      knobs: defaultKnobs(mtp),
      budget: 'full',
      onEvent: (e) => {
        if (e.kind !== 'progress') return;
        steps.push(e.step);
        h.cancel();
      },
    });
    const outcome = await h.outcome;
    expect(outcome.kind).toBe('cancelled');
    expect(steps).toHaveLength(1);
    expect(steps[0]).toBeLessThan(20);
  });

  it('fails with the error when a run throws by itself', async () => {
    const h = startRun(
      step(async () => Promise.reject(new RangeError('bad size'))),
      { knobs: {}, budget: 'small' },
    );
    expect(await h.outcome).toEqual({ kind: 'failed', message: 'RangeError: bad size' });
  });

  it('fails when the result has a metric that is not a finite number', async () => {
    const h = startRun(
      step(async () => ({ metrics: { loss: NaN }, lines: [] })),
      { knobs: {}, budget: 'small' },
    );
    expect(await h.outcome).toEqual({
      kind: 'failed',
      message: "run 'T': result.metrics['loss'] is NaN, not a finite number",
    });
  });
});
