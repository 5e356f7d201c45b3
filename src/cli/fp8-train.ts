// `tinyseek fp8-train`: train the same small model FP32, FP8 with V3's tile/block scales and FP8 per-tensor
// (plus a control run, FP32 with BF16 moments), and compare the loss curves (src/experiments/fp8-training.ts). Writes a run directory with results.json,
// loss.svg, table.md, timing.json (wall clock, CLI only) and one pretraining run per run id.
import { join } from 'node:path';
import { writeJsonAtomic } from '../core/fsio.ts';
import {
  FP8_TRAINING_DEFAULTS,
  formatFp8TrainingTable,
  runFp8Training,
  runSpecs,
  type Fp8TrainingConfig,
  writeFp8TrainingRun,
} from '../experiments/fp8-training.ts';
import { bool, num } from './args.ts';
import { defineCommand } from './command.ts';
import { readCommand, saveCommand } from './command-file.ts';
import { installInterrupt } from './interrupt.ts';
import { checkOutDir } from './output.ts';
import { ProgressBar } from './progress.ts';

const d = FP8_TRAINING_DEFAULTS;

export const fp8TrainCommand = defineCommand(
  {
    name: 'fp8-train',
    summary: 'experiment: train the same model in FP32, FP8 (V3 tiles/blocks) and FP8 per-tensor; compare loss curves',
    usage: 'tinyseek fp8-train [--steps N] [--seed S] [--out DIR] [--bf16-moments] [--no-control]',
    flags: {
      steps: { type: 'int', default: d.pretrain.steps, min: 1, help: 'optimiser steps per run' },
      seed: {
        type: 'int',
        default: d.pretrain.seed,
        min: 0,
        help: 'seed of every random stream (the same for the three runs)',
      },
      out: { type: 'string', help: 'run directory (default runs/fp8-train-seed<S>)', meta: 'DIR' },
      'bf16-moments': { type: 'bool', help: "FP8 runs also keep AdamW moments in BF16 (the rest of V3's recipe)" },
      control: {
        type: 'bool',
        default: d.control,
        help: 'the control run fp32-bf16m (FP32 with BF16 AdamW moments): the gap a tiny perturbation alone makes; --no-control skips it',
      },
      resume: {
        type: 'bool',
        help: 'continue a run stopped by Ctrl-C in --out (its other flags come from its command.json)',
      },
    },
    examples: [
      'tinyseek fp8-train',
      'tinyseek fp8-train --steps 100 --no-control --out /tmp/fp8-train',
      'tinyseek fp8-train --bf16-moments',
    ],
  },
  async (a, io) => {
    const seed = num(a, 'seed'),
      steps = num(a, 'steps');
    const out = (a.flags.out as string | undefined) ?? `runs/fp8-train-seed${seed}`;
    checkOutDir(out);
    const resume = bool(a, 'resume');
    const config: Fp8TrainingConfig = resume
      ? readCommand<Fp8TrainingConfig>(out, 'fp8-train')
      : {
          ...d,
          pretrain: { ...d.pretrain, seed, steps, warmup: Math.min(d.pretrain.warmup, Math.floor(steps / 10)) },
          window: Math.min(d.window, steps),
          bf16Moments: bool(a, 'bf16-moments'),
          control: bool(a, 'control'),
        };
    if (!resume) saveCommand(out, config);
    const bar = new ProgressBar({ total: config.pretrain.steps * runSpecs(config).length, label: 'fp8-train', io });
    const stop = installInterrupt({ io, resume: `tinyseek fp8-train --out ${out} --resume` });
    const t0 = performance.now();
    try {
      const results = await runFp8Training(config, {
        out,
        signal: stop.signal,
        resume,
        onStep: (id, m) => bar.tick(1, `${id} step ${m.step} loss ${m.loss.toFixed(3)}`),
      });
      const seconds = (performance.now() - t0) / 1000;
      bar.done(`in ${seconds.toFixed(0)} s`);
      const files = writeFp8TrainingRun(out, results);
      writeJsonAtomic(join(out, 'timing.json'), { seconds });
      io.out(formatFp8TrainingTable(results));
      io.out(
        `\nwall time ${seconds.toFixed(1)} s; wrote ${[...files, join(out, 'timing.json')].join(', ')} and one run directory per run\n`,
      );
      return stop.finish();
    } finally {
      stop.dispose();
    }
  },
);
