// The compute-matched control of issue 16 item 5 on real bases (src/experiments/compute-matched.ts): a
// searching model's greedy answer against a direct-answer model's best-of-N at the same generated tokens, on
// 3-, 4- and 5-number held-out Countdown problems. Prints a markdown table (and the JSON under it).
//   npx tsx bench/countdown/compute-matched.ts <search checkpoint> <direct checkpoint> [problems per size]
import { chooseBackend } from '../../src/backend/choose.ts';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import { computeMatched } from '../../src/experiments/compute-matched.ts';
import { heldOutSet } from '../../src/world/index.ts';

chooseBackend();
const [searchDir, directDir, nArg] = process.argv.slice(2);
if (!searchDir || !directDir) {
  console.error('usage: compute-matched.ts <search checkpoint> <direct checkpoint> [problems per size]');
  process.exit(1);
}
const n = Number(nArg ?? 32);
const search = loadCheckpoint(searchDir).model;
const direct = loadCheckpoint(directDir).model;
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const rows: string[] = [];
const all: Record<number, unknown> = {};
for (const size of [3, 4, 5]) {
  const problems = heldOutSet('countdown', size, n);
  const r = await computeMatched(search, direct, problems, {
    maxNewTokens: 200,
    maxSamples: 16,
    temperature: 1,
    seed: 0,
  });
  all[size] = r;
  rows.push(
    `| ${size} | ${pct(r.searchAccuracy)} | ${r.searchTokens.toFixed(0)} | ${pct(r.directGreedyAccuracy)} | ${pct(r.bestOfNAccuracy)} | ${r.bestOfNTokens.toFixed(0)} | ${r.meanN.toFixed(1)} |`,
  );
}
console.log(
  [
    `| numbers | search greedy | its tokens | direct greedy | direct best-of-N | its tokens | N |`,
    `|---|---|---|---|---|---|---|`,
    ...rows,
  ].join('\n'),
);
console.log(JSON.stringify({ searchDir, directDir, n, results: all }));
