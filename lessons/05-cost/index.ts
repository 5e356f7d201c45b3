// Lesson 05: the cost of DeepSeek-V3 — where "$5.576M" comes from (6·N·D, the MFU, GPU-hours, a rental
// price), which assumption carries it, and why the H800's cut-down NVLink did not matter for V3's recipe
// while InfiniBand did. Runs: the V3 bill with knobs for GPU, MFU and tokens; the NVLink/IB what-if with
// DualPipe overlap on and off. Exercise: 6·N·D and GPU-hours from FLOPs. Everything comes from src/cost.
import { fileURLToPath } from 'node:url';
import type { Lesson, RunResult } from '../../src/tui/manifest.ts';
import { checkGpuHours } from './gpu-hours-check.ts';
import { IB_SWEEP, linksRun } from './links.ts';
import { v3CostRun } from './v3-cost.ts';

const intro = `
# The $5.576M

The DeepSeek-V3 report prices its final training run at **2.788M H800 GPU-hours**, or **$5.576M** at
$2 per GPU-hour. That number comes from three multiplications you can do yourself:

1. **FLOPs.** A forward pass costs 2 FLOPs (a multiply and an add) per active parameter per token, and the
   backward pass about twice that, so training costs about **6·N·D** FLOPs for N active parameters and D
   tokens. V3 is a mixture of experts: each token uses 37B of its 671B parameters, so N = 37B, not 671B.
   6 × 37B × 14.8T ≈ 3.3·10²⁴; counting attention too, the cost model gets 3.70·10²⁴.
2. **Speed.** An H800 peaks at 989.5 TFLOP/s in dense BF16. No real training run gets that: the share it
   does get is the **MFU** (model FLOPs utilisation). DeepSeek measured 38.94%, so about 385 TFLOP/s per GPU.
3. **Time and money.** GPU-hours = FLOPs ÷ (peak × MFU) ÷ 3600; dollars = GPU-hours × the hourly price.

The same formula with a different MFU gives a very different bill, which is why the next run lets you turn
it.
`;

const costText = `
The cost model in \`src/cost\` recomputes V3's bill from its published configuration: parameters, FLOPs
per token, then GPU-hours for pre-training (14.8T tokens at 4K context), context extension (to 32K, then
128K) and post-training.

At the default knobs it prints the published story line by line, each number computed. Turn the knobs to
ask what-if questions: another GPU (assuming it reaches the same fraction of *its* peak), another MFU,
more or fewer tokens. The same projections are on the command line: \`tinyseek cost train --gpu h100\`.
`;

const exerciseText = `
Write the back-of-the-envelope yourself. Complete two functions:

- \`trainingFlops(activeParams, tokens)\`: FLOPs to train, forward *and* backward;
- \`gpuHours(totalFlops, peakFlopsPerGpu, mfu)\`: GPU-hours at that utilisation.

The check starts with exact toy cases (one parameter, one token; one GPU-hour), then V3 and
Llama-3.1-405B. Once it passes, it runs your \`gpuHours\` on the cost model's FLOP count for V3.
`;

const linksText = `
V3 trained on 2048 H800s: 256 nodes of 8 GPUs. Two links move data:

- **NVLink** inside a node: the H800's is cut by export rules to 400 GB/s both ways (200 per direction;
  DeepSeek measured about 160), against the H100's 900 (450 per direction).
- **InfiniBand (IB)** between nodes: 50 GB/s per GPU per direction on both (about 40 measured).

Each MoE layer sends every token to the GPUs that hold its 8 experts and back (the **all-to-all**).
V3 limits each token to 4 nodes, sends one copy per node over IB and fans it out over NVLink, and with
**DualPipe** overlaps all of it with computation.

The chart sweeps IB bandwidth and plots pre-training GPU-hours (millions) with that overlap (DualPipe) and
without it (1F1B). The knobs set NVLink, the IB value the lines explain, and the schedule. The lines end
with the what-if table: V3's recipe on H800s and on H100s, with and without its tricks.
`;

const recap = `
# What the number is, and is not

- **2.788M GPU-hours** is the final run only: not the research, the failed runs, the ablations, the data or
  the salaries, and not the cluster itself (buying 2048 H800s costs many times $5.6M). A rental price
  times GPU-hours is a floor for the run, not the cost of making the model.
- The load-bearing assumption is the **MFU**: at 30% the same pre-training takes 3.46M GPU-hours, at 50%
  2.08M. The model's FLOP count (3.70·10²⁴, within 0.1% of DeepSeek's 250 GFLOP per token) is the solid
  part.
- **H800 vs H100**: with V3's recipe the model finds no difference in GPU-hours, because the binding link
  is InfiniBand (the same on both), and DualPipe hides even that. The H800's weaker NVLink would have hurt
  a recipe that leans on it, like tensor parallelism across 8 GPUs: in the what-if table, TP8 costs +45% on
  H800s and +17% on H100s. V3 avoided tensor parallelism in training entirely.

Where the model is weaker than it looks: a roofline has one kernel efficiency for all kernels, assumes
perfect overlap and perfect expert balance, and has no latency floor. It explains and compares; for
absolute hours of another run, prefer an MFU measured on a similar run. \`src/cost/README.md\` lists every
validation point, including the misses (an R1-Zero RL projection 56% below the published hours).
`;

const h100Change = (run: RunResult | undefined) => run?.metrics['h100Change'] ?? NaN;

const lesson: Lesson = {
  id: '05-cost',
  number: 5,
  title: 'The cost of V3: GPU-hours, H800 vs H100, NVLink vs IB',
  summary:
    'Where "$5.576M" comes from (6·N·D, MFU, GPU-hours), which assumption carries it, and why the H800\'s cut-down NVLink cost V3 nothing while InfiniBand mattered.',
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: [
    'src/cost/explain.ts',
    'src/cost/scenario.ts',
    'src/cost/train.ts',
    'src/cost/whatif.ts',
    'src/cost/presets.ts',
    'src/cost/format.ts',
    'src/cost/flops.ts',
    'src/cost/models.ts',
  ],
  steps: [
    { kind: 'prose', title: 'The $5.576M', markdown: intro },
    {
      kind: 'run',
      id: 'v3',
      title: "V3's training bill",
      markdown: costText,
      knobs: [
        { name: 'gpu', label: 'GPU', values: ['h800', 'h100', 'h200', 'a100', 'b200'], default: 'h800' },
        { name: 'mfu', label: 'MFU (0.3894 = measured by DeepSeek)', values: [0.2, 0.3, 0.3894, 0.5], default: 0.3894 },
        { name: 'tokens', label: 'pre-training tokens', values: ['1T', '7.4T', '14.8T', '30T'], default: '14.8T' },
      ],
      run: v3CostRun,
    },
    {
      kind: 'exercise',
      title: '6·N·D and GPU-hours',
      markdown: exerciseText,
      starter: 'exercises/gpu-hours.ts',
      solution: 'solutions/gpu-hours.ts',
      check: checkGpuHours,
      hint: 'Training is 6 FLOPs per active parameter per token: 2 forward, 4 backward. For the hours: a GPU delivers peak × mfu FLOP/s, so totalFlops / (peak × mfu) is GPU-seconds; divide by 3600.',
    },
    {
      kind: 'check',
      title: 'Predict: H100 instead of H800',
      run: 'links',
      question:
        "An H100 has the same compute and the same InfiniBand as an H800, but 2.25× the NVLink bandwidth. **With V3's own recipe (expert parallelism over IB, node-limited routing, DualPipe), how many GPU-hours would pre-training have taken on H100s?**",
      options: [
        'about half (NVLink was the bottleneck)',
        'somewhat fewer (5% to 40% less)',
        'about the same (within 5%)',
        'more',
      ],
      answer: (run) => {
        const c = h100Change(run);
        return c < -0.4 ? 0 : c < -0.05 ? 1 : c <= 0.05 ? 2 : 3;
      },
      explain: (run) =>
        `The what-if table gives ${(h100Change(run) * 100).toFixed(1)}% for "H100, same recipe". V3's all-to-all spends longer on InfiniBand (${(run?.metrics['ibSeconds'] ?? NaN).toFixed(2)} s per step at the knobs you ran) than on NVLink (${(run?.metrics['nvlinkSeconds'] ?? NaN).toFixed(2)} s), and DualPipe hides both under computation. A faster NVLink speeds up a part of the step that was already hidden. The H100's advantage shows only in a recipe that puts NVLink on the critical path, such as tensor parallelism (TP8 row).`,
    },
    {
      kind: 'run',
      id: 'links',
      title: 'NVLink vs InfiniBand',
      markdown: linksText,
      knobs: [
        { name: 'ib', label: 'InfiniBand GB/s per GPU (H800: 40 measured)', values: IB_SWEEP, default: 40 },
        {
          name: 'nvlink',
          label: 'NVLink GB/s per GPU (H800: 160 measured, H100: ~360)',
          values: [80, 160, 360, 720],
          default: 160,
        },
        { name: 'schedule', label: 'pipeline schedule', values: ['dualpipe', '1f1b'], default: 'dualpipe' },
      ],
      chart: {
        series: ['DualPipe (overlap)', '1F1B (no overlap)'],
        title: 'pre-training GPU-hours vs IB bandwidth (10, 20, 40, 80, 160 GB/s)',
        yLabel: 'million GPU-hours',
      },
      run: linksRun,
    },
    {
      kind: 'check',
      title: 'Which link binds?',
      run: 'links',
      question: 'In the run you just made, **which link does the expert all-to-all need longer per step?**',
      options: ['InfiniBand, between nodes', 'NVLink, inside a node', 'about the same (within 10%)'],
      answer: (run) => {
        const ib = run?.metrics['ibSeconds'] ?? NaN;
        const nv = run?.metrics['nvlinkSeconds'] ?? NaN;
        return Math.abs(ib / nv - 1) <= 0.1 ? 2 : ib > nv ? 0 : 1;
      },
      explain: (run) =>
        `This run: ${(run?.metrics['ibSeconds'] ?? NaN).toFixed(2)} s on InfiniBand, ${(run?.metrics['nvlinkSeconds'] ?? NaN).toFixed(2)} s on NVLink, ${(run?.metrics['exposedComm'] ?? NaN).toFixed(2)} s of it left exposed. At V3's settings IB binds: it is 4× slower per GPU than the H800's NVLink, and even with node-limited routing each token crosses it to up to 4 nodes. That is why V3 spent its engineering on IB (one copy per node, FP8 dispatch, overlap), and why the H800's NVLink cut cost it little. Set IB to 160: then NVLink is the longer one.`,
    },
    { kind: 'prose', title: 'What the number is, and is not', markdown: recap },
  ],
};

export default lesson;
