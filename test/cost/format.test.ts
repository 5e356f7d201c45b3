import { describe, expect, it } from 'vitest';
import {
  bytes,
  dollars,
  duration,
  grouped,
  pct,
  sci,
  si,
  sig,
  signedPct,
  table,
  tokensShort,
} from '../../src/cost/format.ts';

describe('report formatting', () => {
  it('prints SI suffixes with significant digits', () => {
    expect(si(2_664_000)).toBe('2.66M');
    expect(si(2_665_400, 4)).toBe('2.665M');
    expect(si(119_000, 4)).toBe('119.0K');
    expect(si(14.8e12)).toBe('14.8T');
    expect(si(37.552e9)).toBe('37.6B');
    expect(si(42)).toBe('42.0');
    expect(si(Infinity)).toBe('∞');
    expect(sig(0.0123, 2)).toBe('0.012');
  });

  it('prints money, bytes, percentages and durations', () => {
    expect(dollars(5_576_000, 4)).toBe('$5.576M');
    expect(dollars(0.2)).toBe('$0.20');
    expect(bytes(70_272, 5)).toBe('70.272 KB');
    expect(bytes(512)).toBe('512.0 B');
    expect(pct(0.3894, 2)).toBe('38.94%');
    expect(pct(-0.0036, 0)).toBe('0%');
    expect(pct(-0.36, 0)).toBe('-36%');
    expect(signedPct(0.0005, 2)).toBe('+0.05%');
    expect(signedPct(-0.2424)).toBe('-24.2%');
    expect(duration(120.96e-6, 5)).toBe('120.96 µs');
    expect(duration(0.01476, 4)).toBe('14.76 ms');
    expect(duration(19.92)).toBe('19.9 s');
    expect(duration(54.2 * 86400)).toBe('54.2 days');
    expect(duration(0)).toBe('0 s');
    expect(sci(3.697e24)).toBe('3.70e24');
    expect(tokensShort(131072)).toBe('128K');
    expect(grouped(87072)).toBe('87,072');
    expect(grouped(562027)).toBe('562,027');
  });

  it('aligns tables: text left, numbers right, one rule under the header', () => {
    expect(
      table(
        ['stage', 'hours'],
        [
          ['pre', '2.66M'],
          ['post-training', '5K'],
        ],
      ),
    ).toEqual(['stage          hours', '─────────────  ─────', 'pre            2.66M', 'post-training     5K']);
  });
});
