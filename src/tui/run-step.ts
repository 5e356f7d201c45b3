// Running one RunStep: builds its RunContext (knobs, budget, abort signal, report, tick), and turns every
// way a run can end into one outcome — finished, cancelled (keeping what it had measured: its own partial
// result, or else the last metrics it reported) or failed. A run's result is validated here, so a lesson
// bug (a NaN metric, a missing lines array) is reported as a failure instead of poisoning the state file.
// The player, plain mode and `lessons check` all run steps through this one function.
import type { Budget, KnobValue, RunEvent, RunResult, RunStep } from './manifest.ts';

export type RunOutcome =
  { kind: 'done'; result: RunResult } | { kind: 'cancelled'; result: RunResult } | { kind: 'failed'; message: string };

export interface RunHandle {
  outcome: Promise<RunOutcome>;
  cancel(): void;
}

export function defaultKnobs(step: RunStep): Record<string, KnobValue> {
  return Object.fromEntries((step.knobs ?? []).map((k) => [k.name, k.default]));
}

/** Problems with a run's result, empty when it is valid. */
export function resultProblems(r: unknown): string[] {
  if (typeof r !== 'object' || r === null) return ['run() must resolve to { metrics, lines }'];
  const { metrics, lines } = r as Partial<RunResult>;
  const p: string[] = [];
  if (typeof metrics !== 'object' || metrics === null) p.push('result.metrics must be an object');
  else
    for (const [k, v] of Object.entries(metrics))
      if (typeof v !== 'number' || !Number.isFinite(v))
        p.push(`result.metrics['${k}'] is ${String(v)}, not a finite number`);
  if (!Array.isArray(lines) || !lines.every((l) => typeof l === 'string'))
    p.push('result.lines must be a list of strings');
  return p;
}

const errorText = (e: unknown): string =>
  e instanceof Error ? `${e.name === 'Error' ? '' : e.name + ': '}${e.message}` : String(e);

export function startRun(
  step: RunStep,
  opts: { knobs: Record<string, KnobValue>; budget: Budget; onEvent?: (e: RunEvent) => void },
): RunHandle {
  const controller = new AbortController();
  let lastMetrics: Record<string, number> = {};
  let lastStep = '';
  const ctx = {
    knobs: { ...opts.knobs },
    budget: opts.budget,
    signal: controller.signal,
    report(e: RunEvent) {
      if (e.kind === 'progress') {
        lastStep = `${e.step}/${e.total}`;
        if (e.metrics) lastMetrics = { ...lastMetrics, ...e.metrics };
      }
      opts.onEvent?.(e);
    },
    tick: () => new Promise<void>((r) => setImmediate(r)),
  };
  const partial = (): RunResult => ({
    metrics: Object.fromEntries(Object.entries(lastMetrics).filter(([, v]) => Number.isFinite(v))),
    lines: [
      `cancelled${lastStep ? ` at step ${lastStep}` : ' before the first step'}: these are the last numbers it reported`,
    ],
  });
  const outcome = (async (): Promise<RunOutcome> => {
    let result: unknown;
    try {
      await null; // the caller gets the handle before the run reports anything
      result = await step.run(ctx);
    } catch (e) {
      if (controller.signal.aborted) return { kind: 'cancelled', result: partial() };
      return { kind: 'failed', message: errorText(e) };
    }
    const problems = resultProblems(result);
    if (problems.length) return { kind: 'failed', message: `run '${step.title}': ${problems.join('; ')}` };
    return { kind: controller.signal.aborted ? 'cancelled' : 'done', result: result as RunResult };
  })();
  return { outcome, cancel: () => controller.abort() };
}
