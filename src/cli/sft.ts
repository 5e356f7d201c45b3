// `tinyseek sft`: supervised fine-tuning of a checkpoint on prompt–completion JSONL (train/sft.ts).
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckpointConfig } from '../model/checkpoint.ts';
import { terminalLineChart } from '../plot/terminal.ts';
import { readSftFile } from '../train/sft-data.ts';
import { defaultSft, readSftRun, sft, stepsForEpochs, type SftConfig } from '../train/sft.ts';
import type { ProblemKind } from '../world/index.ts';
import { UsageError, bool, num, optStr, str } from './args.ts';
import { defineCommand } from './command.ts';
import { difficultyOf, kindFlag } from './flags.ts';
import { installInterrupt } from './interrupt.ts';
import { checkOutDir } from './output.ts';
import { ProgressBar } from './progress.ts';
import { colorFor } from '../tui/style.ts';

const d = defaultSft;

export const sftCommand = defineCommand(
  {
    name: 'sft',
    summary: 'supervised fine-tuning on prompt–completion JSONL (loss on completion tokens only)',
    usage: 'tinyseek sft --model DIR --data FILE.jsonl --out DIR [--epochs 3 | --steps N] [--lr 1e-3] [--seed 0]',
    flags: {
      model: { type: 'string', help: 'checkpoint to start from', meta: 'DIR' },
      data: {
        type: 'string',
        help: 'JSONL with one {"prompt": …, "completion": …} per line (tinyseek traces, tinyseek sample --json)',
        meta: 'FILE',
      },
      out: { type: 'string', default: 'runs/sft', help: 'run directory to write', meta: 'DIR' },
      epochs: { type: 'float', default: 3, min: 0.01, help: 'passes over the records (sets the steps)' },
      steps: { type: 'int', min: 1, help: 'optimiser steps (overrides --epochs)' },
      'batch-size': { type: 'int', default: d.batchSize, min: 1, help: 'records per step' },
      lr: { type: 'float', default: d.lr, min: 0, help: 'peak learning rate (warmup, then cosine to 10%)' },
      warmup: { type: 'int', default: d.warmup, min: 0, help: 'warmup steps' },
      seed: { type: 'int', default: d.seed, min: 0, help: 'seed of the record order' },
      resume: {
        type: 'bool',
        help: 'continue the run in --out from its last checkpoint (other flags come from its config)',
      },
      'eval-kind': kindFlag('held-out problems to evaluate on'),
      'eval-difficulty': { type: 'int', default: d.eval.difficulty, min: 1, help: 'their difficulty (digits for add)' },
      'eval-every': { type: 'int', default: d.eval.every, min: 1, help: 'held-out evaluation interval (steps)' },
      'eval-n': { type: 'int', default: d.eval.n, min: 1, help: 'held-out problems per evaluation' },
      'checkpoint-every': { type: 'int', default: 100, min: 1, help: 'checkpoint interval (steps)' },
    },
    examples: [
      'tinyseek traces --kind add --difficulty 1,2 --n 500 --style worked --out runs/worked.jsonl',
      'tinyseek sft --model fixtures/aha-base --data runs/worked.jsonl --out runs/sft',
      'tinyseek sft --out runs/sft --resume',
    ],
  },
  async (a, io) => {
    const out = str(a, 'out');
    let cfg: SftConfig;
    if (bool(a, 'resume')) cfg = readSftRun(out).config;
    else {
      const base = optStr(a, 'model'),
        data = optStr(a, 'data');
      if (!base) throw new UsageError('--model DIR is required (the checkpoint to fine-tune)');
      if (!data) throw new UsageError('--data FILE is required (prompt–completion JSONL)');
      const kind = str(a, 'eval-kind') as ProblemKind;
      const difficulty = difficultyOf(kind, num(a, 'eval-difficulty'), 'eval-difficulty');
      checkOutDir(out);
      // Everything is checked before anything is written: the base's config, then every line of the data.
      const { config } = readCheckpointConfig(base);
      const { records } = readSftFile(data, config.maxSeqLen);
      const batchSize = num(a, 'batch-size');
      cfg = {
        ...d,
        base,
        data,
        seed: num(a, 'seed'),
        batchSize,
        lr: num(a, 'lr'),
        warmup: num(a, 'warmup'),
        steps: (a.flags.steps as number | undefined) ?? stepsForEpochs(records.length, batchSize, num(a, 'epochs')),
        eval: { ...d.eval, kind, difficulty, every: num(a, 'eval-every'), n: num(a, 'eval-n') },
      };
      io.err(`sft: ${records.length} records, ${cfg.steps} steps of ${batchSize}\n`);
    }
    const bar = new ProgressBar({ total: cfg.steps, label: 'sft', io });
    const losses: number[] = [];
    const timing = join(out, 'timing.jsonl');
    const t0 = performance.now();
    let last = t0,
      lastTokens = 0;
    const stop = installInterrupt({ io, resume: `tinyseek sft --out ${out} --resume` });
    try {
      const { metrics, before } = await sft(cfg, {
        out,
        resume: bool(a, 'resume'),
        checkpointEvery: num(a, 'checkpoint-every'),
        signal: stop.signal,
        onStep: (m) => {
          if (losses.length === 0) {
            mkdirSync(out, { recursive: true });
            writeFileSync(timing, '');
          }
          const now = performance.now();
          appendFileSync(
            timing,
            JSON.stringify({
              step: m.step,
              seconds: (now - last) / 1000,
              tokensPerSec: Math.round((m.tokens - lastTokens) / ((now - last) / 1000)),
            }) + '\n',
          );
          [last, lastTokens] = [now, m.tokens];
          losses.push(m.loss);
          const acc = m.eval ? ` acc ${(100 * m.eval.accuracy!).toFixed(0)}%` : '';
          bar.tick(1, `loss ${m.loss.toFixed(3)}${acc}`);
          if (m.eval && !io.isTTY)
            io.err(
              `step ${m.step}: held-out ${cfg.eval.difficulty}-digit ${cfg.eval.kind} accuracy ${(100 * m.eval.accuracy!).toFixed(1)}%\n`,
            );
        },
      });
      bar.done(`${losses.length} steps in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      if (losses.length > 1)
        io.out(
          terminalLineChart({
            series: [{ name: 'loss', values: losses }],
            width: 72,
            height: 10,
            title: 'SFT loss (completion tokens)',
            colors: colorFor(process.env, Boolean(io.outTTY)),
          }) + '\n',
        );
      const final = metrics.filter((m) => m.eval).at(-1);
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
      io.out(
        `held-out ${cfg.eval.difficulty}-digit ${cfg.eval.kind}, greedy, ${cfg.eval.n} problems: ${pct(before.accuracy)} before` +
          (final ? ` → ${pct(final.eval!.accuracy!)} at step ${final.step}` : '') +
          '\n',
      );
      io.out(`run directory: ${out} (config.json, model.safetensors, metrics.jsonl, loss.svg)\n`);
      return stop.finish();
    } finally {
      stop.dispose();
    }
  },
);
