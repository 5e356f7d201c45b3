// From labelled traces to reward-model training sequences, and from traces to reward-model scores.
//   PRM targets, one per read position: the Math-Shepherd hard or soft label at N, or the exact oracle;
//   ORM target: the outcome, at the last position only.
import type { ComputeLedger } from '../cost/ledger.ts';
import type { RewardModel } from './reward-model.ts';
import { encode, promptFor } from '../world/index.ts';
import { type RmExample, rmScores } from './reward-model.ts';
import type { ScoredTrace } from './scored-steps.ts';
import { hardLabel, softLabel, type ShepherdTrace } from './shepherd.ts';

export type RmTarget = 'hard' | 'soft' | 'oracle' | 'outcome';

/** Prompt ++ completion ids and the absolute read positions of a trace. */
export function readSequence(t: ScoredTrace): { ids: number[]; positions: number[] } {
  const prompt = encode(promptFor(t.problem));
  return { ids: [...prompt, ...t.completion], positions: t.steps.map((s) => prompt.length + s.pos) };
}

export function rmExamples(labelled: readonly ShepherdTrace[], target: RmTarget, n = 8): RmExample[] {
  return labelled.map(({ trace, hits }) => {
    const { ids, positions } = readSequence(trace);
    if (target === 'outcome') return { ids, positions: [positions.at(-1)!], labels: [trace.correct ? 1 : 0] };
    const labels = trace.steps.map((st, i) =>
      target === 'oracle' ? (st.oracle ? 1 : 0) : target === 'hard' ? hardLabel(hits[i]!, n) : softLabel(hits[i]!, n),
    );
    return { ids, positions, labels };
  });
}

/** The reward model's σ-scores at every read position of each trace. */
export function scoreTraces(
  rm: RewardModel,
  traces: readonly ScoredTrace[],
  ledger?: { book: ComputeLedger; phase: string },
): Promise<number[][]> {
  return rmScores(rm, traces.map(readSequence), ledger);
}
