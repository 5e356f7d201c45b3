// R1-Zero RL on Countdown (`tinyseek aha --task countdown`) on a tiny checkpoint: the verification columns are
// on every evaluation row, null elsewhere, byte-identical on a rerun; the summary reports base vs final.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ahaCommand } from '../../src/cli/aha.ts';
import { Rng } from '../../src/core/rng.ts';
import { defaultConfig } from '../../src/model/config.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/model/checkpoint.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { runAha } from '../../src/experiments/aha.ts';
import { countdownVerify, pathOpeningOf, runInterventions } from '../../src/experiments/countdown-verify.ts';
import { COUNTDOWN_METRIC_KEYS, meanCountdown } from '../../src/experiments/countdown-metrics.ts';
import { heldOutSet, vocabSize } from '../../src/world/index.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tinyseek-cd-'));
  dirs.push(d);
  return d;
};
const TINY = { ...defaultConfig, vocabSize, dModel: 16, nHeads: 2, nKvHeads: 2, dFF: 32, nLayers: 1, maxSeqLen: 64 };
const base = tmp();
await saveCheckpoint(base, Transformer.init(TINY, new Rng(3).child('init')), { note: 'test base' });
const rl = {
  steps: 2,
  promptsPerStep: 2,
  groupSize: 2,
  maxNewTokens: 24,
  tasks: [{ kind: 'countdown' as const, difficulty: 3 }],
  evalEvery: 2,
  evalSize: 3,
  evalSamples: 1,
};

describe('countdown verification tests of a model', () => {
  it('are deterministic; the scaling curve never falls; every problem gets an injected error', async () => {
    const model = Transformer.init(TINY, new Rng(3).child('init'));
    const problems = heldOutSet('countdown', 3, 4);
    const opts = { maxNewTokens: 24, budgets: [6, 12, 24], seed: 1 };
    const a = await countdownVerify(model, problems, opts);
    expect(await countdownVerify(model, problems, opts)).toEqual(a);
    expect(a.interventions).toBe(4);
    expect(a.scaling.map((s) => s.budget)).toEqual([6, 12, 24]);
    for (let i = 1; i < a.scaling.length; i++)
      expect(a.scaling[i]!.accuracy).toBeGreaterThanOrEqual(a.scaling[i - 1]!.accuracy);
    expect(a.scaling.at(-1)!.accuracy).toBe(a.evalPass1);
  });

  it('runInterventions is the intervention test countdownVerify counts: same injected paths, same rates', async () => {
    const model = Transformer.init(TINY, new Rng(3).child('init'));
    const problems = heldOutSet('countdown', 3, 4);
    const a = await countdownVerify(model, problems, { maxNewTokens: 24, budgets: [24], seed: 1 });
    const runs = await runInterventions(model, problems, new Rng(1).child('countdown-verify'), 24, 64);
    expect(runs.length).toBe(a.interventions);
    const rate = (f: (r: (typeof runs)[number]) => boolean) => runs.filter(f).length / runs.length;
    expect(rate((r) => r.outcome.caught)).toBe(a.interventionCatchRate);
    expect(rate((r) => r.outcome.fooled)).toBe(a.interventionFooledRate);
    expect(rate((r) => r.outcome.recovered)).toBe(a.interventionRecoverRate);
    for (const r of runs) {
      // The forced path ends in a claim of the target whose true value is something else.
      expect(r.intervention.prefix.trim().endsWith(`=${r.problem.target}`)).toBe(true);
      expect(r.intervention.trueValue).not.toBe(r.problem.target);
    }
  });
});

describe('aha on Countdown', () => {
  it('writes the verification columns on evaluation rows, null on the others, byte-identical on a rerun', async () => {
    const a = tmp(),
      b = tmp();
    await runAha({ base, seeds: [2], rl }, { out: a });
    await runAha({ base, seeds: [2], rl }, { out: b });
    const text = readFileSync(join(a, 'metrics.jsonl'), 'utf8');
    expect(text).toBe(readFileSync(join(b, 'metrics.jsonl'), 'utf8'));
    const rows = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.step)).toEqual([0, 1, 2]);
    for (const r of rows) {
      for (const k of COUNTDOWN_METRIC_KEYS) expect(k in r).toBe(true);
      const isEval = r.evalPass1 !== null;
      expect(r.interventionCatchRate !== null).toBe(isEval);
      expect(Array.isArray(r.testTimeScaling)).toBe(isEval);
      if (isEval)
        for (const k of ['evalPass1', 'evalThinkLen', 'interventionCatchRate', 'repeatedPaths'])
          expect(typeof r[k]).toBe('number');
    }
    const summary = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8'));
    expect(summary.countdown.interventionCatchRate).toEqual({
      first: rows[0]!.interventionCatchRate,
      last: rows[2]!.interventionCatchRate,
    });
  });

  it("sums its seeds up: the summary over seeds holds the mean of each seed's verification numbers", async () => {
    const out = tmp();
    const { summary } = await runAha({ base, seeds: [1, 2], rl }, { out });
    const seeds = [1, 2].map((s) => JSON.parse(readFileSync(join(out, `seed-${s}`, 'summary.json'), 'utf8')));
    const mean = (k: string, e: 'first' | 'last') => (seeds[0].countdown[k][e] + seeds[1].countdown[k][e]) / 2;
    for (const k of ['behVerification', 'behBacktracking', 'interventionCatchRate'])
      expect(summary.countdown![k as 'behVerification']).toEqual({ first: mean(k, 'first'), last: mean(k, 'last') });
    expect(meanCountdown([])).toBeNull();
    const one = { first: null, last: 0.5 };
    expect(
      meanCountdown([
        { ...seeds[0].countdown, checkAccuracy: one },
        { ...seeds[1].countdown, checkAccuracy: { first: null, last: null } },
      ])!.checkAccuracy,
    ).toEqual(one);
  });

  it("measures the policy its evaluation saw: step 0's verification is the base's, whatever the step's update did", async () => {
    // The shipped primed base, which earns rewards, so that a large learning rate moves it.
    const shipped = fileURLToPath(new URL('../../fixtures/countdown-primed/all', import.meta.url));
    const small = { ...rl, steps: 1, promptsPerStep: 2, groupSize: 4, maxNewTokens: 160, evalSize: 2 };
    const firstRow = async (lr: number) => {
      const out = tmp();
      await runAha({ base: shipped, seeds: [2], rl: { ...small, lr } }, { out });
      const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
      return rows.map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    const [slow, fast] = [await firstRow(1e-9), await firstRow(0.05)];
    const { model } = loadCheckpoint(shipped, { requiresGrad: false });
    const problems = heldOutSet('countdown', 3, small.evalSize);
    const v = await countdownVerify(model, problems, { maxNewTokens: 160, budgets: [40, 80, 120, 160], seed: 2 });
    for (const row of [slow[0]!, fast[0]!]) {
      expect(row.stepAccuracy).toBe(Number(v.stepAccuracy!.toFixed(6)));
      expect(row.interventionCatchRate).toBe(Number(v.interventionCatchRate!.toFixed(6)));
    }
    // (the update did move the policy: the final evaluation after one step differs)
    expect(fast[1]!.evalThinkLen).not.toBe(slow[1]!.evalThinkLen);
  });

  it('tinyseek aha --task countdown starts from the shipped searching base with its settings and prints the verification line', async () => {
    const r = {
      stdout: '',
      stderr: '',
      isTTY: false,
      out: (s: string) => void (r.stdout += s),
      err: (s: string) => void (r.stderr += s),
    };
    const shipped = tmp();
    const tiny = ['--steps', '1', '--prompts', '1', '--group-size', '2', '--max-new-tokens', '8'];
    const evalTiny = ['--eval-every', '1', '--eval-size', '1', '--eval-samples', '1'];
    expect(await ahaCommand.run(['--task', 'countdown', '--out', shipped, ...tiny, ...evalTiny], r)).toBe(0);
    const cfg = JSON.parse(readFileSync(join(shipped, 'config.json'), 'utf8'));
    expect(cfg.base).toMatch(/fixtures\/countdown-search\/kept$/);
    expect(cfg.rl.tasks).toEqual([{ kind: 'countdown', difficulty: 3 }]);
    // the flags given win; the rest are the searching base's run
    expect(cfg.rl).toMatchObject({ groupSize: 2, maxNewTokens: 8, steps: 1, lr: 3e-4 });
    expect(r.stdout).toMatch(
      /criteria: accuracy \+25 points (yes|no), think longer (yes|no), injected errors caught ≥50% (yes|no)/,
    );
    // the default base's paths open by naming the target and the number kept, and so does the injected prefix its
    // evaluation forces
    const searchBase = loadCheckpoint(fileURLToPath(new URL('../../fixtures/countdown-search/kept', import.meta.url)));
    expect(pathOpeningOf(searchBase.meta)).toEqual({ restateTarget: true, namesKept: true });
    const primedAll = fileURLToPath(new URL('../../fixtures/countdown-primed/all', import.meta.url));
    expect(pathOpeningOf(loadCheckpoint(primedAll).meta)).toEqual({ restateTarget: false, namesKept: false });
    await expect(ahaCommand.run(['--task', 'countdown', '--base', tmp(), '--out', tmp()], r)).rejects.toThrow(
      /no base checkpoint here/,
    );
    await expect(ahaCommand.run(['--priming', 'verify', '--out', tmp()], r)).rejects.toThrow(
      /--priming goes with --task countdown/,
    );
    const code = await ahaCommand.run(
      [
        '--task',
        'countdown',
        '--base',
        base,
        '--out',
        tmp(),
        '--steps',
        '1',
        '--prompts',
        '2',
        '--group-size',
        '2',
        '--max-new-tokens',
        '24',
        '--tasks',
        'countdown:3',
        '--eval-every',
        '1',
        '--eval-size',
        '2',
        '--eval-samples',
        '1',
      ],
      r,
    );
    expect(code).toBe(0);
    expect(r.stderr).toMatch(/per answer: verdicts .* injected errors caught/);
  });

  it('draws the behaviour chart live on a terminal', async () => {
    const r = {
      stdout: '',
      stderr: '',
      isTTY: true,
      out: (s: string) => void (r.stdout += s),
      err: (s: string) => void (r.stderr += s),
    };
    const code = await ahaCommand.run(
      [
        '--task',
        'countdown',
        '--base',
        base,
        '--out',
        tmp(),
        '--steps',
        '1',
        '--prompts',
        '2',
        '--group-size',
        '2',
        '--max-new-tokens',
        '24',
        '--tasks',
        'countdown:3',
        '--eval-every',
        '1',
        '--eval-size',
        '2',
        '--eval-samples',
        '1',
      ],
      r,
    );
    expect(code).toBe(0);
    expect(r.stderr).toContain('behaviours per held-out answer (Countdown)');
    expect(r.stderr).toContain('errors caught');
  });
});
