// A progress line for long CLI work (pretraining, GRPO steps, sweeps), written to stderr through the IO.
// On a TTY one line is redrawn in place ('\r' + text + ESC[K, clear to end of line) at most ~10 times a
// second: label, bar, percent, n/total, rate, elapsed<ETA, info. Elsewhere (CI logs, pipes) it prints a
// plain line each time another 10% is done and a final line at the end, never any control character.
// The clock is injectable so tests replay exact timings; the CLI may use real time (DESIGN: only library
// code must stay clock-free).
import type { IO } from './command.ts';

export interface ProgressOptions {
  /** Units of work in all (steps, problems, …); 0 is allowed and shows only the final line. */
  total: number;
  label: string;
  io: Pick<IO, 'err' | 'isTTY'>;
  /** Milliseconds from any fixed origin; default performance.now. */
  now?: () => number;
  /** Terminal columns: a TTY line is cut to fit so it never wraps (a wrapped line cannot be redrawn). */
  columns?: number;
}

const REDRAW_MS = 100;
const BAR = 20;

/** Seconds as mm:ss (h:mm:ss from an hour on); '--:--' when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.floor(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  if (s >= 3600) return `${Math.floor(s / 3600)}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  return `${two(Math.floor(s / 60))}:${two(s % 60)}`;
}

function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '-- it/s';
  const digits = perSecond >= 100 ? 0 : perSecond >= 10 ? 1 : 2;
  return `${perSecond.toFixed(digits)} it/s`;
}

// Info text comes from callers (e.g. a loss readout); a stray newline or escape would break the line.
const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();

export class ProgressBar {
  private readonly total: number;
  private readonly label: string;
  private readonly io: Pick<IO, 'err' | 'isTTY'>;
  private readonly now: () => number;
  private readonly columns: number | undefined;
  private readonly start: number;
  private count = 0;
  private info = '';
  private lastDraw = -Infinity;
  private lastDecile = 0;
  private finished = false;

  constructor(opts: ProgressOptions) {
    if (!Number.isFinite(opts.total) || opts.total < 0) {
      throw new RangeError(`ProgressBar '${opts.label}': total must be a finite number ≥ 0, got ${opts.total}`);
    }
    this.total = opts.total;
    this.label = clean(opts.label);
    this.io = opts.io;
    this.now = opts.now ?? (() => performance.now());
    this.columns = opts.columns;
    this.start = this.now();
  }

  /** Records `n` more units done; `info` (e.g. 'loss 1.234') replaces the previous info text. */
  tick(n = 1, info?: string): void {
    if (this.finished) return;
    this.count += n;
    if (info !== undefined) this.info = clean(info);
    const t = this.now();
    if (this.io.isTTY) {
      // Redraw at most every REDRAW_MS, but always show the moment the work completes.
      if (t - this.lastDraw >= REDRAW_MS || this.count >= this.total) {
        this.lastDraw = t;
        this.io.err('\r' + this.fit(this.line(t)) + '\x1b[K');
      }
      return;
    }
    // Plain mode: one line per newly completed tenth (10%..90%); 100% belongs to done().
    const decile = this.total > 0 ? Math.min(9, Math.floor((this.count / this.total) * 10)) : 0;
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.io.err(this.line(t) + '\n');
    }
  }

  /** Ends the bar with a final line (elapsed time, rate, optional summary). Later calls do nothing. */
  done(summary?: string): void {
    if (this.finished) return;
    this.finished = true;
    const elapsed = (this.now() - this.start) / 1000;
    const rate = elapsed > 0 ? formatRate(this.count / elapsed) : formatRate(NaN);
    const tail = summary ? ` ${clean(summary)}` : this.info ? ` ${this.info}` : '';
    const text = `${this.label} done ${this.count}/${this.total} in ${formatDuration(elapsed)} (${rate})${tail}`;
    this.io.err(this.io.isTTY ? '\r' + this.fit(text) + '\x1b[K\n' : text + '\n');
  }

  private line(t: number): string {
    const elapsed = (t - this.start) / 1000;
    const frac = this.total > 0 ? Math.min(1, this.count / this.total) : 1;
    const rate = elapsed > 0 ? this.count / elapsed : NaN;
    const eta = this.count > 0 && rate > 0 ? Math.max(0, this.total - this.count) / rate : NaN;
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    const parts = [this.label];
    if (this.io.isTTY) {
      const full = Math.round(frac * BAR);
      parts.push(`${'█'.repeat(full)}${'░'.repeat(BAR - full)}`);
    }
    parts.push(
      pct,
      `${this.count}/${this.total}`,
      formatRate(rate),
      `${formatDuration(elapsed)}<${formatDuration(eta)}`,
    );
    if (this.info) parts.push(this.info);
    return parts.join(' ');
  }

  private fit(text: string): string {
    if (this.columns === undefined) return text;
    const chars = [...text];
    // One column spare: some terminals wrap when the last column is written.
    return chars.length < this.columns ? text : chars.slice(0, Math.max(0, this.columns - 1)).join('');
  }
}
