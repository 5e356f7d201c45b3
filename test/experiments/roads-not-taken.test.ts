import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRoadsNotTaken, type RoadsConfig } from '../../src/experiments/roads-not-taken.ts';
import { RunInterrupted } from '../../src/train/trainer.ts';

// A micro version of every phase: enough to run each code path, small enough for the suite.
const MICRO: Partial<RoadsConfig> = {
  heldOut: 3,
  maxNewTokens: 40,
  rl: { seeds: [0], steps: 1, evalEvery: 1, promptsPerStep: 2, groupSize: 4 },
  label: { problems: 2, tracesPerProblem: 2, n: 2, trainN: 2 },
  rm: { steps: 2, batchSize: 4, lr: 1e-3 },
  bestOfN: { ns: [1, 2], rerankN: [2] },
  mcts: { k: 2, kSweep: [2], simsPerMove: 1, tokenSimsPerMove: 1 },
  prmRl: { forms: ['sum'] },
  rounds: {
    rounds: 1,
    problems: 2,
    sftSteps: 1,
    rmSteps: 1,
    calibStates: 2,
    mcSamples: 1,
    exactStates: 2,
    exactThreshold: 2e-2,
  },
};

describe('experiment roads-not-taken', () => {
  it('gives every table, compute rows a script can read, and the same summary for the same seed', async () => {
    const a = await runRoadsNotTaken({ ...MICRO, budget: 'small' });
    const b = await runRoadsNotTaken({ ...MICRO, budget: 'small' });
    expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
    const s = a.summary;
    for (const r of s.bestOfN) expect(Object.keys(r)).toEqual(['selector', 'n', 'accuracy', 'wrongStepOfRight']);
    expect(s.compute.map((r) => r.method)).toEqual([
      'base greedy',
      'GRPO (outcome)',
      'best-of-2 (PRM-min)',
      'step MCTS (K=2)',
      'token MCTS (K=2)',
      'PRM-as-reward RL (sum)',
      'self-improvement (1 rounds, greedy)',
    ]);
    for (const r of s.compute) {
      expect(Object.keys(r)).toEqual(['method', 'flops', 'tokens', 'accuracy']);
      expect(r.flops).toBeGreaterThan(0);
      expect(r.accuracy).toBeGreaterThanOrEqual(0);
    }
    // Every reward-model road pays for the PRM (labels and training) on top of its own work.
    const grpo = s.compute[1]!,
      prmRl = s.compute[5]!;
    expect(prmRl.flops).toBeGreaterThan(grpo.flops);
    expect(s.labels.map((l) => [l.completer, l.n])).toEqual([
      ['base', 1],
      ['base', 2],
      ['rl', 1],
      ['rl', 2],
    ]);
    expect(s.prmRl.map((r) => r.form)).toEqual(['outcome', 'sum']);
    expect(s.rounds.map((r) => r.round)).toEqual([0, 1]);
    // Round 0's value head is checked against the exact success probability, bounds and all.
    const ex = s.rounds[0]!.exact!;
    expect(ex.n).toBe(2);
    expect(ex.brierLo).toBeLessThanOrEqual(ex.brier);
    expect(ex.brier).toBeLessThanOrEqual(ex.brierHi);
    expect(ex.covered).toBeGreaterThan(0);
    expect(ex.covered).toBeLessThanOrEqual(1);
    expect(ex.bins.reduce((a, b) => a + b.n, 0)).toBe(2);
    expect(s.rounds[1]!.exact).toBeNull();

    // Stopped once the PRM stage is saved, then resumed: the finished stages (the GRPO policy and the PRM
    // among them) are read back, the rest run, and the summary is the uninterrupted one.
    const dir = mkdtempSync(join(tmpdir(), 'roads-resume-'));
    try {
      const stopAfterPrm = () => existsSync(join(dir, 'stages', 'prm.json'));
      await expect(
        runRoadsNotTaken({ ...MICRO, budget: 'small' }, { dir, shouldStop: stopAfterPrm }),
      ).rejects.toBeInstanceOf(RunInterrupted);
      expect(readdirSync(join(dir, 'stages')).sort()).toEqual([
        'grpo-outcome-s0',
        'grpo-outcome-s0.json',
        'labels.json',
        'prm',
        'prm.json',
      ]);
      const resumed: string[] = [];
      const r = await runRoadsNotTaken(
        { ...MICRO, budget: 'small' },
        { dir, resume: true, onEvent: (e) => void (e.type === 'resumed' && resumed.push(e.name)) },
      );
      expect(resumed).toEqual(['grpo-outcome-s0', 'labels', 'prm']);
      expect(JSON.stringify(r.summary)).toBe(JSON.stringify(a.summary));
      expect(JSON.stringify(r.metrics)).toBe(JSON.stringify(a.metrics));
      // Resuming with another config is refused.
      await expect(runRoadsNotTaken({ ...MICRO, budget: 'small', seed: 1 }, { dir, resume: true })).rejects.toThrow(
        /another config/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
