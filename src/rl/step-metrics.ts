// One line of metrics.jsonl per step: every key always present (null when a step has no value for it), in a
// fixed order, numbers rounded to 6 significant digits, so the file is byte-identical across reruns and
// easy to load. Training keys describe the step's rollouts and update; eval* keys are set on evaluation
// steps (before step 0, every evalEvery steps, and one last line after the final step). No wall-clock here.
import { InputError } from '../core/errors.ts';
import type { Evaluation } from '../train/eval.ts';
import { round6 } from '../train/metrics.ts';

export interface RlStepMetrics {
  step: number;
  lr: number | null;
  reward: number | null;
  accuracy: number | null;
  formatRate: number | null;
  truncationRate: number | null;
  /** Response length in tokens over all / correct / incorrect completions. */
  lenAll: number | null;
  lenCorrect: number | null;
  lenIncorrect: number | null;
  /** Think length in characters. */
  thinkLen: number | null;
  reflectionRate: number | null;
  reflectiveFrac: number | null;
  /** Mean k3 KL to the reference over completion tokens (before the update). */
  kl: number | null;
  /** Mean per-token entropy of the policy on its own samples (nats). */
  entropy: number | null;
  clipFrac: number | null;
  zeroVarFrac: number | null;
  loss: number | null;
  gradNorm: number | null;
  valueLoss: number | null;
  evalGreedyAcc: number | null;
  evalPass1: number | null;
  evalLen: number | null;
  evalLenCorrect: number | null;
  evalLenIncorrect: number | null;
  evalThinkLen: number | null;
  evalReflectionRate: number | null;
  evalReflectiveFrac: number | null;
  evalFormatRate: number | null;
  evalTruncationRate: number | null;
}

export type MetricKey = Exclude<keyof RlStepMetrics, 'step'>;

export const METRIC_KEYS: readonly MetricKey[] = [
  'lr',
  'reward',
  'accuracy',
  'formatRate',
  'truncationRate',
  'lenAll',
  'lenCorrect',
  'lenIncorrect',
  'thinkLen',
  'reflectionRate',
  'reflectiveFrac',
  'kl',
  'entropy',
  'clipFrac',
  'zeroVarFrac',
  'loss',
  'gradNorm',
  'valueLoss',
  'evalGreedyAcc',
  'evalPass1',
  'evalLen',
  'evalLenCorrect',
  'evalLenIncorrect',
  'evalThinkLen',
  'evalReflectionRate',
  'evalReflectiveFrac',
  'evalFormatRate',
  'evalTruncationRate',
];

export function emptyMetrics(step: number): RlStepMetrics {
  const m = { step } as RlStepMetrics;
  for (const k of METRIC_KEYS) m[k] = null;
  return m;
}

/** The eval* fields of a metrics line; held-out lengths and reflection come from the k sampled answers. */
export function evalMetrics(ev: Evaluation): Partial<RlStepMetrics> {
  const s = ev.sampled;
  return {
    evalGreedyAcc: ev.greedyAccuracy,
    evalPass1: ev.pass1,
    evalLen: s.lenAll,
    evalLenCorrect: s.lenCorrect,
    evalLenIncorrect: s.lenIncorrect,
    evalThinkLen: s.thinkLen,
    evalReflectionRate: s.reflectionRate,
    evalReflectiveFrac: s.reflectiveFrac,
    evalFormatRate: s.formatRate,
    evalTruncationRate: s.truncationRate,
  };
}

/** The JSON line (no newline): keys in METRIC_KEYS order, values rounded. */
export function metricsLine(m: RlStepMetrics): string {
  const o: Record<string, number | null> = { step: m.step };
  for (const k of METRIC_KEYS) o[k] = round6(m[k]);
  return JSON.stringify(o);
}

/** Parse a metrics.jsonl text back into lines (for plots, ablations and tests). */
export function parseMetrics(text: string, source = 'metrics.jsonl'): RlStepMetrics[] {
  return text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l, i) => {
      let o: unknown;
      try {
        o = JSON.parse(l);
      } catch (e) {
        throw new InputError(`${source}: line ${i + 1} is not JSON (${(e as Error).message})`);
      }
      if (typeof o !== 'object' || o === null || typeof (o as { step?: unknown }).step !== 'number')
        throw new InputError(`${source}: line ${i + 1} has no step`);
      return { ...emptyMetrics((o as { step: number }).step), ...(o as Partial<RlStepMetrics>) };
    });
}
