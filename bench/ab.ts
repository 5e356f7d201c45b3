// A/B of two checkouts in one process: the same benchmarks loaded from checkout A and from checkout B, timed in
// alternation so that a shared machine's drift hits both alike; medians per side and the ratio B/A. Measures
// training and sampling tokens/s at bench/train.ts's two configs, and a training step (AdamW included) of a
// dense FFN against a MoE at equal activated parameters (1 shared + 2 of 8 routed experts of width 64 vs width
// 192, d=64, 2 layers, B=8, T=64), the MoE in its default dispatch. Use with TINYSEEK_THREADS=1 and
// TINYSEEK_BENCH_CLOCK=cpu on a busy machine. Each checkout needs its node_modules (a symlink will do).
// Run: node --max-semi-space-size=64 --import tsx bench/ab.ts <checkout A> <checkout B> [rounds] (the CLI's heap)
import { resolve } from 'node:path';

type Mod = Record<string, any>; // two copies of the library, typed loosely

async function load(root: string) {
  const at = (p: string): Promise<Mod> => import(resolve(root, p));
  return {
    train: await at('bench/train.ts'),
    util: await at('bench/util.ts'),
    choose: await at('src/backend/choose.ts'),
    autograd: await at('src/core/autograd.ts'),
    ops: await at('src/core/ops/index.ts'),
    optim: await at('src/core/optim.ts'),
    rng: await at('src/core/rng.ts'),
    tensor: await at('src/core/tensor.ts'),
    config: await at('src/model/config.ts'),
    transformer: await at('src/model/transformer.ts'),
  };
}
type Lib = Awaited<ReturnType<typeof load>>;

/** Training tokens/s of the dense FFN (width 192) or the MoE at the same activated width. */
async function ffnStep(m: Lib, moe: boolean): Promise<number> {
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
  const routed = { nRoutedExperts: 8, nSharedExperts: 1, nActivatedExperts: 2, moeInterDim: 64, nDenseLayers: 0 };
  const c = m.config.validateConfig(moe ? { ...base, moe: { ...m.config.defaultMoe, ...routed } } : base);
  const model = m.transformer.Transformer.init(c, new m.rng.Rng(0));
  const opt = new m.optim.AdamW(model.parameters());
  const B = 8,
    T = 64;
  const ids = m.tensor.intTensor(
    Array.from({ length: B * T }, (_, i) => (i * 7) % 54),
    [B, T],
  );
  const y = m.tensor.intTensor(
    Array.from({ length: B * T }, (_, i) => (i * 11 + 3) % 54),
    [B, T],
  );
  const ms = await m.util.medianMs(() => {
    const loss = m.ops.crossEntropy(model.forward(ids), y);
    opt.zeroGrad();
    m.autograd.backward(loss);
    m.autograd.noGrad(() => opt.step(1e-3));
  }, 7);
  return (B * T) / (ms / 1000);
}

const [dirA, dirB, roundsArg] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error('usage: node --max-semi-space-size=64 --import tsx bench/ab.ts <checkout A> <checkout B> [rounds]');
  process.exit(1);
}
const libs = { A: await load(dirA), B: await load(dirB) };
for (const m of Object.values(libs)) m.choose.chooseBackend('cpu');
const rounds = Number(roundsArg ?? 6);
const results = new Map<string, { A: number[]; B: number[] }>();
const put = (name: string, side: 'A' | 'B', v: number) => {
  if (!results.has(name)) results.set(name, { A: [], B: [] });
  results.get(name)![side].push(v);
};
for (let r = 0; r < rounds; r++) {
  for (const side of r % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
    const m = libs[side];
    for (const c of m.train.benchConfigs) {
      put(`train ${c.name}`, side, await m.train.trainTokensPerSec(c, 5));
      put(`sample ${c.name}`, side, await m.train.sampleTokensPerSec(c));
    }
    put('FFN dense, width 192', side, await ffnStep(m, false));
    put('FFN MoE 1+2/8 × 64', side, await ffnStep(m, true));
  }
  process.stderr.write(`round ${r + 1}/${rounds}\n`);
}
const med = (xs: number[]) => libs.A.util.median(xs) as number;
const rows = [...results].map(([name, v]) => [name, med(v.A), med(v.B), `${(med(v.B) / med(v.A)).toFixed(3)}×`]);
for (const side of ['A', 'B'] as const) {
  const moe = med(results.get('FFN MoE 1+2/8 × 64')![side]),
    dense = med(results.get('FFN dense, width 192')![side]);
  rows.push([`MoE / dense, ${side}`, NaN, NaN, `${(moe / dense).toFixed(3)}×`]);
}
console.log(libs.B.util.table(['tokens/s (medians)', 'A', 'B', 'B / A'], rows));
process.exit(0);
