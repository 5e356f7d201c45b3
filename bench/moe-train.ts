// `node --import tsx bench/moe-train.ts [--steps N] [--rounds R]`: MoE against dense training as a user runs
// it, end to end: `tinyseek pretrain --model-config` (the base preset's corpus, B=16, T=64, AdamW, one thread)
// with a dense FFN of width 192 and with DeepSeekMoE (1 shared + 2 of 8 routed experts of width 64: the same
// 192 activated width), each with tensor memory reused (the default) and without (TINYSEEK_POOL=0). Every run
// is a fresh process; the four kinds run in alternating rounds, so a shared machine's drift hits them alike.
// A run's speed is its median step (from its timing.jsonl: tokens per second of process CPU time, which a
// shared machine disturbs far less than wall time) over the steps after the first 20 (warm-up); the table
// gives the median over rounds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, table } from './util.ts';

const root = resolve(import.meta.dirname, '..');

const base = { vocabSize: 54, dModel: 64, nLayers: 2, nHeads: 4, nKvHeads: 4, dFF: 192, maxSeqLen: 128 };
const moe = { nRoutedExperts: 8, nSharedExperts: 1, nActivatedExperts: 2, moeInterDim: 64, nDenseLayers: 0 };
const models = { dense: base, MoE: { ...base, moe } };

/** Median tokens per CPU second over a run's steps after the first 20. */
function run(dir: string, steps: number, model: string, pool: '0' | '1'): number {
  const out = join(dir, 'run');
  rmSync(out, { recursive: true, force: true });
  const argv = ['--max-semi-space-size=64', join(root, 'bin/tinyseek.js'), 'pretrain', '--model-config'];
  argv.push(join(dir, `${model}.json`), '--steps', String(steps), '--out', out);
  argv.push('--eval-every', String(10 * steps), '--checkpoint-every', String(10 * steps));
  const env = { ...process.env, TINYSEEK_THREADS: '1', TINYSEEK_POOL: pool };
  const r = spawnSync(process.execPath, argv, { cwd: root, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pretrain failed: ${r.stderr}`);
  const lines = readFileSync(join(out, 'timing.jsonl'), 'utf8').trim().split('\n');
  const rows = lines
    .slice(20)
    .map((l) => JSON.parse(l) as { seconds: number; tokensPerSec: number; cpuSeconds: number });
  return median(rows.map((t) => (t.tokensPerSec * t.seconds) / t.cpuSeconds));
}

export async function benchMoeTrain(steps = 120, rounds = 3): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyseek-moe-'));
  for (const [name, cfg] of Object.entries(models)) writeFileSync(join(dir, `${name}.json`), JSON.stringify(cfg));
  const kinds = [
    ['dense', '1'],
    ['MoE', '1'],
    ['dense', '0'],
    ['MoE', '0'],
  ] as const;
  const speeds = new Map<string, number[]>(kinds.map(([m, p]) => [`${m} ${p}`, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [m, p] of r % 2 === 0 ? kinds : [...kinds].reverse())
      speeds.get(`${m} ${p}`)!.push(run(dir, steps, m, p));
    process.stderr.write(`round ${r + 1}/${rounds}\n`);
  }
  rmSync(dir, { recursive: true, force: true });
  const med = (m: string, p: string) => median(speeds.get(`${m} ${p}`)!);
  const rows = (['1', '0'] as const).map((p) => [
    p === '1' ? 'memory reused (default)' : 'no reuse (TINYSEEK_POOL=0)',
    med('dense', p),
    med('MoE', p),
    `${(med('MoE', p) / med('dense', p)).toFixed(3)}×`,
    speeds
      .get(`MoE ${p}`)!
      .map((s, i) => (s / speeds.get(`dense ${p}`)![i]!).toFixed(2))
      .join(', '),
  ]);
  return (
    table(['tinyseek pretrain, 1 thread, tokens/s', 'dense', 'MoE', 'MoE / dense', 'per round'], rows) +
    `\n(tokens per CPU second; ${rounds} rounds of ${steps} steps; median step after 20; dense FFN width 192 vs 1 shared + 2 of 8 × 64)\n`
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  process.stdout.write(await benchMoeTrain(opt('--steps', 120), opt('--rounds', 3)));
}
