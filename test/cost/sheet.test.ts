import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dailySheet, DEEPSEEK_DAY } from '../../src/cost/sheet.ts';

describe('daily cost/revenue sheet', () => {
  it("rebuilds DeepSeek's day from its per-node rates: 226.75 nodes, $87,072, $562,027, 545% (within 0.1%)", () => {
    const s = dailySheet(DEEPSEEK_DAY.traffic, DEEPSEEK_DAY.rates, DEEPSEEK_DAY.prices);
    expect(s.prefillNodes).toBeCloseTo(95.48, 2);
    expect(s.decodeNodes).toBeCloseTo(131.38, 2);
    expect(Math.abs(s.nodes / 226.75 - 1)).toBeLessThan(0.001);
    expect(Math.abs(s.costPerDay / 87_072 - 1)).toBeLessThan(0.001);
    expect(s.revenuePerDay).toBeCloseTo(562_100, 6); // 342B × $0.14 + 266B × $0.55 + 168B × $2.19
    expect(Math.abs(s.revenuePerDay / 562_027 - 1)).toBeLessThan(0.001);
    expect(s.margin * 100).toBeCloseTo(545, 0);
  });

  it('costs 8 GPUs × 24 h × $/GPU-hour per node, so cost is linear in price and the margin falls as it rises', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 10, noNaN: true }),
        fc.double({ min: 1.01, max: 3, noNaN: true }),
        (price, k) => {
          const at = (p: number) =>
            dailySheet(DEEPSEEK_DAY.traffic, { ...DEEPSEEK_DAY.rates, pricePerGpuHour: p }, DEEPSEEK_DAY.prices);
          expect(at(price * k).costPerDay / at(price).costPerDay).toBeCloseTo(k, 9);
          expect(at(price * k).margin).toBeLessThan(at(price).margin);
          expect(at(price).costPerDay).toBeCloseTo(at(price).nodes * 8 * 24 * price, 6);
        },
      ),
    );
  });

  it('needs fewer nodes when nodes are faster', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e3, max: 1e6, noNaN: true }),
        fc.double({ min: 1.01, max: 5, noNaN: true }),
        (rate, k) => {
          const at = (r: number) =>
            dailySheet(DEEPSEEK_DAY.traffic, { ...DEEPSEEK_DAY.rates, decodeTokPerSecPerNode: r }, DEEPSEEK_DAY.prices)
              .nodes;
          expect(at(rate * k)).toBeLessThan(at(rate));
        },
      ),
    );
  });
});
