// Rejection sampling, the data of distillation: only verified-right, well-formed, finished answers become
// records; at most one per problem, chosen first/shortest/longest; the same seed gives the same records.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { acceptTrace, rejectionSample, selectTraces, TRACE_SELECTS } from '../../src/train/rejection-sampling.ts';
import { scoreCompletion, type Rollout } from '../../src/train/rollout.ts';
import { encode, formatReward, generateProblem, promptFor, verify, type Problem } from '../../src/world/index.ts';
import { formatDummy } from '../rl/setups.ts';

const problems = (seed: number, n: number): Problem[] =>
  Array.from({ length: n }, (_, i) => generateProblem('add', new Rng(seed).child(`q${i}`), 1));

/** A rollout of `text` for problem j (as rollout() lays them out). */
const fake = (p: Problem, j: number, s: number, text: string, finish: 'stop' | 'length' = 'stop'): Rollout => ({
  ...scoreCompletion(p, encode(text), finish),
  problemIndex: j,
  sample: s,
  prompt: encode(promptFor(p)),
});

describe('rejection sampling', () => {
  it('keeps only answers the verifier marks right, in format, one per problem that has one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(...TRACE_SELECTS), async (seed, select) => {
        const qs = problems(seed, 6);
        const r = await rejectionSample(formatDummy(), qs, {
          samples: 4,
          select,
          temperature: 1,
          maxNewTokens: 6,
          rng: new Rng(seed).child('teacher'),
        });
        expect(r.rollouts).toHaveLength(24);
        for (const rec of r.records) {
          const p = qs.find((q) => q.prompt === rec.problem)!;
          expect(rec.prompt).toBe(promptFor(p));
          expect(verify(p, rec.completion).correct).toBe(true);
          expect(formatReward(rec.completion)).toBe(1);
        }
        const solved = qs.filter((_, j) => r.rollouts.slice(4 * j, 4 * j + 4).some(acceptTrace));
        expect(r.records.map((x) => x.problem)).toEqual(solved.map((q) => q.prompt));
        expect(r.accepted).toBe(r.rollouts.filter((x) => x.reward.accuracy === 1 && x.reward.format === 1).length);
      }),
      { numRuns: 8 },
    );
  });

  it('gives the same records for the same seed', async () => {
    const run = () =>
      rejectionSample(formatDummy(), problems(3, 5), {
        samples: 3,
        select: 'first',
        temperature: 1,
        maxNewTokens: 6,
        rng: new Rng(7),
      });
    expect((await run()).records).toEqual((await run()).records);
  });

  it('rejects a right answer that is malformed or cut off, and picks the first, shortest or longest right one', () => {
    const p = { ...generateProblem('add', new Rng(1), 1), prompt: '3+4', answer: '7' };
    const group = [
      fake(p, 0, 0, '</think><answer>8</answer>'), // wrong
      fake(p, 0, 1, '3+4=7 so 7</think><answer>7</answer>'),
      fake(p, 0, 2, '</think><answer>7</answer>'),
      fake(p, 0, 3, 'wait check 3+4=7 so 7</think><answer>7</answer>'),
      fake(p, 0, 4, '</think><answer>7</answer>', 'length'), // cut off
      fake(p, 0, 5, '<answer>7</answer>'), // no </think>: format 0
    ];
    expect(group.map(acceptTrace)).toEqual([false, true, true, true, false, false]);
    expect(selectTraces(group, 6, 'first')[0]!.sample).toBe(1);
    expect(selectTraces(group, 6, 'shortest')[0]!.sample).toBe(2);
    expect(selectTraces(group, 6, 'longest')[0]!.sample).toBe(3);
    expect(selectTraces([group[0]!, group[4]!], 2, 'first')).toEqual([]);
  });
});
