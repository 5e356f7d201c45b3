import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEpStepSeconds,
  epBytesPerTokenLayer,
  epRouting,
  expectedBinsHit,
  ringAllReduceSeconds,
  ringGatherSeconds,
  tpBytesPerTokenLayer,
  wireBytes,
} from '../../src/cost/comm.ts';
import { DEEPSEEK_V3 } from '../../src/cost/models.ts';

/** Exact expected number of distinct bins by enumerating every k-subset (small cases only). */
function bruteForceBins(k: number, items: number, bins: number): number {
  const per = items / bins;
  let total = 0;
  let count = 0;
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === k) {
      total += new Set(chosen.map((i) => Math.floor(i / per))).size;
      count++;
      return;
    }
    for (let i = start; i < items; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return total / count;
}

describe('collectives', () => {
  it('moves (n−1)/n of the buffer per GPU for a ring gather and twice that for an AllReduce', () => {
    expect(ringGatherSeconds(8e9, 8, 1e9)).toBe(7);
    expect(ringAllReduceSeconds(8e9, 8, 1e9)).toBe(14);
    expect(ringGatherSeconds(8e9, 1, 1e9)).toBe(0);
  });

  it('puts one FP32 scale per 128 FP8 values on the wire', () => {
    expect(wireBytes('fp8')).toBe(1.03125);
    expect(wireBytes('bf16')).toBe(2);
  });

  it('sends 8·(t−1)/t·d values per token per layer for sequence-parallel TP', () => {
    expect(tpBytesPerTokenLayer(7168, 8)).toBe(8 * (7 / 8) * 7168 * 2);
    expect(tpBytesPerTokenLayer(7168, 1)).toBe(0);
  });
});

describe('expert-parallel all-to-all', () => {
  it('counts distinct bins exactly as enumeration does', () => {
    for (const [k, items, bins] of [
      [2, 8, 4],
      [3, 12, 3],
      [4, 16, 8],
      [1, 6, 2],
      [5, 10, 5],
    ] as const)
      expect(expectedBinsHit(k, items, bins)).toBeCloseTo(bruteForceBins(k, items, bins), 12);
  });

  it('hits between one and min(k, bins) bins, more as k grows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 8 }),
        (bins, per, k0) => {
          const items = bins * per;
          const k = Math.min(k0, items);
          const hit = expectedBinsHit(k, items, bins);
          expect(hit).toBeGreaterThanOrEqual(1 - 1e-12);
          expect(hit).toBeLessThanOrEqual(Math.min(k, bins) + 1e-12);
          if (k < items) expect(expectedBinsHit(k + 1, items, bins)).toBeGreaterThanOrEqual(hit - 1e-12);
        },
      ),
    );
  });

  it('sends a V3 token to ~3.6 of its 4 allowed nodes, ~3.2 of them over IB, and ~6.4 copies over NVLink', () => {
    const r = epRouting(DEEPSEEK_V3, { ep: 64, gpusPerNode: 8, nodeLimit: 4, dedup: true });
    expect(r.epNodes).toBe(8);
    // 4 · (1 − C(96, 8) / C(128, 8)) nodes; 7/8 of them remote; 32 · (1 − C(124, 8) / C(128, 8)) GPUs, 7/8 by NVLink.
    expect(r.nodesPerToken).toBeCloseTo(3.629, 3);
    expect(r.ibCopies).toBeCloseTo((3.629 * 7) / 8, 3);
    expect(r.gpusPerToken).toBeCloseTo(7.359, 3);
    expect(r.nvlinkCopies).toBeCloseTo((7.359 * 7) / 8, 3);
  });

  it('never sends more IB copies than the node limit, and node limits and dedup only ever cut IB traffic', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.constantFrom(16, 32, 64, 128, 256), (m, ep) => {
        const limited = epRouting(DEEPSEEK_V3, { ep, gpusPerNode: 8, nodeLimit: m, dedup: true });
        const free = epRouting(DEEPSEEK_V3, { ep, gpusPerNode: 8, dedup: true });
        const naive = epRouting(DEEPSEEK_V3, { ep, gpusPerNode: 8, dedup: false });
        expect(limited.ibCopies).toBeLessThanOrEqual(m);
        expect(limited.ibCopies).toBeLessThanOrEqual(free.ibCopies + 1e-12);
        expect(free.ibCopies).toBeLessThanOrEqual(naive.ibCopies + 1e-12);
      }),
    );
  });

  it('keeps EP inside one node off InfiniBand, and costs nothing without EP', () => {
    expect(epRouting(DEEPSEEK_V3, { ep: 8, gpusPerNode: 8, dedup: true }).ibCopies).toBe(0);
    expect(epRouting(DEEPSEEK_V3, { ep: 1, gpusPerNode: 8, dedup: true })).toMatchObject({
      ibCopies: 0,
      nvlinkCopies: 0,
    });
  });

  it('moves (1.03 + 2)·d bytes per copy each way in training (V3: FP8 dispatch, BF16 combine)', () => {
    const r = epRouting(DEEPSEEK_V3, { ep: 64, gpusPerNode: 8, nodeLimit: 4, dedup: true });
    const b = epBytesPerTokenLayer(DEEPSEEK_V3, r, 'fp8', 'bf16');
    expect(b.ib).toBeCloseTo(r.ibCopies * 7168 * 3.03125 * 2, 6);
    expect(epBytesPerTokenLayer(DEEPSEEK_V3, r, 'fp8', 'bf16', 1).ib * 2).toBeCloseTo(b.ib, 6);
  });

  it("reproduces ISCA'25's decode EP step: (1 + 2) B × 32 tokens × 9 experts × 7K / 50 GB/s = 120.96 µs", () => {
    const t = decodeEpStepSeconds({
      tokens: 32,
      experts: 9,
      d: 7000,
      dispatchBytes: 1,
      combineBytes: 2,
      bytesPerSec: 50e9,
    });
    expect(t * 1e6).toBeCloseTo(120.96, 9);
  });
});
