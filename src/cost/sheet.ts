// A day of serving as a cost/revenue sheet, the way DeepSeek published theirs (open-infra-index day 6,
// 2025-02-27/28): node-equivalents = tokens ÷ (per-node throughput × 86,400 s) for prefill and decode,
// cost = nodes × GPUs/node × 24 h × $/GPU-hour, theoretical revenue = tokens × list prices, and the
// "cost profit margin" = (revenue − cost) ÷ cost. With DeepSeek's own per-node rates (73.7k input, 14.8k output
// tok/s) this gives 226.9 nodes (published average 226.75), $87.1K (published $87,072) and 545%.
// Source: ../shared/reference/cost-model.md §5 V6; deepseek-v3-architecture.md §6.

export interface DayTraffic {
  inputTokens: number;
  /** Input tokens served from the on-disk KV cache (cheaper, no prefill compute). */
  cacheHitTokens: number;
  outputTokens: number;
}

/** Dollars per million tokens. */
export interface TokenPrices {
  cacheHit: number;
  cacheMiss: number;
  output: number;
}

export interface SheetRates {
  /** Input tokens per second per node during prefill, cache hits included. */
  prefillTokPerSecPerNode: number;
  /** Output tokens per second per node during decode. */
  decodeTokPerSecPerNode: number;
  gpusPerNode: number;
  pricePerGpuHour: number;
}

export interface DailySheet {
  prefillNodes: number;
  decodeNodes: number;
  nodes: number;
  costPerDay: number;
  revenuePerDay: number;
  /** (revenue − cost) / cost. */
  margin: number;
}

const DAY_SECONDS = 86_400;

export function dailySheet(t: DayTraffic, r: SheetRates, p: TokenPrices): DailySheet {
  const prefillNodes = t.inputTokens / (r.prefillTokPerSecPerNode * DAY_SECONDS);
  const decodeNodes = t.outputTokens / (r.decodeTokPerSecPerNode * DAY_SECONDS);
  const nodes = prefillNodes + decodeNodes;
  const costPerDay = nodes * r.gpusPerNode * 24 * r.pricePerGpuHour;
  const revenuePerDay =
    (t.cacheHitTokens * p.cacheHit + (t.inputTokens - t.cacheHitTokens) * p.cacheMiss + t.outputTokens * p.output) /
    1e6;
  return {
    prefillNodes,
    decodeNodes,
    nodes,
    costPerDay,
    revenuePerDay,
    margin: (revenuePerDay - costPerDay) / costPerDay,
  };
}

/** DeepSeek's published day (V3 + R1 together): traffic, R1 list prices and their measured per-node rates. */
export const DEEPSEEK_DAY = {
  traffic: { inputTokens: 608e9, cacheHitTokens: 342e9, outputTokens: 168e9 } as DayTraffic,
  prices: { cacheHit: 0.14, cacheMiss: 0.55, output: 2.19 } as TokenPrices,
  rates: {
    prefillTokPerSecPerNode: 73.7e3,
    decodeTokPerSecPerNode: 14.8e3,
    gpusPerNode: 8,
    pricePerGpuHour: 2,
  } as SheetRates,
  published: {
    nodes: 226.75,
    peakNodes: 278,
    costPerDay: 87_072,
    revenuePerDay: 562_027,
    margin: 5.45,
    tokPerSecPerUser: [20, 22],
    kvLen: 4989,
  },
  source: 'deepseek-ai/open-infra-index, 202502OpenSourceWeek day 6 (inference system overview)',
} as const;
