import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { ComputeLedger, forwardFlops } from '../../src/cost/ledger.ts';
import {
  loadRewardModel,
  rewardModelFrom,
  rmScores,
  saveRewardModel,
  trainRewardModel,
} from '../../src/search/reward-model.ts';
import { readSequence } from '../../src/search/rm-data.ts';
import { scoreSteps, type ScoredTrace } from '../../src/search/scored-steps.ts';
import { encode, generateProblem, splitSteps, workedSolution, type Problem } from '../../src/world/index.ts';

const BASE = 'fixtures/aha-base';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The worked solution, and a copy whose first step's value is off by one (the answer left as it was). */
function pair(p: Problem): [ScoredTrace, ScoredTrace] {
  const text = workedSolution(p);
  const s = splitSteps(p, text)[0]!;
  const [lhs, v] = s.text.split('=');
  const bad = text.slice(0, s.start) + `${lhs}=${Number(v) + 1}` + text.slice(s.end);
  return [scoreSteps(p, encode(text)), scoreSteps(p, encode(bad))];
}
const problems = (seed: string, n: number) =>
  Array.from({ length: n }, (_, i) => generateProblem('add', new Rng(seed).child(`q${i}`), 2));
const oracleExample = (t: ScoredTrace) => ({ ...readSequence(t), labels: t.steps.map((s) => (s.oracle ? 1 : 0)) });
const minScore = (s: number[]) => Math.min(...s);

describe('reward models', () => {
  it('a PRM trained on oracle labels ranks an oracle-correct trace above a corrupted copy of it', async () => {
    const data = problems('train', 48).flatMap((p) => pair(p).map(oracleExample));
    const prm = rewardModelFrom(BASE);
    const book = new ComputeLedger();
    const losses = await trainRewardModel(prm, data, {
      steps: 60,
      batchSize: 16,
      lr: 2e-3,
      seed: 0,
      ledger: { book, phase: 'prm' },
    });
    expect(losses.at(-1)!).toBeLessThan(losses[0]!);
    expect(book.get('prm').flops).toBeGreaterThan(0);
    const test = problems('test', 16).map(pair);
    const scores = await rmScores(prm, test.flat().map(readSequence));
    for (let i = 0; i < test.length; i++)
      expect(minScore(scores[2 * i]!)).toBeGreaterThan(minScore(scores[2 * i + 1]!));

    // Saved and loaded like a model: the same scores; a directory without the head is refused by name.
    const dir = mkdtempSync(join(tmpdir(), 'prm-'));
    dirs.push(dir);
    await saveRewardModel(dir, prm, { target: 'oracle' });
    const { rm, meta } = loadRewardModel(dir);
    expect(meta).toEqual({ target: 'oracle' });
    expect(await rmScores(rm, test.flat().map(readSequence))).toEqual(scores);
    expect(() => loadRewardModel(BASE)).toThrow(/not a reward model/);
    writeFileSync(join(dir, 'rm_head.safetensors'), 'x');
    expect(() => loadRewardModel(dir)).toThrow(/rm_head\.safetensors/);
  }, 180_000);

  it('scores a step by the reference LM confidence before training, charged two forwards a sequence', async () => {
    const prm = rewardModelFrom(BASE);
    const t = pair(generateProblem('add', new Rng(1), 2))[0];
    const seq = readSequence(t);
    const book = new ComputeLedger();
    const [s] = await rmScores(prm, [seq], { book, phase: 'score' });
    // A zero head and a = 1: σ(ℓ), ℓ ≤ 0 the mean log-probability of the value just written.
    for (const x of s!) expect(x).toBeLessThanOrEqual(0.5);
    expect(book.get('score')).toEqual({
      flops: 2 * forwardFlops(prm.trunk.config, seq.ids.length, seq.ids.length),
      tokens: 0,
    });
  });
});
