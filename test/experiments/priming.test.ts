// The priming experiment at toy scale: tiny primed bases, GRPO from each, the table and the SVG; the same
// numbers whether the runs go one after another here or two at a time in child processes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/model/config.ts';
import { runPriming, type PrimingConfig } from '../../src/experiments/priming.ts';
import { countdownPreset } from '../../src/train/countdown-presets.ts';
import { pretrain } from '../../src/train/pretrain.ts';
import { vocabSize } from '../../src/world/index.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tinyseek-priming-'));
  dirs.push(d);
  return d;
};
const TINY = { ...defaultConfig, vocabSize, dModel: 16, nHeads: 2, nKvHeads: 2, dFF: 32, nLayers: 1, maxSeqLen: 64 };
const bases = tmp();
const config: PrimingConfig = {
  conditions: ['direct', 'all'],
  seeds: [0, 1],
  bases,
  rl: { steps: 1, promptsPerStep: 2, groupSize: 2, maxNewTokens: 16, evalEvery: 1, evalSize: 2, evalSamples: 1 },
  parallel: 1,
};

beforeAll(async () => {
  for (const c of config.conditions)
    await pretrain(countdownPreset(c, { model: TINY, steps: 2, seqLen: 48, batchSize: 2 }), { out: join(bases, c) });
}, 60_000);

describe('the priming experiment', () => {
  it('gives one table row and one bar per condition, the same numbers on a rerun and in child processes', async () => {
    const a = await runPriming(config, tmp());
    const b = await runPriming({ ...config, parallel: 2 }, tmp());
    expect(b.table).toBe(a.table);
    expect(b.summary).toEqual(a.summary);
    expect(b.metrics).toEqual(a.metrics);
    expect(a.table).toMatch(/\| condition +\| pass@1 before \| pass@1 after \|/);
    expect(a.table.split('\n').filter((l) => /^\| (direct|all) /.test(l))).toHaveLength(2);
    expect(a.svg).toContain('<svg');
    expect(a.metrics).toHaveLength(4);
    expect(Object.keys(a.summary)).toEqual(['direct', 'all']);
  }, 120_000);

  it('names the missing base and how to make it', async () => {
    await expect(runPriming({ ...config, conditions: ['verify'] }, tmp())).rejects.toThrow(
      /no primed base for 'verify'.*tinyseek pretrain --preset countdown-verify/,
    );
  });
});
