import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bubbleFraction,
  bubbleTime,
  scheduleMemory,
  scheduleProblems,
  TYPICAL_CHUNKS,
} from '../../src/cost/pipeline.ts';

const chunks = fc
  .record({
    F: fc.double({ min: 0.1, max: 10, noNaN: true }),
    W: fc.double({ min: 0.05, max: 5, noNaN: true }),
    Bx: fc.double({ min: 0.05, max: 5, noNaN: true }),
  })
  .map(({ F, W, Bx }) => ({ F, W, B: W + Bx, FB: F + W + Bx }));
const evenPp = fc.integer({ min: 1, max: 32 }).map((n) => 2 * n);

describe('pipeline bubbles (DualPipe README / V3 Table 2)', () => {
  it("gives the table's three formulas for any chunk times", () => {
    fc.assert(
      fc.property(evenPp, chunks, (pp, c) => {
        expect(bubbleTime('1f1b', pp, c)).toBeCloseTo((pp - 1) * (c.F + c.B), 9);
        expect(bubbleTime('zb1p', pp, c)).toBeCloseTo((pp - 1) * (c.F + c.B - 2 * c.W), 9);
        expect(bubbleTime('dualpipe', pp, c)).toBeCloseTo((pp / 2 - 1) * (c.FB + c.B - 3 * c.W), 9);
      }),
    );
  });

  it('orders them DualPipe ≤ ZB1P ≤ 1F1B when F&B = F + B and W ≤ F', () => {
    fc.assert(
      fc.property(evenPp, chunks, (pp, c) => {
        fc.pre(c.W <= c.F);
        expect(bubbleTime('zb1p', pp, c)).toBeLessThanOrEqual(bubbleTime('1f1b', pp, c) + 1e-9);
        expect(bubbleTime('dualpipe', pp, c)).toBeLessThanOrEqual(bubbleTime('zb1p', pp, c) + 1e-9);
      }),
    );
  });

  it('gives 45 / 15 / 14 chunk-units at PP16 with F = 1, B = 2, W = 1', () => {
    expect(bubbleTime('1f1b', 16)).toBe(45);
    expect(bubbleTime('zb1p', 16)).toBe(15);
    expect(bubbleTime('dualpipe', 16)).toBe(14);
    expect(bubbleTime('interleaved', 16, TYPICAL_CHUNKS, 4)).toBe(45 / 4);
    expect(bubbleTime('dualpipe', 1)).toBe(0);
  });

  it('shrinks the bubble fraction as micro-batches are added', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('1f1b', 'zb1p', 'dualpipe', 'interleaved') as fc.Arbitrary<'1f1b'>,
        evenPp,
        fc.integer({ min: 1, max: 1000 }),
        (s, pp, m) => {
          expect(bubbleFraction(s, pp, m + 1, TYPICAL_CHUNKS, 2)).toBeLessThan(
            bubbleFraction(s, pp, m, TYPICAL_CHUNKS, 2) + 1e-15,
          );
        },
      ),
    );
    expect(bubbleFraction('1f1b', 16, 120)).toBeCloseTo(45 / 360, 12);
  });

  it("keeps the table's memory columns: DualPipe doubles parameters and holds PP + 1 activations", () => {
    expect(scheduleMemory('dualpipe', 16)).toEqual({ params: 2, activations: 17 });
    expect(scheduleMemory('1f1b', 16)).toEqual({ params: 1, activations: 16 });
    expect(scheduleMemory('zb1p', 16)).toEqual({ params: 1, activations: 16 });
  });

  it('refuses DualPipe on an odd number of ranks', () => {
    expect(scheduleProblems('dualpipe', 7, 1)).toEqual(['DualPipe needs an even PP (got 7)']);
    expect(scheduleProblems('dualpipe', 16, 1)).toEqual([]);
    expect(scheduleProblems('interleaved', 16, 0)).toHaveLength(1);
  });
});
