// The WebGPU benchmarks, one measurement per process (run.sh runs each under `timeout`, as Dawn processes can
// die at exit or with many pipelines): prints one JSON line per result as soon as it is measured.
//   info | matmul N TILE [LAYOUT] | mm M N K LAYOUT [TILE] | f16 N [F16TILE] | fmapeak [PASSES] | train NAME |
//   profile NAME | parity | aha STEPS
// matmul: fp32 TFLOP/s of the backend's kernel at n×n×n (checked on sampled entries against float64 sums on
// the host); TILE: small | large (bounds-checked) | v128 | v128x64 | v64 (aligned vec4) | auto (the backend's
// choice) | bm,bn,bk,tm,tn[,v|r|a] (v: vec4; r: vec4, transposed in registers; a: vec4, A staged row-major);
// LAYOUT: nn | nt | tn (which operand is transposed); mm: any shape (the model's);
// f16: the opt-in tensor-core kernel (matmul-f16.ts; F16TILE: direct | staged | shared |
// rm,rn,d|s|S,bk[,sgm,sgn[,w]]: tiles per subgroup, direct / staged / staged and double-buffered, K per
// iteration, subgroups per workgroup, w: 16-byte staging loads); train: tokens/s of one training step
// (bench/train.ts's loop) at the issue's configs; parity: a short pretraining run on the CPU and the GPU, and a
// GPU rerun;
// aha: the R1-Zero run's wall time on one backend (TINYSEEK_BACKEND picks it).
import { openBackend } from '../../src/backend/choose.ts';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import {
  F16_DIRECT,
  F16_SHARED,
  F16_STAGED,
  f16Block,
  matmulF16Source,
  type F16Tile,
} from '../../src/backend/webgpu/matmul-f16.ts';
import { VEC4_TILES } from '../../src/backend/webgpu/matmul-vec4.ts';
import { LARGE_TILE, SMALL_TILE, type MatmulTile } from '../../src/backend/webgpu/matmul-wgsl.ts';
import type { WebGpuBackend } from '../../src/backend/webgpu/webgpu-backend.ts';
import { Rng } from '../../src/core/rng.ts';
import { setDefaultBackend } from '../../src/core/tensor.ts';
import { f16FromF32Bits, f32BitsFromF16 } from '../../src/model/safetensors.ts';
import { defaultConfig, parameterCount, validateConfig } from '../../src/model/config.ts';
import { defaultPretrain, pretrain } from '../../src/train/pretrain.ts';
import { vocabSize } from '../../src/world/index.ts';
import { benchConfigs, TRAIN_WARMUP, trainTokensPerSec, type ThroughputConfig } from '../train.ts';

const say = (o: object) => console.log(JSON.stringify(o));

/** The issue's large config: d=512, 8 layers, 8 heads, T=256, B=32 (26M parameters). */
const big: ThroughputConfig = {
  name: 'd=512 L=8 H=8 T=256 B=32',
  model: validateConfig({
    ...defaultConfig,
    dModel: 512,
    nLayers: 8,
    nHeads: 8,
    nKvHeads: 8,
    dFF: 1408,
    maxSeqLen: 256,
  }),
  batch: 32,
  seqLen: 256,
};
const configs = [...benchConfigs, big];

/** The GPU backend; SUBMIT_EVERY overrides its dispatches per submit (0: one submit per read). */
async function gpu(): Promise<WebGpuBackend> {
  const g = (await openBackend('webgpu')) as WebGpuBackend;
  if (process.env.SUBMIT_EVERY) g.submitEvery = Number(process.env.SUBMIT_EVERY);
  return g;
}

async function timeIt(g: WebGpuBackend, fn: () => void, minMs = 400): Promise<number> {
  fn();
  await g.sync();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    await g.sync();
    const ms = performance.now() - t0;
    if (ms >= minMs) return ms / reps;
    reps *= 2;
  }
}

function tileOf(name: string): MatmulTile | undefined {
  const named: Record<string, MatmulTile> = {
    small: SMALL_TILE,
    large: LARGE_TILE,
    v128: VEC4_TILES[0]!,
    v128x64: VEC4_TILES[1]!,
    v64: VEC4_TILES[2]!,
  };
  if (name === 'auto') return undefined;
  if (named[name]) return named[name];
  const [bm, bn, bk, tm, tn, v] = name.split(',');
  const vec4 = v === 'v' || v === 'r' || v === 'a';
  const tile: MatmulTile = {
    bm: +bm!,
    bn: +bn!,
    bk: +bk!,
    tm: +tm!,
    tn: +tn!,
    vec4,
    regT: v === 'r',
    aRows: v === 'a',
  };
  return tile;
}

async function matmul(m: number, n: number, k: number, layoutName: string, tileName: string): Promise<void> {
  const g = await gpu();
  const rng = new Rng(1);
  const a = Float32Array.from({ length: m * k }, () => rng.normal());
  const b = Float32Array.from({ length: k * n }, () => rng.normal());
  const A = g.fromHost('float32', a),
    B = g.fromHost('float32', b),
    C = g.alloc('float32', m * n);
  const transA = layoutName === 'tn',
    transB = layoutName === 'nt';
  const layout = { batch: 1, m, k, n, transA, transB, aBatchStride: 0, bBatchStride: 0 };
  const tile = tileOf(tileName);
  const ms = await timeIt(g, () => g.matmul(A, B, C, layout, tile));
  const c = await g.read(C);
  let worst = 0;
  for (let s = 0; s < 64; s++) {
    const i = rng.int(0, m),
      j = rng.int(0, n);
    let want = 0;
    for (let q = 0; q < k; q++) want += a[transA ? q * m + i : i * k + q]! * b[transB ? j * k + q : q * n + j]!;
    worst = Math.max(worst, Math.abs(c[i * n + j]! - want) / Math.sqrt(k));
  }
  const used = tile ?? g.matmulTile(layout);
  say({
    kind: 'matmul',
    shape: `${m}x${n}x${k}`,
    layout: layoutName,
    tile: tileName,
    used: [used.bm, used.bn, used.bk, used.tm, used.tn, used.aRows ? 'a' : used.regT ? 'r' : used.vec4 ? 'v' : ''].join(
      ',',
    ),
    ms,
    tflops: (2 * m * n * k) / (ms * 1e9),
    maxErrOverSqrtN: worst,
  });
}

function f16TileOf(name: string): F16Tile {
  if (name === 'direct') return F16_DIRECT;
  if (name === 'staged') return F16_STAGED;
  if (name === 'shared') return F16_SHARED;
  const [rm, rn, kind, bk, sgm, sgn, wide] = name.split(',');
  return {
    rm: +rm!,
    rn: +rn!,
    staged: kind === 's' || kind === 'S',
    double: kind === 'S',
    bk: +bk!,
    sgm: +(sgm ?? 1),
    sgn: +(sgn ?? 1),
    wide: wide === 'w',
  };
}

async function f16(n: number, tileName: string): Promise<void> {
  const tile = f16TileOf(tileName);
  const { bm, bn } = f16Block(tile);
  const g = await gpu();
  if (!g.features.includes('chromium-experimental-subgroup-matrix') || !g.features.includes('shader-f16')) {
    say({ kind: 'f16', n, unsupported: g.features });
    return;
  }
  const d = g.device;
  const rng = new Rng(2);
  const bits = (len: number) => {
    const x = Float32Array.from({ length: len }, () => rng.normal() * 0.5);
    return Uint16Array.from(new Uint32Array(x.buffer), f16FromF32Bits);
  };
  const value = (h: number) => new Float32Array(Uint32Array.of(f32BitsFromF16(h)).buffer)[0]!;
  const ah = bits(n * n),
    bh = bits(n * n);
  const buf = (data: Uint16Array | Uint32Array | null, bytes: number, usage: number) => {
    const b = d.createBuffer({ size: bytes, usage, mappedAtCreation: data !== null });
    if (data) (new (data.constructor as Uint16ArrayConstructor)(b.getMappedRange()).set(data), b.unmap());
    return b;
  };
  const S = GPUBufferUsage.STORAGE;
  const A = buf(ah, n * n * 2, S),
    B = buf(bh, n * n * 2, S),
    C = buf(null, n * n * 4, S | GPUBufferUsage.COPY_SRC),
    P = buf(Uint32Array.from([n, n, n, 0]), 16, S);
  const module = d.createShaderModule({ code: matmulF16Source(tile) });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error').map((m) => m.message);
  if (errors.length) return say({ kind: 'f16', n, compileErrors: errors });
  const pipeline = d.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bg = d.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [P, A, B, C].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const run = () => {
    const enc = d.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(n / bn, n / bm);
    pass.end();
    d.queue.submit([enc.finish()]);
  };
  const ms = await timeIt(g, run);
  const staging = d.createBuffer({ size: n * n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = d.createCommandEncoder();
  enc.copyBufferToBuffer(C, 0, staging, 0, n * n * 4);
  d.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const c = new Float32Array(staging.getMappedRange().slice(0));
  let worst = 0;
  for (let s = 0; s < 64; s++) {
    const i = rng.int(0, n),
      j = rng.int(0, n);
    let want = 0;
    for (let k = 0; k < n; k++) want += value(ah[i * n + k]!) * value(bh[k * n + j]!);
    worst = Math.max(worst, Math.abs(c[i * n + j]! - want) / Math.sqrt(n));
  }
  say({ kind: 'f16', n, tile: tileName, ms, tflops: (2 * n ** 3) / (ms * 1e9), maxErrOverSqrtN: worst });
}

async function train(name: string): Promise<void> {
  const c = configs.find((x) => x.name.startsWith(name));
  if (!c) throw new Error(`no config '${name}'`);
  const g = await gpu();
  const before = g.dispatches;
  const reps = Number(process.env.REPS ?? 5); // more to profile the steady state (node --cpu-prof)
  const tokS = await trainTokensPerSec(c, reps);
  say({
    kind: 'train',
    name: c.name,
    params: parameterCount(c.model),
    tokS,
    dispatchesPerStep: (g.dispatches - before) / (reps + TRAIN_WARMUP), // the warm-up steps dispatch too
    memory: g.memory,
  });
}

/** GPU time by kernel over two training steps (timestamp queries; one pass per dispatch while profiling). */
async function profile(name: string): Promise<void> {
  const c = configs.find((x) => x.name.startsWith(name));
  if (!c) throw new Error(`no config '${name}'`);
  const g = await gpu();
  const { backward, noGrad } = await import('../../src/core/autograd.ts');
  const { crossEntropy } = await import('../../src/core/ops/index.ts');
  const { AdamW } = await import('../../src/core/optim.ts');
  const { intTensor } = await import('../../src/core/tensor.ts');
  const { Transformer } = await import('../../src/model/transformer.ts');
  const model = Transformer.init(c.model, new Rng(1));
  const opt = new AdamW(model.parameters());
  const rng = new Rng(2);
  const n = c.batch * c.seqLen;
  const ids = intTensor(
    Array.from({ length: n }, () => rng.int(0, c.model.vocabSize)),
    [c.batch, c.seqLen],
  );
  let recordMs = 0;
  const step = async () => {
    const t = performance.now();
    const loss = crossEntropy(model.forward(ids), ids);
    opt.zeroGrad();
    backward(loss);
    noGrad(() => opt.step(1e-3));
    recordMs = performance.now() - t;
    await loss.item();
  };
  await step();
  // unprofiled steps first: the JavaScript time to record a step, and the whole step's wall time
  const host: number[] = [],
    walls: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await step();
    walls.push(performance.now() - t);
    host.push(recordMs);
  }
  g.startProfile();
  const t0 = performance.now();
  await step();
  await step();
  const wall = (performance.now() - t0) / 2;
  const rows = await g.profile();
  const gpuMs = rows.reduce((s, r) => s + r.ms, 0) / 2;
  say({
    kind: 'profile',
    name: c.name,
    stepMs: walls,
    recordMs: host,
    submitEvery: g.submitEvery,
    profiledWallMsPerStep: wall,
    gpuMsPerStep: gpuMs,
    top: rows.slice(0, 30).map((r) => [r.kernel, +(r.ms / 2).toFixed(3), r.count / 2]),
  });
}

async function parity(): Promise<void> {
  const run = () =>
    pretrain({
      ...defaultPretrain,
      model: { ...defaultConfig, vocabSize, dModel: 32, nHeads: 2, nKvHeads: 2, dFF: 64, nLayers: 2, maxSeqLen: 64 },
      steps: 5,
      batchSize: 8,
      seqLen: 48,
      warmup: 1,
      seed: 7,
      eval: { every: 5, kind: 'add', difficulty: 1, n: 8, maxNewTokens: 12 },
    });
  setDefaultBackend(new CpuBackend(1, { simd: false }));
  const cpu = (await run()).metrics;
  await gpu();
  const a = (await run()).metrics,
    b = (await run()).metrics;
  const rel = Math.max(...a.map((m, i) => Math.abs(m.loss - cpu[i]!.loss) / Math.abs(cpu[i]!.loss)));
  const identical = a.every((m, i) => m.loss === b[i]!.loss && m.gradNorm === b[i]!.gradNorm);
  say({
    kind: 'parity',
    steps: a.length,
    maxRelLossDiff: rel,
    rerunBitIdentical: identical,
    cpu: cpu.map((m) => m.loss),
    gpu: a.map((m) => m.loss),
  });
}

async function aha(steps: number): Promise<void> {
  const { runAha } = await import('../../src/experiments/aha.ts');
  const name = process.env.TINYSEEK_BACKEND || 'cpu';
  if (name === 'webgpu') await gpu();
  else await openBackend(name);
  const t0 = performance.now();
  const { summary, runs } = await runAha(
    { rl: steps ? { steps } : {} },
    {
      out: `/tmp/tinyseek-aha-${name}`,
      onEvent: (e) => {
        if (e.type !== 'rl-step') return;
        const m = e.report.metrics;
        say({
          kind: 'aha-step',
          backend: name,
          s: (performance.now() - t0) / 1000,
          step: m.step,
          reward: m.reward,
          evalGreedyAcc: m.evalGreedyAcc,
          loss: m.loss,
        });
      },
    },
  );
  const run = runs[0] ?? [];
  say({
    kind: 'aha',
    backend: name,
    seconds: (performance.now() - t0) / 1000,
    steps: run.length,
    curve: run.map((m) => [m.step, m.reward, m.evalGreedyAcc]),
    summary,
  });
}

/**
 * The fp32 rate the compiler and the card give a kernel with no memory traffic at all: each thread keeps 16
 * vec4 accumulators in registers and applies c ← fma(c, x, y) to each, 4 times per pass of a loop of `passes`
 * (256 scalar FMAs between branches), over 16 workgroups of 256 threads per SM. What a GEMM can reach through
 * this path is at most this.
 */
async function fmaPeak(passes = 2048): Promise<void> {
  const g = await gpu();
  const d = g.device;
  const acc = [...Array(16).keys()];
  const body = acc.map((i) => `c${i} = fma(c${i}, x, y);`).join(' ');
  const code = `
@group(0) @binding(0) var<storage, read> P: array<f32>;
@group(0) @binding(1) var<storage, read_write> O: array<vec4f>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let x = vec4f(P[0] + f32(gid.x % 7u) * 1e-6);
  let y = vec4f(P[1]);
${acc.map((i) => `  var c${i} = vec4f(f32(gid.x + ${i}u) * 1e-9);`).join('\n')}
  let n = u32(P[2]);
  for (var i = 0u; i < n; i = i + 1u) {
    ${body}
    ${body}
    ${body}
    ${body}
  }
  O[gid.x] = ${acc.map((i) => `c${i}`).join(' + ')};
}`;
  const groups = 132 * 16;
  const S = GPUBufferUsage.STORAGE;
  const P = d.createBuffer({ size: 16, usage: S, mappedAtCreation: true });
  new Float32Array(P.getMappedRange()).set([0.9999, 0.0001, passes, 0]);
  P.unmap();
  const O = d.createBuffer({ size: groups * 256 * 16, usage: S });
  const module = d.createShaderModule({ code });
  const pipeline = d.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bg = d.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [P, O].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const run = () => {
    const enc = d.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(groups);
    pass.end();
    d.queue.submit([enc.finish()]);
  };
  const ms = await timeIt(g, run);
  const flop = groups * 256 * passes * 4 * 16 * 4 * 2;
  say({ kind: 'fmapeak', passes, groups, ms, tflops: flop / (ms * 1e9) });
}

const [mode, arg, arg2, ...rest] = process.argv.slice(2);
try {
  if (mode === 'info') {
    const g = await gpu();
    say({
      kind: 'info',
      device: g.description,
      features: g.features,
      configs: configs.map((c) => [c.name, parameterCount(c.model)]),
    });
  } else if (mode === 'matmul') await matmul(+arg!, +arg!, +arg!, rest[0] ?? 'nn', arg2 ?? 'auto');
  else if (mode === 'mm') await matmul(+arg!, +arg2!, +rest[0]!, rest[1]!, rest[2] ?? 'auto');
  else if (mode === 'f16') await f16(Number(arg), arg2 ?? 'direct');
  else if (mode === 'fmapeak') await fmaPeak(arg ? Number(arg) : undefined);
  else if (mode === 'train') await train(arg!);
  else if (mode === 'parity') await parity();
  else if (mode === 'profile') await profile(arg!);
  else if (mode === 'aha') await aha(Number(arg ?? 0));
  else throw new Error(`unknown mode '${mode}'`);
} catch (e) {
  say({ kind: 'error', mode, arg, message: (e as Error).message.split('\n')[0] });
}
process.exit(0);
