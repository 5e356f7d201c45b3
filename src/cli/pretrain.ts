// `tinyseek pretrain`: train a base model on the arithmetic corpus and write a run directory.
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import { writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import { terminalLineChart } from '../plot/terminal.ts';
import { parameterShapes, validateConfig, type ModelConfig } from '../model/config.ts';
import { PRECISIONS, type Precision } from '../numerics/precision.ts';
import { defaultPretrain, pretrain, readRunConfig, type PretrainConfig } from '../train/pretrain.ts';
import { PRESET_NAMES, PRETRAIN_PRESETS, type PresetName } from '../train/presets.ts';
import { PROBLEM_KINDS, vocabSize, type ProblemKind } from '../world/index.ts';
import { UsageError, bool, num, optStr, str } from './args.ts';
import { defineCommand } from './command.ts';
import { installInterrupt } from './interrupt.ts';
import { checkInDir, checkOutDir } from './output.ts';
import { ProgressBar } from './progress.ts';
import { colorFor } from '../tui/style.ts';

const d = defaultPretrain;

/** Largest model and batch the CPU trainer allocates: 2^27 values is 512 MB per float32 copy. */
const MAX_VALUES = 2 ** 27;

/** Refuses sizes that cannot be allocated, naming the flags, before anything is written. */
function checkSize(cfg: PretrainConfig): void {
  let model: ModelConfig;
  try {
    model = validateConfig(cfg.model, 'the model flags');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const params = [...parameterShapes(model).values()].reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  if (params > MAX_VALUES)
    throw new UsageError(
      `--d-model/--layers/--d-ff/--heads: the model would have ${params.toExponential(2)} parameters, more than the ${MAX_VALUES} this CPU trainer allocates`,
    );
  const acts = cfg.batchSize * cfg.seqLen * Math.max(model.dFF, model.dModel, model.vocabSize);
  if (acts > MAX_VALUES)
    throw new UsageError(
      `--batch-size × --seq-len: ${cfg.batchSize}×${cfg.seqLen} rows of width ${Math.max(model.dFF, model.dModel, model.vocabSize)} are more than the ${MAX_VALUES} values one activation may hold`,
    );
}
/** Help text for a flag whose default comes from the preset. */
const byPreset = (help: string, pick: (c: PretrainConfig) => unknown) =>
  `${help} (default: ${PRESET_NAMES.map((n) => `${n} ${String(pick(PRETRAIN_PRESETS[n]))}`).join(', ')})`;

export const pretrainCommand = defineCommand(
  {
    name: 'pretrain',
    summary: 'pretrain a tiny transformer on the arithmetic corpus (the base model)',
    usage: 'tinyseek pretrain [--preset base|aha] [--out DIR] [--steps N] [--seed S] [model and optimiser flags]',
    flags: {
      preset: {
        type: 'string',
        default: 'base',
        choices: PRESET_NAMES,
        help: 'recipe the other flags start from: base (fixtures/base, lessons 1–2) or aha (fixtures/aha-base, the start of R1-Zero RL)',
      },
      out: { type: 'string', default: 'runs/pretrain', help: 'run directory to write', meta: 'DIR' },
      steps: { type: 'int', min: 1, help: byPreset('optimiser steps', (c) => c.steps) },
      seed: { type: 'int', default: d.seed, min: 0, help: 'seed of every random stream' },
      init: {
        type: 'string',
        meta: 'DIR',
        help: "continued pretraining: start from this checkpoint instead of fresh weights (its model config must be this run's)",
      },
      resume: {
        type: 'bool',
        help: 'continue the run in --out from its last checkpoint (other flags come from its config)',
      },
      'batch-size': { type: 'int', min: 1, help: byPreset('rows per step', (c) => c.batchSize) },
      'seq-len': { type: 'int', min: 8, help: byPreset('tokens per row', (c) => c.seqLen) },
      lr: { type: 'float', default: d.lr, min: 0, help: 'peak learning rate' },
      warmup: { type: 'int', default: d.warmup, min: 0, help: 'warmup steps' },
      'd-model': { type: 'int', default: d.model.dModel, min: 8, help: 'model width' },
      layers: { type: 'int', default: d.model.nLayers, min: 1, help: 'transformer blocks' },
      heads: { type: 'int', default: d.model.nHeads, min: 1, help: 'attention heads' },
      'kv-heads': { type: 'int', help: 'key/value heads (GQA); default = heads' },
      'd-ff': { type: 'int', help: 'SwiGLU hidden width; default ≈ 8/3·d-model' },
      kinds: { type: 'list', help: `problem kinds in the corpus (${PROBLEM_KINDS.join(',')}; default add)` },
      'no-worked': { type: 'bool', help: 'ablation: a corpus with direct answers only (no worked solutions)' },
      'confirm-frac': {
        type: 'float',
        min: 0,
        max: 1,
        help: 'share of self-checking documents whose quick answer is right, so the check confirms it (default 0)',
      },
      'guess-frac': {
        type: 'float',
        min: 0,
        max: 1,
        help: 'countdown-<condition> presets: share of search traces written as guesses, one path answered at once (default 0)',
      },
      'guess-plain': {
        type: 'bool',
        help: 'with --guess-frac: a guess writes its steps only, without the backward step and subgoal of the solution',
      },
      comparison: {
        type: 'bool',
        help: 'countdown-<condition> presets: a verdict follows a written comparison of the value with the target ("15=56? no")',
      },
      'geometric-fails': {
        type: 'bool',
        help: 'countdown-<condition> presets: a geometric number of failed paths (each further one with probability ½), so no position says "yes"',
      },
      'slip-frac': {
        type: 'float',
        min: 0,
        max: 1,
        help: 'countdown-<condition> presets: share of verifying traces with one wrong claim that a check catches (default 0.3)',
      },
      'comparison-drill-frac': {
        type: 'float',
        min: 0,
        max: 0.7,
        help: 'countdown-<condition> presets: share of documents that drill written comparisons, "15=56? no 56=56? yes" (default 0)',
      },
      'comparison-drill-prompts': {
        type: 'bool',
        help: 'with --comparison-drill-frac: each comparison drill follows a Countdown prompt and compares with its target',
      },
      'restate-target': {
        type: 'bool',
        help: 'countdown-<condition> presets: every path opens by naming the target, "to 56: 3+5=8 ..."',
      },
      'names-kept': {
        type: 'bool',
        help: 'countdown-<condition> presets: every path opens by naming the numbers its first move keeps for later, "to 14: keep 6: 4*4=16 16-6=10 ..."',
      },
      'no-claim-checks': {
        type: 'bool',
        help: 'countdown-<condition> presets, with --slip-frac 0: a path that claims the target goes straight to its verdict, without "check"',
      },
      'eval-every': { type: 'int', default: d.eval.every, min: 1, help: 'held-out evaluation interval (steps)' },
      'checkpoint-every': { type: 'int', default: 250, min: 1, help: 'checkpoint interval (steps)' },
      precision: {
        type: 'string',
        default: d.precision,
        choices: PRECISIONS,
        help: 'attention/FFN linear layers: fp32, or emulated FP8 with V3 tile/block scales or per-tensor scales (slow: CPU emulation)',
      },
      'bf16-moments': { type: 'bool', help: 'store AdamW moments in BF16 (V3)' },
      'model-config': {
        type: 'string',
        help: "JSON model config (a ModelConfig, or a run's config.json): MLA, MoE and MTP sections train on V3's whole objective; overrides the width flags",
        meta: 'FILE',
      },
    },
    examples: [
      'tinyseek pretrain --out fixtures/base',
      'tinyseek pretrain --preset aha --out fixtures/aha-base',
      'tinyseek pretrain --out runs/base --resume',
      'tinyseek pretrain --model-config my-moe.json --steps 300 --out runs/moe   # progress shows MaxVio and the MTP loss',
    ],
  },
  async (a, io) => {
    const out = str(a, 'out');
    checkOutDir(out);
    let cfg: PretrainConfig;
    if (bool(a, 'resume')) {
      cfg = readRunConfig(out);
    } else {
      const p = PRETRAIN_PRESETS[str(a, 'preset') as PresetName];
      const kinds = (a.flags.kinds as string[] | undefined) ?? p.mix.kinds ?? PROBLEM_KINDS;
      const unknown = kinds.filter((k) => !(PROBLEM_KINDS as readonly string[]).includes(k));
      if (unknown.length)
        throw new UsageError(`--kinds: unknown kind ${unknown.join(', ')} (known: ${PROBLEM_KINDS.join(', ')})`);
      const traceFlags = [
        'guess-frac',
        'guess-plain',
        'comparison',
        'geometric-fails',
        'slip-frac',
        'no-claim-checks',
        'names-kept',
      ].filter((f) => a.flags[f] !== undefined && a.flags[f] !== false);
      if (traceFlags.length > 0 && !p.mix.countdownPriming)
        throw new UsageError(
          `${traceFlags.map((f) => `--${f}`).join(', ')}: need${traceFlags.length === 1 ? 's' : ''} a countdown-<condition> preset (a primed corpus)`,
        );
      if (bool(a, 'no-claim-checks') && a.flags['slip-frac'] !== 0)
        throw new UsageError('--no-claim-checks needs --slip-frac 0 (a slip is caught by its check)');
      if (bool(a, 'comparison-drill-prompts') && a.flags['comparison-drill-frac'] === undefined)
        throw new UsageError('--comparison-drill-prompts needs --comparison-drill-frac');
      if (bool(a, 'guess-plain') && a.flags['guess-frac'] === undefined)
        throw new UsageError('--guess-plain needs --guess-frac');
      const dModel = num(a, 'd-model'),
        heads = num(a, 'heads');
      const seqLen = (a.flags['seq-len'] as number | undefined) ?? p.seqLen;
      cfg = {
        ...p,
        seed: num(a, 'seed'),
        steps: (a.flags.steps as number | undefined) ?? p.steps,
        batchSize: (a.flags['batch-size'] as number | undefined) ?? p.batchSize,
        seqLen,
        lr: num(a, 'lr'),
        warmup: num(a, 'warmup'),
        model: {
          ...p.model,
          dModel,
          nLayers: num(a, 'layers'),
          nHeads: heads,
          nKvHeads: (a.flags['kv-heads'] as number | undefined) ?? heads,
          dFF: (a.flags['d-ff'] as number | undefined) ?? Math.max(16, Math.round((dModel * 8) / 3 / 16) * 16),
          maxSeqLen: Math.max(p.model.maxSeqLen, seqLen),
        },
        mix: {
          ...p.mix,
          kinds: kinds as ProblemKind[],
          ...(bool(a, 'no-worked') ? { directFrac: 1, workedFrac: 0, reflectFrac: 0 } : {}),
          ...(a.flags['confirm-frac'] !== undefined ? { confirmFrac: num(a, 'confirm-frac') } : {}),
          ...(a.flags['guess-frac'] !== undefined
            ? { guessFrac: num(a, 'guess-frac'), guessPlain: bool(a, 'guess-plain') }
            : {}),
          ...(bool(a, 'comparison') ? { comparison: true } : {}),
          ...(bool(a, 'geometric-fails') ? { geometricFails: true } : {}),
          ...(a.flags['slip-frac'] !== undefined ? { slipFrac: num(a, 'slip-frac') } : {}),
          ...(bool(a, 'no-claim-checks') ? { checkClaims: false } : {}),
          ...(a.flags['comparison-drill-frac'] !== undefined
            ? { comparisonDrillFrac: num(a, 'comparison-drill-frac') }
            : {}),
          ...(bool(a, 'comparison-drill-prompts') ? { comparisonDrillPrompts: true } : {}),
          ...(bool(a, 'restate-target') ? { restateTarget: true } : {}),
          ...(bool(a, 'names-kept') ? { namesKept: true } : {}),
        },
        eval: { ...p.eval, every: num(a, 'eval-every') },
        ...(optStr(a, 'model-config') !== undefined
          ? { model: readModelConfig(optStr(a, 'model-config')!, seqLen) }
          : {}),
        precision: str(a, 'precision') as Precision,
        bf16Moments: bool(a, 'bf16-moments'),
        ...(optStr(a, 'init') !== undefined ? { init: optStr(a, 'init') } : {}),
      };
    }
    checkSize(cfg);
    const init = optStr(a, 'init');
    if (init !== undefined) {
      // Checked before the run directory is made.
      checkInDir(init, '--init');
      if (!existsSync(join(init, 'config.json')))
        throw new InputError(`${join(init, 'config.json')}: not found (--init takes a checkpoint directory)`);
    }
    mkdirSync(out, { recursive: true });
    const timing = join(out, 'timing.jsonl');
    writeFileSync(timing, '');
    const bar = new ProgressBar({ total: cfg.steps, label: 'pretrain', io });
    const losses: number[] = [];
    const t0 = performance.now();
    let last = t0;
    let lastCpu = process.cpuUsage();
    let lastTokens = 0;
    const stop = installInterrupt({ io, resume: `tinyseek pretrain --out ${out} --resume` });
    try {
      const { metrics } = await pretrain(cfg, {
        out,
        resume: bool(a, 'resume'),
        checkpointEvery: num(a, 'checkpoint-every'),
        signal: stop.signal,
        onStep: (m) => {
          const now = performance.now();
          const seconds = (now - last) / 1000;
          // CPU time (user + system, every thread) too: a shared machine disturbs it far less than wall time
          const cpu = process.cpuUsage(lastCpu);
          const cpuSeconds = (cpu.user + cpu.system) / 1e6;
          const tokensPerSec = Math.round((m.tokens - lastTokens) / seconds);
          appendFileSync(timing, JSON.stringify({ step: m.step, seconds, tokensPerSec, cpuSeconds }) + '\n');
          lastCpu = process.cpuUsage();
          last = now;
          lastTokens = m.tokens;
          losses.push(m.loss);
          const parts = [
            m.mtp !== undefined ? ` mtp ${m.mtp.toFixed(3)}` : '',
            m.maxVio !== undefined ? ` MaxVio ${m.maxVio.toFixed(2)}` : '',
          ].join('');
          bar.tick(
            1,
            `loss ${m.loss.toFixed(3)}${parts}${m.eval ? ` acc ${(100 * m.eval.accuracy!).toFixed(0)}%` : ''}`,
          );
          if (m.eval && !io.isTTY)
            io.err(
              `step ${m.step}: held-out ${cfg.eval.difficulty}-digit ${cfg.eval.kind} accuracy ${(100 * m.eval.accuracy!).toFixed(1)}%\n`,
            );
        },
      });
      const secs = (performance.now() - t0) / 1000;
      bar.done(`${metrics.length} steps in ${secs.toFixed(0)} s`);
      io.out(
        terminalLineChart({
          series: [{ name: 'loss', values: losses }],
          width: 72,
          height: 12,
          title: 'training loss',
          colors: colorFor(process.env, Boolean(io.outTTY)),
        }) + '\n',
      );
      const lastEval = [...metrics].reverse().find((m) => m.eval)?.eval;
      if (lastEval)
        io.out(
          `held-out ${cfg.eval.difficulty}-digit ${cfg.eval.kind}: accuracy ${(100 * lastEval.accuracy!).toFixed(1)}% (greedy, ${cfg.eval.n} problems)\n`,
        );
      io.out(`run directory: ${out} (config.json, model.safetensors, metrics.jsonl, loss.svg)\n`);
      return stop.finish();
    } finally {
      stop.dispose();
    }
  },
);

/** A model config from a JSON file: a bare ModelConfig or a run's config.json (its "model" section). */
function readModelConfig(path: string, seqLen: number): ModelConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(
      `${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `not a JSON file (${(e as Error).message})`}`,
    );
  }
  const m = typeof raw === 'object' && raw !== null && 'model' in raw ? (raw as { model: unknown }).model : raw;
  const c = validateConfig({ ...(m as object), vocabSize }, path);
  if (c.maxSeqLen < seqLen)
    throw new InputError(`${path}: maxSeqLen ${c.maxSeqLen} is shorter than --seq-len ${seqLen}`);
  return c;
}
