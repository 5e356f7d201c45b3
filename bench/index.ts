// `npm run bench`: every benchmark in one run, printed as tables of medians and ratios. When python3 with
// torch is available, the same training configs run in PyTorch eager on the CPU (bench/peer/torch_bench.py)
// at the same thread count, and the table shows tinyseek / PyTorch, on 1 and on 2 threads.
// TINYSEEK_PYTHON names the python to use (else python3, then /usr/bin/python3: a distribution's torch).
// TINYSEEK_BENCH_THREADS=1,2 picks the thread counts of the model table; TINYSEEK_BENCH_TS=0 leaves out its
// TypeScript-matmul column (the slowest part of the section); TINYSEEK_BENCH_CLOCK=cpu times CPU instead of wall (util.ts).
import { spawnSync } from 'node:child_process';
import { chooseBackend } from '../src/backend/choose.ts';
import { fileURLToPath } from 'node:url';
import { CpuBackend } from '../src/backend/cpu/cpu-backend.ts';
import { relaxedMaddFuses } from '../src/backend/cpu/simd/simd-matmul.ts';
import { setDefaultBackend } from '../src/core/tensor.ts';
import { benchMatmul } from './matmul.ts';
import { benchConfigs, parameterCount, sampleTokensPerSec, trainTokensPerSec } from './train.ts';
import { median, table } from './util.ts';

chooseBackend();

interface Peer {
  torch: string;
  threads: number;
  /** The BLAS library the peer mapped (older peer scripts did not say). */
  blas?: string;
  configs: { name: string; train_tok_s: number; sample_tok_s: number }[];
}

/** The first python that imports torch: TINYSEEK_PYTHON, python3, /usr/bin/python3. */
function torchPython(): string | undefined {
  const candidates = [process.env.TINYSEEK_PYTHON, 'python3', '/usr/bin/python3'].filter((x): x is string => !!x);
  return candidates.find((py) => spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
}

function torchPeer(threads: number): Peer | string {
  const py = torchPython();
  if (!py) return 'no python with torch found (set TINYSEEK_PYTHON)';
  const script = fileURLToPath(new URL('./peer/torch_bench.py', import.meta.url));
  // OpenBLAS (a distribution's torch links the system BLAS) starts its own thread pool on every core unless told:
  // pin it, and OpenMP, to the same thread count, so that "1 thread" means one core on both sides.
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
  const r = spawnSync(py, [script, String(threads)], { encoding: 'utf8', timeout: 600_000, env });
  if (r.error) return `${py} failed (${r.error.message})`;
  if (r.status !== 0) return `PyTorch peer skipped: ${(r.stderr || '').trim().split('\n').at(-1)}`;
  try {
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Peer;
  } catch {
    return 'PyTorch peer printed no result';
  }
}

/**
 * Training and sampling tokens/s on `threads` threads, tinyseek (SIMD matmul and TS matmul) beside PyTorch. This
 * VM's speed drifts by up to 2× between seconds, and a measurement lasts well under one, so tinyseek's main
 * figures (SIMD training and sampling) and the PyTorch peer run in TINYSEEK_BENCH_ROUNDS alternating rounds
 * (default 3): the table gives the medians, and the training ratio of each round beside them.
 */
export async function benchModel(threads: number): Promise<string> {
  const rounds = Math.max(1, Number(process.env.TINYSEEK_BENCH_ROUNDS ?? 3));
  const simd = new CpuBackend(threads, { simd: true }),
    plain = new CpuBackend(threads, { simd: false }),
    f64 = new CpuBackend(threads, { simd: true, gemm: 'f64' }),
    noReuse = new CpuBackend(threads, { simd: true, memory: { mode: 'off' } }),
    fma = new CpuBackend(threads, { simd: true, fma: true });
  const peers: Peer[] = [];
  let peerNote = '';
  const train = benchConfigs.map((): number[] => []),
    trainFma = benchConfigs.map((): number[] => []),
    sample = benchConfigs.map((): number[] => []);
  for (let r = 0; r < rounds; r++) {
    const peer = torchPeer(threads);
    if (typeof peer === 'string') peerNote = peer;
    else peers.push(peer);
    setDefaultBackend(simd);
    for (const [i, c] of benchConfigs.entries()) {
      train[i]!.push(await trainTokensPerSec(c));
      sample[i]!.push(await sampleTokensPerSec(c));
    }
    if (fma.matmulKernel !== 'simd-f32-fma') continue;
    setDefaultBackend(fma);
    for (const [i, c] of benchConfigs.entries()) trainFma[i]!.push(await trainTokensPerSec(c));
    setDefaultBackend(simd);
  }
  const rows: (string | number)[][] = [];
  for (const [i, c] of benchConfigs.entries()) {
    // The secondary columns, once each.
    setDefaultBackend(plain);
    const trainTs = process.env.TINYSEEK_BENCH_TS === '0' ? NaN : await trainTokensPerSec(c);
    setDefaultBackend(noReuse);
    const trainNoReuse = await trainTokensPerSec(c);
    setDefaultBackend(f64);
    const trainF64 = await trainTokensPerSec(c);
    setDefaultBackend(simd);
    const mine = peers.map((p) => p.configs.find((x) => x.name === c.name)!);
    const torchTrain = mine.length ? median(mine.map((p) => p.train_tok_s)) : NaN,
      torchSample = mine.length ? median(mine.map((p) => p.sample_tok_s)) : NaN;
    const ratio = (x: number, y: number) => (Number.isFinite(y) ? `${(x / y).toFixed(2)}×` : '—');
    const tTrain = median(train[i]!),
      tFma = trainFma[i]!.length ? median(trainFma[i]!) : NaN,
      tSample = median(sample[i]!);
    rows.push([
      c.name,
      `${(parameterCount(c.model) / 1000).toFixed(0)}k`,
      trainTs,
      trainNoReuse,
      tTrain,
      torchTrain,
      ratio(tTrain, torchTrain),
      mine.map((p, r) => (train[i]![r]! / p.train_tok_s).toFixed(2)).join(', ') || '—',
      trainF64,
      ratio(trainF64, torchTrain),
      tFma,
      ratio(tFma, torchTrain),
      tSample,
      torchSample,
      ratio(tSample, torchSample),
    ]);
  }
  await Promise.all([simd.close(), plain.close(), f64.close(), noReuse.close(), fma.close()]);
  const p0 = peers[0];
  const note = p0
    ? `\n(PyTorch ${p0.torch} eager, ${p0.threads} thread(s), BLAS ${p0.blas ?? 'not reported'}; its sampler has no KV cache;` +
      ` SIMD train and sample and PyTorch: medians of ${rounds} alternating rounds)`
    : `\n(${peerNote})`;
  const f64Note =
    '\n(no reuse: TINYSEEK_POOL=0, every tensor in new memory; f64 sums: TINYSEEK_GEMM=f64, the float64-summing' +
    ' matmul the older fixtures were made with; fma: TINYSEEK_SIMD=fma, the opt-in float32 kernel with relaxed' +
    ` multiply-adds, ${relaxedMaddFuses() ? 'fused on this machine' : 'not fused on this machine'}, its own bits;` +
    ' in the alternating rounds)';
  return (
    table(
      [
        `model, ${threads} thread(s)`,
        'params',
        'train tok/s TS mm',
        'SIMD, no reuse',
        'train tok/s SIMD',
        'torch train',
        'ratio',
        'per round',
        'train f64 sums',
        'ratio',
        'train fma',
        'ratio',
        'sample tok/s',
        'torch sample',
        'ratio',
      ],
      rows,
    ) +
    note +
    f64Note
  );
}

const benchThreads = (process.env.TINYSEEK_BENCH_THREADS ?? '1,2').split(',').map(Number);

const sections: [string, () => Promise<string>][] = [
  ['Matmul', () => benchMatmul()],
  [
    'Tiny transformer: training and sampling throughput',
    async () => {
      const parts: string[] = [];
      for (const t of benchThreads) parts.push(await benchModel(t)); // one after the other: timings must not overlap
      return parts.join('\n\n');
    },
  ],
  [
    'Architectures: dense vs MoE, MHA vs MLA, cache bytes per token',
    async () => (await import('./arch.ts')).benchArch(7),
  ],
  ['MoE vs dense training, end to end', async () => (await import('./moe-train.ts')).benchMoeTrain()],
  ['Copies: a kernel with and without them', async () => (await import('./in-place.ts')).benchInPlace()],
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
