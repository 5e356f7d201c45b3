import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sparkline, terminalLineChart, type TerminalChartOptions } from '../../src/plot/terminal.ts';

const ANSI = /\x1b\[[0-9;]*m/g;
const plain = (s: string) => s.replace(ANSI, '');
const cols = (line: string) => [...plain(line)].length;
const BIT = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
];

/** The lit braille dots of the plot rows, as "x,y" pixel keys (x from the first plot column). */
function dots(chart: string, plotRows: number[], bodyStart: number): Set<string> {
  const lit = new Set<string>();
  const lines = plain(chart).split('\n');
  plotRows.forEach((lineIndex, r) => {
    [...lines[lineIndex]].slice(bodyStart).forEach((ch, c) => {
      const code = ch.codePointAt(0)! - 0x2800;
      if (code < 0 || code > 0xff) return;
      for (let dx = 0; dx < 2; dx++)
        for (let dy = 0; dy < 4; dy++) if (code & BIT[dx][dy]) lit.add(`${2 * c + dx},${4 * r + dy}`);
    });
  });
  return lit;
}

describe('terminalLineChart', () => {
  const opts: TerminalChartOptions = {
    title: 'GRPO',
    yLabel: 'reward',
    width: 50,
    height: 12,
    series: [
      { name: 'reward', values: [0, 0.1, 0.3, 0.2, 0.6, 0.8, 0.9] },
      { name: 'kl', values: [0, 0.05, 0.1, NaN, 0.2, 0.2, 0.25] },
    ],
  };

  it('fills exactly width × height: every line at most `width` columns, `height` lines', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 30 }),
        fc.integer({ min: 12, max: 90 }),
        fc.boolean(),
        (height, width, colors) => {
          const lines = terminalLineChart({ ...opts, height, width, colors }).split('\n');
          expect(lines).toHaveLength(height);
          for (const l of lines) expect(cols(l)).toBeLessThanOrEqual(width);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('writes plain text without colours and ANSI colours per series with them', () => {
    const off = terminalLineChart(opts);
    expect(off).not.toMatch(/\x1b/);
    const on = terminalLineChart({ ...opts, colors: true });
    expect(on).toContain('\x1b[36m');
    expect(on).toContain('\x1b[33m');
    expect(plain(on)).toBe(off);
  });

  it('shows the title, y label, tick labels, the x range and a legend with the latest values', () => {
    const lines = terminalLineChart(opts).split('\n');
    expect(lines[0]).toBe('GRPO');
    expect(lines[1]).toBe('reward');
    expect(lines.some((l) => /^\s*1\.0 ┤/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s*0\.4 ┤/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s*0 ┤/.test(l))).toBe(true);
    expect(lines[lines.length - 2].trim()).toMatch(/^0 +6$/);
    expect(lines[lines.length - 1]).toBe('■ reward 0.9  ■ kl 0.25');
  });

  it('draws an increasing series from bottom left to top right', () => {
    const chart = terminalLineChart({ series: [{ name: 'up', values: [1, 2, 3, 4] }], width: 30, height: 10 });
    const lines = chart.split('\n');
    const plotRows = lines.slice(0, 8);
    const start = plotRows[0].indexOf('┤') + 1;
    const lit = [
      ...dots(
        chart,
        plotRows.map((_, i) => i),
        start,
      ),
    ].map((k) => k.split(',').map(Number));
    const at = (pick: (a: number, b: number) => number) => lit.reduce((p, q) => (pick(q[0], p[0]) === q[0] ? q : p));
    const left = at(Math.min);
    const right = at(Math.max);
    expect(left[1]).toBeGreaterThan(right[1]); // the leftmost dot is lower on screen than the rightmost
  });

  it('lights a dot in the column of every finite point, and none without finite points', () => {
    const values = fc.array(fc.oneof(fc.double({ min: -100, max: 100, noNaN: true }), fc.constant(NaN)), {
      maxLength: 60,
    });
    fc.assert(
      fc.property(values, (vs) => {
        const width = 40;
        const chart = terminalLineChart({ series: [{ name: 's', values: vs }], width, height: 12 });
        const lines = plain(chart).split('\n');
        const axis = lines[0].search(/[┤│]/);
        const W = 2 * (width - axis - 1);
        const lit = [
          ...dots(
            chart,
            lines.slice(0, 10).map((_, i) => i),
            axis + 1,
          ),
        ].map((k) => Number(k.split(',')[0]));
        const litCols = new Set(lit);
        const n = vs.length;
        vs.forEach((v, i) => {
          if (Number.isFinite(v)) expect(litCols.has(n <= 1 ? 0 : Math.round((i * (W - 1)) / (n - 1)))).toBe(true);
        });
        if (!vs.some(Number.isFinite)) expect(lit).toHaveLength(0);
      }),
      { numRuns: 150 },
    );
  });

  it('leaves a gap where a value is NaN', () => {
    const chart = terminalLineChart({
      series: [{ name: 's', values: [1, 1, NaN, NaN, NaN, 1, 1] }],
      width: 30,
      height: 6,
    });
    const row = plain(chart)
      .split('\n')
      .find((l) => /[\u2801-\u28ff]/.test(l))!;
    const body = row.slice(row.search(/[┤│]/) + 1);
    expect(body).toMatch(/[\u2801-\u28ff] +[\u2801-\u28ff]/);
  });

  it('draws a constant series mid-height and a single point as one dot', () => {
    const flat = plain(terminalLineChart({ series: [{ name: 'c', values: [2, 2, 2] }], width: 30, height: 7 })).split(
      '\n',
    );
    const litRows = flat
      .slice(0, 5)
      .map((l, i) => (/[\u2801-\u28ff]/.test(l) ? i : -1))
      .filter((i) => i >= 0);
    expect(litRows).toEqual([2]);
    expect(flat[2]).toMatch(/^2\.0 ┤/);
    const one = plain(terminalLineChart({ series: [{ name: 'p', values: [5] }], width: 30, height: 7 }));
    expect(one.match(/[\u2801-\u28ff]/g)).toHaveLength(1);
    expect(one).toContain('■ p 5');
  });

  it('handles no series and empty series without failing', () => {
    for (const series of [[], [{ name: 'none', values: [] }]]) {
      const lines = terminalLineChart({ series, width: 20, height: 6 }).split('\n');
      expect(lines).toHaveLength(6);
      expect(lines.join('')).not.toMatch(/[\u2801-\u28ff]/);
    }
    expect(terminalLineChart({ series: [{ name: 'none', values: [] }], width: 20, height: 4 })).toContain('none –');
  });

  it('cuts a legend that does not fit with an ellipsis', () => {
    const series = ['alpha', 'beta', 'gamma', 'delta'].map((name) => ({ name, values: [1, 2] }));
    const legend = terminalLineChart({ series, width: 24, height: 6 }).split('\n').at(-1)!;
    expect(cols(legend)).toBeLessThanOrEqual(24);
    expect(legend).toMatch(/…$/);
  });
});

describe('sparkline', () => {
  it('maps the minimum to ▁ and the maximum to █', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
  });

  it('is non-decreasing for a non-decreasing series', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 30 }), (vs) => {
        const sorted = [...vs].sort((a, b) => a - b);
        const s = [...sparkline(sorted)];
        expect(s).toHaveLength(vs.length);
        for (let i = 1; i < s.length; i++) expect(s[i] >= s[i - 1]).toBe(true);
      }),
    );
  });

  it('shows NaN as a space, a constant mid-height and nothing for no values', () => {
    expect(sparkline([1, NaN, 3])).toBe('▁ █');
    expect(sparkline([4, 4])).toBe('▄▄');
    expect(sparkline([])).toBe('');
    expect(sparkline([NaN])).toBe(' ');
  });

  it('averages into `width` buckets when there are more values', () => {
    expect(sparkline([0, 0, 0, 0, 10, 10, 10, 10], 2)).toBe('▁█');
    expect(sparkline([1, 2, 3], 10)).toHaveLength(3);
    expect([
      ...sparkline(
        Array.from({ length: 1000 }, (_, i) => i),
        17,
      ),
    ]).toHaveLength(17);
  });
});
