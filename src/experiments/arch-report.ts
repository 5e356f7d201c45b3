// What every architecture experiment leaves behind, in one shape: a run directory with results.json (config and
// summary numbers), metrics.jsonl (one row per training step per variant), table.md (the comparison) and
// plot.svg (the curve or bars the story is about). Writes are atomic; only deterministic numbers go into
// results.json and metrics.jsonl, so the same seed gives the same files (wall-clock numbers, when a clock is
// passed, go to timing.json).
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../core/fsio.ts';

export interface ArchReport {
  experiment: string;
  config: object;
  summary: object;
  /** Markdown table (also printed by the CLI). */
  table: string;
  svg: string;
  metrics: object[];
  /** Wall-clock measurements, present only when the caller passed a clock. */
  timing?: object;
}

export interface ExperimentHooks {
  /** Progress: work units done out of total, with a short status (awaited during training). */
  onProgress?: (done: number, total: number, info: string) => void | Promise<void>;
  /** Milliseconds from any origin, for wall-clock speedups (the CLI passes one; library code has no clock). */
  now?: () => number;
  /** Run directory: each training run keeps a resumable checkpoint in <out>/<run name>. */
  out?: string;
  /** Continue the runs in `out`: finished ones are read back, a stopped one resumes where it stopped. */
  resume?: boolean;
  /** Ctrl-C: the current run saves after its step, then the experiment throws RunInterrupted. */
  signal?: AbortSignal;
}

export function writeArchReport(dir: string, r: ArchReport): void {
  writeFileAtomic(join(dir, 'metrics.jsonl'), r.metrics.map((m) => JSON.stringify(m)).join('\n') + '\n');
  writeFileAtomic(join(dir, 'plot.svg'), r.svg);
  writeFileAtomic(join(dir, 'table.md'), r.table);
  if (r.timing) writeJsonAtomic(join(dir, 'timing.json'), r.timing);
  writeJsonAtomic(join(dir, 'results.json'), { experiment: r.experiment, config: r.config, summary: r.summary });
}

/** A markdown table; numbers are printed as given (format them first). */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, j) => c.padEnd(widths[j]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n') + '\n';
}

/** Mean of the last `frac` of a series (at least one value). */
export function tailMean(values: number[], frac = 0.25): number {
  const n = Math.max(1, Math.round(values.length * frac));
  const tail = values.slice(-n);
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

/** Trailing moving average over `w` points (fewer at the start), for readable per-step curves. */
export function movingAverage(values: number[], w = 10): number[] {
  return values.map((_, i) => {
    const from = Math.max(0, i - w + 1);
    const part = values.slice(from, i + 1);
    return part.reduce((a, b) => a + b, 0) / part.length;
  });
}

export const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '–');
