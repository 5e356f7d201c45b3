// Guesses and searches (README "Countdown", the guessFrac try): sampled thinks of each checkpoint on held-out
// 3-number problems (8 samples each at τ 1, RL's temperature), split by whether the think holds a verdict or a
// "try" (a search) or not (a guess: one path, answered at once), with the share, accuracy and mean think length
// (characters) of each. A base whose search pays more than its guess gives RL a search to amplify.
//   npx tsx bench/countdown/modes.ts <checkpoint>... [--problems N]
import { chooseBackend } from '../../src/backend/choose.ts';
import { Rng } from '../../src/core/rng.ts';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import { transformerPolicy } from '../../src/model/policy.ts';
import { evaluate } from '../../src/train/eval.ts';
import { parseSearch } from '../../src/world/countdown/parse.ts';
import { heldOutSet } from '../../src/world/index.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--problems');
const n = at >= 0 ? Number(args[at + 1]) : 64;
const dirs = at >= 0 ? args.filter((_, i) => i !== at && i !== at + 1) : args;
if (dirs.length === 0 || !(n > 0)) {
  console.error('usage: modes.ts <checkpoint>... [--problems N (64)]');
  process.exit(1);
}
chooseBackend();
const problems = heldOutSet('countdown', 3, n);
for (const dir of dirs) {
  const { model } = loadCheckpoint(dir, { requiresGrad: false });
  const r = await evaluate(transformerPolicy(model), problems, {
    samples: 8,
    temperature: 1,
    maxNewTokens: 160,
    rng: new Rng(0),
  });
  const m = { guess: { n: 0, right: 0, chars: 0 }, search: { n: 0, right: 0, chars: 0 } };
  for (const ro of r.sampledRollouts) {
    const think = ro.text.split('</think>')[0]!.replace('<think>', '');
    const { items } = parseSearch(think, ro.problem.numbers!, ro.problem.target!);
    const mode = items.some((it) => it.kind === 'verdict' || it.kind === 'try') ? 'search' : 'guess';
    m[mode].n++;
    m[mode].right += ro.reward.accuracy;
    m[mode].chars += think.length;
  }
  const all = r.sampledRollouts.length;
  const say = (x: { n: number; right: number; chars: number }) =>
    `${((100 * x.n) / all).toFixed(0)}% of samples, ${((100 * x.right) / Math.max(1, x.n)).toFixed(0)}% right, think ${(x.chars / Math.max(1, x.n)).toFixed(0)}`;
  console.log(`${dir}: pass@1 ${(100 * r.pass1).toFixed(1)}%`);
  console.log(`  guesses:  ${say(m.guess)}`);
  console.log(`  searches: ${say(m.search)}`);
}
process.exit(0);
