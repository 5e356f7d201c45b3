// Every published figure the cost model can be held against, with ours beside it and the error. Each row
// says how fair the comparison is: 'accounting' (arithmetic on a published config), 'consistency' (two published
// figures of one run — V3's MFU and its GPU-hours — linked by our FLOP count), 'by construction' (an input was
// taken from this very figure), 'calibrated' (a constant was set from it), 'hold-out' (nothing was fitted to it).
// The README's table is printed from this list.
// Sources: ../shared/reference/cost-model.md §1.3–§1.4, §5; deepseek-v3-architecture.md §1, §5–§6.
import { trainFlopsPerToken } from './flops.ts';
import { compareKv, kvBytesPerToken } from './kvcache.ts';
import { DEEPSEEK_V2, DEEPSEEK_V3, LLAMA_31_405B, QWEN25_72B } from './models.ts';
import { countParams } from './params.ts';
import { SERVE_V3 } from './presets.ts';
import { buildServeReport } from './report-serve.ts';
import { trainScenario, type TrainOverrides } from './scenario.ts';
import { defineShape } from './shape.ts';
import { DEEPSEEK_DAY } from './sheet.ts';
import { projectTrain } from './train.ts';

export type Fairness = 'accounting' | 'consistency' | 'by construction' | 'calibrated' | 'hold-out';

export interface ValidationRow {
  group: 'model' | 'train' | 'serve';
  figure: string;
  ours: number;
  published: number;
  unit: string;
  fairness: Fairness;
  source: string;
}

export const errorOf = (r: ValidationRow): number => r.ours / r.published - 1;

function train(id: string, o: TrainOverrides = {}) {
  const sc = trainScenario(id, o);
  if (!('setup' in sc) || sc.problems.length) throw new Error(`${id}: ${sc.problems.join('; ')}`);
  return projectTrain(sc.setup, sc.stages);
}

// GPT-3 175B: 96 layers, d 12288, 96 heads, GELU FFN of 4d (as a SwiGLU of the same size: 3·d·(8d/3)).
const GPT3 = defineShape({
  name: 'GPT-3 175B',
  d: 12288,
  nLayers: 96,
  nHeads: 96,
  vocab: 50257,
  dFF: (2 * 4 * 12288) / 3,
  tieEmbeddings: true,
});

function modelRows(): ValidationRow[] {
  const v3 = countParams(DEEPSEEK_V3);
  const g = (s: typeof DEEPSEEK_V3, seq: number) => trainFlopsPerToken(s, seq).model / 1e9;
  const row = (figure: string, ours: number, published: number, unit: string, source: string): ValidationRow => ({
    group: 'model',
    figure,
    ours,
    published,
    unit,
    fairness: 'accounting',
    source,
  });
  return [
    row('V3 total parameters', v3.total / 1e9, 671, 'B', 'V3 §4.2'),
    row('V3 activated parameters', v3.activated / 1e9, 37, 'B', 'V3 §4.2'),
    row('V3 training GFLOP/token (4K)', g(DEEPSEEK_V3, 4096), 250, 'GFLOP', "ISCA'25 Table 2"),
    row('V2 training GFLOP/token (4K)', g(DEEPSEEK_V2, 4096), 155, 'GFLOP', "ISCA'25 Table 2"),
    row('Llama-405B training GFLOP/token (4K)', g(LLAMA_31_405B, 4096), 2448, 'GFLOP', "ISCA'25 Table 2"),
    row('Qwen-72B training GFLOP/token (4K)', g(QWEN25_72B, 4096), 394, 'GFLOP', 'ISCA\'25 Table 2 (its "Qwen-72B")'),
    row(
      'GPT-3 175B training FLOP (300B tokens)',
      (g(GPT3, 2048) * 1e9 * 300e9) / 1e23,
      3.14,
      'e23 FLOP',
      'GPT-3 Table D.1',
    ),
    row('V3 KV cache per token (BF16)', kvBytesPerToken(DEEPSEEK_V3), 70_272, 'B', "ISCA'25 Table 1"),
    row('Qwen2.5-72B KV cache per token', kvBytesPerToken(QWEN25_72B), 327_680, 'B', "ISCA'25 Table 1"),
    row('Llama-3.1-405B KV cache per token', kvBytesPerToken(LLAMA_31_405B), 516_096, 'B', "ISCA'25 Table 1"),
    row(
      'V3 MHA ÷ MLA cache (128 × 128 heads)',
      compareKv(DEEPSEEK_V3)[1]!.ratioToModel,
      56.9,
      '×',
      'V2 §2.1 / reference notes',
    ),
  ];
}

function trainRows(): ValidationRow[] {
  const v3 = train('deepseek-v3');
  const [pre, ctx] = v3.stages;
  const v3roof = train('deepseek-v3', { mode: 'roofline' });
  const llama = train('llama-3.1-405b');
  const llamaRoof = train('llama-3.1-405b', { mode: 'roofline' });
  const r1 = train('r1-zero');
  const row = (
    figure: string,
    ours: number,
    published: number,
    unit: string,
    fairness: Fairness,
    source: string,
  ): ValidationRow => ({
    group: 'train',
    figure,
    ours,
    published,
    unit,
    fairness,
    source,
  });
  return [
    row(
      'V3 pre-training GPU-hours (MFU 38.94%)',
      pre!.gpuHours / 1e6,
      2.664,
      'M',
      'consistency',
      "V3 Table 1; MFU from ISCA'25 Table 4",
    ),
    row(
      'V3 context-extension GPU-hours',
      ctx!.gpuHours / 1e6,
      0.119,
      'M',
      'by construction',
      'V3 Table 1 (MFU implied by it)',
    ),
    row('V3 total GPU-hours', v3.total.gpuHours / 1e6, 2.788, 'M', 'consistency', 'V3 Table 1'),
    row('V3 total cost at $2/GPU-h', v3.total.dollars / 1e6, 5.576, '$M', 'consistency', 'V3 Table 1'),
    row(
      'V3 pre-training GPU-hours, roofline',
      v3roof.stages[0]!.gpuHours / 1e6,
      2.664,
      'M',
      'calibrated',
      "η set from V3's MFU",
    ),
    row('V3 context extension, roofline', v3roof.stages[1]!.gpuHours / 1e6, 0.119, 'M', 'hold-out', 'V3 Table 1'),
    row(
      "Llama-3.1-405B GPU-hours (V3's MFU)",
      llama.total.gpuHours / 1e6,
      30.84,
      'M',
      'hold-out',
      'Llama 3.1 model card',
    ),
    row(
      "Llama-3.1-405B GPU-hours (roofline, V3's η)",
      llamaRoof.total.gpuHours / 1e6,
      30.84,
      'M',
      'hold-out',
      'Llama 3.1 model card',
    ),
    row('R1-Zero RL GPU-hours', r1.total.gpuHours / 1e3, 101.4, 'K', 'hold-out', 'R1 Nature suppl. (198 h × 512 H800)'),
  ];
}

function serveRows(): ValidationRow[] {
  const r = buildServeReport(SERVE_V3, 2);
  const { isca, iscaExact: exact, nvl72, theirs } = r.deepseek!;
  const pf = r.prefill;
  const dc = r.decode;
  const ours = r.ours;
  const pub = DEEPSEEK_DAY.published;
  const row = (
    figure: string,
    o: number,
    published: number,
    unit: string,
    fairness: Fairness,
    source: string,
  ): ValidationRow => ({
    group: 'serve',
    figure,
    ours: o,
    published,
    unit,
    fairness,
    source,
  });
  const d6 = 'open-infra-index day 6';
  return [
    row('ISCA decode EP step (d = 7K)', isca.epStepSeconds * 1e6, 120.96, 'µs', 'accounting', "ISCA'25 §2.3.2"),
    row('ISCA decode TPOT bound, 400G IB', isca.tpotSeconds * 1e3, 14.76, 'ms', 'accounting', "ISCA'25 §2.3.2"),
    row('ISCA decode TPOT bound, NVL72 900 GB/s', nvl72.tpotSeconds * 1e3, 0.82, 'ms', 'accounting', "ISCA'25 §2.3.2"),
    row(
      'decode EP step with d = 7168 (not 7K)',
      exact.epStepSeconds * 1e6,
      120.96,
      'µs',
      'accounting',
      "ISCA'25 §2.3.2",
    ),
    row('prefill input tok/s per node (incl. hits)', pf.tokPerSecPerNodeInclHits / 1e3, 73.7, 'K', 'hold-out', d6),
    row('decode output tok/s per node', dc.tokPerSecPerNode / 1e3, 14.8, 'K', 'hold-out', d6),
    row("nodes, DeepSeek's per-node rates", theirs.nodes, pub.nodes, 'nodes', 'by construction', d6),
    row("cost per day, DeepSeek's rates", theirs.costPerDay / 1e3, pub.costPerDay / 1e3, '$K', 'by construction', d6),
    row('revenue per day at R1 prices', theirs.revenuePerDay / 1e3, pub.revenuePerDay / 1e3, '$K', 'accounting', d6),
    row("cost-profit margin, DeepSeek's rates", theirs.margin * 100, pub.margin * 100, '%', 'by construction', d6),
    row('nodes, our projected rates', ours.nodes, pub.nodes, 'nodes', 'hold-out', d6),
    row('cost per day, our projected rates', ours.costPerDay / 1e3, pub.costPerDay / 1e3, '$K', 'hold-out', d6),
    row('cost-profit margin, our projected rates', ours.margin * 100, pub.margin * 100, '%', 'hold-out', d6),
  ];
}

/** All rows; `group` picks one part. */
export function validationTable(group?: ValidationRow['group']): ValidationRow[] {
  const rows = [
    ...(group === undefined || group === 'model' ? modelRows() : []),
    ...(group === undefined || group === 'train' ? trainRows() : []),
    ...(group === undefined || group === 'serve' ? serveRows() : []),
  ];
  return rows;
}
