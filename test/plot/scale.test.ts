import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeXml,
  extent,
  fmt,
  formatTick,
  formatValue,
  linearTicks,
  logTicks,
  makeScale,
  tickLabel,
} from '../../src/plot/scale.ts';

/** The step's mantissa: 1, 2 or 5 (times a power of ten). */
function mantissa(step: number): number {
  return Number((step / 10 ** Math.floor(Math.log10(step) + 1e-9)).toPrecision(6));
}

const finite = fc.oneof(
  fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -1e300, max: 1e300, noNaN: true }),
);

describe('linear ticks', () => {
  it('cover the data with evenly spaced 1-2-5 steps and a bounded count', () => {
    fc.assert(
      fc.property(finite, finite, fc.integer({ min: 1, max: 12 }), (a, b, target) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const t = linearTicks(lo, hi, target);
        expect(t.lo).toBeLessThanOrEqual(lo);
        expect(t.hi).toBeGreaterThanOrEqual(hi);
        expect(t.values.length).toBeGreaterThanOrEqual(2);
        expect(t.values.length).toBeLessThanOrEqual(target + 3);
        const step = t.values[1] - t.values[0];
        expect([1, 2, 5]).toContain(mantissa(step));
        for (let i = 1; i < t.values.length; i++) {
          const scale = Math.max(Math.abs(t.values[i]), Math.abs(t.values[i - 1]));
          expect(Math.abs(t.values[i] - t.values[i - 1] - step)).toBeLessThanOrEqual(scale * 1e-12);
        }
      }),
    );
  });

  it('are exact decimals, so labels never show float noise', () => {
    expect(linearTicks(0, 0.9, 9).values).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    const t = linearTicks(0.05, 0.27, 5);
    expect(t.values.map((v) => tickLabel(t, v))).toEqual(['0.05', '0.10', '0.15', '0.20', '0.25', '0.30']);
    expect(linearTicks(0, 1000, 5).values).toEqual([0, 200, 400, 600, 800, 1000]);
  });

  it('widen a constant range around the value instead of dividing by zero', () => {
    expect(linearTicks(0, 0).values).toEqual([-1, -0.5, 0, 0.5, 1]);
    const t = linearTicks(3, 3);
    expect(t.lo).toBeLessThan(3);
    expect(t.hi).toBeGreaterThan(3);
  });

  it('never produce -0', () => {
    expect(linearTicks(-1, 1).values.some((v) => Object.is(v, -0))).toBe(false);
  });
});

describe('log ticks', () => {
  it('sit on whole decades covering the range', () => {
    expect(logTicks(3, 2000).values).toEqual([1, 10, 100, 1000, 10000]);
    expect(logTicks(0.01, 0.01).values).toEqual([0.01, 0.1]);
  });

  it('skip decades on a very wide range but keep both ends on a tick', () => {
    const t = logTicks(1e-10, 1e20, 8);
    expect(t.values.length).toBeLessThanOrEqual(8);
    expect(t.lo).toBeLessThanOrEqual(1e-10);
    expect(t.hi).toBeGreaterThanOrEqual(1e20);
  });

  it('fall back to one decade without positive data', () => {
    expect(logTicks(-5, 0).values).toEqual([1, 10]);
  });

  it('label plainly for ordinary decades and in exponent form for wide ones', () => {
    const plain = logTicks(0.001, 100);
    expect(plain.values.map((v) => tickLabel(plain, v))).toEqual(['0.001', '0.01', '0.1', '1', '10', '100']);
    const wide = logTicks(1, 1e7);
    expect(tickLabel(wide, 1e6)).toBe('1e6');
  });
});

describe('scales and formatting', () => {
  it('map the axis ends onto the pixel ends, log and linear', () => {
    const lin = makeScale(linearTicks(0, 10), 100, 0);
    expect(lin(0)).toBe(100);
    expect(lin(10)).toBe(0);
    const log = makeScale(logTicks(1, 100), 0, 200);
    expect(log(10)).toBeCloseTo(100, 9);
  });

  it('find the extent of finite (and, for log axes, positive) values', () => {
    expect(extent([3, NaN, -1, Infinity, 2])).toEqual([-1, 3]);
    expect(extent([-1, 0, 5], true)).toEqual([5, 5]);
    expect(extent([NaN])).toBeNull();
  });

  it('format numbers deterministically', () => {
    expect(fmt(1 / 3)).toBe('0.33');
    expect(fmt(-0.001)).toBe('0');
    expect(formatTick(-0, 2)).toBe('0');
    expect(formatTick(2.5e-8, 9)).toBe('2.5e-8');
    expect(formatTick(3e12, 0)).toBe('3e12');
    expect(formatValue(1.23456)).toBe('1.235');
    expect(formatValue(0.5)).toBe('0.5');
  });

  it('escape XML special characters and drop control characters', () => {
    expect(escapeXml(`a<b>&"c'\u0001`)).toBe('a&lt;b&gt;&amp;&quot;c&#39;\ufffd');
  });
});
