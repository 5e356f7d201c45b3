// The aha experiment, its ablations and its command on a tiny checkpoint: the run directory, determinism,
// the multi-seed mean, and the CLI's flags.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { ahaCommand } from '../../src/cli/aha.ts';
import type { IO } from '../../src/cli/command.ts';
import { Rng } from '../../src/core/rng.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/model/checkpoint.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { ablationArms, runAblation } from '../../src/experiments/aha-ablations.ts';
import { AHA_BASE_MIX } from '../../src/train/presets.ts';
import { AHA_DEFAULTS, DEFAULT_BASE, runAha, summarizeAha, type AhaEvent } from '../../src/experiments/aha.ts';
import { meanCurve } from '../../src/rl/curves.ts';
import { emptyMetrics, parseMetrics } from '../../src/rl/step-metrics.ts';
import { TINY } from './setups.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tinyseek-aha-'));
  dirs.push(d);
  return d;
};

const base = tmp();
await saveCheckpoint(base, Transformer.init(TINY, new Rng(9).child('init')), { note: 'test base' });
const rl = {
  steps: 2,
  promptsPerStep: 2,
  groupSize: 2,
  maxNewTokens: 16,
  tasks: [{ kind: 'add' as const, difficulty: 1 }],
  evalEvery: 1,
  evalSize: 3,
  evalSamples: 1,
};

describe('the aha experiment', () => {
  it('writes metrics.jsonl, samples.jsonl, aha.svg, summary.json and the trained policy, byte-identical on a rerun', async () => {
    const a = tmp(),
      b = tmp();
    const events: AhaEvent['type'][] = [];
    await runAha({ base, seeds: [4], rl }, { out: a, onEvent: (e) => events.push(e.type) });
    await runAha({ base, seeds: [4], rl }, { out: b, now: () => 0 });
    for (const f of ['metrics.jsonl', 'samples.jsonl', 'aha.svg', 'summary.json', 'config.json']) {
      expect(readFileSync(join(a, f), 'utf8')).toBe(readFileSync(join(b, f), 'utf8'));
    }
    expect(readFileSync(join(a, 'model.safetensors')).equals(readFileSync(join(b, 'model.safetensors')))).toBe(true);
    expect(loadCheckpoint(a).meta).toMatchObject({ step: 2, base });
    const lines = parseMetrics(readFileSync(join(a, 'metrics.jsonl'), 'utf8'));
    expect(lines.map((l) => l.step)).toEqual([0, 1, 2]);
    expect(existsSync(join(a, 'timing.jsonl'))).toBe(false);
    expect(readFileSync(join(b, 'timing.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(events[0]).toBe('seed-start');
    expect(events.filter((e) => e === 'rl-step')).toHaveLength(3);
    expect(events.at(-1)).toBe('done');
  });

  it('saves the trained policy as a checkpoint: two steps from the shipped base have moved its weights', async () => {
    const out = tmp();
    await runAha(
      { rl: { steps: 2, promptsPerStep: 2, groupSize: 4, warmupSteps: 0, evalEvery: 10, evalSize: 2, evalSamples: 1 } },
      { out },
    );
    const w = async (dir: string) => loadCheckpoint(dir).model.params.get('model.embed_tokens.weight')!.data();
    const [trained, start] = [await w(out), await w(DEFAULT_BASE)];
    expect(trained.length).toBe(start.length);
    expect(trained).not.toEqual(start);
  });

  it('puts several seeds in seed-<s>/ and draws their mean with a band', async () => {
    const out = tmp();
    const { runs, summary } = await runAha({ base, seeds: [1, 2], rl }, { out });
    expect(existsSync(join(out, 'seed-1', 'metrics.jsonl')) && existsSync(join(out, 'seed-2', 'metrics.jsonl'))).toBe(
      true,
    );
    expect(readFileSync(join(out, 'aha.svg'), 'utf8')).toContain('mean ± std of 2 seeds');
    expect(summary.seeds).toEqual([1, 2]);
    const c = meanCurve(runs, 'evalPass1');
    expect(c.points).toHaveLength(3);
    expect(c.band).toHaveLength(3);
  });

  it('pretrains its own base with --from-scratch (the aha preset plus overrides) and runs RL from it', async () => {
    const out = tmp();
    const events: string[] = [];
    const { runs } = await runAha(
      { fromScratch: true, pretrain: { steps: 3, batchSize: 2, seqLen: 32, model: TINY }, rl: { ...rl, steps: 1 } },
      { out, onEvent: (e) => events.push(e.type) },
    );
    const cfg = JSON.parse(readFileSync(join(out, 'base', 'config.json'), 'utf8'));
    expect(cfg.pretrain.mix).toEqual(JSON.parse(JSON.stringify(AHA_BASE_MIX)));
    expect(cfg.pretrain.eval).toMatchObject({ kind: 'add', difficulty: 1 });
    expect(events.filter((e) => e === 'pretrain-step')).toHaveLength(3);
    expect(runs[0]).toHaveLength(2);
  });

  it('refuses a directory without a checkpoint, naming it', async () => {
    const empty = tmp();
    await expect(runAha({ base: empty, rl }, { out: tmp() })).rejects.toThrow(
      new RegExp(`${empty}.*no base checkpoint`),
    );
  });
});

describe('aha summary and criteria', () => {
  const line = (step: number, acc: number, think: number, refl: number) => ({
    ...emptyMetrics(step),
    evalGreedyAcc: acc,
    evalPass1: acc,
    evalThinkLen: think,
    evalReflectiveFrac: refl,
    evalLen: think + 8,
  });
  it('compares the first and last evaluation, averaged over seeds', () => {
    const s = summarizeAha(
      [
        [line(0, 0.1, 5, 0), line(10, 0.5, 12, 0.1)],
        [line(0, 0.2, 5, 0), line(10, 0.5, 8, 0.1)],
      ],
      [0, 1],
    );
    expect(s.pass1!.first).toBeCloseTo(0.15, 12);
    expect(s.pass1!.last).toBeCloseTo(0.5, 12);
    expect(s.criteria).toEqual({ accuracyUp30: true, thinkDoubled: true, reflectionUp: true });
    const noise = summarizeAha([[line(0, 0.1, 5, 0.1), line(10, 0.5, 12, 0.12)]], [0]);
    expect(noise.criteria.reflectionUp).toBe(false);
    const flat = summarizeAha([[line(0, 0.1, 5, 0), line(10, 0.3, 9, 0)]], [0]);
    expect(flat.criteria).toEqual({ accuracyUp30: false, thinkDoubled: false, reflectionUp: false });
  });

  it('averages the wrong-answer length over the first and last 10 training steps', () => {
    const runs = [Array.from({ length: 30 }, (_, i) => ({ ...emptyMetrics(i), lenIncorrect: i === 3 ? null : i }))];
    const s = summarizeAha(runs, [0]);
    // First window: steps 0–10 without the unmeasured step 3; last window: steps 20–29.
    expect(s.incorrectLength!.first).toBeCloseTo((0 + 1 + 2 + 4 + 5 + 6 + 7 + 8 + 9 + 10) / 10, 12);
    expect(s.incorrectLength!.last).toBeCloseTo(24.5, 12);
    expect(summarizeAha([[emptyMetrics(0)]], [0]).incorrectLength).toBeNull();
  });

  it('averages only the steps every seed reached', () => {
    const c = meanCurve([[line(0, 0.2, 1, 0), line(5, 0.4, 1, 0)], [line(0, 0.4, 1, 0)]], 'evalPass1');
    expect(c.points).toHaveLength(1);
    expect(c.points[0]![1]).toBeCloseTo(0.3, 12);
    expect(c.band[0]![1]).toBeCloseTo(0.2, 12);
    expect(c.band[0]![2]).toBeCloseTo(0.4, 12);
  });
});

describe('aha ablations', () => {
  it('change exactly one thing between the two arms', () => {
    const shared = { ...AHA_DEFAULTS, rl: { lr: 5e-4 } };
    const [g, d] = ablationArms('dr_grpo', shared);
    expect([g!.config.rl.variant, d!.config.rl.variant]).toEqual(['grpo', 'dr_grpo']);
    expect(d!.config.rl.lr).toBe(5e-4);
    const [, s] = ablationArms('shuffle', shared);
    expect(s!.config.rl.rewardShuffle).toBe(true);
    const [, nw] = ablationArms('no_worked', shared);
    expect(nw!.config.fromScratch).toBe(true);
    expect(nw!.config.pretrain.mix).toMatchObject({ workedFrac: 0, reflectFrac: 0 });
    expect(ablationArms('no_worked', shared, { noWorkedBase: '/x' })[1]!.config).toMatchObject({
      base: '/x',
      fromScratch: false,
    });
  });

  it('run both arms into their own directories and draw them on one chart', async () => {
    const out = tmp();
    const arms = await runAblation('shuffle', { base, rl: { ...rl, steps: 1 } }, { out });
    expect(Object.keys(arms)).toEqual(['real_reward', 'shuffled_reward']);
    expect(existsSync(join(out, 'real_reward', 'metrics.jsonl'))).toBe(true);
    expect(readFileSync(join(out, 'shuffle.svg'), 'utf8')).toContain('shuffled_reward');
    expect(JSON.parse(readFileSync(join(out, 'ablation.json'), 'utf8')).ablation).toBe('shuffle');
  });
});

function recorder(): IO & { stdout: string; stderr: string } {
  const r = {
    stdout: '',
    stderr: '',
    isTTY: false,
    out: (s: string) => void (r.stdout += s),
    err: (s: string) => void (r.stderr += s),
  };
  return r;
}

describe('tinyseek aha', () => {
  it('runs from a base and prints the summary and where the run went', async () => {
    const io = recorder(),
      out = tmp();
    const code = await ahaCommand.run(
      [
        '--base',
        base,
        '--out',
        out,
        '--steps',
        '2',
        '--prompts',
        '2',
        '--group-size',
        '2',
        '--max-new-tokens',
        '16',
        '--tasks',
        'add:1',
        '--eval-every',
        '1',
        '--eval-size',
        '3',
        '--eval-samples',
        '1',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(io.stdout).toMatch(/accuracy \(pass@1\)/);
    expect(io.stdout).toContain(`run directory: ${out}`);
    expect(io.stderr).toMatch(/step 0: held-out greedy/);
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(cfg.rl).toMatchObject({
      steps: 2,
      promptsPerStep: 2,
      groupSize: 2,
      tasks: [{ kind: 'add', difficulty: 1 }],
    });
  });

  it('shows its help', async () => {
    const io = recorder();
    expect(await ahaCommand.run(['--help'], io)).toBe(0);
    expect(io.stdout).toMatch(/--ablation/);
    expect(io.stdout).toMatch(/--from-scratch/);
  });

  it('rejects bad flags with a usage error', async () => {
    await expect(ahaCommand.run(['--variant', 'sac'], recorder())).rejects.toThrow(UsageError);
    await expect(ahaCommand.run(['--seeds', '1,1'], recorder())).rejects.toThrow(/repeats/);
    await expect(ahaCommand.run(['--tasks', 'add'], recorder())).rejects.toThrow(UsageError);
    await expect(ahaCommand.run(['--no-worked-base', 'x'], recorder())).rejects.toThrow(
      /only goes with --ablation no_worked/,
    );
  });
});
