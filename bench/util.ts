// Benchmark helpers: medians of repeated timings and plain-text tables. Benchmarks print; tests never time.
import { yieldToEventLoop } from '../src/core/yield.ts';

/** The median of a non-empty list (the upper one of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * The benchmarks' clock in ms: wall time, or with TINYSEEK_BENCH_CLOCK=cpu this process's CPU time (user +
 * system, all its threads), which a machine shared with other work disturbs far less than wall time. On one
 * thread the two measure the same work; on several, CPU time adds the threads up.
 */
export function clockMs(): number {
  if (process.env.TINYSEEK_BENCH_CLOCK !== 'cpu') return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median time in ms (clockMs) of `fn` over `reps` runs after `warmup` warm-up runs (the JIT's and caches'). */
export async function medianMs(fn: () => unknown | Promise<unknown>, reps = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) (await fn(), await yieldToEventLoop());
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = clockMs();
    await fn();
    ts.push(clockMs() - t0);
    await yieldToEventLoop(); // between steps, as every training loop does (and the CPU's memory pool needs)
  }
  return median(ts);
}

/**
 * Medians in ms (clockMs) of `a` and `b` timed alternately, a then b, `reps` times after `warmup` of each: drift
 * in the machine's speed (another process, the clock) falls on both alike, so their ratio is steadier than that
 * of two medianMs runs one after the other.
 */
export async function medianPairMs(
  a: () => unknown | Promise<unknown>,
  b: () => unknown | Promise<unknown>,
  reps: number,
  warmup = 1,
): Promise<[number, number]> {
  for (let i = 0; i < warmup; i++) (await a(), await yieldToEventLoop(), await b(), await yieldToEventLoop());
  const ta: number[] = [],
    tb: number[] = [];
  for (let i = 0; i < reps; i++)
    for (const [f, ts] of [
      [a, ta],
      [b, tb],
    ] as const) {
      const t0 = clockMs();
      await f();
      ts.push(clockMs() - t0);
      await yieldToEventLoop();
    }
  return [median(ta), median(tb)];
}

export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) =>
    r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}
