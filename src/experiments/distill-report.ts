// The distillation experiment's report: Table 6 in miniature (the teachers, the student's base, RL on the
// student, the distilled student, both at equal compute) as markdown, the accuracy-vs-FLOPs curve of both
// roads with and without the teacher's own cost (plot.svg, log x), and pass@k against k on each split
// (pass-at-k.svg, pass-at-k-harder.svg). Numbers come from summary.json; nothing here computes a result.
import { svgLineChart, type LineSeries } from '../plot/svg.ts';
import { markdownTable, type ArchReport } from './arch-report.ts';
import type { ArmResult, DistillVsRlConfig } from './distill-vs-rl.ts';

export interface DistillSummary {
  experiment: string;
  config: DistillVsRlConfig;
  mainTeacher: string;
  arms: ArmResult[];
}

const pct = (x: number | undefined) => (x === undefined ? '–' : `${(100 * x).toFixed(0)}%`);
const sci = (x: number) => (x > 0 ? x.toExponential(2) : '0');

/** The largest k reported (the sample count). */
const maxK = (a: ArmResult) => String(Math.max(...Object.keys(a.passAtK).map(Number)));

export function distillTable(s: DistillSummary): string {
  const k = maxK(s.arms[0]!);
  const header = [
    'arm',
    'FLOPs (all)',
    'FLOPs (no teacher)',
    'after base',
    'greedy',
    'pass@1',
    `pass@${k}`,
    'greedy 3-digit',
    'pass@1 3-digit',
    `pass@${k} 3-digit`,
    'length',
  ];
  const rows = s.arms.map((a) => [
    a.arm,
    sci(a.flops),
    a.arm.startsWith('teacher') ? '–' : sci(a.flopsWithoutTeacher),
    a.arm.startsWith('teacher') ? '–' : sci(a.flopsAfterBase),
    pct(a.greedy),
    pct(a.pass1),
    pct(a.passAtK[k]),
    pct(a.harder.greedy),
    pct(a.harder.pass1),
    pct(a.harder.passAtK[k]),
    a.length.toFixed(1),
  ]);
  return markdownTable(header, rows);
}

function flopsChart(s: DistillSummary): string {
  const by = (n: string) => s.arms.find((a) => a.arm === n);
  const teacherCost = (a: ArmResult) => a.flops - a.flopsWithoutTeacher;
  const series: LineSeries[] = [];
  const add = (name: string, a: ArmResult | undefined, shift = 0, dashed?: boolean) => {
    if (!a) return;
    const points = a.curve.filter(([f]) => f + shift > 0).map(([f, acc]): [number, number] => [f + shift, 100 * acc]);
    if (points.length) series.push({ name, points, ...(dashed === undefined ? {} : { dashed }) });
  };
  add('A: RL on the student', by('A-rl'), 0, false);
  add('B: distillation (traces + SFT)', by('B-distill'), 0, false);
  add('C: distillation, then RL', by('C-distill-rl'), 0, false);
  const B = by('B-distill'),
    C = by('C-distill-rl');
  if (B) add("B with the teacher's own cost", B, teacherCost(B), true);
  if (C) add("C with the teacher's own cost", C, teacherCost(C), true);
  return svgLineChart({
    title: 'Student accuracy vs compute: RL or distillation',
    xLabel: "FLOPs after the student's base (log)",
    yLabel: 'held-out 2-digit greedy accuracy (%)',
    series,
    logX: true,
  });
}

function passAtKChart(s: DistillSummary, harder: boolean): string {
  const series: LineSeries[] = s.arms.map((a) => {
    const p = harder ? a.harder.passAtK : a.passAtK;
    return {
      name: a.arm,
      points: Object.entries(p)
        .map(([k, v]): [number, number] => [Number(k), 100 * v])
        .sort((x, y) => x[0] - y[0]),
      ...(a.arm.startsWith('teacher') ? { dashed: true } : {}),
    };
  });
  return svgLineChart({
    title: `pass@k, ${harder ? '3-digit (harder than training)' : '2-digit (in distribution)'}`,
    xLabel: 'k (log)',
    yLabel: 'pass@k (%)',
    series,
    logX: true,
  });
}

export function distillReport(s: DistillSummary): { report: ArchReport; extraSvgs: Record<string, string> } {
  const metrics = s.arms.flatMap((a) => a.curve.map(([flops, accuracy]) => ({ arm: a.arm, flops, accuracy })));
  return {
    report: {
      experiment: s.experiment,
      config: s.config,
      summary: { mainTeacher: s.mainTeacher, arms: s.arms.map(({ curve: _c, ...rest }) => rest) },
      table: distillTable(s),
      svg: flopsChart(s),
      metrics,
    },
    extraSvgs: { 'pass-at-k.svg': passAtKChart(s, false), 'pass-at-k-harder.svg': passAtKChart(s, true) },
  };
}
