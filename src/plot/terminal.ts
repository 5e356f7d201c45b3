// Charts as plain strings for the terminal: a braille line chart (the training loop's live chart, the ink
// lesson player renders it inside a <Text>) and a one-line sparkline.
// Each character cell holds a 2×4 grid of braille dots (Unicode U+2800 + one bit per dot), so a W×H cell
// plot has 2W×4H points of resolution. Dot bits, by (column, row) inside the cell:
//   (0,0)=0x01 (0,1)=0x02 (0,2)=0x04 (1,0)=0x08 (1,1)=0x10 (1,2)=0x20 (0,3)=0x40 (1,3)=0x80.
// Colours are ANSI escapes only when asked for, so CI logs and screen readers get clean text. NaN and
// infinite values leave a gap; the x axis is the value index, shared by all series.
import { extent, formatValue, linearTicks, tickLabel } from './scale.ts';

export interface TerminalSeries {
  name: string;
  /** y per x index. */
  values: number[];
}

export interface TerminalChartOptions {
  series: TerminalSeries[];
  /** Columns of every line (the y tick labels and axis included). */
  width: number;
  /** Lines of the whole chart: title, y label, plot rows, x labels and legend (plot gets at least one row). */
  height: number;
  title?: string;
  yLabel?: string;
  /** Per-series ANSI colours; off by default. */
  colors?: boolean;
}

const DOT = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
];
const ANSI = [36, 33, 35, 32, 34, 31]; // cyan, yellow, magenta, green, blue, red
const paint = (text: string, series: number, on: boolean) =>
  on ? `\x1b[${ANSI[series % ANSI.length]}m${text}\x1b[39m` : text;

/** Cuts a plain string to at most `n` columns, marking the cut with an ellipsis. */
function clip(s: string, n: number): string {
  const chars = [...s];
  if (chars.length <= n) return s;
  return n <= 0 ? '' : chars.slice(0, n - 1).join('') + '…';
}

/** A braille line chart of one or more series, as lines joined by '\n' (no trailing newline). */
export function terminalLineChart(opts: TerminalChartOptions): string {
  const colors = opts.colors ?? false;
  const width = Math.max(1, Math.floor(opts.width));
  const head: string[] = [];
  if (opts.title) head.push(clip(opts.title, width));
  if (opts.yLabel) head.push(clip(opts.yLabel, width));
  const rows = Math.max(1, Math.floor(opts.height) - head.length - 2);

  // A dense target (about one tick per row) keeps the nice-rounded axis close to the data, so little of
  // the few rows a terminal has is wasted; rows that share a tick show only one label.
  const [lo, hi] = extent(opts.series.flatMap((s) => s.values)) ?? [0, 1];
  const ticks = linearTicks(lo, hi, Math.max(1, rows - 1));
  const labels = ticks.values.map((v) => tickLabel(ticks, v));
  const lw = Math.max(...labels.map((l) => l.length));
  const cols = Math.max(1, width - lw - 2);
  const W = cols * 2;
  const H = rows * 4;
  const n = opts.series.reduce((m, s) => Math.max(m, s.values.length), 0);

  // Pixel positions: x by index across the width, y top-down from the axis maximum.
  const px = (i: number) => (n <= 1 ? 0 : Math.round((i * (W - 1)) / (n - 1)));
  const py = (v: number) =>
    Math.min(H - 1, Math.max(0, Math.round(((ticks.hi - v) / (ticks.hi - ticks.lo)) * (H - 1))));

  const bits = new Uint8Array(rows * cols);
  const owner = new Int32Array(rows * cols).fill(-1);
  const dot = (x: number, y: number, s: number) => {
    const c = (y >> 2) * cols + (x >> 1);
    bits[c] |= DOT[x & 1][y & 3];
    owner[c] = s; // the last series drawn into a cell gives it its colour
  };
  // Bresenham: every pixel on the segment, so steep jumps stay connected.
  const line = (x0: number, y0: number, x1: number, y1: number, s: number) => {
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const stepX = x0 < x1 ? 1 : -1;
    const stepY = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (;;) {
      dot(x0, y0, s);
      if (x0 === x1 && y0 === y1) return;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += stepX;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += stepY;
      }
    }
  };
  opts.series.forEach((s, si) => {
    let prev: [number, number] | null = null;
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (!Number.isFinite(v)) {
        prev = null; // a gap
        continue;
      }
      const p: [number, number] = [px(i), py(v)];
      if (prev) line(prev[0], prev[1], p[0], p[1], si);
      else dot(p[0], p[1], si);
      prev = p;
    }
  });

  // Tick labels go on the row that holds the tick's pixel (first tick wins a shared row).
  const rowLabel = new Map<number, string>();
  ticks.values.forEach((v, k) => {
    const r = py(v) >> 2;
    if (!rowLabel.has(r)) rowLabel.set(r, labels[k]);
  });

  const out = [...head];
  for (let r = 0; r < rows; r++) {
    const label = rowLabel.get(r);
    let body = '';
    let run = '';
    let runOwner = -1;
    const flush = () => {
      body += runOwner >= 0 ? paint(run, runOwner, colors) : run;
      run = '';
    };
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      const o = bits[k] ? owner[k] : -1;
      if (o !== runOwner) {
        flush();
        runOwner = o;
      }
      run += bits[k] ? String.fromCharCode(0x2800 + bits[k]) : ' ';
    }
    flush();
    out.push(`${(label ?? '').padStart(lw)} ${label === undefined ? '│' : '┤'}${body}`.trimEnd());
  }

  // x labels: first and last index under the ends of the plot.
  const first = n > 0 ? '0' : '';
  const last = n > 1 ? String(n - 1) : '';
  const gap = cols - first.length - last.length;
  out.push(clip(' '.repeat(lw + 2) + first + (last && gap >= 1 ? ' '.repeat(gap) + last : ''), width).trimEnd());

  // Legend: name and latest finite value per series, cut to the width before colouring.
  let legend = '';
  let used = 0;
  for (let si = 0; si < opts.series.length; si++) {
    const s = opts.series[si];
    const lastV = [...s.values].reverse().find(Number.isFinite);
    const text = `${s.name} ${lastV === undefined ? '–' : formatValue(lastV)}`;
    const sep = si === 0 ? '' : '  ';
    const need = sep.length + 2 + [...text].length;
    if (used + need > width) {
      if (used + sep.length + 1 <= width) legend += sep + '…';
      break;
    }
    legend += sep + paint('■', si, colors) + ' ' + text;
    used += need;
  }
  out.push(legend);
  return out.join('\n');
}

const LEVELS = '▁▂▃▄▅▆▇█';

/**
 * One line of block characters, low to high. With `width` and more values than that, consecutive values
 * are averaged into `width` buckets (NaNs ignored); a bucket or value with nothing finite is a space.
 */
export function sparkline(values: number[], width?: number): string {
  let vs = values;
  if (width !== undefined && values.length > width) {
    const w = Math.max(0, Math.floor(width));
    vs = Array.from({ length: w }, (_, j) => {
      const bucket = values.slice(Math.floor((j * values.length) / w), Math.floor(((j + 1) * values.length) / w));
      const ok = bucket.filter(Number.isFinite);
      return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
    });
  }
  const [lo, hi] = extent(vs) ?? [0, 0];
  return vs
    .map((v) => {
      if (!Number.isFinite(v)) return ' ';
      if (hi === lo) return LEVELS[3]; // a constant sits mid-height
      return LEVELS[Math.round(((v - lo) / (hi - lo)) * (LEVELS.length - 1))];
    })
    .join('');
}
