// `npx tsx bench/startup.ts [--against DIR] [--reps N]`: start-up time (wall and CPU: user + system, which a
// busy machine disturbs less) and peak memory of quick commands (--version, --help, cost, fp8), the median of
// N runs each, next to bare node and the tsx loader alone.
// With --against DIR (another checkout of tinyseek, e.g. `git worktree add /tmp/before <commit>` with its
// node_modules), the same commands run from there too and the table gives the ratio, side by side in one run.
// A benchmark, not a test: it prints and asserts nothing. Run on a quiet machine; `nice` it on a shared one.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { median, table } from './util.ts';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const reps = Number(opt('--reps') ?? 7);
const against = opt('--against');
const here = resolve(import.meta.dirname, '..');

const CASES: [string, string[]][] = [
  ['--version', ['--version']],
  ['--help', ['--help']],
  ['cost model', ['cost', 'model']],
  ['cost train', ['cost', 'train']],
  ['fp8 table', ['fp8', 'table']],
  ['fp8 cast --values 1.5', ['fp8', 'cast', '--values', '1.5']],
  ['sample (loads mathjs)', ['sample', '--model', 'fixtures/base', '--problem', '1+1', '--max-tokens', '1']],
];

/** Median wall ms, CPU ms and peak RSS (MB) of `node argv…` run in `cwd`. */
function measure(argv: string[], cwd: string): { ms: number; cpu: number; mb: number } {
  const ms: number[] = [],
    cpu: number[] = [],
    mb: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const t0 = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, ...argv], { cwd, encoding: 'utf8' });
    const t = performance.now() - t0;
    if (i === 0) continue; // warm the file cache
    const [kb, user, sys] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    ms.push(t);
    cpu.push(1000 * (user! + sys!));
    mb.push(kb! / 1024);
  }
  return { ms: median(ms), cpu: median(cpu), mb: median(mb) };
}

const rows: (string | number)[][] = [];
const floor = measure(['-e', ''], here);
const blank = against ? ['', '', '', ''] : [];
rows.push(['node -e "" (floor)', floor.ms, floor.cpu, floor.mb, ...blank]);
const tsx = measure(['--import', 'tsx', '-e', ''], here);
rows.push(['node --import tsx (loader)', tsx.ms, tsx.cpu, tsx.mb, ...blank]);
for (const [name, argv] of CASES) {
  const now = measure([join(here, 'bin', 'tinyseek.js'), ...argv], here);
  if (!against) rows.push([`tinyseek ${name}`, now.ms, now.cpu, now.mb]);
  else {
    const then = measure([join(against, 'bin', 'tinyseek.js'), ...argv], here);
    rows.push([
      `tinyseek ${name}`,
      now.ms,
      now.cpu,
      now.mb,
      then.ms,
      then.cpu,
      then.mb,
      `${(then.cpu / now.cpu).toFixed(1)}×`,
    ]);
  }
}
const header = ['command', 'wall ms', 'CPU ms', 'MB'];
if (against) header.push('wall (against)', 'CPU (against)', 'MB (against)', 'CPU ratio');
console.log(
  `start-up: median of ${reps} runs each (wall ms, CPU ms = user + system, peak RSS MB)${against ? `; against = ${against}` : ''}\n`,
);
console.log(table(header, rows));
