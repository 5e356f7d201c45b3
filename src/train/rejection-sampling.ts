// Rejection sampling: the data of distillation. A teacher answers each problem G times; only answers that the
// world's verifier marks right, in the template's format and not cut off by the token limit, are kept, and the
// kept ones become prompt–completion records for SFT (R1 §2.3.3: "retain only the correct responses"; §2.4:
// the distilled models are fine-tuned on 800k such samples; reference/r1-story-beyond-zero.md, distillation).
//   accepted(o) = verify(q, o).correct ∧ format(o) = 1 ∧ o ended at a stop token
// From each problem's accepted answers one is kept: the first (rejection sampling until a success), the
// shortest or the longest (the short- vs long-trace arm of the distillation experiment). Problems with no
// accepted answer give no record. Sample s of problem j draws from the stream `<rng>/p<j>/k<s>`.
import type { Rng } from '../core/rng.ts';
import type { PolicyModel } from '../model/policy.ts';
import { promptFor, verify, type Problem } from '../world/index.ts';
import { rollout, type Rollout, type SamplingOptions } from './rollout.ts';
import type { SftRecord } from './sft-data.ts';

export type TraceSelect = 'first' | 'shortest' | 'longest';
export const TRACE_SELECTS: readonly TraceSelect[] = ['first', 'shortest', 'longest'];

export interface RejectionOptions extends SamplingOptions {
  /** G: answers sampled per problem. */
  samples: number;
  select: TraceSelect;
  rng: Rng;
  /** Rows per generate call (speed only). */
  batchSize?: number;
}

export interface RejectionResult {
  /** At most one record per problem, in problem order. */
  records: SftRecord[];
  /** Every sampled answer (problem by problem), for the ledger and the acceptance rate. */
  rollouts: Rollout[];
  /** Sampled answers that passed the filter. */
  accepted: number;
}

/** The filter: a right answer (re-checked by the verifier on the text), well-formed, finished. */
export function acceptTrace(r: Rollout): boolean {
  return r.finish === 'stop' && r.reward.format === 1 && verify(r.problem, r.text).correct;
}

/** One accepted rollout per group of `groupSize` (or none), chosen by `select`; ties keep the earliest. */
export function selectTraces(rollouts: readonly Rollout[], groupSize: number, select: TraceSelect): Rollout[] {
  const kept: Rollout[] = [];
  for (let g = 0; g < rollouts.length; g += groupSize) {
    let best: Rollout | undefined;
    for (const r of rollouts.slice(g, g + groupSize)) {
      if (!acceptTrace(r)) continue;
      if (
        best === undefined ||
        (select === 'shortest' && r.length < best.length) ||
        (select === 'longest' && r.length > best.length)
      )
        best = r;
      if (select === 'first') break;
    }
    if (best) kept.push(best);
  }
  return kept;
}

/** The record written for an accepted answer (train/sft-data.ts format, with the problem as metadata). */
export const traceRecord = (r: Rollout): SftRecord => ({
  prompt: promptFor(r.problem),
  completion: r.text,
  problem: r.problem.prompt,
  answer: r.problem.answer,
  tokens: r.length,
});

export async function rejectionSample(
  teacher: PolicyModel,
  problems: readonly Problem[],
  opts: RejectionOptions,
): Promise<RejectionResult> {
  const rollouts = await rollout(teacher, problems, {
    groupSize: opts.samples,
    temperature: opts.temperature,
    topK: opts.topK,
    topP: opts.topP,
    maxNewTokens: opts.maxNewTokens,
    rngFor: (j, s) => opts.rng.child(`p${j}`).child(`k${s}`),
    batchSize: opts.batchSize,
  });
  return {
    records: selectTraces(rollouts, opts.samples, opts.select).map(traceRecord),
    rollouts,
    accepted: rollouts.filter(acceptTrace).length,
  };
}
