import { describe, expect, it } from 'vitest';
import { formatDuration, ProgressBar } from '../../src/cli/progress.ts';

/** A recording stderr and a clock the test moves by hand. */
function rig(isTTY: boolean, total: number, columns?: number) {
  const writes: string[] = [];
  let t = 1000;
  const bar = new ProgressBar({
    total,
    label: 'pretrain',
    io: { err: (s) => writes.push(s), isTTY },
    now: () => t,
    columns,
  });
  return { bar, writes, advance: (ms: number) => (t += ms) };
}

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/; // anything but '\n'

describe('ProgressBar on a terminal', () => {
  it('redraws one line in place with bar, percent, count, rate, elapsed<ETA and info', () => {
    const { bar, writes, advance } = rig(true, 100);
    advance(2000);
    bar.tick(25, 'loss 1.234');
    expect(writes).toEqual(['\rpretrain █████░░░░░░░░░░░░░░░  25% 25/100 12.5 it/s 00:02<00:06 loss 1.234\x1b[K']);
  });

  it('draws at most ten times a second however often it ticks', () => {
    const { bar, writes, advance } = rig(true, 10_000);
    for (let i = 0; i < 1000; i++) {
      advance(1); // 1000 ticks over one second
      bar.tick();
    }
    expect(writes.length).toBeGreaterThanOrEqual(9);
    expect(writes.length).toBeLessThanOrEqual(11);
    expect(writes.every((w) => w.startsWith('\r') && w.endsWith('\x1b[K') && !w.includes('\n'))).toBe(true);
  });

  it('always shows the moment the work completes, then ends the line', () => {
    const { bar, writes, advance } = rig(true, 3);
    bar.tick();
    bar.tick();
    bar.tick(); // within the same 100 ms, but this one completes the work
    expect(writes.at(-1)).toContain('100% 3/3');
    advance(61_000);
    bar.done('final loss 0.12');
    expect(writes.at(-1)).toBe('\rpretrain done 3/3 in 01:01 (0.05 it/s) final loss 0.12\x1b[K\n');
  });

  it('cuts the line to the terminal width so it never wraps', () => {
    const { bar, writes, advance } = rig(true, 10, 40);
    advance(500);
    bar.tick(1, 'a very long info text that would wrap a narrow terminal');
    expect([...writes[0].replace('\r', '').replace('\x1b[K', '')].length).toBe(39);
  });
});

describe('ProgressBar in a log (not a terminal)', () => {
  it('prints a plain line per 10% and a final line, never a control character', () => {
    const { bar, writes, advance } = rig(false, 50);
    for (let i = 0; i < 50; i++) {
      advance(100);
      bar.tick(1, 'loss\t2.0\n');
    }
    bar.done();
    expect(writes).toHaveLength(10); // 10%..90%, then done
    expect(writes[0]).toBe('pretrain  10% 5/50 10.0 it/s 00:00<00:04 loss 2.0\n');
    expect(writes[8]).toMatch(/^pretrain  90% 45\/50 /);
    expect(writes[9]).toBe('pretrain done 50/50 in 00:05 (10.0 it/s) loss 2.0\n');
    for (const w of writes) {
      expect(w.endsWith('\n')).toBe(true);
      expect(w.slice(0, -1)).not.toMatch(CONTROL);
      expect(w).not.toContain('\n'.repeat(2));
    }
  });

  it('prints one line when a tick jumps several tenths at once', () => {
    const { bar, writes, advance } = rig(false, 10);
    advance(1000);
    bar.tick(7);
    expect(writes).toEqual(['pretrain  70% 7/10 7.00 it/s 00:01<00:00\n']);
  });

  it('prints only the final line for zero total, and done twice prints once', () => {
    const { bar, writes } = rig(false, 0);
    bar.tick();
    bar.done();
    bar.done();
    bar.tick();
    expect(writes).toEqual(['pretrain done 1/0 in 00:00 (-- it/s)\n']);
  });
});

describe('ProgressBar arguments and formatting', () => {
  it('refuses a negative or infinite total', () => {
    expect(() => new ProgressBar({ total: -1, label: 'x', io: { err: () => {}, isTTY: false } })).toThrow(RangeError);
    expect(() => new ProgressBar({ total: Infinity, label: 'x', io: { err: () => {}, isTTY: false } })).toThrow(
      RangeError,
    );
  });

  it('formats durations as mm:ss, h:mm:ss from an hour on, and --:-- when unknown', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(59.9)).toBe('00:59');
    expect(formatDuration(754)).toBe('12:34');
    expect(formatDuration(3600 + 62)).toBe('1:01:02');
    expect(formatDuration(NaN)).toBe('--:--');
  });

  it('uses the real clock when none is given', () => {
    const writes: string[] = [];
    const bar = new ProgressBar({ total: 2, label: 'real', io: { err: (s) => writes.push(s), isTTY: false } });
    bar.tick(2);
    bar.done();
    expect(writes.at(-1)).toMatch(/^real done 2\/2 in 00:00 \(/);
  });
});
