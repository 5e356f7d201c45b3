// Does a model's verdict compare? (README "Countdown", the "own misses" column.) Greedy thinks of a checkpoint on
// held-out 3-number problems, parsed (world/countdown/parse.ts); of the verdicts that follow a check against the
// target (not a subgoal's) or a written comparison ("15=56?"), the share that says "yes" when the value under test
// misses the target, and when it hits.
// A verdict that compares says "yes" to few misses and to every hit; a ritual says "yes" to both.
//   npx tsx bench/countdown/crux.ts <checkpoint> [problems] [max new tokens]
import { chooseBackend } from '../../src/backend/choose.ts';
import { Rng } from '../../src/core/rng.ts';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import { transformerPolicy } from '../../src/model/policy.ts';
import { evaluate } from '../../src/train/eval.ts';
import { parseSearch } from '../../src/world/countdown/parse.ts';
import { heldOutSet } from '../../src/world/index.ts';

chooseBackend();
const [dir, nArg, tokensArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: crux.ts <checkpoint> [problems (64)] [max new tokens (160)]');
  process.exit(1);
}
const { model } = loadCheckpoint(dir, { requiresGrad: false });
const problems = heldOutSet('countdown', 3, Number(nArg ?? 64));
const r = await evaluate(transformerPolicy(model), problems, {
  samples: 0,
  temperature: 0,
  maxNewTokens: Number(tokensArg ?? 160),
  rng: new Rng(0),
});
const says = { miss: { yes: 0, no: 0 }, hit: { yes: 0, no: 0 } };
for (const ro of r.greedyRollouts) {
  const { numbers, target } = ro.problem;
  if (!numbers || target === undefined) continue;
  const think = ro.text.split('</think>')[0]!.replace('<think>', '');
  let tested = false; // the last item was a check or a written comparison
  for (const it of parseSearch(think, numbers, target).items) {
    if (it.kind === 'verdict' && tested && !it.subgoal && it.value !== null)
      says[it.value === target ? 'hit' : 'miss'][it.says]++;
    tested = it.kind === 'check' || it.kind === 'compare';
  }
}
const share = (s: { yes: number; no: number }) => `${s.yes} of ${s.yes + s.no}`;
console.log(`${dir}: greedy ${(100 * r.greedy.accuracy).toFixed(1)}% on ${problems.length} problems`);
console.log(`  checked misses that say "yes": ${share(says.miss)}; checked hits that say "yes": ${share(says.hit)}`);
