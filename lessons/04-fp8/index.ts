// Lesson 04: FP8 as DeepSeek-V3 trains with it — the two 8-bit formats, why one outlier ruins a per-tensor
// scale (and how 1×128 tiles and 128×128 blocks contain it), and why the tensor core's narrow accumulator
// needs its partial sums promoted to FP32 every 128 elements. Runs: the outlier demo with knobs for the
// outlier, the format and the tile size; the accumulation error against K with and without promotion.
// Exercise: decode an E4M3 byte, checked against tinyseek's decoder on all 256 codes.
import { fileURLToPath } from 'node:url';
import type { Lesson, RunResult } from '../../src/tui/manifest.ts';
import { accumulationRun } from './accumulation.ts';
import { checkDecodeE4M3 } from './decode-check.ts';
import { outlierRun } from './outlier.ts';

const formats = `
# Eight bits for a number

DeepSeek-V3 did most of its training arithmetic in **FP8**: the big matrix multiplies of its linear
layers read their inputs as 8-bit floats, half the bytes of BF16 and, on an H800, twice the tensor-core
rate (1979 vs 989.5 TFLOP/s). An 8-bit float is a sign, an exponent and a mantissa, like any float, with
very few bits of each. There are two standard layouts:

\`\`\`
       layout      bias  largest  smallest normal    smallest subnormal
E4M3   S EEEE MMM    7     448    2^-6  ≈ 0.0156     2^-9  ≈ 0.00195
E5M2   S EEEEE MM   15   57344    2^-14 ≈ 0.000061   2^-16 ≈ 0.0000153
\`\`\`

- **E4M3** has one more mantissa bit: between 1 and 2 its numbers are 0.125 apart, so a value is stored
  to within 1/16 = 6.25% of itself (0.1 becomes 0.1015625, 300 becomes 288). It has no infinity; its only NaN is S.1111.111, which is why it reaches 448.
- **E5M2** has one more exponent bit: a range of 57344 / 2^-16 ≈ 3.8·10^9 against E4M3's ≈ 2.3·10^5, at
  half the precision (steps of 0.25 between 1 and 2). Earlier FP8 recipes used it for gradients; V3 uses E4M3 for *every* tensor and gets
  the range from scaling instead (next steps).
- Exponent field 0 means **subnormal**: no hidden leading 1, so the numbers below 2^-6 step evenly by 2^-9
  down to 0. Below half of that step a value rounds to 0 and is lost.

Your first job is to read these bytes yourself.
`;

const decodeText = `
Complete \`decodeE4M3(byte)\`: the number an E4M3 code 0..255 stands for. The starter knows only the formula
for normal numbers, (−1)^S · (1 + m/8) · 2^(e − 7). Add the two special cases from the file's header:
subnormals (exponent field 0) and NaN (0x7F and 0xFF).

The check decodes all 256 codes with your function and with tinyseek's own decoder
(\`src/numerics/fp8.ts\`) and shows the first code that differs, split into its sign, exponent and mantissa
bits. \`tinyseek fp8 table\` prints every code with its value, if you want to look some up.
`;

const outlierText = `
A tensor's values rarely fit E4M3's range as they are, so each group of values gets a **scale**
s = amax / 448 (amax is the group's largest magnitude) and is stored as fp8(x / s). The largest value
lands on 448; the others keep their ratio to it, with 3 mantissa bits of precision, *until* they fall under
the subnormals and round to 0.

The run takes a [16 tokens, 512 channels] matrix of N(0, 1) activations, puts **one outlier** in it, and
quantises it three ways:

- **per-tensor**: one scale for all 8192 values (the classic recipe);
- **tile 1×T**: one scale per token per T channels (V3's activations, T = 128);
- **block T×T**: one scale per T×T block (V3's weights).

The chart sweeps the outlier from 10 to 10^6 and plots log₁₀ of the relative RMS error of the *other*
values (−1.6 is about 2.5%, the cost of 3 mantissa bits; 0 is 100%, everything lost). The lines printed after the
run are for the outlier size the knob picks.
`;

const accumulationText = `
A matrix multiply C = A·B adds K products for every output. On an H800 the FP8 tensor cores add them into a
register that keeps only about **14 significant bits** (the V3 report: products are aligned to the largest
exponent and the low bits are truncated). tinyseek models it as a register with 13 fraction bits, truncated
after every step of 32 products.

DeepSeek's fix is **promotion**: every N_C = 128 elements of K, the partial sum is multiplied by its
scales and added to an FP32 accumulator on the CUDA cores, and the register starts again from zero.

The run multiplies random E4M3 matrices for K = 128, 256, … and compares the result with FP64 arithmetic
on the same FP8 inputs, so the error is the accumulator's alone. The chart shows log₁₀ of the error
(−3 = 0.1%) with and without promotion. Knobs: the entries' distribution (uniform: all positive, the sum
only grows; normal: signs cancel), the register's fraction bits (23 is an FP32 register) and the largest K.
`;

const recap = `
# What V3 does, and what the miniature shows

DeepSeek-V3's FP8 recipe, piece by piece:

1. **E4M3 for every GEMM input** (forward and backward), for the precision.
2. **Fine-grained scales** for range: 1×128 tiles for activations, 128×128 blocks for weights. An outlier
   then costs only its own tile or block; in the run, per-tensor scaling with an outlier of 10^5 flushed
   about a sixth of the other values to 0, while 1×128 tiles kept the error close to the no-outlier level
   (3.0% against 2.6%).
3. **Promotion every 128 elements** to FP32, because the tensor core's accumulator keeps about 14 bits: in
   the run, without it the error grew with K; with it, it stayed flat.
4. What stays in higher precision: master weights, gradients for the optimizer, the embedding, the output
   head, the MoE gate, the norms and attention (V3 §3.3).

Where the miniature is weaker than the paper: V3 reports a maximum relative error of **nearly 2%** at
K = 4096 without promotion; our register model gives about 0.3% on uniform inputs. The exact behaviour of
the H800's accumulator is not published, so tinyseek models it in outline (13 bits, truncated every 32
products). \`tinyseek fp8 gemm-error\` brackets it with a cruder model that truncates after every add
(about 8% at K = 4096). The *shape* is solid, the exact percentage is not: error that grows with K without
promotion, and stays flat with it.

Next: what all of this buys at the scale of a 671B-parameter model, in GPU-hours and dollars (lesson 5).
`;

const flushedTensor = (run: RunResult | undefined) => run?.metrics['flushedTensor'] ?? NaN;

const lesson: Lesson = {
  id: '04-fp8',
  number: 4,
  title: 'FP8: formats, scaling, accumulation',
  summary:
    'How DeepSeek-V3 trains in 8-bit floats: decode E4M3 by hand, watch one outlier wreck a per-tensor scale but not 1×128 tiles, and watch a narrow accumulator drift until its sums are promoted to FP32.',
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: [
    'src/core/rng.ts',
    'src/numerics/fp8.ts',
    'src/numerics/formats.ts',
    'src/numerics/scaling.ts',
    'src/numerics/fp8-gemm.ts',
    'src/numerics/outlier-demo.ts',
    'src/experiments/fp8-gemm-error.ts',
  ],
  steps: [
    { kind: 'prose', title: 'Eight bits for a number', markdown: formats },
    {
      kind: 'exercise',
      title: 'Decode an E4M3 byte',
      markdown: decodeText,
      starter: 'exercises/decode-e4m3.ts',
      solution: 'solutions/decode-e4m3.ts',
      check: checkDecodeE4M3,
      hint: 'Split the byte first: sign = bit 7, e = bits 6..3, m = bits 2..0. Then three cases in this order: e = 15 and m = 7 is NaN; e = 0 is a subnormal, (m/8) · 2^(1 − 7) with no leading 1; anything else is (1 + m/8) · 2^(e − 7). Apply the sign last, to zero as well (0x80 is −0).',
    },
    {
      kind: 'check',
      title: 'Predict: one outlier, one scale',
      run: 'outlier',
      question:
        'A [16, 512] matrix of ordinary activations (standard normal, most between −2 and 2) has **one** value of 100 000. With a single E4M3 scale for the whole matrix, s = 100 000 / 448, **how many of the other 8191 values come back as exactly 0?**',
      options: ['almost none (under 1%)', 'a noticeable share (1% to 50%)', 'most of them (over 50%)'],
      answer: (run) => {
        const f = flushedTensor(run);
        return f < 0.01 ? 0 : f <= 0.5 ? 1 : 2;
      },
      explain: (run) => {
        const m = run?.metrics ?? {};
        return `In this run per-tensor scaling flushed ${((m['flushedTensor'] ?? NaN) * 100).toFixed(1)}% of the other values to 0 (outlier ${m['outlier']}). The scale is outlier/${m['fp8Max']}, so a value x is stored as x·${m['fp8Max']}/outlier; anything under half the smallest subnormal after that division rounds to 0, which here means every |x| below ${(m['flushBelow'] ?? NaN).toPrecision(2)}. About that share of a normal distribution sits so close to 0. With 1×128 tiles only the outlier's own tile is affected: ${((m['flushedTile'] ?? NaN) * 100).toFixed(2)}% flushed.`;
      },
    },
    {
      kind: 'run',
      id: 'outlier',
      title: 'One outlier, three scalings',
      markdown: outlierText,
      knobs: [
        { name: 'outlier', label: 'outlier size', values: [100, 1000, 10000, 100000, 1000000], default: 100000 },
        { name: 'format', label: 'FP8 format', values: ['e4m3', 'e5m2'], default: 'e4m3' },
        { name: 'tileSize', label: 'tile/block size T', values: [32, 128], default: 128 },
      ],
      chart: {
        series: ['per-tensor', 'tile 1xT', 'block TxT'],
        title: 'error of the other values vs outlier size (10 … 10^6)',
        yLabel: 'log10 relative RMS error',
      },
      run: outlierRun,
    },
    {
      kind: 'check',
      title: 'Predict: longer sums',
      run: 'accumulation',
      question:
        'Without promotion, the whole sum of K products stays in the ~14-bit register. From K = 128 to K = 4096 the sums get 32× longer. **How much does the accumulation error grow?** (Uniform entries, the default.)',
      options: ['hardly (under 3×)', 'like √K (3× to 10×)', 'roughly in proportion to K (over 10×)'],
      answer: (run) => {
        const g = run?.metrics['growth'] ?? NaN;
        return g < 3 ? 0 : g <= 10 ? 1 : 2;
      },
      explain: (run) => {
        const m = run?.metrics ?? {};
        return `In this run the error without promotion grew ${(m['growth'] ?? NaN).toFixed(1)}× from K = ${m['kFirst']} to K = ${m['kLast']}, to ${((m['plainLast'] ?? NaN) * 100).toFixed(2)}%; with promotion it ended at ${((m['promotedLast'] ?? NaN) * 100).toFixed(3)}%. Truncation always drops bits toward zero, so the errors do not cancel like random noise (which would give √K); they pile up in one direction. And as the running sum grows, each of the register's bits weighs more, so every new product loses more of its low bits. Promotion resets the register every 128 products: each partial sum stays small, and FP32 takes the long sum.`;
      },
    },
    {
      kind: 'run',
      id: 'accumulation',
      title: 'Accumulation error vs K',
      markdown: accumulationText,
      knobs: [
        { name: 'dist', label: 'entries', values: ['uniform', 'normal'], default: 'uniform' },
        {
          name: 'bits',
          label: 'register fraction bits (13 = H800 model, 23 = FP32)',
          values: [10, 13, 16, 23],
          default: 13,
        },
        { name: 'maxK', label: 'largest K', values: [1024, 4096, 8192], default: 4096 },
      ],
      chart: {
        series: ['no promotion', 'promote every 128'],
        title: 'accumulation error vs K (128, 256, …)',
        yLabel: 'log10 relative error',
      },
      run: accumulationRun,
    },
    { kind: 'prose', title: 'The V3 recipe', markdown: recap },
  ],
};

export default lesson;
