import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { svgBarChart, svgLineChart, type LineSeries } from '../../src/plot/svg.ts';

/** A small well-formedness check: balanced tags, quoted attributes, escaped text, one <svg> root. */
function expectWellFormedSvg(doc: string): void {
  expect(doc.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  const body = doc.replace(/^<\?xml[^?]*\?>/, '');
  const stack: string[] = [];
  let roots = 0;
  const re = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const m of body.matchAll(re)) {
    const [, close, name, attrs, selfClose, text, stray] = m;
    expect(stray, 'a "<" that starts no tag').toBeUndefined();
    if (text !== undefined) {
      expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|#\d+);)/);
      if (stack.length === 0) expect(text.trim()).toBe('');
      continue;
    }
    expect(attrs ?? '').not.toMatch(/&(?!(amp|lt|gt|quot|#\d+);)/);
    if (close) {
      expect(stack.pop()).toBe(name);
    } else if (!selfClose) {
      if (stack.length === 0) roots++;
      stack.push(name);
    }
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

const paths = (doc: string) => [...doc.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);
const strokes = (doc: string) =>
  [...doc.matchAll(/<path d="[^"]*" fill="none" stroke="([^"]*)"[^>]*?(?: stroke-dasharray="([^"]*)")?\/>/g)].map(
    (m) => `${m[1]}|${m[2] ?? ''}`,
  );

const steps = [0, 10, 20, 30, 40];
const aha: LineSeries[] = [
  {
    name: 'accuracy',
    points: steps.map((s) => [s, s / 50]),
    band: steps.map((s) => [s, s / 50 - 0.05, s / 50 + 0.05]),
  },
  { name: 'response length', points: steps.map((s) => [s, 100 + 10 * s]) },
];

describe('svgLineChart', () => {
  it('is a well-formed standalone SVG document with title, axis labels and a legend', () => {
    const doc = svgLineChart({ title: 'R1-Zero: the aha moment', xLabel: 'RL step', yLabel: 'accuracy', series: aha });
    expectWellFormedSvg(doc);
    for (const text of ['R1-Zero: the aha moment', 'RL step', 'accuracy', 'response length'])
      expect(doc).toContain(`>${text}</text>`);
  });

  it('is an image named by its title for screen readers, bar charts too', () => {
    const line = svgLineChart({ title: 'a < "b"', xLabel: 'x', yLabel: 'y', series: aha });
    const bars = svgBarChart({
      title: 'a < "b"',
      yLabel: 'y',
      categories: ['c'],
      groups: [{ name: 'g', values: [1] }],
    });
    for (const doc of [line, bars])
      expect(doc.split('\n')[1]).toMatch(/ role="img" aria-label="a &lt; &quot;b&quot;">$/);
  });

  it('gives the same bytes for the same input', () => {
    const opts = { title: 't', xLabel: 'x', yLabel: 'y', series: aha, yRight: { label: 'tokens', series: [1] } };
    expect(svgLineChart(opts)).toBe(svgLineChart(structuredClone(opts)));
  });

  it('escapes names and labels', () => {
    const doc = svgLineChart({
      title: 'a < b & "c"',
      xLabel: '<x>',
      yLabel: "y's",
      series: [
        {
          name: '</svg>',
          points: [
            [0, 1],
            [1, 2],
          ],
        },
      ],
    });
    expectWellFormedSvg(doc);
    expect(doc).toContain('a &lt; b &amp; &quot;c&quot;');
    expect(doc).not.toContain('</svg>\n<');
  });

  it('leaves a gap at a NaN point and draws an isolated point as a dot', () => {
    const doc = svgLineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 's',
          points: [
            [0, 1],
            [1, 2],
            [2, NaN],
            [3, 1],
            [4, 2],
            [5, NaN],
            [6, 3],
          ],
        },
      ],
    });
    expect(paths(doc).filter((d) => d.startsWith('M'))).toHaveLength(2);
    expect(paths(doc).every((d) => !d.includes('NaN'))).toBe(true);
    expect(doc.match(/<circle /g)).toHaveLength(1);
  });

  it('draws series in distinct colours and dash patterns, honouring dashed', () => {
    const series = Array.from({ length: 6 }, (_, i): LineSeries => ({
      name: `s${i}`,
      points: [
        [0, i],
        [1, i + 1],
      ],
    }));
    const styles = strokes(svgLineChart({ title: 't', xLabel: 'x', yLabel: 'y', series }));
    expect(new Set(styles).size).toBe(6);
    expect(new Set(styles.map((s) => s.split('|')[1])).size).toBe(6);
    const forced = strokes(
      svgLineChart({
        title: 't',
        xLabel: 'x',
        yLabel: 'y',
        series: [
          {
            name: 'a',
            points: [
              [0, 1],
              [1, 2],
            ],
            dashed: true,
          },
          {
            name: 'b',
            points: [
              [0, 1],
              [1, 2],
            ],
            dashed: false,
          },
        ],
      }),
    );
    expect(forced[0].split('|')[1]).not.toBe('');
    expect(forced[1].split('|')[1]).toBe('');
  });

  it('shades a band as a polygon under its line', () => {
    const doc = svgLineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: aha });
    const polygon = doc.indexOf('<polygon');
    expect(polygon).toBeGreaterThan(0);
    expect(polygon).toBeLessThan(doc.indexOf('<path'));
    expect(doc.match(/<polygon points="([^"]*)"/)![1].split(' ')).toHaveLength(2 * steps.length);
  });

  it('puts the yRight series on a second axis with its own ticks and label', () => {
    const doc = svgLineChart({
      title: 't',
      xLabel: 'step',
      yLabel: 'accuracy',
      series: aha,
      yRight: { label: 'tokens', series: [1] },
    });
    expectWellFormedSvg(doc);
    expect(doc).toContain('>tokens</text>');
    expect(doc).toContain('rotate(90');
    expect(doc).toContain('>500</text>'); // response length reaches 500: a right-axis tick
    expect(doc).toContain('response length (right axis)');
    // Both lines span the plot height: each is scaled to its own axis.
    const ys = paths(doc).map((d) => [...d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1])));
    const spans = ys.map((y) => Math.max(...y) - Math.min(...y));
    expect(spans[1]).toBeGreaterThan(spans[0] * 0.5);
  });

  it('refuses a yRight index that names no series', () => {
    expect(() =>
      svgLineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: aha, yRight: { label: 'r', series: [2] } }),
    ).toThrow(RangeError);
  });

  it('ticks log axes at decades and skips non-positive points', () => {
    const doc = svgLineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      logX: true,
      logY: true,
      series: [
        {
          name: 's',
          points: [
            [1, 1],
            [10, 5],
            [100, 20],
            [0, 3],
            [1000, -1],
          ],
        },
      ],
    });
    expectWellFormedSvg(doc);
    for (const label of ['>1</text>', '>10</text>', '>100</text>']) expect(doc).toContain(label);
    expect(paths(doc)).toHaveLength(1);
    expect(paths(doc)[0].split('L')).toHaveLength(3);
  });

  it('writes wide log decades as powers of ten', () => {
    const doc = svgLineChart({
      title: 't',
      xLabel: 'FLOPs',
      yLabel: 'y',
      logX: true,
      series: [
        {
          name: 's',
          points: [
            [1e10, 1],
            [1e20, 2],
          ],
        },
      ],
    });
    expect(doc).toContain('10<tspan dy="-5" font-size="9">20</tspan>');
  });

  it('draws axes and a "no data" note for no series or only empty ones', () => {
    for (const series of [
      [],
      [{ name: 'empty', points: [] }],
      [{ name: 'nan', points: [[NaN, NaN]] as [number, number][] }],
    ]) {
      const doc = svgLineChart({ title: 't', xLabel: 'x', yLabel: 'y', series });
      expectWellFormedSvg(doc);
      expect(doc).toContain('>no data</text>');
    }
  });

  it('stays well-formed for any data', () => {
    const num = fc.oneof(fc.double(), fc.constant(NaN), fc.integer({ min: -5, max: 5 }));
    const series = fc.array(
      fc.record({
        name: fc.string({ maxLength: 8 }),
        points: fc.array(fc.tuple(num, num), { maxLength: 12 }),
        dashed: fc.option(fc.boolean(), { nil: undefined }),
      }),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(series, fc.boolean(), fc.boolean(), (s, logX, logY) => {
        const doc = svgLineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: s, logX, logY });
        expectWellFormedSvg(doc);
        expect(doc).not.toMatch(/NaN|Infinity/);
      }),
      { numRuns: 150 },
    );
  });
});

describe('svgBarChart', () => {
  const opts = {
    title: 'Cost breakdown',
    yLabel: 'GPU hours (k)',
    categories: ['pre-training', 'context ext.', 'post-training'],
    groups: [
      { name: 'H800', values: [2664, 119, 5] },
      { name: 'plan', values: [2500, NaN, 10] },
    ],
  };

  it('draws one bar per finite value, with a legend and category labels', () => {
    const doc = svgBarChart(opts);
    expectWellFormedSvg(doc);
    const bars = doc.match(
      /<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="(?!none)[^"]*" stroke="[^"]*"\/>/g,
    )!;
    expect(bars).toHaveLength(5 + 2); // five bars and two legend swatches
    for (const text of ['pre-training', 'post-training', 'H800', 'plan', 'GPU hours (k)'])
      expect(doc).toContain(`>${text}</text>`);
  });

  it('tells groups apart by hatching as well as colour', () => {
    const doc = svgBarChart(opts);
    expect(doc).toContain('<pattern id="hatch1-1"');
    expect(doc).toContain('fill="url(#hatch1-1)"');
  });

  it('grows negative bars downwards from zero', () => {
    const doc = svgBarChart({
      title: 't',
      yLabel: 'y',
      categories: ['a', 'b'],
      groups: [{ name: 'g', values: [4, -4] }],
    });
    const bars = [...doc.matchAll(/<rect x="[^"]*" y="([^"]*)" width="[^"]*" height="([^"]*)" fill="#0072B2"/g)].slice(
      1,
    );
    const [up, down] = bars.map((m) => ({ y: Number(m[1]), h: Number(m[2]) }));
    expect(up.y + up.h).toBeCloseTo(down.y, 1);
    expect(up.h).toBeCloseTo(down.h, 1);
  });

  it('handles no categories, and refuses more values than categories', () => {
    expectWellFormedSvg(svgBarChart({ title: 't', yLabel: 'y', categories: [], groups: [] }));
    expect(() =>
      svgBarChart({ title: 't', yLabel: 'y', categories: ['a'], groups: [{ name: 'g', values: [1, 2] }] }),
    ).toThrow(/'g' has 2 values/);
  });

  it('stays well-formed for any values', () => {
    const num = fc.oneof(fc.double(), fc.integer({ min: -9, max: 9 }));
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 6 }), { maxLength: 5 }),
        fc.array(fc.array(num, { maxLength: 5 }), { maxLength: 4 }),
        (categories, values) => {
          const groups = values.map((v, i) => ({ name: `g${i}`, values: v.slice(0, categories.length) }));
          const doc = svgBarChart({ title: 't', yLabel: 'y', categories, groups });
          expectWellFormedSvg(doc);
          expect(doc).not.toMatch(/NaN|Infinity/);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('thins category labels that would overlap', () => {
    const categories = Array.from({ length: 64 }, (_, i) => `expert ${i}`);
    const doc = svgBarChart({
      title: 'expert load',
      yLabel: 'tokens',
      categories,
      groups: [{ name: 'load', values: categories.map((_, i) => i % 7) }],
    });
    const labels = doc.match(/>expert \d+<\/text>/g)!;
    expect(labels.length).toBeLessThan(64);
    expect(labels[0]).toBe('>expert 0</text>');
  });
});
