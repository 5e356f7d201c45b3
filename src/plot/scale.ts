// Shared helpers for the chart renderers (svg.ts, terminal.ts): tick values, data→pixel scales, fixed
// number formatting and XML escaping.
// Linear ticks use the "nice numbers" rule (Heckbert, Graphics Gems, 1990): the step is 1, 2 or 5 times a
// power of ten, the smallest such step that covers the range in about `target` intervals; log axes tick at
// whole decades. Tick values are computed as integer·m / 10^k so that 0.1·3 prints as "0.3", never
// "0.30000000000000004", and every number that reaches an output string goes through a fixed formatter:
// the same input always gives the same bytes.

/** Tick positions for one axis. `lo`/`hi` are the (nice-rounded) ends of the axis. */
export interface Ticks {
  values: number[];
  lo: number;
  hi: number;
  /** Digits after the decimal point that the labels need (0 for integer steps and for decades). */
  decimals: number;
  log: boolean;
}

/** The finite values of `values` (positive ones only when `positive`), as [min, max]; null if none. */
export function extent(values: Iterable<number>, positive = false): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (positive && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

const LIMIT = 1e300; // beyond this, steps and tick counts would overflow doubles

// A zero-width range cannot be scaled; widen it symmetrically so a constant series sits mid-axis. A range
// that is only rounding noise wide (or subnormal) counts as constant: its ticks would be unreadable.
function widen(min: number, max: number): [number, number] {
  const lo = Math.max(-LIMIT, Math.min(LIMIT, min));
  const hi = Math.max(-LIMIT, Math.min(LIMIT, max));
  const mag = Math.max(Math.abs(lo), Math.abs(hi));
  if (hi - lo > mag * 1e-12 && hi - lo > 1e-290) return [lo, hi];
  const mid = lo / 2 + hi / 2;
  const pad = Math.max(Math.abs(mid) * 0.1, 1e-290) || 1;
  return mid === 0 ? [-1, 1] : [mid - pad, mid + pad];
}

// i·m·10^e as the double nearest to the decimal value (dividing by an exact power of ten rounds once).
function scaled(i: number, m: number, e: number): number {
  const v = e >= 0 ? i * m * Number(`1e${e}`) : (i * m) / Number(`1e${-e}`);
  return v === 0 ? 0 : v; // no -0
}

/** Nice linear ticks covering [min, max] with about `target` intervals (1-2-5 steps). */
export function linearTicks(min: number, max: number, target = 5): Ticks {
  const [a, b] = widen(min, max);
  const raw = b / Math.max(1, target) - a / Math.max(1, target); // no overflow for huge ranges
  let e = Math.floor(Math.log10(raw));
  const f = raw / Number(`1e${e}`);
  // Smallest of 1, 2, 5, 10 that is ≥ f (with a little slack for log10 rounding).
  let m = f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10;
  if (m === 10) {
    m = 1;
    e += 1;
  }
  const step = scaled(1, m, e);
  // The slack forgives float noise (0.30000000000000004 / 0.1); the checks keep the data strictly covered.
  let iLo = Math.floor(a / step + 1e-9);
  let iHi = Math.ceil(b / step - 1e-9);
  if (scaled(iLo, m, e) > a) iLo--;
  if (scaled(iHi, m, e) < b) iHi++;
  const values: number[] = [];
  for (let i = iLo; i <= iHi; i++) values.push(scaled(i, m, e));
  return { values, lo: values[0], hi: values[values.length - 1], decimals: Math.max(0, -e), log: false };
}

/** Decade ticks (…, 0.1, 1, 10, …) covering [min, max] of positive values; at most ~`maxTicks` of them. */
export function logTicks(min: number, max: number, maxTicks = 8): Ticks {
  let [a, b] = [Math.max(min, 1 / LIMIT), Math.min(max, LIMIT)];
  if (!(a > 0) || !(b > 0) || a > b) [a, b] = [1, 10];
  const kLo = Math.floor(Math.log10(a) + 1e-9);
  let kHi = Math.ceil(Math.log10(b) - 1e-9);
  if (kHi <= kLo) kHi = kLo + 1;
  // Many decades: tick every `every` decades, keeping the ends on a tick.
  const every = Math.max(1, Math.ceil((kHi - kLo) / Math.max(1, maxTicks - 1)));
  const kEnd = kLo + Math.ceil((kHi - kLo) / every) * every;
  const values: number[] = [];
  for (let k = kLo; k <= kEnd; k += every) values.push(Number(`1e${k}`));
  return { values, lo: values[0], hi: values[values.length - 1], decimals: 0, log: true };
}

/** Ticks for an axis over the given data range (null range: a default axis). */
export function axisTicks(range: [number, number] | null, log: boolean, target = 5): Ticks {
  if (log) return range ? logTicks(range[0], range[1], target + 3) : logTicks(1, 10);
  return range ? linearTicks(range[0], range[1], target) : linearTicks(0, 1, target);
}

/** Maps data values in [ticks.lo, ticks.hi] to pixels in [from, to] (from may exceed to: y grows down). */
export function makeScale(ticks: Ticks, from: number, to: number): (v: number) => number {
  if (ticks.log) {
    const l0 = Math.log10(ticks.lo);
    const l1 = Math.log10(ticks.hi);
    return (v) => from + ((Math.log10(v) - l0) / (l1 - l0)) * (to - from);
  }
  return (v) => from + ((v - ticks.lo) / (ticks.hi - ticks.lo)) * (to - from);
}

/** Whether a value can be placed on an axis: within ±1e300, and ≥ 1e-300 on a log axis. */
export function plottable(v: number, log: boolean): boolean {
  return Math.abs(v) <= LIMIT && (!log || v >= 1 / LIMIT);
}

/** A tick label: fixed decimals for ordinary magnitudes, shortest exponent form for extreme ones. */
export function formatTick(v: number, decimals: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (decimals > 6 || abs >= 1e9 || abs < 1e-6) return v.toExponential().replace('e+', 'e');
  const s = v.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Whether every decade of a log axis reads well written out in full (0.001 … 100000). */
export function decadesPlain(ticks: Ticks): boolean {
  return ticks.values.every((v) => v >= 1e-3 && v <= 1e5);
}

/** The exponent k of a decade tick 10^k. */
export function decadeExponent(v: number): number {
  return Math.round(Math.log10(v));
}

/** Label for any tick of `ticks` as plain text: decades written out, or as "1e6" on wide log axes. */
export function tickLabel(ticks: Ticks, v: number): string {
  if (!ticks.log) return formatTick(v, ticks.decimals);
  const k = decadeExponent(v);
  return decadesPlain(ticks) ? v.toFixed(Math.max(0, -k)) : `1e${k}`;
}

/** A short value for legends and readouts: 4 significant digits, no trailing zeros. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const r = Number(v.toPrecision(4));
  return r === 0 ? '0' : String(r).replace('e+', 'e');
}

/** A pixel coordinate, rounded to 0.01 so output bytes do not depend on float noise. */
export function fmt(v: number): string {
  const r = Math.round(v * 100) / 100;
  return r === 0 ? '0' : String(r);
}

/** Text safe inside XML element content and double- or single-quoted attributes. */
export function escapeXml(s: string): string {
  return (
    s
      .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)
      // Control characters other than tab/newline are not allowed in XML 1.0 at all.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
  );
}
