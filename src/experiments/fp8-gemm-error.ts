// The FP8 GEMM accumulation study: relative error against an FP64 reference as K grows, with and without
// DeepSeek's promotion of partial sums to FP32 every N_C = 128 elements [V3 §3.3 "Increasing accumulation
// precision"; the report measures a max relative error of nearly 2% at K = 4096 without promotion].
//
// For each K, random A [m,K] and B [K,n] (seeded) are quantised to FP8; the reference is the FP64 product of
// the *dequantised* operands, so the numbers isolate the accumulator (quantisation error is reported
// separately as `endToEnd`, against the FP64 product of the original float32 operands). Several accumulator
// models are run side by side, because what the hardware does is known only in outline
// (reference/deepseek-v3-architecture.md §4): the default H800 model, the same with promotion, V3's full
// recipe, and two bracketing models (truncate after every add, round-to-nearest after every add).
import { InputError } from '../core/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../core/fsio.ts';
import { svgLineChart } from '../plot/svg.ts';
import { Rng } from '../core/rng.ts';
import { join } from 'node:path';
import { fp8GemmQuantised, gemmF64, type Fp8GemmOptions } from '../numerics/fp8-gemm.ts';
import type { Fp8FormatName } from '../numerics/formats.ts';
import { dequantise, quantise } from '../numerics/scaling.ts';

export type Distribution = 'normal' | 'uniform';

export interface Fp8GemmErrorConfig {
  seed: number;
  /** Reduction lengths to measure. */
  ks: number[];
  m: number;
  n: number;
  format: Fp8FormatName;
  /** normal: N(0,1) entries (sums cancel; read the normwise error); uniform: U[0,1) (no cancellation). */
  dists: Distribution[];
}

export const FP8_GEMM_ERROR_DEFAULTS: Fp8GemmErrorConfig = {
  seed: 0,
  ks: [128, 256, 512, 1024, 2048, 4096, 8192],
  m: 32,
  n: 32,
  format: 'e4m3',
  dists: ['normal', 'uniform'],
};

export interface Setup {
  id: string;
  label: string;
  opts: Fp8GemmOptions;
}

/** The accumulator models compared. The first two differ only in promotion. */
export const SETUPS: readonly Setup[] = [
  {
    id: 'h800',
    label: 'H800 model, no promotion',
    opts: { aScaling: 'tensor', bScaling: 'tensor', promoteInterval: null },
  },
  {
    id: 'h800-promote',
    label: 'H800 model, promote every 128',
    opts: { aScaling: 'tensor', bScaling: 'tensor', promoteInterval: 128 },
  },
  {
    id: 'v3-recipe',
    label: 'V3 recipe: 1x128 tiles, 128x128 blocks, promote 128',
    opts: { aScaling: 'tile', bScaling: 'block', tileSize: 128, promoteInterval: 128 },
  },
  {
    id: 'truncate-each',
    label: 'truncate after every add, no promotion',
    opts: { aScaling: 'tensor', bScaling: 'tensor', promoteInterval: null, mmaK: 1, accumulatorRounding: 'truncate' },
  },
  {
    id: 'nearest-each',
    label: 'round to nearest after every add, no promotion',
    opts: { aScaling: 'tensor', bScaling: 'tensor', promoteInterval: null, mmaK: 1, accumulatorRounding: 'nearest' },
  },
  {
    id: 'fp32',
    label: 'FP32 accumulation, no promotion',
    opts: {
      aScaling: 'tensor',
      bScaling: 'tensor',
      promoteInterval: null,
      mmaK: 1,
      accumulatorRounding: 'nearest',
      accumulatorMantissaBits: 23,
    },
  },
];

export interface ErrorStats {
  /** max over outputs of |c - ref| / |ref| (outputs with ref = 0 skipped). */
  maxRel: number;
  medianRel: number;
  /** ||c - ref||_F / ||ref||_F. */
  normwise: number;
}

export interface Fp8GemmErrorPoint {
  dist: Distribution;
  setup: string;
  k: number;
  /** Against FP64 of the dequantised FP8 operands: the accumulator's share. */
  accumulation: ErrorStats;
  /** Against FP64 of the original float32 operands: quantisation plus accumulation. */
  endToEnd: ErrorStats;
}

export interface Fp8GemmErrorResults {
  config: Fp8GemmErrorConfig;
  setups: { id: string; label: string; opts: Fp8GemmOptions }[];
  points: Fp8GemmErrorPoint[];
}

export function validateConfig(c: Fp8GemmErrorConfig): void {
  const posInt = (v: number) => Number.isInteger(v) && v >= 1;
  if (!c.ks.length || !c.ks.every(posInt))
    throw new InputError(`ks must be positive integers, got [${c.ks.join(', ')}]`);
  if (!posInt(c.m) || !posInt(c.n)) throw new InputError(`m and n must be positive integers, got ${c.m}, ${c.n}`);
  if (!c.dists.length || !c.dists.every((d) => d === 'normal' || d === 'uniform'))
    throw new InputError(`dists must be normal and/or uniform, got [${c.dists.join(', ')}]`);
}

export function errorStats(c: ArrayLike<number>, ref: ArrayLike<number>): ErrorStats {
  const rel: number[] = [];
  let num = 0,
    den = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = c[i]! - ref[i]!;
    num += d * d;
    den += ref[i]! * ref[i]!;
    if (ref[i] !== 0) rel.push(Math.abs(d / ref[i]!));
  }
  rel.sort((a, b) => a - b);
  return {
    maxRel: rel[rel.length - 1] ?? 0,
    medianRel: rel[Math.floor(rel.length / 2)] ?? 0,
    normwise: den > 0 ? Math.sqrt(num / den) : 0,
  };
}

/** Runs every (distribution, K, setup); `onProgress` is called after each (distribution, K). */
export function runFp8GemmErrorStudy(
  config: Partial<Fp8GemmErrorConfig> = {},
  onProgress?: (done: number, total: number) => void,
): Fp8GemmErrorResults {
  const cfg = { ...FP8_GEMM_ERROR_DEFAULTS, ...config };
  validateConfig(cfg);
  const { m, n } = cfg;
  const points: Fp8GemmErrorPoint[] = [];
  const total = cfg.dists.length * cfg.ks.length;
  let done = 0;
  for (const dist of cfg.dists)
    for (const k of cfg.ks) {
      // One stream per (distribution, K): adding a K to the list never changes the others' matrices.
      const rng = new Rng(cfg.seed).child('fp8-gemm-error').child(`${dist}-k${k}`);
      const draw = dist === 'normal' ? () => rng.normal() : () => rng.next();
      const a = Float32Array.from({ length: m * k }, draw); // [m, k]
      const bT = Float32Array.from({ length: n * k }, draw); // B^T [n, k]
      const exact = gemmF64(a, bT, m, k, n, true);
      for (const s of SETUPS) {
        const common = { format: cfg.format, tileSize: s.opts.tileSize ?? 128 };
        const qa = quantise(a, m, k, { ...common, granularity: s.opts.aScaling ?? 'tile' });
        const qb = quantise(bT, n, k, { ...common, granularity: s.opts.bScaling ?? 'block' });
        const c = fp8GemmQuantised(qa, qb, s.opts);
        const ref = gemmF64(dequantise(qa, 'f64'), dequantise(qb, 'f64'), m, k, n, true);
        points.push({ dist, setup: s.id, k, accumulation: errorStats(c, ref), endToEnd: errorStats(c, exact) });
      }
      onProgress?.(++done, total);
    }
  return { config: cfg, setups: SETUPS.map((s) => ({ ...s })), points };
}

const pct = (v: number) =>
  v === 0 ? '0' : v * 100 >= 0.01 ? `${(v * 100).toFixed(2)}%` : `${(v * 100).toExponential(1)}%`;

/** Plain-text tables: per distribution, rows K, columns setups; the metric each distribution is read by. */
export function formatFp8GemmErrorTable(r: Fp8GemmErrorResults): string {
  const out: string[] = [];
  for (const dist of r.config.dists) {
    const metric: keyof ErrorStats = dist === 'uniform' ? 'maxRel' : 'normwise';
    out.push(
      `${dist} entries, ${r.config.format}, m = ${r.config.m}, n = ${r.config.n}: accumulation error ` +
        `(${metric === 'maxRel' ? 'max relative error over outputs' : 'normwise ||C - C64||/||C64||'}) vs FP64 of the FP8 operands`,
    );
    const ids = r.setups.map((s) => s.id);
    const rows = [
      ['K', ...ids],
      ...r.config.ks.map((k) => [
        String(k),
        ...ids.map((id) => {
          const p = r.points.find((q) => q.dist === dist && q.k === k && q.setup === id)!;
          return pct(p.accumulation[metric]);
        }),
      ]),
    ];
    const widths = rows[0]!.map((_, j) => Math.max(...rows.map((row) => row[j]!.length)));
    for (const row of rows)
      out.push(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  '));
    out.push('');
  }
  out.push('Setups:');
  for (const s of r.setups) out.push(`  ${s.id.padEnd(14)} ${s.label}`);
  out.push(
    '',
    'V3 §3.3 reports a max relative error of nearly 2% at K = 4096 without promotion (data and metric not stated);',
    'the hardware model is known only in outline, so h800 (truncate per 32-product MMA step) and truncate-each bracket it.',
  );
  return out.join('\n') + '\n';
}

/** Log-log chart of the accumulation error vs K for one distribution, one line per setup. */
export function plotFp8GemmError(r: Fp8GemmErrorResults, dist: Distribution): string {
  const metric: keyof ErrorStats = dist === 'uniform' ? 'maxRel' : 'normwise';
  return svgLineChart({
    title: `FP8 GEMM accumulation error vs K (${dist} entries, ${r.config.format})`,
    xLabel: 'K (reduction length)',
    yLabel: metric === 'maxRel' ? 'max relative error' : 'normwise relative error',
    logX: true,
    logY: true,
    series: r.setups.map((s) => {
      const pts = r.points.filter((p) => p.dist === dist && p.setup === s.id);
      return { name: s.label, points: pts.map((p): [number, number] => [p.k, p.accumulation[metric]]) };
    }),
  });
}

/** Writes results.json, table.txt and one plot per distribution (plot-<dist>.svg) into `dir`. */
export function writeFp8GemmErrorRun(dir: string, r: Fp8GemmErrorResults): string[] {
  const files = [join(dir, 'results.json'), join(dir, 'table.txt')];
  writeJsonAtomic(files[0]!, r);
  writeFileAtomic(files[1]!, formatFp8GemmErrorTable(r));
  for (const dist of r.config.dists) {
    const f = join(dir, `plot-${dist}.svg`);
    writeFileAtomic(f, plotFp8GemmError(r, dist));
    files.push(f);
  }
  return files;
}
