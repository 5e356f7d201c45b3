// Distillation vs RL on a small model, at equal compute (R1 §2.4 and Table 6: a distilled Qwen-32B beats RL on
// the same base; "pulling yourself up by your bootstraps still requires a foundation"). The paper never matched
// compute; here every FLOP is counted (cost/ledger.ts via distill-ledger.ts) and the roads are:
//   A    RL (GRPO, the aha recipe) on the student from its own base, until it has spent what C spent;
//        A-at-B is the same run stopped where it had spent what B spent (equal compute without the teacher)
//   B    distillation: SFT of the student on rejection-sampled right answers of the teacher
//   C    B, then the same RL
//   D    B on the shortest vs the longest right answer per problem (the same teacher samples)
//   E    B with each other teacher size
// Every arm, the student's base and the teachers are scored alike: greedy, pass@1 and unbiased pass@k up to the
// sample count, on the in-distribution split (2-digit) and a harder one (3-digit). The teacher's own cost
// (pretraining + RL) enters the distilled arms as `teacher/…` phases, so both FLOP totals are reported.
// Writes <out>/summary.json (arms: [{arm, flops, greedy, pass1, passAtK, …}]), table.md, plot.svg (accuracy vs
// FLOPs), pass-at-k.svg, pass-at-k-harder.svg, and one run directory per arm (a checkpoint + arm.json).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../core/fsio.ts';
import { ComputeLedger, type Spend } from '../cost/ledger.ts';
import { loadCheckpoint, readCheckpointConfig } from '../model/checkpoint.ts';
import { parameterCount } from '../model/config.ts';
import type { Transformer } from '../model/transformer.ts';
import { resolveRlConfig, type RlConfig, type Task } from '../rl/config.ts';
import { RunInterrupted } from '../train/trainer.ts';
import type { TraceSelect } from '../train/rejection-sampling.ts';
import type { Rollout } from '../train/rollout.ts';
import type { ArchReport, ExperimentHooks } from './arch-report.ts';
import {
  distillStage,
  evaluateSplit,
  RlStage,
  sampleTeacher,
  type CurvePoint,
  type EvalSpec,
  type SftSpec,
  type SplitScores,
  type TraceSpec,
} from './distill-arms.ts';
import { chargePretrain, teacherLedger } from './distill-ledger.ts';
import { distillReport } from './distill-report.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(REPO, 'fixtures/distill/');
/** A path as summary.json stores it: relative to the repository when inside it, so two clones write the same file. */
const portable = (p: string): string => (p.startsWith(REPO) ? relative(REPO, p) : p);
/** The shipped student base and teachers (fixtures/distill/README.md says how each was made). */
export const SHIPPED = {
  student: join(FIXTURES, 'student-15k'),
  teachers: [join(FIXTURES, 'teacher-104k'), join(FIXTURES, 'teacher-72k')],
};

export interface DistillVsRlConfig {
  student: string;
  /** Teacher run directories (made by `tinyseek aha`); the first is the main one (arms B, C, D). */
  teachers: string[];
  seed: number;
  task: Task;
  harder: Task;
  traces: TraceSpec;
  sft: SftSpec;
  /** RL steps of arm C after distillation; arm A runs until it has spent what C spent (at most rlMaxSteps). */
  rlSteps: number;
  rlMaxSteps: number;
  /** Overrides of the student's RL (otherwise the aha recipe, rl/config.ts). */
  rl: Partial<RlConfig>;
  /** Greedy evaluations along RL every this many steps (the curve). */
  curveEvery: number;
  eval: Omit<EvalSpec, 'seed'>;
}

const BASE: Omit<DistillVsRlConfig, 'traces' | 'sft' | 'rlSteps' | 'rlMaxSteps' | 'curveEvery' | 'eval'> = {
  ...SHIPPED,
  seed: 0,
  task: { kind: 'add', difficulty: 2 },
  harder: { kind: 'add', difficulty: 3 },
  rl: {},
};

/** Named budgets: default ≤ 15 minutes on 2 cores, small ≤ 3 (README measures both). */
export const DISTILL_BUDGETS: Readonly<Record<'small' | 'default', DistillVsRlConfig>> = {
  small: {
    ...BASE,
    traces: { problems: 64, samples: 4, temperature: 1, maxNewTokens: 100 },
    sft: { epochs: 2, batchSize: 16, lr: 1e-2, warmup: 2, curveEvery: 4 },
    rlSteps: 6,
    rlMaxSteps: 40,
    rl: { promptsPerStep: 4 },
    curveEvery: 4,
    eval: { problems: 8, samples: 16, temperature: 0.6, maxNewTokens: 100 },
  },
  default: {
    ...BASE,
    traces: { problems: 256, samples: 8, temperature: 1, maxNewTokens: 100 },
    // A 15k student needs many passes at a high rate to take in 2-digit traces at all: at 3 epochs and 3e-3 its
    // held-out accuracy did not move (3% → 0%); 10 epochs at 1e-2 is the best of the settings tried.
    sft: { epochs: 10, batchSize: 16, lr: 1e-2, warmup: 5, curveEvery: 16 },
    rlSteps: 40,
    rlMaxSteps: 400,
    rl: {},
    curveEvery: 10,
    eval: { problems: 32, samples: 64, temperature: 0.6, maxNewTokens: 100 },
  },
};

/** One row of summary.json: an arm, what it spent and how it scores. */
export interface ArmResult {
  arm: string;
  /** Every FLOP of the arm, the teacher's pretraining and RL included. */
  flops: number;
  /** The same without the teacher's own cost (what the student's road spent, its base included). */
  flopsWithoutTeacher: number;
  /** FLOPs after the student's base: what the roads spend on top of the same start (the curve's x). */
  flopsAfterBase: number;
  greedy: number;
  pass1: number;
  passAtK: Record<string, number>;
  length: number;
  harder: SplitScores;
  ledger: Record<string, Spend>;
  /** Held-out greedy accuracy (in-distribution) against flopsAfterBase along training. */
  curve: CurvePoint[];
  /** Distilled arms: records trained on; RL arms: steps. */
  records?: number;
  steps?: number;
}

const isTeacherPhase = (p: string) => p.startsWith('teacher/');
const STUDENT_BASE_PHASE = 'student/pretrain';

function ledgerFrom(json: Record<string, Spend>): ComputeLedger {
  const l = new ComputeLedger();
  for (const [p, s] of Object.entries(json)) l.charge(p, s.flops, s.tokens);
  return l;
}

function spendWithout(ledger: ComputeLedger, drop: (phase: string) => boolean): number {
  let f = 0;
  for (const [p, s] of Object.entries(ledger.toJSON())) if (!drop(p)) f += s.flops;
  return f;
}

/** Evaluate `model` on both splits and make the arm's row. */
async function armResult(
  arm: string,
  model: Transformer,
  ledger: ComputeLedger,
  c: DistillVsRlConfig,
  extra: Partial<ArmResult> = {},
): Promise<ArmResult> {
  const e = { ...c.eval, seed: c.seed };
  const [inDist, harder] = [await evaluateSplit(model, c.task, e), await evaluateSplit(model, c.harder, e)];
  return {
    arm,
    flops: ledger.total().flops,
    flopsWithoutTeacher: spendWithout(ledger, isTeacherPhase),
    flopsAfterBase: spendWithout(ledger, (p) => isTeacherPhase(p) || p === STUDENT_BASE_PHASE),
    ...inDist,
    harder,
    ledger: ledger.toJSON(),
    curve: [],
    ...extra,
  };
}

export const teacherName = (dir: string) =>
  `teacher-${Math.round(parameterCount(readCheckpointConfig(dir).config) / 1000)}k`;

function checkInputs(c: DistillVsRlConfig): void {
  if (c.teachers.length === 0) throw new InputError('distill-vs-rl: at least one teacher');
  for (const d of [c.student, ...c.teachers])
    if (!existsSync(join(d, 'config.json'))) throw new InputError(`${d}: no checkpoint here (config.json missing)`);
  const s = readCheckpointConfig(c.student).config;
  for (const t of c.teachers) {
    const tc = readCheckpointConfig(t).config;
    if (tc.vocabSize !== s.vocabSize) throw new InputError(`${t}: vocabulary differs from the student's`);
  }
}

export async function runDistillVsRl(
  c: DistillVsRlConfig,
  out: string,
  hooks: ExperimentHooks = {},
): Promise<ArchReport> {
  checkInputs(c);
  mkdirSync(out, { recursive: true });
  const rl = resolveRlConfig(
    { ...c.rl, seed: c.seed, steps: c.rlMaxSteps, evalEvery: c.curveEvery, evalSize: c.eval.problems, evalSamples: 0 },
    'distill-vs-rl rl config',
  );
  const names = c.teachers.map(teacherName);
  const main = names[0]!;
  const stages = 2 * c.teachers.length + 6; // the teachers, the base, B, D×2, E per other teacher, C, A×2
  let stage = 0;
  const progress = async (info: string) => hooks.onProgress?.(stage, stages, info);
  const stopped = () => {
    if (hooks.signal?.aborted) throw new RunInterrupted();
  };
  const arms: ArmResult[] = [];
  /** An arm whose arm.json exists is read back on --resume; otherwise `make` runs and its row is saved. */
  const arm = async (name: string, make: () => Promise<ArmResult>): Promise<ArmResult> => {
    const file = join(out, name, 'arm.json');
    let r: ArmResult;
    if (hooks.resume && existsSync(file)) r = JSON.parse(readFileSync(file, 'utf8')) as ArmResult;
    else {
      r = await make();
      stopped();
      mkdirSync(join(out, name), { recursive: true });
      writeJsonAtomic(file, r);
    }
    arms.push(r);
    stage++;
    await progress(`${name} done`);
    return r;
  };
  const studentLedger = () => chargePretrain(new ComputeLedger(), c.student, STUDENT_BASE_PHASE);
  const teacherLedgers = c.teachers.map(teacherLedger);

  // The teachers and the student's base, as they are.
  for (const [i, dir] of c.teachers.entries())
    await arm(names[i]!, () => armResult(names[i]!, loadCheckpoint(dir).model, teacherLedgers[i]!, c));
  const base = await arm('student', () => armResult('student', loadCheckpoint(c.student).model, studentLedger(), c));

  // Distillation from each teacher: one set of teacher samples, selected three ways for the main teacher.
  const samples = new Map<number, { rollouts: Rollout[]; cost: ComputeLedger }>();
  const distilled = async (t: number, select: TraceSelect, name: string) =>
    arm(name, async () => {
      const ledger = studentLedger();
      // One set of samples per teacher serves its three selections; each arm is charged for generating it.
      if (!samples.has(t)) {
        await progress(`${name}: sampling ${c.traces.problems} × ${c.traces.samples} answers of ${names[t]}`);
        const cost = new ComputeLedger();
        const rollouts = await sampleTeacher(c.teachers[t]!, c.task, c.traces, c.eval.problems, c.seed, cost);
        samples.set(t, { rollouts, cost });
      }
      const { rollouts, cost } = samples.get(t)!;
      ledger.absorb(cost);
      stopped();
      const d = await distillStage(
        c.student,
        rollouts,
        c.traces.samples,
        select,
        c.sft,
        { task: c.task, problems: c.eval.problems, maxNewTokens: c.eval.maxNewTokens },
        c.seed,
        join(out, name),
        ledger,
        { signal: hooks.signal, onStep: (s, n) => progress(`${name}: SFT step ${s}/${n}`) },
      );
      stopped();
      const baseSpend = ledger.get(STUDENT_BASE_PHASE).flops;
      ledger.absorb(teacherLedgers[t]!, 'teacher/');
      return armResult(name, d.model, ledger, c, {
        curve: d.curve.map(([f, a]) => [f - baseSpend, a]),
        records: d.records,
        steps: d.steps,
      });
    });
  const B = await distilled(0, 'first', 'B-distill');
  await distilled(0, 'shortest', 'D-short');
  await distilled(0, 'longest', 'D-long');
  for (let t = 1; t < c.teachers.length; t++) await distilled(t, 'first', `E-${names[t]}`);

  // C: B then RL. Its ledger starts from B's; its curve continues B's.
  const C = await arm('C-distill-rl', async () => {
    const ledger = ledgerFrom(B.ledger);
    const before = ledger.total().flops - B.flopsAfterBase;
    const from = join(out, 'B-distill');
    const rlStage = new RlStage(from, rl, ledger);
    await rlStage.run({ steps: c.rlSteps }, (s) => progress(`C-distill-rl: RL step ${s}/${c.rlSteps}`), hooks.signal);
    stopped();
    await rlStage.save(join(out, 'C-distill-rl'), { from });
    return armResult('C-distill-rl', rlStage.policy.model, ledger, c, {
      curve: [...B.curve, ...rlStage.curve.map(([f, a]): CurvePoint => [f - before, a])],
      steps: rlStage.steps,
    });
  });

  // A: RL from the student's base (no teacher), one run: saved where it has spent what B spent (A-rl-at-B) and
  // where it has spent what C spent (A-rl).
  const aNames = ['A-rl-at-B', 'A-rl'];
  if (hooks.resume && aNames.every((n) => existsSync(join(out, n, 'arm.json'))))
    for (const n of aNames) await arm(n, () => Promise.reject(new Error('unreachable')));
  else {
    const ledger = studentLedger();
    const before = ledger.total().flops;
    const rlStage = new RlStage(c.student, rl, ledger);
    for (const [i, budget] of [B.flopsWithoutTeacher, C.flopsWithoutTeacher].entries()) {
      const name = aNames[i]!;
      await rlStage.run(
        { steps: c.rlMaxSteps, flops: budget },
        (s) =>
          progress(
            `${name}: RL step ${s} (${Math.min(100, (100 * (ledger.total().flops - before)) / (budget - before)).toFixed(0)}% of its FLOPs)`,
          ),
        hooks.signal,
      );
      stopped();
      await rlStage.save(join(out, name), { from: c.student });
      const row = await armResult(name, rlStage.policy.model, ledger, c, {
        curve: rlStage.curve.map(([f, a]): CurvePoint => [f - before, a]),
        steps: rlStage.steps,
      });
      await arm(name, async () => row);
    }
  }

  const order = ['A-rl-at-B', 'A-rl', 'B-distill', 'C-distill-rl', 'D-short', 'D-long'];
  const sorted = [
    ...names.map((n) => arms.find((a) => a.arm === n)!),
    arms.find((a) => a.arm === 'student')!,
    ...order.map((n) => arms.find((a) => a.arm === n)!),
    ...arms.filter((a) => a.arm.startsWith('E-')),
  ];
  const summary = {
    experiment: 'distill-vs-rl',
    config: { ...c, student: portable(c.student), teachers: c.teachers.map(portable) },
    teachers: Object.fromEntries(names.map((n, i) => [n, portable(c.teachers[i]!)])),
    mainTeacher: main,
    arms: sorted,
  };
  writeJsonAtomic(join(out, 'summary.json'), summary);
  const report = distillReport(summary);
  for (const [file, svg] of Object.entries(report.extraSvgs)) writeFileAtomic(join(out, file), svg);
  return report.report;
}
