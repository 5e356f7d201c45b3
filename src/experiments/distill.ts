// One distillation run, what `tinyseek distill` does: the teacher answers training problems G times, the right
// answers are kept (rejection sampling, train/rejection-sampling.ts), the student is fine-tuned on them
// (train/sft.ts), and the student is scored before and after on held-out problems (greedy, pass@1, pass@k).
// Every FLOP goes to a ledger: the student's pretraining, trace generation, SFT and, as `teacher/…`, the
// teacher's own pretraining and RL (distill-ledger.ts). R1 §2.4.
import { join } from 'node:path';
import { writeJsonAtomic } from '../core/fsio.ts';
import { RunInterrupted } from '../train/trainer.ts';
import { ComputeLedger } from '../cost/ledger.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import type { Task } from '../rl/config.ts';
import type { TraceSelect } from '../train/rejection-sampling.ts';
import { acceptTrace } from '../train/rejection-sampling.ts';
import {
  distillStage,
  evaluateSplit,
  sampleTeacher,
  type EvalSpec,
  type SftSpec,
  type SplitScores,
  type TraceSpec,
} from './distill-arms.ts';
import { chargePretrain, teacherLedger } from './distill-ledger.ts';

export interface DistillConfig {
  teacher: string;
  student: string;
  task: Task;
  traces: TraceSpec;
  select: TraceSelect;
  sft: SftSpec;
  eval: EvalSpec;
}

export interface DistillSummary {
  teacher: string;
  student: string;
  /** Teacher answers sampled, accepted by the filter, and records trained on (≤ 1 per problem). */
  sampled: number;
  accepted: number;
  records: number;
  sftSteps: number;
  before: SplitScores;
  after: SplitScores;
  flops: number;
  flopsWithoutTeacher: number;
  ledger: ReturnType<ComputeLedger['toJSON']>;
}

export async function runDistill(
  c: DistillConfig,
  out: string,
  hooks: {
    signal?: AbortSignal;
    onProgress?: (info: string, step?: number, steps?: number) => void | Promise<void>;
  } = {},
): Promise<DistillSummary> {
  const ledger = chargePretrain(new ComputeLedger(), c.student, 'student/pretrain');
  const teacherCost = teacherLedger(c.teacher);
  await hooks.onProgress?.('scoring the student before');
  const before = await evaluateSplit(loadCheckpoint(c.student).model, c.task, c.eval);
  await hooks.onProgress?.(`sampling ${c.traces.problems} × ${c.traces.samples} teacher answers`);
  const rollouts = await sampleTeacher(c.teacher, c.task, c.traces, c.eval.problems, c.eval.seed, ledger);
  const d = await distillStage(
    c.student,
    rollouts,
    c.traces.samples,
    c.select,
    c.sft,
    { task: c.task, problems: c.eval.problems, maxNewTokens: c.eval.maxNewTokens },
    c.eval.seed,
    out,
    ledger,
    { signal: hooks.signal, onStep: (s, n) => hooks.onProgress?.('SFT', s, n) },
  );
  if (hooks.signal?.aborted) throw new RunInterrupted();
  await hooks.onProgress?.('scoring the student after');
  const after = await evaluateSplit(d.model, c.task, c.eval);
  const flopsWithoutTeacher = ledger.total().flops;
  ledger.absorb(teacherCost, 'teacher/');
  const summary: DistillSummary = {
    teacher: c.teacher,
    student: c.student,
    sampled: rollouts.length,
    accepted: rollouts.filter(acceptTrace).length,
    records: d.records,
    sftSteps: d.steps,
    before,
    after,
    flops: ledger.total().flops,
    flopsWithoutTeacher,
    ledger: ledger.toJSON(),
  };
  writeJsonAtomic(join(out, 'summary.json'), summary);
  return summary;
}
