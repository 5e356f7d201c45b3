// The stages of the distillation experiment, one function each, every FLOP charged to the arm's ledger:
//   evaluateArm   greedy, pass@1 and unbiased pass@k (k = 1, 2, 4, … n) on a held-out split (train/eval.ts)
//   distillStage  rejection-sample the teacher (train/rejection-sampling.ts) → SFT of the student (train/sft.ts)
//   rlStage       GRPO on a student (rl/trainer.ts, the aha recipe), until a step count or a FLOP budget
// Each stage writes its run directory (a checkpoint the CLI can sample from) and returns the curve of held-out
// greedy accuracy against the FLOPs it spent, for the accuracy-vs-compute plot. R1 §2.4; issue 15.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/fsio.ts';
import { Rng } from '../core/rng.ts';
import type { ComputeLedger } from '../cost/ledger.ts';
import { loadCheckpoint, readCheckpointConfig, saveCheckpoint } from '../model/checkpoint.ts';
import { freeze, transformerPolicy } from '../model/policy.ts';
import type { Transformer } from '../model/transformer.ts';
import type { RlConfig, Task } from '../rl/config.ts';
import { metricsLine } from '../rl/step-metrics.ts';
import { trainRl, type RlResumeState } from '../rl/trainer.ts';
import { evaluate } from '../train/eval.ts';
import { rejectionSample, selectTraces, traceRecord, type TraceSelect } from '../train/rejection-sampling.ts';
import type { Rollout } from '../train/rollout.ts';
import { readSftFile, writeSftFile } from '../train/sft-data.ts';
import { defaultSft, sft, stepsForEpochs } from '../train/sft.ts';
import {
  encode,
  generateProblem,
  heldOutKeys,
  heldOutSet,
  problemKey,
  promptFor,
  type Problem,
} from '../world/index.ts';
import { chargeRlStep, sftStepFlops } from './distill-ledger.ts';

/** A point of the accuracy-vs-compute curve: FLOPs the stage had spent, held-out greedy accuracy then. */
export type CurvePoint = [flops: number, accuracy: number];

export interface SplitScores {
  greedy: number;
  pass1: number;
  /** pass@k by k (as a string key, JSON's). */
  passAtK: Record<string, number>;
  /** Mean sampled response length (tokens). */
  length: number;
}

export interface EvalSpec {
  problems: number;
  samples: number;
  temperature: number;
  maxNewTokens: number;
  seed: number;
}

/** 1, 2, 4, … up to n (and n itself). */
export function passAtKs(n: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k < n; k *= 2) ks.push(k);
  return [...ks, n];
}

/** The longest new-token budget that fits the model's context after the longest prompt of `problems`. */
export function newTokensFor(model: Transformer, problems: readonly Problem[], wanted: number): number {
  const longest = Math.max(...problems.map((p) => encode(promptFor(p)).length));
  return Math.min(wanted, model.config.maxSeqLen - longest);
}

/** Every arm is scored on the same problems with the same streams (common random numbers). */
export async function evaluateSplit(model: Transformer, task: Task, e: EvalSpec): Promise<SplitScores> {
  const problems = heldOutSet(task.kind, task.difficulty, e.problems);
  const r = await evaluate(transformerPolicy(model), problems, {
    samples: e.samples,
    temperature: e.temperature,
    maxNewTokens: newTokensFor(model, problems, e.maxNewTokens),
    rng: new Rng(e.seed).child('distill-eval').child(`${task.kind}${task.difficulty}`),
    passAtK: passAtKs(e.samples),
    batchSize: 128,
  });
  return {
    greedy: r.greedyAccuracy,
    pass1: r.pass1,
    passAtK: Object.fromEntries(Object.entries(r.passAtK).map(([k, v]) => [String(k), v])),
    length: r.sampled.lenAll,
  };
}

/** `n` training problems of `task` for the teacher, none in the held-out split of `heldOut` problems. */
export function traceProblems(task: Task, n: number, heldOut: number, rng: Rng): Problem[] {
  const exclude = heldOutKeys(task.kind, task.difficulty, heldOut);
  return Array.from({ length: n }, (_, i) => {
    const r = rng.child(`q${i}`);
    for (let k = 0; k < 1000; k++) {
      const p = generateProblem(task.kind, r, task.difficulty);
      if (!exclude.has(problemKey(p))) return p;
    }
    throw new RangeError(`no ${task.kind} problem at difficulty ${task.difficulty} outside the held-out split`);
  });
}

export interface TraceSpec {
  problems: number;
  samples: number;
  temperature: number;
  maxNewTokens: number;
}

/** The teacher's answers to the trace problems, each charged to `ledger` under 'traces' at the teacher's size. */
export async function sampleTeacher(
  teacherDir: string,
  task: Task,
  t: TraceSpec,
  heldOut: number,
  seed: number,
  ledger: ComputeLedger,
): Promise<Rollout[]> {
  const teacher = loadCheckpoint(teacherDir, { requiresGrad: false }).model;
  const problems = traceProblems(task, t.problems, heldOut, new Rng(seed).child('distill-traces'));
  const { rollouts } = await rejectionSample(transformerPolicy(teacher), problems, {
    samples: t.samples,
    select: 'first',
    temperature: t.temperature,
    maxNewTokens: newTokensFor(teacher, problems, t.maxNewTokens),
    rng: new Rng(seed).child('distill-teacher'),
    batchSize: 128,
  });
  ledger.chargeGeneration(
    'traces',
    teacher.config,
    rollouts.map((r) => r.prompt.length),
    rollouts.map((r) => r.length),
  );
  return rollouts;
}

export interface SftSpec {
  epochs: number;
  batchSize: number;
  lr: number;
  warmup: number;
  /** Held-out greedy evaluation every this many steps (the curve). */
  curveEvery: number;
}

/** SFT of the student on the accepted teacher traces chosen by `select`; writes `dir` (traces.jsonl + the run). */
export async function distillStage(
  studentDir: string,
  rollouts: readonly Rollout[],
  samples: number,
  select: TraceSelect,
  s: SftSpec,
  e: { task: Task; problems: number; maxNewTokens: number },
  seed: number,
  dir: string,
  ledger: ComputeLedger,
  hooks: { signal?: AbortSignal; onStep?: (step: number, steps: number) => void | Promise<void> } = {},
): Promise<{ model: Transformer; curve: CurvePoint[]; records: number; steps: number }> {
  mkdirSync(dir, { recursive: true });
  const records = selectTraces(rollouts, samples, select).map(traceRecord);
  if (records.length === 0)
    throw new InputError(`none of the teacher's ${rollouts.length} answers was right: nothing to distill`);
  const data = join(dir, 'traces.jsonl');
  writeSftFile(data, records);
  const { config } = readCheckpointConfig(studentDir);
  const { examples } = readSftFile(data, config.maxSeqLen);
  const steps = stepsForEpochs(examples.length, s.batchSize, s.epochs);
  const evalProblems = heldOutSet(e.task.kind, e.task.difficulty, e.problems);
  const longest = Math.max(...evalProblems.map((p) => encode(promptFor(p)).length));
  const start = ledger.total().flops;
  const run = await sft(
    {
      ...defaultSft,
      base: studentDir,
      data,
      seed,
      steps,
      batchSize: s.batchSize,
      lr: s.lr,
      warmup: Math.min(s.warmup, steps - 1),
      eval: {
        every: s.curveEvery,
        kind: e.task.kind,
        difficulty: e.task.difficulty,
        n: e.problems,
        maxNewTokens: Math.min(e.maxNewTokens, config.maxSeqLen - longest),
      },
    },
    {
      out: dir,
      signal: hooks.signal,
      onStep: (m) => {
        ledger.charge('sft', sftStepFlops(config, examples, s.batchSize, seed, m.step - 1));
        return hooks.onStep?.(m.step, steps);
      },
    },
  );
  const curve: CurvePoint[] = [[start, run.before.accuracy]];
  let spent = start;
  for (const m of run.metrics) {
    spent += sftStepFlops(config, examples, s.batchSize, seed, m.step - 1);
    if (m.eval) curve.push([spent, m.eval.accuracy!]);
  }
  return { model: run.model, curve, records: records.length, steps };
}

/** Where an RL stage stops: after `steps` steps, or once the ledger's total reaches `flops`, whichever first. */
export interface RlStop {
  steps: number;
  flops?: number;
}

/** A resumable GRPO run of a student checkpoint, charged step by step to `ledger` under 'rl/'. */
export class RlStage {
  private state: RlResumeState | undefined;
  readonly curve: CurvePoint[] = [];
  readonly lines: string[] = [];
  readonly policy;
  private readonly reference;

  constructor(
    from: string,
    private readonly rl: RlConfig,
    private readonly ledger: ComputeLedger,
  ) {
    this.policy = transformerPolicy(loadCheckpoint(from, { requiresGrad: true }).model);
    this.reference = transformerPolicy(loadCheckpoint(from, { requiresGrad: false }).model);
    freeze(this.reference);
  }

  get steps(): number {
    return this.state?.step ?? 0;
  }

  /** Train until `stop`; continues where the last call ended (same optimizer state, same streams). */
  async run(stop: RlStop, onStep?: (step: number) => void | Promise<void>, signal?: AbortSignal): Promise<void> {
    const c = this.policy.model.config;
    const done = () =>
      Boolean(signal?.aborted) || (stop.flops !== undefined && this.ledger.total().flops >= stop.flops);
    if (this.steps >= stop.steps || done()) return;
    await trainRl(
      { policy: this.policy, reference: this.reference },
      { ...this.rl, steps: stop.steps },
      {
        start: this.state,
        shouldStop: done,
        onEnd: (s) => void (this.state = s),
        onStep: async (r) => {
          // A step's evaluation ran before its update (and the final one after the last): the spend so far is its x.
          const before = this.ledger.total().flops;
          if (r.metrics.evalGreedyAcc !== null && this.curve.at(-1)?.[0] !== before)
            this.curve.push([before, r.metrics.evalGreedyAcc]);
          if (r.rollouts.length === 0) return;
          chargeRlStep(this.ledger, c, this.rl, r.rollouts);
          this.lines.push(metricsLine(r.metrics));
          await onStep?.(r.metrics.step + 1);
        },
      },
    );
  }

  async save(dir: string, meta: object): Promise<void> {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, 'metrics.jsonl'), this.lines.join('\n') + '\n');
    await saveCheckpoint(dir, this.policy.model, { ...meta, rl: this.rl, step: this.steps });
  }
}
