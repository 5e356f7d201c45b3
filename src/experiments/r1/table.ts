// The stage table as text, as SVG bars, and zero's mixing curve (issue 14 item 4; R1 v2 Table 3's shape:
// one column per stage, one row per measure).
import { svgBarChart, svgLineChart } from '../../plot/svg.ts';
import type { R1Summary, StageRow } from './pipeline.ts';

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const sci = (x: number) => (x === 0 ? '0' : x.toExponential(1).replace('e+', 'e'));

/** The measures of the table, in R1's order: accuracy first, then readability, then what it cost. */
export function tableLines(rows: readonly StageRow[]): string[] {
  const k = rows[0]?.k ?? 0;
  const measures: [string, (r: StageRow) => string][] = [
    ['greedy accuracy', (r) => pct(r.greedy)],
    ['pass@1 (T=0.6)', (r) => pct(r.pass1)],
    [`pass@${k}`, (r) => pct(r.passK)],
    ['  words prompts: greedy', (r) => pct(r.byLanguage.words.greedy)],
    ['  symbols prompts: greedy', (r) => pct(r.byLanguage.symbols.greedy)],
    ['format', (r) => pct(r.format)],
    ['think length (chars)', (r) => r.thinkLength.toFixed(1)],
    ['mixing (steps)', (r) => pct(r.mixing)],
    ['  words prompts: mixing', (r) => pct(r.byLanguage.words.mixing)],
    ['readability', (r) => pct(r.readability)],
    ['reflection', (r) => pct(r.reflection)],
    ['tokens generated', (r) => String(r.tokens)],
    ['FLOPs', (r) => sci(r.flops)],
  ];
  const head = ['', ...rows.map((r) => r.stage)];
  const body = measures.map(([name, f]) => [name, ...rows.map(f)]);
  const widths = head.map((_, j) => Math.max(...[head, ...body].map((row) => row[j]!.length)));
  const line = (row: string[]) =>
    row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  ');
  return [line(head), ...body.map(line)];
}

export function stageChart(s: R1Summary): string {
  const rows = [s.base, ...s.stages];
  return svgBarChart({
    title: 'The R1 pipeline in miniature: each stage on held-out 2-digit additions (both languages)',
    yLabel: 'share',
    categories: rows.map((r) => r.stage),
    groups: [
      { name: 'greedy accuracy', values: rows.map((r) => r.greedy) },
      { name: 'pass@1 (T=0.6)', values: rows.map((r) => r.pass1) },
      { name: 'mixing (steps off-language)', values: rows.map((r) => r.mixing) },
      { name: 'readability', values: rows.map((r) => r.readability) },
    ],
  });
}

/** Zero's training rollouts by step: accuracy and the share of steps not in the prompt's language. */
export function mixingChart(metricsJsonl: string): string {
  const lines = metricsJsonl
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, number | null>)
    .filter((m) => typeof m.mixing === 'number');
  const series = (name: string, key: string) => ({
    name,
    points: lines.map((m) => [m.step!, m[key] ?? NaN] as [number, number]),
  });
  return svgLineChart({
    title: 'R1-Zero in miniature: mixing while accuracy rises (training rollouts)',
    xLabel: 'RL step',
    yLabel: 'share',
    series: [
      series('accuracy', 'accuracy'),
      series('mixing, all prompts', 'mixing'),
      series('mixing, words prompts', 'mixingWords'),
    ],
  });
}
