// Lesson 11: the same code on a GPU. What a backend is (the seam in src/backend/backend.ts and the WebGPU
// backend behind it), why reductions must run in a fixed order, the CPU/GPU/PyTorch table measured on an
// NVIDIA H200, and an exercise that predicts a GPU's speedup from FLOPs and launch overhead. The run step
// measures live when this machine has a WebGPU adapter and shows the committed measurements when it has not.
import { fileURLToPath } from 'node:url';
import type { Lesson, RunContext, RunResult } from '../../src/tui/manifest.ts';
import { H200 } from './measured.ts';
import { checkSpeedup } from './speedup-check.ts';

const intro = `
# The same code on a GPU

Everything tinyseek computes goes through one small interface, \`src/backend/backend.ts\`: allocate, upload,
**read (async)**, free, and about twenty kernels — elementwise maps and zips, ordered reductions, a strided
copy, matmul, gather/scatter, top-k, softmax, RMSNorm, RoPE, SwiGLU and AdamW. Autograd, the model, GRPO and
the lessons call only these. The CPU backend is the readable definition of each kernel.

\`src/backend/webgpu/\` implements the same kernels as WGSL compute shaders (WebGPU's shading language) on
Dawn, the WebGPU engine of Chrome, built for Node. Tensors stay in GPU buffers; a whole step's kernels are
recorded into one command buffer and submitted when a number is read. So

\`\`\`
tinyseek aha --backend webgpu
\`\`\`

runs the unchanged R1-Zero experiment on a GPU. The parity suite (\`test/backend/webgpu/\`) runs every kernel,
every gradient of the V3 model, a pretraining run and a GRPO run on both backends and compares them; CI runs
it on SwiftShader, a GPU emulated in software.
`;

const order = `
# Why reductions must be ordered

Floating-point addition is not associative: \`(a + b) + c\` and \`a + (b + c)\` can differ in the last bit,
and over a long sum the differences add up. A GPU sums in parallel, and the easy way to parallelise a sum —
many threads adding into one number with an atomic add — adds in whatever order the threads happen to
arrive. Then two runs of the same program give different bits, and a training run cannot be reproduced.

tinyseek's kernels never do that: every sum has a fixed order — a serial loop per output, or a fixed tree
over a workgroup's partial sums. Reruns on one GPU are bit-identical (a test checks it); the GPU and the CPU
still differ slightly: both sum a matmul in float32 in the same order, but a GPU compiler may fuse a
multiply and an add into one rounding, and the CPU carries its other sums (norms, softmax) in float64, so
parity is checked within stated tolerances. On the H200 the R1-Zero run gave the CPU's curve to every printed digit.
`;

const tableText = `
Measures live when this machine has a WebGPU adapter (a small matmul on both backends, and a rerun), and
always shows the H200 table committed in \`bench/gpu/RESULTS.md\`.
`;

/** PyTorch's tokens/s over tinyseek's on WebGPU, one decimal. */
const ratio = (t: { webgpu: number; torch: number }) => (t.torch / t.webgpu).toFixed(1);

function fmt(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(0)}k` : n.toFixed(1);
}

async function tableRun(ctx: RunContext): Promise<RunResult> {
  const lines: string[] = [];
  const metrics: Record<string, number> = {};
  // Order matters: one float32 sum of the same numbers in three orders.
  const xs = Array.from({ length: 100_000 }, (_, i) => Math.fround(Math.sin(i) * 10 ** (i % 7)));
  const f32sum = (v: number[]) => v.reduce((s, x) => Math.fround(s + x), 0);
  const tree = (v: number[]): number =>
    v.length === 1 ? v[0]! : Math.fround(tree(v.slice(0, v.length >> 1)) + tree(v.slice(v.length >> 1)));
  const sums = [f32sum(xs), f32sum([...xs].reverse()), tree(xs)];
  lines.push(`one float32 sum of 100,000 numbers in three orders: ${sums.map((s) => s.toPrecision(10)).join(', ')}`);
  metrics['orderSpread'] = Math.max(...sums) - Math.min(...sums);
  await ctx.tick();
  try {
    const { openDevice } = await import('../../src/backend/webgpu/device.ts');
    const { WebGpuBackend } = await import('../../src/backend/webgpu/webgpu-backend.ts');
    const { CpuBackend } = await import('../../src/backend/cpu/cpu-backend.ts');
    const gpu = new WebGpuBackend(await openDevice());
    const cpu = new CpuBackend(1);
    const n = 64;
    const a = Array.from({ length: n * n }, (_, i) => Math.sin(i)),
      b = Array.from({ length: n * n }, (_, i) => Math.cos(i));
    const layout = { batch: 1, m: n, k: n, n, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
    const mm = async (be: typeof cpu | typeof gpu) => {
      const o = be.alloc('float32', n * n);
      be.matmul(be.fromHost('float32', a), be.fromHost('float32', b), o, layout);
      return be.read(o);
    };
    const [c, g1, g2] = [await mm(cpu), await mm(gpu), await mm(gpu)];
    const diff = Math.max(...Array.from(c, (x, i) => Math.abs(x - g1[i]!)));
    lines.push(`live on ${gpu.description}: a ${n}³ matmul differs from the CPU by at most ${diff.toExponential(2)};`);
    lines.push(`a rerun on the GPU is ${g1.every((x, i) => Object.is(x, g2[i])) ? 'bit-identical' : 'NOT identical'}.`);
    metrics['liveMaxDiff'] = diff;
    gpu.destroy();
  } catch (e) {
    lines.push(`no live GPU here (${(e as Error).message.split('\n')[0]}): the committed H200 measurements follow.`);
  }
  lines.push('', `${H200.device}: fp32 matmul TFLOP/s (peak about ${H200.fp32PeakTflops})`);
  for (const m of H200.matmul) lines.push(`  n=${m.n}: tinyseek WGSL ${m.wgsl}, cuBLAS ${m.cublas}`);
  lines.push(`  f16 tensor cores (subgroup matrix) at 4096³: ${H200.f16SubgroupMatrixTflops4096}`);
  lines.push('', 'training step, tokens/s: tinyseek WebGPU | PyTorch CUDA eager fp32 | dispatches per step');
  for (const t of H200.train) {
    lines.push(`  ${t.name}: ${fmt(t.webgpu)} | ${fmt(t.torch)} | ${t.dispatches}`);
    metrics[`ratio ${t.name}`] = t.webgpu / t.torch;
  }
  lines.push('earlier, before each dispatch stopped hashing its kernel source and the pool collected less:');
  for (const t of H200.beforeHostFixes) lines.push(`  ${t.name}: ${fmt(t.webgpu)} | ${fmt(t.torch)}`);
  lines.push(
    '',
    `aha run (61 steps): ${H200.aha.webgpuSeconds} s on WebGPU, ${H200.aha.cpuOneThreadSeconds} s on one CPU core; greedy accuracy ${H200.aha.greedyFirst} → ${H200.aha.greedyLast} on both.`,
  );
  return { metrics, lines };
}

const waves = `
# Waves

A GPU runs a kernel's workgroups in *waves*: each streaming multiprocessor (SM) holds a few at a time, and the
next ones start as those finish. The fp32 matmul splits C into 128×128 blocks, one workgroup each: at 4096³
that is 1,024 workgroups, 7.76 for each of an H100's 132 SMs, so the launch ends on a wave that leaves some
SMs idle. At 4224×4096×4096 it is 1,056, exactly 8 per SM. Measured on an H100, alternated three times
(\`bench/gpu/RESULTS.md\`, run 21): 38.5–39.5 TFLOP/s at 4096³, **40.2** at 4224×4096×4096, with 3% more work.
Stream-K, which cuts the last wave's blocks into even shares along K so that no SM waits, is the known cure; here
it cost more than the idle SMs did, and was not kept. What did reach 60% at 4096³ was a change inside the block:
staging A transposed in workgroup memory, 40.2–40.5 TFLOP/s against 39.6 for the old staging on the same H100
(runs 35–37), 40.2 against 38.2–39.6 on an H200 (run 39): the same sums in the same order, so the same bits, and a
schedule the driver's compiler liked better.
`;

const exerciseText = `
Why is the GPU only a few times faster than one CPU core on the lesson model, when its arithmetic is
thousands of times faster? Every kernel launch (a *dispatch*) costs the host about 15 µs, however little
work it carries, and the lesson model's step is ~180 small kernels.

Finish \`predict(step)\`: CPU time = FLOPs / CPU rate; GPU time = FLOPs / GPU rate + dispatches × overhead;
speedup = CPU time / GPU time.
`;

const lesson: Lesson = {
  id: '11-same-code-on-a-gpu',
  number: 11,
  title: 'The same code on a GPU',
  summary:
    'What a backend is, why GPU reductions must run in a fixed order, the measured CPU/GPU/PyTorch table on an H200, and predicting a speedup from FLOPs and launch overhead.',
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: ['src/backend/webgpu/webgpu-backend.ts'],
  steps: [
    { kind: 'prose', title: 'One seam, two backends', markdown: intro },
    { kind: 'prose', title: 'Why reductions must be ordered', markdown: order },
    { kind: 'run', id: 'table', title: 'Order, parity and the measured table', markdown: tableText, run: tableRun },
    { kind: 'prose', title: 'Waves', markdown: waves },
    {
      kind: 'check',
      title: 'Predict: the small model',
      run: 'table',
      question: `Before two host-side fixes, PyTorch eager trained the d=512 model about ${ratio(H200.beforeHostFixes[2])}× faster than tinyseek on WebGPU on the H200. **Then, for the lesson model (d=64), was the gap smaller or larger?**`,
      options: ['smaller', 'about the same', 'larger'],
      answer: () => {
        const [small, , big] = H200.beforeHostFixes.map((t) => t.torch / t.webgpu);
        return Math.abs(small! / big! - 1) < 0.2 ? 1 : small! < big! ? 0 : 2;
      },
      explain: () =>
        `Measured then: ${H200.beforeHostFixes.map((t) => `${ratio(t)}× (${t.name})`).join(', ')}. The small model was launch-bound: its arithmetic is nothing for either GPU path, so the host's cost per launch decided, and every tinyseek dispatch hashed its kernel's WGSL source (up to 10 KB) to find the compiled pipeline, besides JavaScript autograd and Dawn's validation, where PyTorch launches from C++ into CUDA. Once kernels were looked up by their generator and arguments (and the memory pool stopped collecting every step), the small models' step got 4–5× faster: ${H200.train.map((t) => `${ratio(t)}× (${t.name})`).join(', ')} now, about the same gap at every size, near what the fp32 GEMM kernels differ by (${(H200.matmul[3].cublas / H200.matmul[3].wgsl).toFixed(1)}× at 4096³).`,
    },
    {
      kind: 'exercise',
      title: 'Predict the speedup',
      markdown: exerciseText,
      starter: 'exercises/speedup.ts',
      solution: 'solutions/speedup.ts',
      check: checkSpeedup,
      hint: 'dispatchUs is in microseconds: multiply dispatches × dispatchUs by 1e-6 to get seconds, and add it to the GPU time only.',
    },
  ],
};

export default lesson;
