// The priming experiment at toy scale: one primed base per condition, GRPO, the table and the SVG.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/model/config.ts';
import { runPriming, type PrimingConfig } from '../../src/experiments/priming.ts';
import { vocabSize } from '../../src/world/index.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tinyseek-priming-'));
  dirs.push(d);
  return d;
};
const TINY = { ...defaultConfig, vocabSize, dModel: 16, nHeads: 2, nKvHeads: 2, dFF: 32, nLayers: 1, maxSeqLen: 64 };
const config: PrimingConfig = {
  conditions: ['direct', 'all'],
  seeds: [0],
  pretrainSteps: 2,
  pretrain: { model: TINY, seqLen: 48, batchSize: 2 },
  rl: { steps: 1, promptsPerStep: 2, groupSize: 2, maxNewTokens: 16, evalEvery: 1, evalSize: 2, evalSamples: 1 },
};

describe('the priming experiment', () => {
  it('gives one table row and one bar per condition, the same numbers on a rerun', async () => {
    const a = await runPriming(config, tmp());
    const b = await runPriming(config, tmp());
    expect(a.table).toBe(b.table);
    expect(a.summary).toEqual(b.summary);
    expect(a.table).toMatch(/\| condition +\| pass@1 before \| pass@1 after \|/);
    expect(a.table.split('\n').filter((l) => /^\| (direct|all) /.test(l))).toHaveLength(2);
    expect(a.svg).toContain('<svg');
    expect(a.metrics).toHaveLength(2);
    expect(Object.keys(a.summary)).toEqual(['direct', 'all']);
  });
});
