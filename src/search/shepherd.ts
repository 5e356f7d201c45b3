// Math-Shepherd labels (Wang et al. 2023; reference/r1-story-beyond-zero.md §1.2): automatic process
// supervision. From the prefix that ends at step s_i a completer samples N continuations;
//   hard label  y_HE = 1 if any continuation reaches the gold answer, else 0
//   soft label  y_SE = (continuations that reach it) / N
// The labels estimate a *value* (can the policy still get there), not whether the step is right; here each
// step also carries the exact oracle (scored-steps.ts), so label accuracy and the confusion matrix against the
// truth are measured, not estimated from 160 hand-checked steps. The answer step is labelled by the outcome
// check (nothing to roll out). Rollout k of step i of trace t draws from `<rng>/t<t>/s<i>/k<k>`, so the N = 4
// labels are the first four of the N = 8 rollouts (nested, as the paper's sweep over N).
import type { ComputeLedger } from '../cost/ledger.ts';
import type { Rng } from '../core/rng.ts';
import type { PolicyModel } from '../model/policy.ts';
import { STOP_IDS } from '../train/rollout.ts';
import { PAD_ID, encode, promptFor, rewardBreakdown, decode } from '../world/index.ts';
import type { ModelConfig } from '../model/config.ts';
import type { ScoredTrace } from './scored-steps.ts';

export interface ShepherdOptions {
  /** Rollouts per step prefix (the largest N asked for). */
  n: number;
  temperature: number;
  maxNewTokens: number;
  rng: Rng;
  batchSize?: number;
  /** Generation is charged to `phase` of this ledger. */
  ledger?: { book: ComputeLedger; phase: string; config: ModelConfig };
  /** Rollouts done out of all, after each batch. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** Per step of a trace (answer step included): did rollout k from its prefix reach the gold answer. */
export interface ShepherdTrace {
  trace: ScoredTrace;
  hits: number[][];
}

export const hardLabel = (hits: readonly number[], n: number): number =>
  hits.slice(0, n).some((h) => h === 1) ? 1 : 0;
export const softLabel = (hits: readonly number[], n: number): number =>
  hits.slice(0, n).reduce((a, b) => a + b, 0) / Math.min(n, hits.length);

/** Roll out every intermediate step prefix of every trace N times with the completer. */
export async function shepherdLabels(
  completer: PolicyModel,
  traces: readonly ScoredTrace[],
  o: ShepherdOptions,
): Promise<ShepherdTrace[]> {
  const rows: { t: number; s: number; k: number; prefix: number[]; prompt: number[] }[] = [];
  const out: ShepherdTrace[] = traces.map((trace) => ({
    trace,
    hits: trace.steps.map((st) => (st.answer ? Array<number>(o.n).fill(trace.correct ? 1 : 0) : [])),
  }));
  traces.forEach((tr, t) => {
    const prompt = encode(promptFor(tr.problem));
    tr.steps.forEach((st, s) => {
      if (st.answer) return;
      const prefix = tr.completion.slice(0, st.pos + 1);
      for (let k = 0; k < o.n; k++) rows.push({ t, s, k, prefix, prompt: [...prompt, ...prefix] });
    });
  });
  const size = o.batchSize ?? 256;
  for (let from = 0; from < rows.length; from += size) {
    const chunk = rows.slice(from, from + size);
    const longest = Math.max(...chunk.map((r) => r.prompt.length));
    const gens = await completer.generate(
      chunk.map((r) => r.prompt),
      {
        maxNewTokens: Math.min(o.maxNewTokens, completer.maxSeqLen - longest),
        temperature: o.temperature,
        stopIds: [...STOP_IDS],
        padId: PAD_ID,
        rng: chunk.map((r) => o.rng.child(`t${r.t}`).child(`s${r.s}`).child(`k${r.k}`)),
      },
    );
    chunk.forEach((r, i) => {
      const g = gens[i]!;
      const text = decode([...r.prefix, ...g.tokens]);
      const ok = rewardBreakdown(traces[r.t]!.problem, text, { truncated: g.finish === 'length' }).accuracy;
      out[r.t]!.hits[r.s]![r.k] = ok;
    });
    o.ledger?.book.chargeGeneration(
      o.ledger.phase,
      o.ledger.config,
      chunk.map((r) => r.prompt.length),
      gens.map((g) => g.tokens.length),
    );
    await o.onProgress?.(Math.min(from + size, rows.length), rows.length);
  }
  return out;
}

export interface Confusion {
  /** label 1 and oracle 1, label 1 and oracle 0 (false positive), … */
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface LabelQuality {
  n: number;
  steps: number;
  /** Hard label = oracle. */
  hardAccuracy: number;
  hard: Confusion;
  /** Mean |soft label − oracle| (0 would be a perfect value estimate of a 0/1 truth). */
  softError: number;
  /** Mean soft label on oracle-good and oracle-bad steps. */
  softOnGood: number | null;
  softOnBad: number | null;
}

/** How the labels at N compare to the exact oracle, over intermediate steps (the answer step is exact). */
export function labelQuality(labelled: readonly ShepherdTrace[], n: number): LabelQuality {
  const c: Confusion = { tp: 0, fp: 0, fn: 0, tn: 0 };
  let err = 0,
    steps = 0,
    good = 0,
    goodN = 0,
    bad = 0,
    badN = 0;
  for (const { trace, hits } of labelled)
    trace.steps.forEach((st, s) => {
      if (st.answer) return;
      const h = hardLabel(hits[s]!, n),
        soft = softLabel(hits[s]!, n),
        y = st.oracle ? 1 : 0;
      if (h === 1 && y === 1) c.tp++;
      else if (h === 1) c.fp++;
      else if (y === 1) c.fn++;
      else c.tn++;
      err += Math.abs(soft - y);
      steps++;
      if (y) {
        good += soft;
        goodN++;
      } else {
        bad += soft;
        badN++;
      }
    });
  return {
    n,
    steps,
    hardAccuracy: steps ? (c.tp + c.tn) / steps : 0,
    hard: c,
    softError: steps ? err / steps : 0,
    softOnGood: goodN ? good / goodN : null,
    softOnBad: badN ? bad / badN : null,
  };
}
