// Throughput of DeepSeek-V3's architectural pieces in miniature, on the CPU backend:
//   dense vs MoE FFN at equal activated parameters (training step and forward, tokens/s), and
//   MHA vs MLA (naive and absorbed) decoding one token at a time from a KV cache (tokens/s),
// plus the KV cache each attention keeps per token, measured here and projected to V3's full size in BF16.
// The dense MoE path runs every routed expert on every token (src/model/moe.ts says why), so its cost is that
// of N_r/K_r times the activated FFN; the sparse path (src/model/moe-dispatch.ts) runs only routed experts.
// The table shows both. Medians of runs timed in alternation after a warm-up.
// Run: node --max-semi-space-size=64 --import tsx bench/arch.ts (the CLI's heap settings; bin/tinyseek.js says why)
import { chooseBackend } from '../src/backend/choose.ts';
import { pathToFileURL } from 'node:url';
import { yieldToEventLoop } from '../src/core/yield.ts';
import { clockMs, median, medianMs } from './util.ts';
import { backward, noGrad } from '../src/core/autograd.ts';
import { crossEntropy, reshape } from '../src/core/ops/index.ts';
import { Rng } from '../src/core/rng.ts';
import { intTensor, type Tensor } from '../src/core/tensor.ts';
import {
  activatedParameterCount,
  cacheNumbersPerTokenPerLayer,
  defaultMoe,
  parameterCount,
  validateConfig,
  type ModelConfig,
} from '../src/model/config.ts';
import { KVCache } from '../src/model/kvcache.ts';
import type { MlaImpl } from '../src/model/mla.ts';
import type { MoeImpl } from '../src/model/moe.ts';
import { Transformer } from '../src/model/transformer.ts';

const base = {
  vocabSize: 54,
  dModel: 64,
  nLayers: 2,
  nHeads: 4,
  nKvHeads: 4,
  dFF: 192,
  maxSeqLen: 256,
  tieEmbeddings: true,
};
const ids = (B: number, T: number) =>
  intTensor(
    Array.from({ length: B * T }, (_, i) => (i * 7) % 54),
    [B, T],
  );

/** One training step (forward and backward, no optimiser) of a model of config `c`. */
function trainStep(c: ModelConfig, B: number, T: number, moeImpl: MoeImpl = 'dense'): () => void {
  const m = Transformer.init(c, new Rng(0));
  m.moeImpl = moeImpl;
  const x = ids(B, T),
    y = reshape(ids(B, T), [B * T]);
  return () => {
    for (const p of m.parameters()) p.grad = null;
    backward(crossEntropy(m.forward(x), y));
  };
}

function forwardStep(c: ModelConfig, B: number, T: number, moeImpl: MoeImpl = 'dense'): () => void {
  const m = Transformer.init(c, new Rng(0));
  m.moeImpl = moeImpl;
  const x = ids(B, T);
  return () => noGrad(() => m.forward(x).dataSync());
}

/**
 * Median ms of each of `steps`, timed in alternating rounds after two warm-up runs each, so that a shared
 * machine's drift (and the JIT's warm-up) hits them alike; the event loop turns between runs, as in training.
 */
async function alternatingMs(steps: (() => void)[], rounds: number): Promise<number[]> {
  for (const step of steps) (step(), step());
  const times = steps.map((): number[] => []);
  for (let r = 0; r < rounds; r++)
    for (const [i, step] of steps.entries()) {
      const t0 = clockMs();
      step();
      times[i]!.push(clockMs() - t0);
      await yieldToEventLoop();
    }
  return times.map(median);
}

/** Decode `steps` tokens one at a time after a prompt of `prompt` tokens, batch B. */
function decodeMs(c: ModelConfig, impl: MlaImpl, B: number, prompt: number, steps: number, reps: number) {
  const m = Transformer.init(c, new Rng(0));
  return medianMs(
    () =>
      noGrad(() => {
        const cache = new KVCache(c.nLayers, c.maxSeqLen);
        let out: Tensor = m.forward(ids(B, prompt), { cache, mlaImpl: impl });
        for (let s = 0; s < steps; s++) out = m.forward(ids(B, 1), { cache, mlaImpl: impl });
        out.dataSync();
      }),
    reps,
  );
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return (
    rows.map((r) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ')).join('\n') +
    '\n'
  );
}

export async function benchArch(reps = 3): Promise<string> {
  const kTok = (tokens: number, ms: number) => (tokens / ms).toFixed(2);
  // FFN: dense width 192 vs 1 shared + 2 of 8 routed experts of width 64 (192 activated).
  const dense = validateConfig(base);
  const moe = validateConfig({
    ...base,
    moe: {
      ...defaultMoe,
      nRoutedExperts: 8,
      nSharedExperts: 1,
      nActivatedExperts: 2,
      moeInterDim: 64,
      nDenseLayers: 0,
    },
  });
  const B = 4,
    T = 64;
  const ffnRows = [
    ['FFN (d=64, 2 layers)', 'params', 'activated', 'train k tok/s', 'forward k tok/s', 'train vs dense'],
  ];
  const ffns = [
    ['dense, width 192', dense, 'dense'],
    ['MoE 1+2/8 × 64, dense dispatch', moe, 'dense'],
    ['MoE 1+2/8 × 64, sparse (CPU default)', moe, 'sparse'],
  ] as const;
  const train = await alternatingMs(
    ffns.map(([, c, impl]) => trainStep(c, B, T, impl)),
    2 * reps + 1,
  );
  const forward = await alternatingMs(
    ffns.map(([, c, impl]) => forwardStep(c, B, T, impl)),
    2 * reps + 1,
  );
  ffns.forEach(([name, c], i) =>
    ffnRows.push([
      name,
      String(parameterCount(c)),
      String(activatedParameterCount(c)),
      kTok(B * T, train[i]!),
      kTok(B * T, forward[i]!),
      `${(train[0]! / train[i]!).toFixed(2)}x`,
    ]),
  );
  // Attention: MHA (4 heads of 16) vs GQA-2 vs MLA (d_c 32, d_h^R 16, per-head 16/16), decoding from a cache.
  const mha = validateConfig(base),
    gqa = validateConfig({ ...base, nKvHeads: 2 });
  const mla = validateConfig({
    ...base,
    ropeStyle: 'interleaved',
    mla: { qLoraRank: 32, kvLoraRank: 32, qkNopeHeadDim: 16, qkRopeHeadDim: 16, vHeadDim: 16 },
  });
  const decB = 4,
    prompt = 64,
    steps = 32;
  const mhaMs = await decodeMs(mha, 'absorbed', decB, prompt, steps, reps);
  const attnRows = [
    ['attention (decode 32 after 64)', 'params', 'cache numbers/token/layer', 'decode tok/s', 'vs MHA'],
  ];
  for (const [name, c, impl] of [
    ['MHA', mha, 'absorbed'],
    ['GQA, 2 KV heads', gqa, 'absorbed'],
    ['MLA naive', mla, 'naive'],
    ['MLA absorbed', mla, 'absorbed'],
  ] as const) {
    const ms = name === 'MHA' ? mhaMs : await decodeMs(c, impl, decB, prompt, steps, reps);
    attnRows.push([
      name,
      String(parameterCount(c)),
      String(cacheNumbersPerTokenPerLayer(c)),
      (((decB * steps) / ms) * 1000).toFixed(0),
      `${(mhaMs / ms).toFixed(2)}x`,
    ]);
  }

  // KV cache bytes per token at V3's size (61 layers, 128 heads × 128, d_c 512 + d_h^R 64), BF16.
  const v3Layers = 61,
    bf16 = 2;
  const kv = [['KV cache at V3 size (BF16, 61 layers)', 'numbers/token/layer', 'bytes/token', 'vs MLA']];
  const rowsV3: [string, number][] = [
    ['MHA, 128 heads × 128', 2 * 128 * 128],
    ['GQA, 8 KV heads × 128', 2 * 8 * 128],
    ['MQA, 1 KV head × 128', 2 * 128],
    ['MLA, 512 + 64', 512 + 64],
  ];
  for (const [name, n] of rowsV3) kv.push([name, String(n), String(n * v3Layers * bf16), `${(n / 576).toFixed(1)}x`]);

  return [table(ffnRows), table(attnRows), table(kv)].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  chooseBackend();
  process.stdout.write(await benchArch());
  process.exit(0);
}
