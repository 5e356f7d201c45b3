// `npm run bench`: every benchmark in one run, printed as tables of medians and ratios. When python3 with
// torch is available, the same training configs run in PyTorch eager on the CPU (bench/peer/torch_bench.py)
// and the table shows tinyseek / PyTorch.
import { spawnSync } from 'node:child_process';
import { chooseBackend } from '../src/backend/choose.ts';
import { fileURLToPath } from 'node:url';
import { benchMatmul } from './matmul.ts';
import { benchConfigs, parameterCount, sampleTokensPerSec, trainTokensPerSec } from './train.ts';
import { table } from './util.ts';

chooseBackend();

interface Peer {
  torch: string;
  threads: number;
  configs: { name: string; train_tok_s: number; sample_tok_s: number }[];
}

function torchPeer(): Peer | string {
  const script = fileURLToPath(new URL('./peer/torch_bench.py', import.meta.url));
  const r = spawnSync('python3', [script, '2'], { encoding: 'utf8', timeout: 600_000 });
  if (r.error) return `python3 not available (${r.error.message})`;
  if (r.status !== 0) return `PyTorch peer skipped: ${(r.stderr || '').trim().split('\n').at(-1)}`;
  try {
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Peer;
  } catch {
    return 'PyTorch peer printed no result';
  }
}

export async function benchModel(): Promise<string> {
  const peer = torchPeer();
  const rows: (string | number)[][] = [];
  for (const c of benchConfigs) {
    const train = await trainTokensPerSec(c);
    const sample = await sampleTokensPerSec(c);
    const p = typeof peer === 'string' ? undefined : peer.configs.find((x) => x.name === c.name);
    rows.push([
      c.name,
      `${(parameterCount(c.model) / 1000).toFixed(0)}k`,
      train,
      p?.train_tok_s ?? NaN,
      p ? `${(train / p.train_tok_s).toFixed(2)}×` : '—',
      sample,
      p?.sample_tok_s ?? NaN,
      p ? `${(sample / p.sample_tok_s).toFixed(2)}×` : '—',
    ]);
  }
  const note =
    typeof peer === 'string'
      ? `\n(${peer})`
      : `\n(PyTorch ${peer.torch} eager, ${peer.threads} threads; its sampler has no KV cache)`;
  return (
    table(['model', 'params', 'train tok/s', 'torch train', 'ratio', 'sample tok/s', 'torch sample', 'ratio'], rows) +
    note
  );
}

const sections: [string, () => Promise<string>][] = [
  ['Matmul', () => benchMatmul()],
  ['Tiny transformer: training and sampling throughput', benchModel],
  [
    'Architectures: dense vs MoE, MHA vs MLA, cache bytes per token',
    async () => (await import('./arch.ts')).benchArch(),
  ],
  ['RL: steps/s and rollout tokens/s', async () => (await import('./rl.ts')).benchRl()],
  ['FP8 GEMM emulation', async () => (await import('./fp8.ts')).benchFp8()],
];

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const only = process.argv[2];
  for (const [title, run] of sections) {
    if (only && !title.toLowerCase().includes(only.toLowerCase())) continue;
    process.stdout.write(`\n## ${title}\n\n${await run()}\n`);
  }
  process.exit(0);
}
