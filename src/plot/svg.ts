// Standalone SVG charts for run directories and lessons: a line chart (optional shaded bands such as
// mean ± std over seeds, log axes, a second y axis on the right) and a grouped bar chart.
// Output is a complete SVG 1.1 document with no dependencies. Series differ by colour (the Okabe–Ito
// palette, chosen to stay distinguishable under the common colour-vision deficiencies) *and* by dash
// pattern (lines) or hatching (bars), so a chart still reads in greyscale. The root is an image named by its
// title for screen readers (role="img", aria-label), as an <img> with alt text would be. NaN and other
// unplottable points leave a gap in the line. Every coordinate is rounded by `fmt`: same input, same bytes.
import {
  axisTicks,
  decadeExponent,
  decadesPlain,
  escapeXml,
  extent,
  fmt,
  linearTicks,
  makeScale,
  plottable,
  tickLabel,
  type Ticks,
} from './scale.ts';

export interface LineSeries {
  name: string;
  points: [number, number][];
  /** [x, lo, hi]: a shaded band, e.g. mean ± std over seeds. */
  band?: [number, number, number][];
  /** true: always dashed; false: always solid; absent: the dash pattern that goes with the series index. */
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  logX?: boolean;
  /** Log scale for the left y axis (the right axis, if any, stays linear). */
  logY?: boolean;
  width?: number;
  height?: number;
  /** Series (by index) drawn against a second y axis on the right, e.g. response length beside accuracy. */
  yRight?: { label: string; series: number[] };
}

export interface BarChartOptions {
  title: string;
  yLabel: string;
  categories: string[];
  /** One bar per category in each group; a missing or NaN value draws no bar. */
  groups: { name: string; values: number[] }[];
  width?: number;
  height?: number;
}

const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
const DASHES = ['', '8 4', '2 3', '10 3 2 3', '4 4', '12 3 2 3 2 3'];
const CHAR_W = 7; // approximate advance of a 12px sans-serif character, for layout only
const LEGEND_ROW = 18;

const colour = (i: number) => PALETTE[i % PALETTE.length];

function dashFor(i: number, dashed: boolean | undefined): string {
  if (dashed === false) return '';
  const d = DASHES[i % DASHES.length];
  return dashed === true && d === '' ? DASHES[1] : d;
}

const dashAttr = (d: string) => (d ? ` stroke-dasharray="${d}"` : '');

function open(w: number, h: number, title: string): string[] {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ` +
      `font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${w}" height="${h}" fill="#ffffff"/>`,
    `<text x="${fmt(w / 2)}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
  ];
}

interface LegendItem {
  label: string;
  /** SVG for the 24×12 swatch whose top-left corner is (x, y). */
  swatch: (x: number, y: number) => string;
}

// Legend items flow left to right under the title and wrap; returns the rows' SVG and their height.
function legend(items: LegendItem[], left: number, right: number, top: number): { svg: string[]; height: number } {
  const svg: string[] = [];
  let x = left;
  let row = 0;
  for (const it of items) {
    const w = 30 + it.label.length * CHAR_W + 16;
    if (x > left && x + w > right) {
      row++;
      x = left;
    }
    const y = top + row * LEGEND_ROW;
    svg.push(it.swatch(x, y), `<text x="${fmt(x + 30)}" y="${fmt(y + 10)}">${escapeXml(it.label)}</text>`);
    x += w;
  }
  return { svg, height: items.length === 0 ? 0 : (row + 1) * LEGEND_ROW };
}

function yAxisLabel(x: number, y: number, text: string, angle: number): string {
  return `<text x="${fmt(x)}" y="${fmt(y)}" text-anchor="middle" transform="rotate(${angle} ${fmt(x)} ${fmt(y)})">${escapeXml(text)}</text>`;
}

// Tick label markup: on a wide log axis a decade is written 10 with a raised exponent.
function svgTick(t: Ticks, v: number): string {
  if (t.log && !decadesPlain(t)) return `10<tspan dy="-5" font-size="9">${decadeExponent(v)}</tspan>`;
  return tickLabel(t, v);
}

const labelWidth = (t: Ticks) => Math.max(...t.values.map((v) => tickLabel(t, v).length)) * CHAR_W;

/** Splits points into runs of consecutive plottable ones: a NaN (or ≤ 0 on a log axis) ends a run. */
function runs<T>(items: T[], ok: (t: T) => boolean): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  for (const it of items) {
    if (ok(it)) cur.push(it);
    else if (cur.length) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

/** A line chart as a standalone SVG document. */
export function svgLineChart(opts: LineChartOptions): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 440;
  const logX = opts.logX ?? false;
  const logY = opts.logY ?? false;
  const right = new Set(opts.yRight?.series ?? []);
  for (const i of right) {
    if (!Number.isInteger(i) || i < 0 || i >= opts.series.length) {
      throw new RangeError(
        `svgLineChart: yRight.series index ${i} is not a series index (0..${opts.series.length - 1})`,
      );
    }
  }
  const hasRight = opts.yRight !== undefined;

  // Data ranges: x over every series; y per axis; bands count towards their series' axis.
  const xs: number[] = [];
  const yl: number[] = [];
  const yr: number[] = [];
  opts.series.forEach((s, i) => {
    const ys = right.has(i) ? yr : yl;
    const logThis = right.has(i) ? false : logY;
    for (const [x, y] of s.points) {
      if (plottable(x, logX) && plottable(y, logThis)) {
        xs.push(x);
        ys.push(y);
      }
    }
    for (const [x, lo, hi] of s.band ?? []) {
      if (plottable(x, logX) && plottable(lo, logThis) && plottable(hi, logThis)) {
        xs.push(x);
        ys.push(lo, hi);
      }
    }
  });
  const xt = axisTicks(extent(xs, logX), logX, 6);
  const lt = axisTicks(extent(yl, logY), logY, 5);
  const rt = hasRight ? axisTicks(extent(yr), false, 5) : null;

  // Layout: title, legend, plot, x ticks and label; y tick labels and axis labels at the sides.
  const left = 28 + labelWidth(lt) + 10;
  const rightPad = rt ? 28 + labelWidth(rt) + 10 : 24;
  const px1 = Math.max(left + 10, W - rightPad);
  const items: LegendItem[] = opts.series.map((s, i) => ({
    label: right.has(i) ? `${s.name} (right axis)` : s.name,
    swatch: (x, y) =>
      (s.band
        ? `<rect x="${fmt(x)}" y="${fmt(y)}" width="24" height="12" fill="${colour(i)}" fill-opacity="0.2"/>`
        : '') +
      `<line x1="${fmt(x)}" y1="${fmt(y + 6)}" x2="${fmt(x + 24)}" y2="${fmt(y + 6)}" stroke="${colour(i)}" stroke-width="2"${dashAttr(dashFor(i, s.dashed))}/>`,
  }));
  const leg = legend(items, left, px1, 34);
  const py0 = 34 + leg.height + 10;
  const py1 = Math.max(py0 + 10, H - 50);

  const sx = makeScale(xt, left, px1);
  const syL = makeScale(lt, py1, py0);
  const syR = rt ? makeScale(rt, py1, py0) : syL;

  const out = open(W, H, opts.title);
  out.push(...leg.svg);
  // Grid and ticks.
  out.push('<g stroke="#e6e6e6" stroke-width="1">');
  for (const v of xt.values)
    out.push(`<line x1="${fmt(sx(v))}" y1="${fmt(py0)}" x2="${fmt(sx(v))}" y2="${fmt(py1)}"/>`);
  for (const v of lt.values)
    out.push(`<line x1="${fmt(left)}" y1="${fmt(syL(v))}" x2="${fmt(px1)}" y2="${fmt(syL(v))}"/>`);
  out.push('</g>');
  out.push('<g text-anchor="middle">');
  for (const v of xt.values) {
    out.push(
      `<line x1="${fmt(sx(v))}" y1="${fmt(py1)}" x2="${fmt(sx(v))}" y2="${fmt(py1 + 5)}" stroke="#333333"/>`,
      `<text x="${fmt(sx(v))}" y="${fmt(py1 + 18)}">${svgTick(xt, v)}</text>`,
    );
  }
  out.push('</g>', '<g text-anchor="end">');
  for (const v of lt.values) {
    out.push(
      `<line x1="${fmt(left - 5)}" y1="${fmt(syL(v))}" x2="${fmt(left)}" y2="${fmt(syL(v))}" stroke="#333333"/>`,
      `<text x="${fmt(left - 8)}" y="${fmt(syL(v) + 4)}">${svgTick(lt, v)}</text>`,
    );
  }
  out.push('</g>');
  if (rt) {
    out.push('<g text-anchor="start">');
    for (const v of rt.values) {
      out.push(
        `<line x1="${fmt(px1)}" y1="${fmt(syR(v))}" x2="${fmt(px1 + 5)}" y2="${fmt(syR(v))}" stroke="#333333"/>`,
        `<text x="${fmt(px1 + 8)}" y="${fmt(syR(v) + 4)}">${svgTick(rt, v)}</text>`,
      );
    }
    out.push('</g>');
  }

  // Bands under all lines, then the lines.
  opts.series.forEach((s, i) => {
    const sy = right.has(i) ? syR : syL;
    const logThis = right.has(i) ? false : logY;
    const ok = ([x, lo, hi]: [number, number, number]) =>
      plottable(x, logX) && plottable(lo, logThis) && plottable(hi, logThis);
    for (const run of runs(s.band ?? [], ok)) {
      const upper = run.map(([x, , hi]) => `${fmt(sx(x))},${fmt(sy(hi))}`);
      const lower = run.map(([x, lo]) => `${fmt(sx(x))},${fmt(sy(lo))}`).reverse();
      out.push(
        `<polygon points="${[...upper, ...lower].join(' ')}" fill="${colour(i)}" fill-opacity="0.2" stroke="none"/>`,
      );
    }
  });
  opts.series.forEach((s, i) => {
    const sy = right.has(i) ? syR : syL;
    const logThis = right.has(i) ? false : logY;
    const ok = ([x, y]: [number, number]) => plottable(x, logX) && plottable(y, logThis);
    for (const run of runs(s.points, ok)) {
      if (run.length === 1) {
        // A lone point between gaps would be invisible as a path; draw it as a dot.
        out.push(`<circle cx="${fmt(sx(run[0][0]))}" cy="${fmt(sy(run[0][1]))}" r="2.5" fill="${colour(i)}"/>`);
        continue;
      }
      const d = run.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${fmt(sx(x))} ${fmt(sy(y))}`).join(' ');
      out.push(
        `<path d="${d}" fill="none" stroke="${colour(i)}" stroke-width="2" stroke-linejoin="round"${dashAttr(dashFor(i, s.dashed))}/>`,
      );
    }
  });

  if (xs.length === 0) {
    out.push(
      `<text x="${fmt((left + px1) / 2)}" y="${fmt((py0 + py1) / 2)}" text-anchor="middle" fill="#777777">no data</text>`,
    );
  }
  // Frame, then axis labels.
  out.push(
    `<rect x="${fmt(left)}" y="${fmt(py0)}" width="${fmt(px1 - left)}" height="${fmt(py1 - py0)}" fill="none" stroke="#333333"/>`,
  );
  out.push(
    `<text x="${fmt((left + px1) / 2)}" y="${fmt(py1 + 38)}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`,
  );
  out.push(yAxisLabel(16, (py0 + py1) / 2, opts.yLabel, -90));
  if (opts.yRight) out.push(yAxisLabel(W - 12, (py0 + py1) / 2, opts.yRight.label, 90));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// Hatching per group (group 0 plain) so bars differ without colour too.
const HATCH = ['', 'M0 8 L8 0', 'M0 0 L8 8', 'M0 4 L8 4', 'M4 0 L4 8', 'M0 8 L8 0 M0 0 L8 8'];

/** A grouped bar chart (one cluster per category, one bar per group) as a standalone SVG document. */
export function svgBarChart(opts: BarChartOptions): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 440;
  const nCat = opts.categories.length;
  for (const g of opts.groups) {
    if (g.values.length > nCat) {
      throw new RangeError(`svgBarChart: group '${g.name}' has ${g.values.length} values for ${nCat} categories`);
    }
  }
  const vals = opts.groups.flatMap((g) => g.values).filter((v) => plottable(v, false));
  const range = extent(vals);
  // Bars grow from zero, so zero is always on the axis.
  const yt = linearTicks(Math.min(0, range?.[0] ?? 0), Math.max(0, range?.[1] ?? 1), 5);

  const left = 28 + labelWidth(yt) + 10;
  const px1 = Math.max(left + 10, W - 24);
  const fill = (i: number) =>
    HATCH[i % HATCH.length] ? `url(#hatch${i % HATCH.length}-${i % PALETTE.length})` : colour(i);
  const items: LegendItem[] = opts.groups.map((g, i) => ({
    label: g.name,
    swatch: (x, y) =>
      `<rect x="${fmt(x)}" y="${fmt(y)}" width="24" height="12" fill="${fill(i)}" stroke="${colour(i)}"/>`,
  }));
  const leg = legend(items, left, px1, 34);
  const py0 = 34 + leg.height + 10;
  const py1 = Math.max(py0 + 10, H - 50);
  const sy = makeScale(yt, py1, py0);

  const out = open(W, H, opts.title);
  const defs = opts.groups
    .map((_, i) => i)
    .filter((i) => HATCH[i % HATCH.length])
    .map((i) => {
      const id = `hatch${i % HATCH.length}-${i % PALETTE.length}`;
      return (
        `<pattern id="${id}" width="8" height="8" patternUnits="userSpaceOnUse">` +
        `<rect width="8" height="8" fill="${colour(i)}"/><path d="${HATCH[i % HATCH.length]}" stroke="#ffffff" stroke-width="1.5"/></pattern>`
      );
    });
  if (defs.length) out.push('<defs>', ...[...new Set(defs)], '</defs>');
  out.push(...leg.svg);
  out.push('<g text-anchor="end">');
  for (const v of yt.values) {
    out.push(
      `<line x1="${fmt(left)}" y1="${fmt(sy(v))}" x2="${fmt(px1)}" y2="${fmt(sy(v))}" stroke="#e6e6e6"/>`,
      `<text x="${fmt(left - 8)}" y="${fmt(sy(v) + 4)}">${tickLabel(yt, v)}</text>`,
    );
  }
  out.push('</g>');

  const band = (px1 - left) / Math.max(1, nCat);
  const nG = Math.max(1, opts.groups.length);
  const barW = (band * 0.8) / nG;
  opts.groups.forEach((g, gi) => {
    g.values.forEach((v, ci) => {
      if (!plottable(v, false)) return;
      const x = left + ci * band + band * 0.1 + gi * barW;
      const top = Math.min(sy(v), sy(0));
      const h = Math.abs(sy(v) - sy(0));
      out.push(
        `<rect x="${fmt(x)}" y="${fmt(top)}" width="${fmt(barW)}" height="${fmt(h)}" fill="${fill(gi)}" stroke="${colour(gi)}"/>`,
      );
    });
  });
  // Category labels; when they would collide, only every k-th is written.
  const longest = Math.max(1, ...opts.categories.map((c) => c.length));
  const every = Math.max(1, Math.ceil((longest * CHAR_W + 6) / band));
  out.push('<g text-anchor="middle">');
  opts.categories.forEach((c, ci) => {
    if (ci % every !== 0) return;
    out.push(`<text x="${fmt(left + (ci + 0.5) * band)}" y="${fmt(py1 + 18)}">${escapeXml(c)}</text>`);
  });
  out.push('</g>');
  if (nCat === 0 || range === null) {
    out.push(
      `<text x="${fmt((left + px1) / 2)}" y="${fmt((py0 + py1) / 2)}" text-anchor="middle" fill="#777777">no data</text>`,
    );
  }
  out.push(`<line x1="${fmt(left)}" y1="${fmt(sy(0))}" x2="${fmt(px1)}" y2="${fmt(sy(0))}" stroke="#333333"/>`);
  out.push(
    `<rect x="${fmt(left)}" y="${fmt(py0)}" width="${fmt(px1 - left)}" height="${fmt(py1 - py0)}" fill="none" stroke="#333333"/>`,
  );
  out.push(yAxisLabel(16, (py0 + py1) / 2, opts.yLabel, -90));
  out.push('</svg>');
  return out.join('\n') + '\n';
}
