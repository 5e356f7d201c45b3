// What each road of the distillation experiment spends: an RL step is the sum of rlStepCost over its sequences,
// an SFT step trains the padded batch, a shipped teacher is its pretraining plus its RL, counted from its files.
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { ComputeLedger, trainingFlops } from '../../src/cost/ledger.ts';
import { rlStepCost } from '../../src/cost/rl-step.ts';
import { chargePretrain, chargeRlStep, sftStepFlops, teacherLedger } from '../../src/experiments/distill-ledger.ts';
import { saveCheckpoint } from '../../src/model/checkpoint.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { TINY } from '../rl/setups.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the distillation ledgers', () => {
  it('charges an RL step as the sum of rlStepCost over its sequences, by phase, with its generated tokens', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ p: fc.integer({ min: 1, max: 20 }), L: fc.integer({ min: 0, max: 40 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: 1, max: 3 }),
        (seqs, mu) => {
          const rows = seqs.map((s) => ({ prompt: Array(s.p).fill(1), length: s.L }));
          const l = chargeRlStep(new ComputeLedger(), TINY, { algorithm: 'grpo', mu }, rows);
          const want = rows.reduce(
            (a, r) =>
              a +
              rlStepCost(TINY, 'grpo', {
                sequences: 1,
                promptLen: r.prompt.length,
                completionLen: r.length,
                mu,
                reference: true,
              }).totalFlops,
            0,
          );
          expect(l.total().flops).toBeCloseTo(want, 6);
          expect(l.get('rl/rollout').tokens).toBe(rows.reduce((a, r) => a + r.length, 0));
          expect(Object.keys(l.toJSON())).toEqual(['rl/rollout', 'rl/reference', 'rl/train']);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('charges pretraining as steps × batch × seqLen trained tokens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyseek-ledger-'));
    dirs.push(dir);
    await saveCheckpoint(dir, Transformer.init(TINY, new Rng(0)), {
      pretrain: { steps: 10, batchSize: 4, seqLen: 32 },
    });
    expect(chargePretrain(new ComputeLedger(), dir).get('pretrain').flops).toBe(trainingFlops(TINY, 1280, 32));
  });

  it("charges an SFT step for its padded batch: B rows of the step's longest record", () => {
    const ex = [
      { prompt: [1, 2], completion: [3] },
      { prompt: [1, 2, 3, 4], completion: [5, 6, 7] },
    ];
    // batch 2 over 2 records: every step holds both, so T = 7 − 1.
    expect(sftStepFlops(TINY, ex, 2, 0, 0)).toBe(trainingFlops(TINY, 12, 6));
  });

  it('prices the shipped teacher as its base pretraining plus 60 RL steps, and the phases add up', () => {
    const l = teacherLedger('fixtures/distill/teacher-104k');
    const phases = l.toJSON();
    expect(Object.keys(phases)).toEqual(['pretrain', 'rl/rollout', 'rl/reference', 'rl/train']);
    const sum = Object.values(phases).reduce((a, s) => a + s.flops, 0);
    expect(l.total().flops).toBe(sum);
    expect(phases['pretrain']!.flops).toBe(
      chargePretrain(new ComputeLedger(), 'fixtures/aha-base').get('pretrain').flops,
    );
    expect(phases['rl/rollout']!.tokens).toBeGreaterThan(60 * 64 * 5); // 60 steps of 64 answers
  });
});
