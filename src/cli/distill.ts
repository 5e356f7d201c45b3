// `tinyseek distill`: distil a teacher into a student (experiments/distill.ts): rejection-sampled right answers of
// the teacher, SFT of the student on them, the student scored before and after (greedy, pass@1, pass@k), and
// every FLOP counted with and without the teacher's own cost. A thin wrapper: flags, progress, Ctrl-C.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { DISTILL_BUDGETS, SHIPPED } from '../experiments/distill-vs-rl.ts';
import { runDistill } from '../experiments/distill.ts';
import { TRACE_SELECTS, type TraceSelect } from '../train/rejection-sampling.ts';
import { RunInterrupted } from '../train/trainer.ts';
import type { ProblemKind } from '../world/index.ts';
import { num, str } from './args.ts';
import { defineCommand } from './command.ts';
import { difficultyOf, kindFlag } from './flags.ts';
import { installInterrupt } from './interrupt.ts';
import { checkOutDir } from './output.ts';
import { ProgressBar } from './progress.ts';

const d = DISTILL_BUDGETS.default;
const pct = (x: number | undefined) => (x === undefined ? '–' : `${(100 * x).toFixed(1)}%`);

export const distillCommand = defineCommand(
  {
    name: 'distill',
    summary: "distil a teacher into a student: SFT on the teacher's verified-right answers, FLOPs counted",
    usage:
      'tinyseek distill --teacher DIR --student DIR [--out DIR] [--problems N] [--samples G] [--select first|shortest|longest]',
    flags: {
      teacher: {
        type: 'string',
        default: 'fixtures/distill/teacher-104k',
        help: 'teacher: a `tinyseek aha` run directory (its base and metrics.jsonl give its own cost)',
        meta: 'DIR',
      },
      student: {
        type: 'string',
        default: SHIPPED.student,
        help: 'student base checkpoint (a pretraining run)',
        meta: 'DIR',
      },
      out: { type: 'string', default: 'runs/distill', help: 'run directory to write', meta: 'DIR' },
      problems: { type: 'int', default: d.traces.problems, min: 1, help: 'training problems the teacher answers' },
      samples: { type: 'int', default: d.traces.samples, min: 1, help: 'teacher answers per problem (G)' },
      temperature: { type: 'float', default: d.traces.temperature, min: 0.01, help: "teacher's sampling temperature" },
      select: {
        type: 'string',
        default: 'first',
        choices: [...TRACE_SELECTS],
        help: 'which right answer of a problem to keep: the first, the shortest or the longest',
      },
      epochs: { type: 'float', default: d.sft.epochs, min: 0.01, help: 'SFT passes over the records' },
      lr: { type: 'float', default: d.sft.lr, min: 0, help: 'SFT peak learning rate' },
      kind: kindFlag('problem kind (training and held-out)'),
      difficulty: { type: 'int', default: d.task.difficulty, min: 1, help: 'its difficulty (digits for add)' },
      'eval-n': { type: 'int', default: d.eval.problems, min: 1, help: 'held-out problems' },
      'eval-samples': {
        type: 'int',
        default: d.eval.samples,
        min: 1,
        help: 'samples per held-out problem (pass@k up to it)',
      },
      seed: { type: 'int', default: 0, min: 0, help: 'seed of problems, samples and record order' },
    },
    examples: [
      'tinyseek distill --teacher fixtures/distill/teacher-104k --student fixtures/distill/student-15k --out runs/distill',
      'tinyseek distill --select shortest --problems 128 --out runs/distill-short',
    ],
  },
  async (a, io) => {
    const out = str(a, 'out');
    checkOutDir(out);
    // The defaults name the shipped checkpoints, found wherever the command runs from.
    const shipped = (flag: string, dir: string) => {
      const given = str(a, flag);
      return !existsSync(given) && given === `fixtures/distill/${basename(dir)}` ? dir : given;
    };
    const teacher = shipped('teacher', SHIPPED.teachers[0]!),
      student = shipped('student', SHIPPED.student);
    for (const dir of [teacher, student])
      if (!existsSync(join(dir, 'config.json')))
        throw new InputError(`${dir}: no checkpoint here (config.json missing)`);
    const kind = str(a, 'kind') as ProblemKind;
    const task = { kind, difficulty: difficultyOf(kind, num(a, 'difficulty')) };
    let bar: ProgressBar | undefined,
      last = 0;
    const stop = installInterrupt({ io, resume: `tinyseek distill … --out ${out}  (a run restarts from the start)` });
    try {
      const s = await runDistill(
        {
          teacher,
          student,
          task,
          traces: {
            ...d.traces,
            problems: num(a, 'problems'),
            samples: num(a, 'samples'),
            temperature: num(a, 'temperature'),
          },
          select: str(a, 'select') as TraceSelect,
          sft: { ...d.sft, epochs: num(a, 'epochs'), lr: num(a, 'lr') },
          eval: { ...d.eval, problems: num(a, 'eval-n'), samples: num(a, 'eval-samples'), seed: num(a, 'seed') },
        },
        out,
        {
          signal: stop.signal,
          onProgress: (info, step, steps) => {
            if (step === undefined || steps === undefined) return io.err(`distill: ${info}\n`);
            bar ??= new ProgressBar({ total: steps, label: 'distill sft', io });
            bar.tick(step - last, info);
            last = step;
          },
        },
      );
      bar?.done();
      const k = String(num(a, 'eval-samples'));
      io.out(
        `teacher answers right: ${s.accepted} of ${s.sampled}; trained on ${s.records} records for ${s.sftSteps} steps\n` +
          `held-out ${task.difficulty}-digit ${task.kind}: greedy ${pct(s.before.greedy)} → ${pct(s.after.greedy)}, ` +
          `pass@1 ${pct(s.before.pass1)} → ${pct(s.after.pass1)}, pass@${k} ${pct(s.before.passAtK[k])} → ${pct(s.after.passAtK[k])}\n` +
          `FLOPs: ${s.flopsWithoutTeacher.toExponential(2)} without the teacher's own cost, ${s.flops.toExponential(2)} with it\n` +
          `run directory: ${out} (traces.jsonl, the SFT run, summary.json)\n`,
      );
      return 0;
    } catch (e) {
      if (e instanceof RunInterrupted) return stop.finish();
      throw e;
    } finally {
      stop.dispose();
    }
  },
);
