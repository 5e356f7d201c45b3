// The text report of `tinyseek cost train`: the run, a table of stages against their published figures, where a
// step's seconds go (compute / kernel losses / bubble / exposed communication), the bytes each collective moves
// and the bandwidth that would hide them, then a closing note that names the assumption behind the result.
import { countParams } from './params.ts';
import { bytes, dollars, duration, gbps, pct, si, sig, signedPct, table, tokensShort } from './format.ts';
import type { TrainScenario } from './scenario.ts';
import { describeShape } from './shape.ts';
import { stepModel, type StepModel } from './step.ts';
import type { StageResult, TrainResult } from './train.ts';
import type { WhatIfRow } from './whatif.ts';

function header(sc: TrainScenario): string[] {
  const { setup: x, preset } = sc;
  const s = x.shape;
  const p = x.plan;
  const c = countParams(s);
  const g = x.cluster.gpu;
  const epNodes = Math.ceil(p.ep / g.gpusPerNode);
  const dp = x.cluster.nGpus / (p.tp * p.cp * p.pp);
  const computed = sc.stages.some((st) => st.kind === 'computed');
  const title = sc.comparable
    ? preset.title
    : `What if, starting from preset '${preset.id}': ${s.name} on ${x.cluster.nGpus} × ${g.name}`;
  const wire = p.ep > 1 ? `; ${x.dispatch.toUpperCase()} dispatch, ${x.combine.toUpperCase()} combine` : '';
  return [
    title,
    `model    ${s.name}: ${describeShape(s)}`,
    `         ${si(c.total, 4)} parameters, ${si(c.activated, 4)} activated per token`,
    `cluster  ${x.cluster.nGpus} × ${g.name}: ${g.bf16Tflops} TFLOP/s BF16, NVLink ${gbps(x.cluster.nvlinkBytesPerSec)}, ` +
      `IB ${gbps(x.cluster.ibBytesPerSec)} per GPU; $${x.pricePerGpuHour}/GPU-hour`,
    computed &&
      `plan     TP${p.tp} × CP${p.cp} × PP${p.pp} (${p.schedule}${p.schedule === 'interleaved' ? `, v ${p.v}` : ''}) × DP${dp}` +
        (p.ep > 1
          ? `, EP${p.ep} over ${epNodes} node${epNodes > 1 ? 's' : ''}${p.nodeLimit ? `, ≤ ${p.nodeLimit} nodes per token` : ''}`
          : '') +
        `${wire}; goodput ${pct(x.goodput, 0)}`,
    computed &&
      `mode     ${x.mode === 'mfu' ? "MFU: each stage's MFU sets its step time" : `roofline at kernel efficiency η = ${pct(x.efficiency)} of BF16 peak`}`,
  ].filter((l): l is string => typeof l === 'string');
}

function stageRow(r: StageResult): string[] {
  const f = r.steps?.[0]?.flopsPerToken.model;
  return [
    r.name,
    r.tokens !== undefined ? si(r.tokens) : '-',
    r.seqLens ? r.seqLens.map(tokensShort).join('/') : '-',
    f !== undefined ? sig(f / 1e9, 4) : '-',
    r.mfu !== undefined ? pct(r.mfu) : '-',
    r.mfuSource ?? r.kind,
    si(r.gpuHours, 4),
    sig(r.days, 3),
    dollars(r.dollars),
    r.published ? si(r.published.gpuHours, 4) : '',
    r.error !== undefined ? signedPct(r.error, 2) : '',
  ];
}

function stagesTable(sc: TrainScenario, r: TrainResult): string[] {
  const pub = sc.preset.published;
  const comparable = sc.comparable && pub !== undefined;
  const total = [
    'total',
    '',
    '',
    '',
    '',
    '',
    si(r.total.gpuHours, 4),
    sig(r.total.days, 3),
    dollars(r.total.dollars, 4),
    comparable ? si(pub.gpuHours, 4) : '',
    comparable ? signedPct(r.total.gpuHours / pub.gpuHours - 1, 2) : '',
  ];
  const rows = [...r.stages.map(stageRow), total];
  if (comparable && pub.dollars !== undefined)
    rows.push([
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
      dollars(pub.dollars, 4),
      signedPct(r.total.dollars / pub.dollars - 1, 2),
    ]);
  return table(
    ['stage', 'tokens', 'seq', 'GFLOP/tok', 'MFU', 'MFU from', 'GPU-hours', 'days', 'cost', 'published', 'error'],
    rows,
    ['left', 'right', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'right', 'right'],
  );
}

function stepBreakdown(name: string, st: StepModel, sc: TrainScenario): string[] {
  const T = st.stepSeconds;
  const part = (label: string, v: number, why = '') => [label, duration(Math.max(v, 0)), pct(v / T), why];
  const lay = st.layout;
  const p = sc.setup.plan;
  return [
    `where a ${name} step goes: ${duration(T)} per GPU for ${si(st.tokensPerStep)} tokens, ${sig(lay.microBatches, 3)} micro-batches per pipeline`,
    ...table(
      ['', 'time', 'share', ''],
      [
        part('useful compute at peak', st.parts.usefulCompute, 'model FLOPs ÷ BF16 peak'),
        part(
          sc.setup.shape.mtpDepth ? 'router + MTP' : 'router',
          st.parts.extraWork,
          'real work the MFU does not count',
        ),
        part('kernels below peak', st.parts.kernelLoss, `η = ${pct(st.efficiency)} of peak while computing`),
        part('stage imbalance', st.parts.imbalance, `${lay.slots} layer slots over PP${p.pp}`),
        part(`pipeline bubble (${p.schedule})`, st.parts.bubble, `${pct(st.bubbleFraction)} of compute`),
        part('exposed communication', st.parts.exposedComm, ''),
      ],
      ['left', 'right', 'right', 'left'],
    ).map((l) => '  ' + l),
  ];
}

function commTable(st: StepModel, sc: TrainScenario): string[] {
  const o = sc.setup.overlap;
  const c = st.comm;
  const link = (k: 'dp' | 'tp' | 'cp' | 'pp') => (c[k].link === 'none' ? '-' : c[k].link === 'ib' ? 'IB' : 'NVLink');
  const row = (label: string, b: number, t: number, l: string, ov: number) => [
    label,
    bytes(b, 3),
    duration(t),
    l,
    pct(ov, 0),
    duration((1 - ov) * t),
  ];
  const rows = [
    row('EP all-to-all, IB', c.ep.ibBytes, c.ep.ibSeconds, 'IB', o.ep),
    row('EP all-to-all, NVLink', c.ep.nvlinkBytes, c.ep.nvlinkSeconds, 'NVLink', o.ep),
    row('DP (ZeRO-1 RS + AG)', c.dp.bytes, c.dp.seconds, link('dp'), o.dp),
    row('TP (sequence parallel)', c.tp.bytes, c.tp.seconds, link('tp'), o.tp),
    row('CP (ring attention)', c.cp.bytes, c.cp.seconds, link('cp'), o.cp),
    row('PP (stage sends)', c.pp.bytes, c.pp.seconds, link('pp'), o.pp),
  ].filter((r) => r[1] !== '0 B');
  const lines = [
    'communication per step per GPU:',
    ...table(['collective', 'bytes', 'time', 'link', 'overlap', 'exposed'], rows).map((l) => '  ' + l),
  ];
  if (c.ep.seconds > 0) {
    const cl = sc.setup.cluster;
    const needs = [
      c.ep.ibBytes > 0 ? `≥ ${gbps(st.neededIbBytesPerSec)} IB (has ${gbps(cl.ibBytesPerSec)})` : '',
      c.ep.nvlinkBytes > 0 ? `≥ ${gbps(st.neededNvlinkBytesPerSec)} NVLink (has ${gbps(cl.nvlinkBytesPerSec)})` : '',
    ].filter(Boolean);
    lines.push(
      `  compute : all-to-all = ${sig(st.computeToComm, 3)} : 1 (DeepSeek: "approximately 1:1" before overlap); to hide it under compute`,
      `  a GPU needs ${needs.join(' and ')}`,
    );
  }
  lines.push(
    `  model states per GPU: ${bytes(st.layout.modelStateBytes, 3)} of ${sc.setup.cluster.gpu.hbmGB} GB (weights, FP32 gradients, ZeRO-1 optimizer; activations extra)`,
  );
  return lines;
}

export function whatIfTable(rows: WhatIfRow[]): string[] {
  return [
    "what if (V3 pre-training as a roofline at V3's own kernel efficiency, one change at a time):",
    ...table(
      ['variant', 'GPU-hours', 'change', 'step', 'EP on IB', 'EP on NVLink', 'TP', 'exposed'],
      rows.map((w) => [
        w.label,
        si(w.gpuHours, 4),
        signedPct(w.change),
        duration(w.stepSeconds),
        duration(w.ibSeconds),
        duration(w.nvlinkSeconds),
        duration(w.tpSeconds),
        duration(w.exposedComm),
      ]),
    ).map((l) => '  ' + l),
  ];
}

/** The whole report; `notes` are closing lines computed by the caller (they may need other projections). */
export function renderTrain(sc: TrainScenario, r: TrainResult, notes: string[], whatIf?: WhatIfRow[]): string[] {
  const lines = [...header(sc), '', ...stagesTable(sc, r)];
  const main = r.stages.find((st) => st.steps?.length);
  if (main) {
    const step = main.steps![0]!;
    lines.push('', ...stepBreakdown(main.name, step, sc), '', ...commTable(step, sc));
    for (const f of step.flags) lines.push(`  ! ${f}`);
  }
  const rl = r.stages.find((st) => st.rl);
  if (rl?.rl) {
    const x = rl.rl;
    lines.push(
      '',
      `RL: ${si(x.rollouts)} rollouts of ${si(x.answers / x.rollouts)} answers (${sig(x.batchPerGpu, 3)} per GPU), ${si(x.trainTokens)} tokens trained on`,
      `  generating ${duration(x.rolloutSeconds)} (${pct(x.rolloutShare)}), updating ${duration(x.updateSeconds)}; ` +
        `an answer decodes at ${sig(x.tokPerSecFullBatch, 3)} tok/s in a full batch, ${sig(x.tokPerSecStraggler, 3)} as the last straggler`,
    );
  }
  if (whatIf) lines.push('', ...whatIfTable(whatIf));
  if (notes.length) lines.push('', 'notes:', ...notes.map((n) => `  • ${n}`));
  return lines;
}

/**
 * Closing notes: where each stage's MFU comes from, which assumption carries the hours (the MFU, or in roofline
 * mode η and the overlaps), what overlap and MTP cost, and each published figure beside ours.
 */
export function trainNotes(sc: TrainScenario, r: TrainResult): string[] {
  const x = sc.setup;
  const notes: string[] = [];
  const main = r.stages.find((st) => st.steps?.length);
  const step = main?.steps?.[0];
  for (const st of r.stages) {
    if (st.kind === 'computed') notes.push(`${st.name}: MFU ${pct(st.mfu!)}, ${st.mfuSource}: ${st.note}.`);
    else if (st.note) notes.push(`${st.name}: ${st.note}.`);
  }
  if (main && step) {
    const peak = x.cluster.gpu.bf16Tflops * 1e12;
    const exposed = stepModel(
      { ...x, plan: { ...x.plan, schedule: '1f1b' }, overlap: { ...x.overlap, ep: 0 } },
      main.seqLens![0]!,
      step.tokensPerStep,
      { kind: 'roofline', efficiency: step.efficiency },
    );
    const asRun = stepModel(x, main.seqLens![0]!, step.tokensPerStep, {
      kind: 'roofline',
      efficiency: step.efficiency,
    });
    const g = x.cluster.gpu;
    const fp8 =
      g.fp8Tflops && x.dispatch === 'fp8'
        ? ` (${pct((main.mfu! * g.bf16Tflops) / g.fp8Tflops)} of the FP8 peak its FP8 GEMMs could reach)`
        : '';
    const hidden = step.comm.ep.seconds > 0 && x.overlap.ep > 0;
    const what = hidden
      ? 'the all-to-all exposed (1F1B, no overlap)'
      : `a plain 1F1B schedule instead of ${x.plan.schedule}`;
    const change =
      x.plan.schedule === '1f1b' && !hidden
        ? ''
        : `With ${what} the same kernels would need ${signedPct(exposed.stepSeconds / asRun.stepSeconds - 1)} GPU-hours for ${main.name}.`;
    notes.push(
      x.mode === 'mfu'
        ? `Which assumption produces the hours: the MFU. GPU-hours = model FLOPs ÷ (MFU × ${g.bf16Tflops} TFLOP/s BF16 peak)${fp8}; ` +
            `the overlap and schedule assumptions only decide how each step splits. ${change}`
        : `Roofline: the hours follow from η = ${pct(x.efficiency)} and the overlaps (EP ${pct(x.overlap.ep, 0)}); the ${main.name} MFU comes out at ${pct(step.mfu)}. ${change}`,
    );
    const f = step.flopsPerToken;
    if (f.mtp > 0)
      notes.push(
        `MTP's extra cost: ${sig(f.mtp / 1e9, 3)} GFLOP per token, ${pct(f.mtp / f.model)} on top of the model FLOPs ` +
          `(DeepSeek's MFU leaves it out): ${si((main.tokens! * f.mtp) / (step.efficiency * peak) / 3600, 3)} GPU-hours of the ${main.name} at η.`,
      );
  }
  if (x.goodput < 1)
    notes.push(
      `Goodput ${pct(x.goodput, 0)}: GPU-hours include ${pct(1 - x.goodput, 0)} of wall time lost to failures and restarts.`,
    );
  for (const st of r.stages)
    if (st.published && st.error !== undefined)
      notes.push(
        `${st.name}: ${si(st.gpuHours, 4)} vs ${si(st.published.gpuHours, 4)} published (${st.published.source}): ${signedPct(st.error, 2)}.`,
      );
  const pub = sc.preset.published;
  if (pub && sc.comparable) {
    const sum = (hs: number[]) => (hs.length > 1 ? `${hs.map((h) => si(h, 4)).join(' + ')} = ` : '');
    const ours = sum(r.stages.map((st) => st.gpuHours));
    const theirs = r.stages.every((st) => st.published) ? sum(r.stages.map((st) => st.published!.gpuHours)) : '';
    notes.push(
      `total: ours ${ours}${si(r.total.gpuHours, 4)} GPU-hours; published ${theirs}${si(pub.gpuHours, 4)} (${pub.source}): ` +
        `${signedPct(r.total.gpuHours / pub.gpuHours - 1, 2)}` +
        (pub.dollars ? `; ${dollars(r.total.dollars, 4)} vs ${dollars(pub.dollars, 4)}.` : '.'),
    );
  }
  notes.push(...sc.preset.notes);
  return notes;
}
