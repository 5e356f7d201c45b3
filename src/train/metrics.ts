// metrics.jsonl: one JSON object per line, appended as training goes. Only deterministic numbers go here
// (loss, lr, norms, counts, accuracies) so the same seed gives a byte-identical file; wall-clock rates go to
// timing.jsonl, written by the CLI.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/fsio.ts';

export class MetricsLog {
  constructor(readonly path: string) {}

  reset(): void {
    writeFileAtomic(this.path, '');
  }

  append(row: object): void {
    appendFileSync(this.path, JSON.stringify(row) + '\n');
  }

  /** All rows (a truncated last line from an interrupted write is dropped). */
  read(): Record<string, unknown>[] {
    if (!existsSync(this.path)) return [];
    const rows: Record<string, unknown>[] = [];
    const lines = readFileSync(this.path, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      try {
        rows.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l.trim()))
          throw new InputError(`${this.path}: line ${i + 1} is not valid JSON`);
      }
    });
    return rows;
  }

  /** Keep rows with step ≤ `step` (resuming from a checkpoint at that step) and return them. */
  truncateAfter(step: number): Record<string, unknown>[] {
    const kept = this.read().filter((r) => typeof r.step === 'number' && r.step <= step);
    writeFileAtomic(this.path, kept.map((r) => JSON.stringify(r) + '\n').join(''));
    return kept;
  }
}

/** Round for the metrics log: 6 significant digits keep the file short and byte-stable. */
export function round6(x: number | null): number | null {
  if (x === null || !Number.isFinite(x)) return null;
  return Number(x.toPrecision(6));
}
