// How far a search of k paths reaches on 3-number Countdown, by the oracle alone (no model; README "Countdown",
// "Near misses and a walk"): over problems drawn as the world draws them, the chance that a random full path makes
// the target, that a random first move completed by the move nearest the target does (aimLast: the near misses
// of `nearestFinal`), and that one of k distinct random first moves, each so completed, does.
//   npx tsx bench/countdown/reach.ts [--problems N (3000)]
import { Rng } from '../../src/core/rng.ts';
import { applyMove, legalMoves, solvable } from '../../src/world/countdown/pairs.ts';
import { countdownPairProblem, randomFullPath } from '../../src/world/countdown/problems.ts';

const at = process.argv.indexOf('--problems');
const n = at >= 0 ? Number(process.argv[at + 1]) : 3000;
if (!(Number.isInteger(n) && n > 0)) {
  console.error('usage: reach.ts [--problems N (3000)]');
  process.exit(1);
}
const rng = new Rng(7);
const K = 6;
let random = 0,
  aimed = 0,
  moves = 0;
const within = new Array<number>(K).fill(0);
for (let t = 0; t < n; t++) {
  const { numbers, target } = countdownPairProblem(rng.child(`p${t}`), 3);
  const r = rng.child(`s${t}`);
  if (randomFullPath(numbers!, r)?.some((m) => m.value === target)) random++;
  // With 3 numbers the move after the first combines its value with the third number: the nearest one makes the
  // target exactly when some move does, i.e. when the first move can go on.
  const firsts = legalMoves(numbers!);
  const goes = firsts.map((m) => m.value === target || solvable(applyMove(numbers!, m), target!));
  moves += firsts.length;
  if (goes[r.int(0, firsts.length)]) aimed++;
  const first = r.shuffle(firsts.map((_, i) => i)).findIndex((i) => goes[i]);
  for (let k = 0; k < K; k++) if (first >= 0 && first <= k) within[k]!++;
}
const pct = (x: number) => `${((100 * x) / n).toFixed(0)}%`;
console.log(`${n} problems of 3 numbers, ${(moves / n).toFixed(1)} legal first moves each on the mean`);
console.log(`a random full path makes the target:            ${pct(random)}`);
console.log(`a random first move, the last move aimed:        ${pct(aimed)}`);
console.log(`k distinct random first moves, each aimed, k = 1..${K}: ${within.map(pct).join(' ')}`);
