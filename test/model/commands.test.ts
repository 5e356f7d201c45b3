// The commands over the model: `tinyseek logits` input checks and `tinyseek experiment` run directories
// (a couple of steps only: these check the plumbing, the experiments' numbers come from full runs).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { experimentCommand, EXPERIMENTS } from '../../src/cli/experiment.ts';
import { MTP_DEFAULTS, runMtp } from '../../src/experiments/mtp.ts';
import { compareLogits, logitsCommand } from '../../src/cli/logits.ts';
import { Rng } from '../../src/core/rng.ts';
import { saveCheckpoint } from '../../src/model/checkpoint.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { tinyV3 } from './util.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tinyseek-cmd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function recorder() {
  const out: string[] = [],
    err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), isTTY: false }, out, err };
}

const dir = join(tmp, 'ckpt');
await saveCheckpoint(dir, Transformer.init(tinyV3(), new Rng(1)));

describe('tinyseek logits', () => {
  it('prints a table of top tokens for a tinyseek checkpoint', async () => {
    const r = recorder();
    expect(await logitsCommand.run(['--model', dir, '--ids', '1,2,3'], r.io)).toBe(0);
    expect(r.out.join('')).toMatch(/tinyseek, MLA \+ MoE, 3 positions × 23 logits/);
    expect(
      r.out
        .join('')
        .split('\n')
        .filter((l) => /^\s+\d+\s+\d+\s+\d+/.test(l)),
    ).toHaveLength(3);
  });

  it('fails (exit 1) when the logits differ from --expected beyond the tolerance', async () => {
    const r = recorder();
    await logitsCommand.run(['--model', dir, '--ids', '4,5', '--json'], r.io);
    const good = JSON.parse(r.out.join('')) as { ids: number[]; logits: number[][] };
    const file = join(tmp, 'expected.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify({ ids: good.ids, logits: good.logits.map((row) => row.map((x) => x * 1.01)) }));
    const r2 = recorder();
    expect(await logitsCommand.run(['--model', dir, '--expected', file], r2.io)).toBe(1);
    expect(r2.out.join('')).toMatch(/MISMATCH/);
    expect(compareLogits(good.logits.flat(), good.logits).maxRel).toBe(0);
  });

  it('refuses missing flags, ids outside the vocabulary and missing directories', async () => {
    await expect(logitsCommand.run(['--ids', '1'], recorder().io)).rejects.toThrow(/--model DIR is required/);
    await expect(logitsCommand.run(['--model', dir, '--ids', '1,99'], recorder().io)).rejects.toThrow(
      /99 is outside the vocabulary \[0, 23\)/,
    );
    await expect(logitsCommand.run(['--model', join(tmp, 'nope'), '--ids', '1'], recorder().io)).rejects.toThrow(
      /config\.json: not found/,
    );
  });
});

describe('tinyseek experiment', () => {
  it('knows the four architecture experiments, the priming one, distill-vs-rl and roads-not-taken, and refuses others', async () => {
    expect(EXPERIMENTS.map((e) => e.name)).toEqual([
      'moe-balance',
      'mla-cache',
      'mtp',
      'moe-vs-dense',
      'priming',
      'distill-vs-rl',
      'roads-not-taken',
    ]);
    await expect(experimentCommand.run(['nonsense'], recorder().io)).rejects.toThrow(
      /unknown experiment 'nonsense' \(known: moe-balance, mla-cache, mtp, moe-vs-dense, priming, distill-vs-rl, roads-not-taken\)/,
    );
    await expect(experimentCommand.run(['priming', '--budget', 'huge'], recorder().io)).rejects.toThrow(/--budget/);
  });

  it('runs moe-balance and writes its run directory (2 steps)', async () => {
    const out = join(tmp, 'moe-balance'),
      r = recorder();
    expect(await experimentCommand.run(['moe-balance', '--steps', '2', '--out', out], r.io)).toBe(0);
    for (const f of ['table.md', 'plot.svg', 'results.json', 'metrics.jsonl'])
      expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'plot.svg'), 'utf8')).toMatch(/^<svg|^<\?xml/);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).experiment).toBe('moe-balance');
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
    expect(metrics.trim().split('\n')).toHaveLength(4); // 2 variants × 2 steps
    expect(r.out.join('')).toContain(readFileSync(join(out, 'table.md'), 'utf8'));
    // Its numbers obey the method: each step's loss is the LM loss plus the balance term; the two methods start
    // from the same weights and data, so their first LM losses and routings agree and their first balance terms
    // differ by the ratio of their α (0.1 against V3's 0.0001); MaxVio is a load ratio in [0, E − 1].
    type Row = { method: string; step: number; loss: number; main: number; balance: number; maxVio: number };
    const rows = metrics
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Row);
    for (const m of rows) {
      expect(m.loss).toBeCloseTo(m.main + m.balance, 5);
      expect(m.maxVio).toBeGreaterThanOrEqual(0);
      expect(m.maxVio).toBeLessThanOrEqual(7);
    }
    const [aux, free] = ['aux-loss', 'aux-free'].map((k) => rows.find((m) => m.method === k && m.step === 1)!);
    expect(free!.main).toBe(aux!.main);
    expect(free!.maxVio).toBe(aux!.maxVio);
    expect(aux!.balance / free!.balance).toBeCloseTo(1000, 3);
    // and the same seed gives the same bytes
    const again = join(tmp, 'moe-balance-again');
    expect(await experimentCommand.run(['moe-balance', '--steps', '2', '--out', again], recorder().io)).toBe(0);
    expect(readFileSync(join(again, 'metrics.jsonl'), 'utf8')).toBe(metrics);
  });

  it('runs mtp end to end: two trainings, speculative decoding identical to greedy, teacher-forced agreement', async () => {
    const r = await runMtp({ ...MTP_DEFAULTS, steps: 2, prompts: 1, maxNewTokens: 6 });
    const summary = r.summary as {
      decoding: { identicalToGreedy: boolean; prompts: number };
      teacherForced: { agreement: number; positions: number };
    };
    expect(summary.decoding).toMatchObject({ identicalToGreedy: true, prompts: 4 });
    expect(summary.teacherForced.positions).toBeGreaterThan(100);
    expect(r.timing).toBeUndefined(); // no clock, no wall-clock numbers
    expect(r.table).toMatch(/tokens per main forward pass/);
  });
});
