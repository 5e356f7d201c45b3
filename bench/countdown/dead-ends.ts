// Where a Countdown policy's searches go (README "The same dead end, again and again"): each checkpoint samples
// held-out 3-number problems as the evaluation does (2 samples each at τ 0.6, the run's token budget), and the
// answers are read by the parser: pass@1, how many ran out of the budget, how many are searches (more than one
// path), paths per answer, and how many write a path they already wrote (countdown/repetition.ts); then the
// paths' first moves: how many can go on to the target (the oracle, pairs.ts `solvable`), how many answers open
// two paths with the same first move, and how many steps from one path's first move to the next's are the walk's
// (the next legal move in legalMoves' order, as `moveOrder` corpora write them); and how many paths take a step
// that is not legal (a number already used or never given, as `4*4=16 16-4=12` for 4 4 6), by the parser's oracle.
//   npx tsx bench/countdown/dead-ends.ts <checkpoint>... [--problems N (64)] [--tokens T (224)]
import { chooseBackend } from '../../src/backend/choose.ts';
import { Rng } from '../../src/core/rng.ts';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import { transformerPolicy } from '../../src/model/policy.ts';
import { evaluate } from '../../src/train/eval.ts';
import { parseSearch } from '../../src/world/countdown/parse.ts';
import { repeatedShare, searchPaths } from '../../src/world/countdown/repetition.ts';
import { thinkText } from '../../src/world/reflection.ts';
import { heldOutSet } from '../../src/world/index.ts';
import { applyMove, legalMoves, moveText, solvable } from '../../src/world/countdown/pairs.ts';

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
    repeating = 0,
    goingOn = 0,
    sameFirst = 0,
    steps = 0,
    walked = 0,
    illegal = 0;
  for (const ro of r.sampledRollouts) {
    const think = thinkText(ro.text);
    const p = ro.problem;
    const written = searchPaths(think, p.numbers!, p.target!);
    const k = written.length;
    if (ro.reward.truncated) truncated++;
    if (k > 1) searches++;
    paths += k;
    if (repeatedShare(think, p.numbers!, p.target!) > 0) repeating++;
    // a path with an illegal forward step: counted once, at the first such step
    let flagged = false;
    for (const it of parseSearch(think, p.numbers!, p.target!).items) {
      if (it.kind !== 'step' || it.role !== 'forward') continue;
      if (it.startsPath) flagged = false;
      if (!it.legal && !flagged) [flagged, illegal] = [true, illegal + 1];
    }
    const moves = legalMoves(p.numbers!);
    const at = written.map((path) => moves.findIndex((m) => path.split(' ')[0] === moveText(m)));
    for (const i of at)
      if (i >= 0 && (moves[i]!.value === p.target || solvable(applyMove(p.numbers!, moves[i]!), p.target!))) goingOn++;
    if (new Set(written.map((path) => path.split(' ')[0])).size < k) sameFirst++;
    for (let j = 1; j < k; j++) {
      steps++;
      if (at[j - 1]! >= 0 && at[j] === (at[j - 1]! + 1) % moves.length) walked++;
    }
  }
  const all = r.sampledRollouts.length;
  console.log(
    `${dir}: pass@1 ${pct(r.pass1, 1)}, truncated ${pct(truncated, all)}, searches ${pct(searches, all)}, ` +
      `paths/answer ${(paths / all).toFixed(2)}, answers with a repeated path ${pct(repeating, all)} (${all} answers)`,
  );
  console.log(
    `  first moves: ${pct(goingOn, Math.max(1, paths))} can go on to the target, answers that open two paths alike ` +
      `${pct(sameFirst, all)}, steps between paths that follow the walk ${pct(walked, Math.max(1, steps))} of ${steps}`,
  );
  console.log(
    `  paths with an illegal step (a number already used or never given): ${pct(illegal, Math.max(1, paths))}`,
  );
}
process.exit(0);
