// The text report of `tinyseek cost serve`: prefill and decode per GPU and per node, the decode step's roofline
// terms and memory, ISCA'25's communication lower bound, a day of DeepSeek's traffic as a cost/revenue sheet, and
// a closing note that sets each figure beside its source.
import { bytes, dollars, duration, grouped, pct, si, sig, signedPct, table } from './format.ts';
import { kvBytesPerToken } from './kvcache.ts';
import { DEEPSEEK_V3 } from './models.ts';
import {
  decode,
  iscaDecodeBound,
  prefill,
  type DecodeResult,
  type IscaBound,
  type PrefillResult,
  type ServeSetup,
} from './serve.ts';
import { describeShape, sameArchitecture } from './shape.ts';
import { dailySheet, DEEPSEEK_DAY, type DailySheet } from './sheet.ts';

export interface ServeReport {
  setup: ServeSetup;
  prefill: PrefillResult;
  decode: DecodeResult;
  /** DeepSeek's own deployment: the ISCA bound and the sheet with their rates (absent for other models). */
  deepseek?: { isca: IscaBound; iscaExact: IscaBound; nvl72: IscaBound; theirs: DailySheet };
  ours: DailySheet;
  pricePerGpuHour: number;
}

const versus = (ours: number, published: number) => `${signedPct(ours / published - 1)}`;

function prefillLines(x: ServeSetup, p: PrefillResult, deepseek: boolean): string[] {
  const nodes = Math.ceil(x.prefill.gpus / x.gpu.gpusPerNode);
  const a2a = p.commSecondsPerToken > 0 ? `, all-to-all ${duration(p.commSecondsPerToken)} (overlapped)` : '';
  return [
    `prefill: ${x.shape.nRoutedExperts ? `EP${x.prefill.gpus} over ${nodes} nodes, ` : ''}prompts of ${x.prefill.promptLen} tokens, ` +
      `${pct(x.prefill.cacheHitRatio)} of input tokens served from the on-disk KV cache`,
    `  ${sig(p.flopsPerToken / 1e9, 3)} GFLOP per computed token: ${duration(p.computeSecondsPerToken)} of compute per token per GPU at ` +
      `η ${pct(x.efficiency, 0)}${a2a}: ${p.bound}-bound`,
    `  ${si(p.tokPerSecPerGpu)} tok/s per GPU computed → ${si(p.tokPerSecPerNodeInclHits)} input tok/s per node including cache hits` +
      (deepseek ? ` (DeepSeek: ~73.7K, ${versus(p.tokPerSecPerNodeInclHits, 73.7e3)})` : ''),
  ];
}

function decodeLines(x: ServeSetup, d: DecodeResult, deepseek: boolean): string[] {
  const per = x.decode.tp > 1 ? `per TP${x.decode.tp} group` : 'per GPU';
  return [
    `decode: ${x.shape.nRoutedExperts ? `EP${x.decode.gpus} with ${x.decode.redundantExperts} redundant experts, ` : ''}` +
      `${x.decode.tp > 1 ? `TP${x.decode.tp}, ` : ''}` +
      `KV length ${x.decode.kvLen}, target ${x.decode.tokensPerSecPerUser} tok/s per user (TPOT ≤ ${duration(1 / x.decode.tokensPerSecPerUser)})`,
    `  ${sig(d.flopsPerToken / 1e9, 3)} GFLOP per token${x.shape.attention === 'mla' ? ' (absorbed MLA attends over the 576-wide latent cache)' : ''}`,
    `  batch ${d.batch} sequences ${per}, limited by ${d.limitedBy}`,
    `  step: compute ${duration(d.times.compute)} | HBM ${duration(d.times.memory)} | all-to-all/TP ${duration(d.times.comm)} → TPOT ${duration(d.tpotSeconds)}`,
    `  ${si(d.tokPerSecPerGpu)} tok/s per GPU, ${si(d.tokPerSecPerNode)} per node at ${sig(d.tokPerSecPerUser, 3)} tok/s per user` +
      (deepseek ? ` (DeepSeek: ~14.8K per node at 20–22, ${versus(d.tokPerSecPerNode, 14.8e3)})` : ''),
    `  memory per GPU: weights ${bytes(d.weightBytesPerGpu, 3)} + KV cache ${bytes(d.kvBytesPerGpu, 3)} ` +
      `(${bytes(d.kvBytesPerSequence, 3)} per sequence${x.decode.tp > 1 ? ' share' : ''}) = ${bytes(d.weightBytesPerGpu + d.kvBytesPerGpu, 3)} of ${bytes(d.hbmBytes, 3)}`,
  ];
}

function iscaLines(r: NonNullable<ServeReport['deepseek']>): string[] {
  return [
    "decode communication lower bound (ISCA'25 §2.3.2):",
    `  (1 B + 2 B) × 32 tokens × 9 experts × 7K / 50 GB/s = ${duration(r.isca.epStepSeconds, 5)} per EP step; two micro-batches × 61 layers → ` +
      `TPOT ${duration(r.isca.tpotSeconds, 4)} (${sig(r.isca.tokPerSecPerUser, 3)} tok/s per user)`,
    `  with d = 7168 exactly: ${duration(r.iscaExact.epStepSeconds, 4)}; over GB200 NVL72's 900 GB/s: TPOT ${duration(r.nvl72.tpotSeconds, 3)} ` +
      `(~${sig(r.nvl72.tokPerSecPerUser, 3)} tok/s)`,
  ];
}

function sheetLines(r: ServeReport): string[] {
  const t = DEEPSEEK_DAY.traffic;
  const pub = DEEPSEEK_DAY.published;
  const cols = r.deepseek ? ["DeepSeek's rates", 'our rates', 'published'] : ['our rates'];
  const row = (label: string, f: (s: DailySheet) => string, published: string) =>
    r.deepseek ? [label, f(r.deepseek.theirs), f(r.ours), published] : [label, f(r.ours)];
  return [
    `a day of DeepSeek's traffic (${si(t.inputTokens)} input tokens, ${pct(t.cacheHitTokens / t.inputTokens)} cache hits, ` +
      `${si(t.outputTokens)} output; $${r.pricePerGpuHour}/GPU-hour; R1 prices $0.14 / $0.55 / $2.19 per M):`,
    ...table(
      ['', ...cols],
      [
        row('prefill nodes', (s) => sig(s.prefillNodes, 4), ''),
        row('decode nodes', (s) => sig(s.decodeNodes, 4), ''),
        row('nodes', (s) => sig(s.nodes, 5), String(pub.nodes)),
        row('cost per day', (s) => dollars(s.costPerDay, 4), `$${grouped(pub.costPerDay)}`),
        row('revenue per day', (s) => dollars(s.revenuePerDay, 4), `$${grouped(pub.revenuePerDay)}`),
        row('cost-profit margin', (s) => pct(s.margin, 0), pct(pub.margin, 0)),
      ],
    ).map((l) => '  ' + l),
  ];
}

function closing(r: ServeReport): string[] {
  if (!r.deepseek)
    return ['Per-node rates are rooflines (ideal overlap, no latency floor): read them as upper bounds.'];
  const d = r.deepseek.theirs;
  const pub = DEEPSEEK_DAY.published;
  return [
    `Prefill ${si(r.prefill.tokPerSecPerNodeInclHits)} vs ~73.7K input tok/s per node (${DEEPSEEK_DAY.source}): ` +
      `${versus(r.prefill.tokPerSecPerNodeInclHits, 73.7e3)}; decode ${si(r.decode.tokPerSecPerNode)} vs ~14.8K: ${versus(r.decode.tokPerSecPerNode, 14.8e3)}. ` +
      'Same order of magnitude; the roofline has ideal overlap and no latency floor, so it reads high.',
    `With DeepSeek's own per-node rates the sheet gives ${sig(d.nodes, 5)} nodes vs ${pub.nodes} published (${versus(d.nodes, pub.nodes)}), ` +
      `${dollars(d.costPerDay, 4)} vs $87,072 (${versus(d.costPerDay, pub.costPerDay)}), ${dollars(d.revenuePerDay, 4)} vs $562,027 ` +
      `(${versus(d.revenuePerDay, pub.revenuePerDay)}) and a ${pct(d.margin, 1)} margin vs 545%.`,
    `With our rates: ${sig(r.ours.nodes, 4)} nodes (${versus(r.ours.nodes, pub.nodes)}), ${dollars(r.ours.costPerDay, 3)} per day, margin ${pct(r.ours.margin, 0)}.`,
    "ISCA'25's 120.96 µs and 14.76 ms are reproduced exactly with its own rounding (d = 7K); the bound ignores compute and HBM.",
    'Revenue is theoretical (all tokens at R1 prices); DeepSeek notes actual revenue is lower (V3 is cheaper, nights are discounted, web use is free).',
  ];
}

export function renderServe(r: ServeReport): string[] {
  const x = r.setup;
  const lines = [
    `${x.shape.name} serving on ${x.gpu.name} (${x.gpu.gpusPerNode} per node)`,
    `model  ${describeShape(x.shape)}; weights ${x.weightBytes === 1 ? 'FP8' : 'BF16'}, KV cache ${bytes(kvBytesPerToken(x.shape, x.kvBytes), 5)} per token`,
    '',
    ...prefillLines(x, r.prefill, r.deepseek !== undefined),
    '',
    ...decodeLines(x, r.decode, r.deepseek !== undefined),
  ];
  if (r.deepseek) lines.push('', ...iscaLines(r.deepseek));
  lines.push('', ...sheetLines(r), '', 'notes:', ...closing(r).map((n) => `  • ${n}`));
  return lines;
}

/** Projects the setup and, for DeepSeek-V3 itself, the published comparisons. */
export function buildServeReport(x: ServeSetup, pricePerGpuHour: number): ServeReport {
  const p = prefill(x);
  const d = decode(x);
  const rates = {
    prefillTokPerSecPerNode: p.tokPerSecPerNodeInclHits,
    decodeTokPerSecPerNode: d.tokPerSecPerNode,
    gpusPerNode: x.gpu.gpusPerNode,
    pricePerGpuHour,
  };
  const ours = dailySheet(DEEPSEEK_DAY.traffic, rates, DEEPSEEK_DAY.prices);
  const isV3 = sameArchitecture(x.shape, DEEPSEEK_V3);
  const bound = (d: number, bw: number) => iscaDecodeBound({ d, layers: 61, tokens: 32, experts: 9, bytesPerSec: bw });
  return {
    setup: x,
    prefill: p,
    decode: d,
    ours,
    pricePerGpuHour,
    ...(isV3
      ? {
          deepseek: {
            isca: bound(7000, 50e9),
            iscaExact: bound(DEEPSEEK_V3.d, 50e9),
            nvl72: bound(7000, 900e9),
            theirs: dailySheet(DEEPSEEK_DAY.traffic, DEEPSEEK_DAY.rates, DEEPSEEK_DAY.prices),
          },
        }
      : {}),
  };
}
