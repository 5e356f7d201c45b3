// Number formatting and plain-text tables for the cost reports: SI prefixes (2.665M GPU-hours), dollars,
// decimal bytes (70.27 KB, as ISCA'25 writes 70.272 KB), durations from µs to days, signed percentages.
// Deterministic (no locale): the same numbers print the same on every machine.

const PREFIXES: Array<[number, string]> = [
  [1e15, 'P'],
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
];

/** 3 significant digits with a K/M/B/T/P suffix: 2664000 → "2.66M"; `digits` sets the significant digits. */
export function si(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : x < 0 ? '-∞' : 'n/a';
  const a = Math.abs(x);
  for (const [scale, suffix] of PREFIXES) if (a >= scale) return `${sig(x / scale, digits)}${suffix}`;
  return sig(x, digits);
}

/** `digits` significant digits, without exponent notation for ordinary magnitudes. */
export function sig(x: number, digits = 3): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(a)));
  return x.toFixed(Math.min(decimals, 12));
}

/** Scientific notation with 3 significant digits: 3.70e24. */
export const sci = (x: number): string => x.toExponential(2).replace('e+', 'e');

/** 0.3894 → "38.9%"; a value that rounds to zero prints without a minus sign. */
export function pct(x: number, digits = 1): string {
  const v = (x * 100).toFixed(digits);
  return `${/^-0(\.0*)?$/.test(v) ? v.slice(1) : v}%`;
}

/** 0.0005 → "+0.05%"; a ratio error ours/published − 1, with a sign. */
export function signedPct(x: number, digits = 1): string {
  const v = (x * 100).toFixed(digits);
  return `${x >= 0 && !v.startsWith('-') ? '+' : ''}${v}%`;
}

/** Dollars with an SI suffix: 5578000 → "$5.58M"; small amounts to the cent. */
export function dollars(x: number, digits = 3): string {
  if (Math.abs(x) < 1000) return `$${x.toFixed(2)}`;
  return `$${si(x, digits)}`;
}

/** Decimal bytes: 70272 → "70.27 KB". */
export function bytes(x: number, digits = 4): string {
  const units: Array<[number, string]> = [
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'KB'],
  ];
  for (const [scale, u] of units) if (Math.abs(x) >= scale) return `${sig(x / scale, digits)} ${u}`;
  return `${sig(x, digits)} B`;
}

/** Bytes per second as GB/s. */
export const gbps = (bytesPerSec: number): string => `${sig(bytesPerSec / 1e9, 3)} GB/s`;

/** A duration in the unit that reads best: µs, ms, s, h or days. */
export function duration(seconds: number, digits = 3): string {
  const a = Math.abs(seconds);
  if (a === 0) return '0 s';
  if (a < 1e-3) return `${sig(seconds * 1e6, digits)} µs`;
  if (a < 1) return `${sig(seconds * 1e3, digits)} ms`;
  if (a < 3600) return `${sig(seconds, digits)} s`;
  if (a < 2 * 86400) return `${sig(seconds / 3600, digits)} h`;
  return `${sig(seconds / 86400, digits)} days`;
}

/** Sequence lengths as 4K / 32K / 128K. */
export const tokensShort = (n: number): string => (n >= 1024 && n % 1024 === 0 ? `${n / 1024}K` : String(n));

export type Align = 'left' | 'right';

/** A plain-text table: a header row, a rule, then rows; numbers right-aligned by default. */
export function table(headers: string[], rows: string[][], align?: Align[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const al = align ?? headers.map((_, i) => (i === 0 ? 'left' : 'right'));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (al[i] === 'left' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
}

/** Indents lines by two spaces. */
export const indent = (lines: string[], by = '  '): string[] => lines.map((l) => by + l);

/** An integer with thousands separators: 87072 → "87,072". */
export function grouped(n: number): string {
  const s = Math.round(Math.abs(n)).toString();
  const out = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${out}` : out;
}
