// The FP8 training experiment on a tiny budget: an fp8-tile run tracks FP32 within a few percent, the run
// directory holds what the experiment promises, and bad configs are refused.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FP8_TRAINING_DEFAULTS,
  formatFp8TrainingTable,
  gapCurve,
  runFp8Training,
  runSpecs,
  writeFp8TrainingRun,
  type Fp8TrainingConfig,
  type Fp8TrainingRun,
} from '../../src/experiments/fp8-training.ts';
import { pretrain } from '../../src/train/pretrain.ts';

const tiny: Partial<Fp8TrainingConfig> = {
  pretrain: {
    ...FP8_TRAINING_DEFAULTS.pretrain,
    steps: 20,
    batchSize: 2,
    seqLen: 32,
    warmup: 4,
    seed: 5,
    eval: { every: 1000, kind: 'add', difficulty: 1, n: 4, maxNewTokens: 8 },
  },
  precisions: ['fp32', 'fp8-tile'],
  window: 5,
  valBatches: 1,
};

describe('FP8 training experiment', () => {
  it('trains fp8-tile within a few percent of FP32, step by step, and writes results.json, loss.svg and table.md', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tinyseek-fp8-train-'));
    const r = await runFp8Training(tiny, { out });
    const [fp32, control, fp8] = r.runs as [Fp8TrainingRun, Fp8TrainingRun, Fp8TrainingRun];
    expect(r.runs.map((run) => run.id)).toEqual(['fp32', 'fp32-bf16m', 'fp8-tile']);
    expect(r.interrupted).toBe(false);
    // The control (FP32, BF16 moments) moves the run a little, and only once the moments have been rounded.
    expect(control.losses[0]).toBe(fp32.losses[0]);
    expect(control.losses).not.toEqual(fp32.losses);
    for (let i = 0; i < 20; i++)
      expect(Math.abs(control.losses[i]! - fp32.losses[i]!) / fp32.losses[i]!).toBeLessThan(0.02);
    expect(fp8.losses).toHaveLength(20);
    expect(fp32.losses.at(-1)!).toBeLessThan(0.8 * fp32.losses[0]!); // it learned something
    expect(fp8.losses).not.toEqual(fp32.losses); // it did run in FP8
    for (let i = 0; i < 20; i++)
      expect(Math.abs(fp8.losses[i]! - fp32.losses[i]!) / fp32.losses[i]!).toBeLessThan(0.02);
    expect(Math.abs(fp8.relGap)).toBeLessThan(0.01);
    expect(Math.abs(fp8.valRelGap)).toBeLessThan(0.01);
    expect(fp32.relGap).toBe(0);

    const files = writeFp8TrainingRun(out, r);
    expect(files.map((f) => f.slice(out.length + 1))).toEqual(['results.json', 'loss.svg', 'table.md']);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).runs[2].precision).toBe('fp8-tile');
    const svg = readFileSync(join(out, 'loss.svg'), 'utf8');
    expect(svg).toMatch(/^<svg|<\?xml/);
    expect(svg).toContain('relative loss gap');
    const table = readFileSync(join(out, 'table.md'), 'utf8');
    expect(table).toMatch(/\| fp8-tile +\| no +\| \d\.\d{4} +\| [+-]\d\.\d{3}% /);
    expect(table).toContain('Read the FP8 gaps against it');
    // One ordinary pretraining run per precision, its precision recorded for --resume.
    expect(JSON.parse(readFileSync(join(out, 'fp8-tile', 'config.json'), 'utf8')).pretrain.precision).toBe('fp8-tile');
    expect(existsSync(join(out, 'fp32', 'metrics.jsonl'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'fp32-bf16m', 'config.json'), 'utf8')).pretrain).toMatchObject({
      precision: 'fp32',
      bf16Moments: true,
    });
  });

  it('stops between steps when interrupted and says so', async () => {
    const stop = new AbortController();
    const r = await runFp8Training(tiny, { signal: stop.signal, onStep: (_, m) => m.step === 3 && stop.abort() });
    expect(r.interrupted).toBe(true);
    expect(r.runs.map((run) => run.losses.length)).toEqual([3]);
    expect(formatFp8TrainingTable(r)).toContain('interrupted');
  });

  it('refuses configs without the FP32 baseline first, or with repeats', async () => {
    await expect(runFp8Training({ ...tiny, precisions: ['fp8-tile', 'fp32'] })).rejects.toThrow(/must start with fp32/);
    await expect(runFp8Training({ ...tiny, precisions: ['fp32', 'fp32'] })).rejects.toThrow(/repeat/);
    await expect(runFp8Training({ ...tiny, window: 0 })).rejects.toThrow(/window/);
    await expect(pretrain({ ...tiny.pretrain!, precision: 'fp16' as never })).rejects.toThrow(
      /precision: expected one of fp32, fp8-tile, fp8-tensor/,
    );
    await expect(pretrain({ ...tiny.pretrain!, precision: 'fp8-tile', fp8Recipe: { tileSize: 0 } })).rejects.toThrow(
      /tileSize/,
    );
  });

  it('runs the baseline first, then the control, then the FP8 precisions', () => {
    expect(runSpecs(FP8_TRAINING_DEFAULTS).map((s) => s.id)).toEqual(['fp32', 'fp32-bf16m', 'fp8-tile', 'fp8-tensor']);
    expect(runSpecs({ ...FP8_TRAINING_DEFAULTS, control: false }).map((s) => s.id)).toEqual([
      'fp32',
      'fp8-tile',
      'fp8-tensor',
    ]);
    // With --bf16-moments the FP8 runs get them too, never the baseline.
    expect(runSpecs({ ...FP8_TRAINING_DEFAULTS, bf16Moments: true }).map((s) => s.bf16Moments)).toEqual([
      false,
      true,
      true,
      true,
    ]);
  });

  it('plots the paired per-step gap as a trailing moving average, in percent', () => {
    const run = (losses: number[]) => ({ losses }) as Fp8TrainingRun;
    expect(gapCurve(run([2, 2.2, 1.8]), run([2, 2, 2]), 2)).toEqual(
      [
        [1, 0],
        [2, 5],
        [3, 0],
      ].map(([s, g]) => [s, expect.closeTo(g!, 12)]),
    );
  });
});
