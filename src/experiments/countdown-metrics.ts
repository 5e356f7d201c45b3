// The Countdown columns of an aha run's metrics.jsonl: on every evaluation row the verification tests of
// countdown-verify.ts (step and check accuracy, consistency, usefulness, intervention catch rate, behaviour counts per
// answer, the share of answers that write a path twice, test-time scaling), null on the other rows, so every line
// has the same keys in the same order.
// They are appended after the RL columns (rl/step-metrics.ts), which stay byte-identical.
import { round6 } from '../train/metrics.ts';
import type { CountdownVerifyResult } from './countdown-verify.ts';

export const COUNTDOWN_METRIC_KEYS = [
  'stepAccuracy',
  'checkAccuracy',
  'pContinueGivenNo',
  'pStopGivenYes',
  'saveRate',
  'spoilRate',
  'interventionCatchRate',
  'interventionFooledRate',
  'interventionRecoverRate',
  'behVerification',
  'behChecks',
  'behBacktracking',
  'behSubgoals',
  'behBackwardChaining',
  'repeatedPaths',
  'evalGreedyThinkLen',
  'testTimeScaling',
] as const;
export type CountdownMetricKey = (typeof COUNTDOWN_METRIC_KEYS)[number];
export type CountdownMetrics = Record<CountdownMetricKey, number | null | { budget: number; accuracy: number }[]>;

/** The columns of one evaluation (null for a step without one). */
export function countdownMetrics(v: CountdownVerifyResult | null): CountdownMetrics {
  const m = {} as CountdownMetrics;
  for (const k of COUNTDOWN_METRIC_KEYS) m[k] = null;
  if (v === null) return m;
  Object.assign(m, {
    stepAccuracy: round6(v.stepAccuracy),
    checkAccuracy: round6(v.checkAccuracy),
    pContinueGivenNo: round6(v.pContinueGivenNo),
    pStopGivenYes: round6(v.pStopGivenYes),
    saveRate: round6(v.saveRate),
    spoilRate: round6(v.spoilRate),
    interventionCatchRate: round6(v.interventionCatchRate),
    interventionFooledRate: round6(v.interventionFooledRate),
    interventionRecoverRate: round6(v.interventionRecoverRate),
    behVerification: round6(v.behaviours.verification),
    behChecks: round6(v.behaviours.checks),
    behBacktracking: round6(v.behaviours.backtracking),
    behSubgoals: round6(v.behaviours.subgoals),
    behBackwardChaining: round6(v.behaviours.backwardChaining),
    repeatedPaths: round6(v.repeatedPaths),
    evalGreedyThinkLen: round6(v.evalThinkLen),
    testTimeScaling: v.scaling.map((s) => ({ budget: s.budget, accuracy: round6(s.accuracy)! })),
  });
  return m;
}

/** A metrics line (JSON text, no newline) with the Countdown columns appended. */
export function withCountdownMetrics(line: string, m: CountdownMetrics): string {
  return JSON.stringify({ ...(JSON.parse(line) as object), ...m });
}

/** First and last evaluation of the headline verification numbers: the base's, then the final policy's. */
export interface CountdownSummary {
  checkAccuracy: { first: number | null; last: number | null };
  interventionCatchRate: { first: number | null; last: number | null };
  behVerification: { first: number | null; last: number | null };
  behBacktracking: { first: number | null; last: number | null };
}

export function summarizeCountdown(evals: readonly CountdownMetrics[]): CountdownSummary | null {
  if (evals.length === 0) return null;
  const fl = (k: 'checkAccuracy' | 'interventionCatchRate' | 'behVerification' | 'behBacktracking') => ({
    first: evals[0]![k] as number | null,
    last: evals[evals.length - 1]![k] as number | null,
  });
  return {
    checkAccuracy: fl('checkAccuracy'),
    interventionCatchRate: fl('interventionCatchRate'),
    behVerification: fl('behVerification'),
    behBacktracking: fl('behBacktracking'),
  };
}

/** Seeds' summaries in one: each first and last is the mean over the seeds that have it (null when none does). */
export function meanCountdown(list: readonly CountdownSummary[]): CountdownSummary | null {
  if (list.length === 0) return null;
  const mean = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
  };
  const keys = Object.keys(list[0]!) as (keyof CountdownSummary)[];
  return Object.fromEntries(
    keys.map((k) => [k, { first: mean(list.map((c) => c[k].first)), last: mean(list.map((c) => c[k].last)) }]),
  ) as unknown as CountdownSummary;
}

/** The Countdown columns of the evaluation rows among metrics lines (for a resumed run's summary). */
export function countdownEvalsOf(lines: readonly string[]): CountdownMetrics[] {
  return lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((o) => o.evalPass1 !== null && o.evalPass1 !== undefined && 'checkAccuracy' in o)
    .map((o) => Object.fromEntries(COUNTDOWN_METRIC_KEYS.map((k) => [k, o[k]])) as CountdownMetrics);
}
