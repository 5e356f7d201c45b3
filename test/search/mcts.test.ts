import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { ComputeLedger } from '../../src/cost/ledger.ts';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import { transformerPolicy } from '../../src/model/policy.ts';
import { drawTree, MCTS_DEFAULTS, mctsSolve, type MctsNode } from '../../src/search/mcts.ts';
import { rewardModelFrom } from '../../src/search/reward-model.ts';
import { decode, type Problem } from '../../src/world/index.ts';

const policy = transformerPolicy(loadCheckpoint('fixtures/aha-base').model);
const value = rewardModelFrom('fixtures/aha-base');
const p: Problem = { kind: 'add', prompt: '49+70', answer: '119', difficulty: 2, numbers: [49, 70] };

function nodes(n: MctsNode): MctsNode[] {
  return [n, ...(n.children ?? []).flatMap(nodes)];
}

describe('MCTS', () => {
  for (const level of ['step', 'token'] as const)
    it(`${level} level: visits add up, token counts add up, same seed same search`, async () => {
      const o = { ...MCTS_DEFAULTS, level, k: 3, simsPerMove: 3, maxNewTokens: 40, rng: new Rng(5) };
      const book = new ComputeLedger();
      const r = await mctsSolve(policy, value, p, { ...o, ledger: { book, phase: 'search' } });
      // Every simulation adds one visit along its path from the move's root: the first root holds the first move's.
      expect(r.root.visits).toBe(3);
      expect(r.simulations % 3).toBe(0);
      // Priors of a node's children are a distribution (the root's after Dirichlet noise too).
      for (const n of nodes(r.root))
        if (n.children?.length) expect(n.children.reduce((a, c) => a + c.prior, 0)).toBeCloseTo(1, 9);
      // The tokens the search reports are the ones the ledger was charged with, and the answer is a path of moves.
      expect(book.get('search').tokens).toBe(r.tokens);
      expect(r.tokens).toBeGreaterThanOrEqual(r.completion.length);
      expect(r.correct).toBe(decode(r.completion).includes('<answer>119</answer>'));
      if (level === 'token')
        for (const n of nodes(r.root)) for (const c of n.children ?? []) expect(c.move).toHaveLength(1);
      const again = await mctsSolve(policy, value, p, o);
      expect(again.completion).toEqual(r.completion);
      expect(again.tokens).toBe(r.tokens);
      expect(drawTree(r.root).length).toBeGreaterThan(0);
    }, 30_000);

  it('with the verifier as terminal judge, rollouts score ±1', async () => {
    const r = await mctsSolve(policy, null, p, {
      ...MCTS_DEFAULTS,
      leaf: 'rollout',
      terminal: 'verifier',
      k: 2,
      simsPerMove: 2,
      maxNewTokens: 40,
      rng: new Rng(1),
    });
    for (const n of nodes(r.root)) if (n.visits) expect(Math.abs(n.valueSum / n.visits)).toBeLessThanOrEqual(1);
  }, 30_000);
});
