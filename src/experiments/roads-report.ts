// What `roads-not-taken` prints and draws: markdown tables of labels, best-of-N, MCTS, PRM-as-reward runs,
// rounds and the compute table, and three SVGs — accuracy vs FLOPs (log x), best-of-N accuracy vs N per
// selector, and the hacking curves (PRM reward and held-out accuracy per evaluation, per arm and seed).
import { svgLineChart } from '../plot/svg.ts';
import { markdownTable } from './arch-report.ts';
import type { RoadsSummary } from './roads-not-taken.ts';

const pct = (x: number | null) => (x === null || Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)}%`);
const f2 = (x: number | null) => (x === null || Number.isNaN(x) ? '–' : x.toFixed(2));
const f3 = (x: number | null) => (x === null || Number.isNaN(x) ? '–' : x.toFixed(3));
const sci = (x: number) => x.toExponential(2);

export function labelsTable(s: RoadsSummary): string {
  return markdownTable(
    ['completer', 'N', 'steps', 'hard acc', 'TP', 'FP', 'FN', 'TN', 'soft on good', 'soft on bad'],
    s.labels.map((l) => [
      l.completer,
      String(l.n),
      String(l.steps),
      pct(l.hardAccuracy),
      String(l.hard.tp),
      String(l.hard.fp),
      String(l.hard.fn),
      String(l.hard.tn),
      f2(l.softOnGood),
      f2(l.softOnBad),
    ]),
  );
}

export function bestOfNTable(s: RoadsSummary): string {
  const ns = [...new Set(s.bestOfN.map((r) => r.n))];
  const sels = [...new Set(s.bestOfN.map((r) => r.selector))];
  const cell = (sel: string, n: number) => s.bestOfN.find((r) => r.selector === sel && r.n === n)!;
  return markdownTable(
    ['selector', ...ns.map((n) => `N=${n}`), `wrong-step share of right picks (N=${ns.at(-1)})`],
    sels.map((sel) => [sel, ...ns.map((n) => pct(cell(sel, n).accuracy)), pct(cell(sel, ns.at(-1)!).wrongStepOfRight)]),
  );
}

export function mctsTable(s: RoadsSummary): string {
  return markdownTable(
    ['level', 'K', 'accuracy', 'tokens/problem', 'search FLOPs'],
    s.mcts.map((m) => [m.level, String(m.k), pct(m.accuracy), m.tokensPerProblem.toFixed(1), sci(m.flops)]),
  );
}

export function prmRlTable(s: RoadsSummary): string {
  return markdownTable(
    [
      'reward',
      'seed',
      'held-out acc first → last',
      'PRM reward first → last',
      'steps/answer first → last',
      'repeated',
      'off-path true',
      'trivially true',
      'hacking onset',
    ],
    s.prmRl.map((r) => [
      r.form,
      String(r.seed),
      `${pct(r.first.accuracy)} → ${pct(r.last.accuracy)}`,
      `${f2(r.evals[0]?.prm ?? null)} → ${f2(r.evals.at(-1)?.prm ?? null)}`,
      `${r.first.stepsPerAnswer.toFixed(2)} → ${r.last.stepsPerAnswer.toFixed(2)}`,
      pct(r.last.repeatedFrac),
      pct(r.last.offPathTrueFrac),
      pct(r.last.trivialFrac),
      r.onset === null ? 'none' : `step ${r.onset}`,
    ]),
  );
}

export function roundsTable(s: RoadsSummary): string {
  return markdownTable(
    [
      'round',
      'training problems solved by MCTS',
      'policy greedy acc',
      'value Brier vs oracle',
      'value Brier vs MC',
      'value Brier vs exact [bounds]',
      'exact states (mass covered)',
      'SFT records',
    ],
    s.rounds.map((r) => [
      String(r.round),
      pct(r.solved),
      pct(r.greedyAccuracy),
      f2(r.brierOracle),
      f2(r.brierMc),
      r.exact ? `${f3(r.exact.brier)} [${f3(r.exact.brierLo)}, ${f3(r.exact.brierHi)}]` : '–',
      r.exact ? `${r.exact.n} (${pct(r.exact.covered)})` : '–',
      String(r.sftRecords),
    ]),
  );
}

/** Reliability of the value head per round: mean prediction vs mean exact success probability per bin. */
export function reliabilityTable(s: RoadsSummary): string {
  const rows = s.rounds.filter((r) => r.exact);
  const bins = rows[0]?.exact?.bins ?? [];
  const cell = (b: { n: number; value: number | null; exact: number | null }) =>
    b.n ? `${f2(b.value)} / ${f2(b.exact)} (${b.n})` : '–';
  return markdownTable(
    ['round', ...bins.map((b) => `V in [${b.lo.toFixed(1)}, ${b.hi.toFixed(1)})`)],
    rows.map((r) => [String(r.round), ...r.exact!.bins.map(cell)]),
  );
}

export function computeTable(s: RoadsSummary): string {
  return markdownTable(
    ['method', 'FLOPs', 'generated tokens', 'held-out accuracy'],
    s.compute.map((r) => [r.method, sci(r.flops), String(r.tokens), pct(r.accuracy)]),
  );
}

/** Every table, titled, as one markdown document. */
export function roadsTables(s: RoadsSummary): string {
  return [
    `## Compute-matched table (${s.config.heldOut} held-out 2-digit additions)\n\n${computeTable(s)}`,
    `## Math-Shepherd labels vs the exact oracle\n\n${labelsTable(s)}`,
    `## Best-of-N\n\n${bestOfNTable(s)}`,
    `## MCTS\n\n${mctsTable(s)}`,
    `## PRM as the RL reward\n\n${prmRlTable(s)}`,
    `## Self-improvement rounds\n\n${roundsTable(s)}`,
    `## Value-head reliability against the exact success probability (mean V / mean exact (states) per bin)\n\n${reliabilityTable(s)}`,
    `## Step-MCTS tree of ${s.tree.problem}\n\n\`\`\`\n${s.tree.lines.join('\n')}\n\`\`\``,
  ].join('\n\n');
}

export function computeSvg(s: RoadsSummary): string {
  return svgLineChart({
    title: 'Accuracy vs compute: the roads taken and not taken',
    xLabel: 'FLOPs (log)',
    yLabel: 'held-out accuracy',
    logX: true,
    series: s.compute.map((r) => ({ name: r.method, points: [[Math.max(r.flops, 1), r.accuracy]] })),
  });
}

export function bestOfNSvg(s: RoadsSummary): string {
  const sels = [...new Set(s.bestOfN.map((r) => r.selector))];
  return svgLineChart({
    title: 'Best-of-N on held-out problems',
    xLabel: 'N (log)',
    yLabel: 'accuracy',
    logX: true,
    series: sels.map((sel) => ({
      name: sel,
      points: s.bestOfN.filter((r) => r.selector === sel).map((r) => [r.n, r.accuracy] as [number, number]),
    })),
  });
}

export function hackingSvg(s: RoadsSummary): string {
  const series = s.prmRl.flatMap((r) => [
    {
      name: `${r.form} s${r.seed}: held-out acc`,
      points: r.evals.map((e) => [e.step, e.accuracy] as [number, number]),
    },
    {
      name: `${r.form} s${r.seed}: PRM reward`,
      points: r.evals.map((e) => [e.step, e.prm] as [number, number]),
      dashed: true,
    },
  ]);
  return svgLineChart({
    title: 'PRM as the RL reward: PRM reward (dashed, right) vs held-out accuracy',
    xLabel: 'RL step',
    yLabel: 'held-out greedy accuracy',
    series,
    yRight: { label: 'PRM reward (sum of step scores)', series: series.map((_, i) => i).filter((i) => i % 2 === 1) },
  });
}

/** The hacking curve per RL step: PRM reward of the step's answers (right axis, dashed) against their oracle
 * accuracy, for the outcome arm and the per-step-credit sum arm, every seed. */
export function hackingStepsSvg(s: RoadsSummary): string {
  const runs = s.prmRl.filter((r) => r.form === 'outcome' || r.form === 'sum');
  const series = runs.flatMap((r) => [
    {
      name: `${r.form} s${r.seed}: oracle accuracy`,
      points: r.curve.map((c) => [c.step, c.accuracy] as [number, number]),
    },
    {
      name: `${r.form} s${r.seed}: PRM reward`,
      points: r.curve.map((c) => [c.step, c.prm] as [number, number]),
      dashed: true,
    },
  ]);
  return svgLineChart({
    title: 'Reward hacking? PRM reward (dashed, right) vs oracle accuracy of the same answers, per RL step',
    xLabel: 'RL step',
    yLabel: 'oracle accuracy of the step’s answers',
    series,
    yRight: { label: 'PRM reward (sum of step scores)', series: series.map((_, i) => i).filter((i) => i % 2 === 1) },
  });
}
