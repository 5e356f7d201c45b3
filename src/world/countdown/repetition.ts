// Repeated paths in a Countdown search: the share of a think's paths that write again, step for step, a path
// written earlier in the same think (parse.ts: a path is the forward steps from one that starts a path to the
// next). RL'd searches rewrite the same dead end over and over (README "The same dead end, again and again":
// 45% of the default policy's answers), which costs room in the budget and finds nothing new.
//   repeatedShare = (paths equal to an earlier path) / paths,  0 for a think of fewer than two paths
// As a reward term (world/rewards.ts, `repetitionWeight` w): total −= w · repeatedShare. A rule over the parsed
// text, as Yeo et al. (2025, "Demystifying Long Chain-of-Thought Reasoning in LLMs") penalise repeated n-grams to
// keep a growing chain of thought from looping; here the unit is a whole path, which this world's parser reads
// exactly, rather than an n-gram.
import { parseSearch } from './parse.ts';

/** The forward steps of each path of a think, as written ("8*4=32 32+8=40"), in order. */
export function searchPaths(think: string, numbers: readonly number[], target: number): string[] {
  const paths: string[][] = [];
  for (const it of parseSearch(think, numbers, target).items) {
    if (it.kind !== 'step' || it.role !== 'forward') continue;
    if (it.startsPath || paths.length === 0) paths.push([]);
    paths[paths.length - 1]!.push(`${it.a}${it.op}${it.b}=${it.value}`);
  }
  return paths.map((p) => p.join(' '));
}

/** The share of a think's paths that repeat an earlier path of the same think (0 with fewer than two paths). */
export function repeatedShare(think: string, numbers: readonly number[], target: number): number {
  const paths = searchPaths(think, numbers, target);
  if (paths.length < 2) return 0;
  const seen = new Set<string>();
  let repeats = 0;
  for (const p of paths) {
    if (seen.has(p)) repeats++;
    seen.add(p);
  }
  return repeats / paths.length;
}
