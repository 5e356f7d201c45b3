// Where a Countdown policy's searches go (README "The same dead end, again and again"): each checkpoint samples
// held-out 3-number problems as the evaluation does (2 samples each at τ 0.6, the run's token budget), and the
// answers are read by the parser: pass@1, how many ran out of the budget, how many are searches (more than one
// path), paths per answer, and how many write a path they already wrote (countdown/repetition.ts).
//   npx tsx bench/countdown/dead-ends.ts <checkpoint>... [--problems N (64)] [--tokens T (224)]
import { chooseBackend } from '../../src/backend/choose.ts';
import { Rng } from '../../src/core/rng.ts';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import { transformerPolicy } from '../../src/model/policy.ts';
import { evaluate } from '../../src/train/eval.ts';
import { repeatedShare, searchPaths } from '../../src/world/countdown/repetition.ts';
import { thinkText } from '../../src/world/reflection.ts';
import { heldOutSet } from '../../src/world/index.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const n = flag('--problems', 64),
  tokens = flag('--tokens', 224);
const dirs = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (dirs.length === 0 || !(n > 0) || !(tokens > 0)) {
  console.error('usage: dead-ends.ts <checkpoint>... [--problems N (64)] [--tokens T (224)]');
  process.exit(1);
}
chooseBackend();
const problems = heldOutSet('countdown', 3, n);
const pct = (x: number, of: number) => `${((100 * x) / of).toFixed(0)}%`;
for (const dir of dirs) {
  const { model } = loadCheckpoint(dir, { requiresGrad: false });
  const r = await evaluate(transformerPolicy(model), problems, {
    samples: 2,
    temperature: 0.6,
    maxNewTokens: tokens,
    rng: new Rng(0),
  });
  let truncated = 0,
    searches = 0,
    paths = 0,
    repeating = 0;
  for (const ro of r.sampledRollouts) {
    const think = thinkText(ro.text);
    const p = ro.problem;
    const k = searchPaths(think, p.numbers!, p.target!).length;
    if (ro.reward.truncated) truncated++;
    if (k > 1) searches++;
    paths += k;
    if (repeatedShare(think, p.numbers!, p.target!) > 0) repeating++;
  }
  const all = r.sampledRollouts.length;
  console.log(
    `${dir}: pass@1 ${pct(r.pass1, 1)}, truncated ${pct(truncated, all)}, searches ${pct(searches, all)}, ` +
      `paths/answer ${(paths / all).toFixed(2)}, answers with a repeated path ${pct(repeating, all)} (${all} answers)`,
  );
}
process.exit(0);
