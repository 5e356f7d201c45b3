// Sequential search vs parallel sampling at equal generated tokens (issue 16 item 5; Qin et al. 2025, "To
// backtrack or not to backtrack", reference/r1-story-beyond-zero.md §5.2): a searching model answers once
// (greedy) and spends T_j tokens on problem j; the direct-answer model samples answers at temperature τ until
// it has spent at least T_j tokens too, and counts as right if any of them verifies (best-of-N with the rule
// verifier as the selector, N_j = the samples that fit T_j, at least one).
//   accuracy_search = mean_j right(greedy_j)     accuracy_bon = mean_j max_{s ≤ N_j} right(sample_{j,s})
// Sample s of problem j always draws from `<seed>/compute-matched/p<j>/s<s>`, so the result does not depend
// on batching. Reported per number of inputs (3, 4, 5: deeper search trees).
import { Rng } from '../core/rng.ts';
import { generate } from '../model/generate.ts';
import type { Transformer } from '../model/transformer.ts';
import {
  ANSWER_END_ID,
  decode,
  encode,
  EOS_ID,
  PAD_ID,
  promptFor,
  rewardBreakdown,
  type Problem,
} from '../world/index.ts';

export interface ComputeMatchedOptions {
  maxNewTokens: number;
  /** Most samples the direct model may draw per problem. */
  maxSamples: number;
  temperature: number;
  seed: number;
}

export interface ComputeMatchedResult {
  searchAccuracy: number;
  /** Mean tokens the search model generated per problem. */
  searchTokens: number;
  directGreedyAccuracy: number;
  bestOfNAccuracy: number;
  /** Mean tokens the direct model spent per problem, and mean N. */
  bestOfNTokens: number;
  meanN: number;
}

async function run(model: Transformer, prompts: string[], rngs: Rng[], temperature: number, maxNewTokens: number) {
  const gens = await generate(model, prompts.map(encode), {
    maxNewTokens,
    temperature,
    stopIds: [EOS_ID, ANSWER_END_ID],
    padId: PAD_ID,
    rng: rngs,
  });
  return gens.map((g) => ({ text: decode(g.tokens), tokens: g.tokens.length, truncated: g.finish === 'length' }));
}

export async function computeMatched(
  search: Transformer,
  direct: Transformer,
  problems: readonly Problem[],
  o: ComputeMatchedOptions,
): Promise<ComputeMatchedResult> {
  const rng = new Rng(o.seed).child('compute-matched');
  const prompts = problems.map((p) => promptFor(p));
  const right = (p: Problem, g: { text: string; truncated: boolean }) =>
    rewardBreakdown(p, g.text, { truncated: g.truncated }).accuracy === 1;
  const s = await run(
    search,
    prompts,
    problems.map((_, j) => rng.child(`p${j}`).child('greedy')),
    0,
    o.maxNewTokens,
  );
  const dg = await run(
    direct,
    prompts,
    problems.map((_, j) => rng.child(`p${j}`).child('greedy')),
    0,
    o.maxNewTokens,
  );
  const flat = problems.flatMap((_, j) => Array.from({ length: o.maxSamples }, (_, k) => ({ j, k })));
  const samples = await run(
    direct,
    flat.map(({ j }) => prompts[j]!),
    flat.map(({ j, k }) => rng.child(`p${j}`).child(`s${k}`)),
    o.temperature,
    o.maxNewTokens,
  );
  let bon = 0,
    spent = 0,
    nTotal = 0;
  problems.forEach((p, j) => {
    let used = 0,
      n = 0,
      ok = false;
    for (let k = 0; k < o.maxSamples && (n === 0 || used < s[j]!.tokens); k++) {
      const g = samples[j * o.maxSamples + k]!;
      used += g.tokens;
      n++;
      ok = ok || right(p, g);
    }
    bon += ok ? 1 : 0;
    spent += used;
    nTotal += n;
  });
  const m = problems.length;
  return {
    searchAccuracy: s.filter((g, j) => right(problems[j]!, g)).length / m,
    searchTokens: s.reduce((a, g) => a + g.tokens, 0) / m,
    directGreedyAccuracy: dg.filter((g, j) => right(problems[j]!, g)).length / m,
    bestOfNAccuracy: bon / m,
    bestOfNTokens: spent / m,
    meanN: nTotal / m,
  };
}
