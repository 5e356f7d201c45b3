// The text reports of `tinyseek cost model` (parameters, FLOPs per token by term, KV cache per token next to
// MHA/GQA layouts) and `tinyseek cost gpus` (the catalogue with its sources).
// Source: params.ts, flops.ts, kvcache.ts and hardware.ts; the formulas are in those files.
import { trainFlopsPerToken, inferFlopsPerToken } from './flops.ts';
import { bytes, pct, si, sig, table } from './format.ts';
import { CATALOGUE, ibBytesPerSec, nvlinkBytesPerSec, type GpuSpec } from './hardware.ts';
import { compareKv } from './kvcache.ts';
import { attentionMatrixParams, attentionVectorParams, countParams, ffnParams } from './params.ts';
import { describeShape, isMoe, moeLayers, type ModelShape } from './shape.ts';

export interface ModelReportOptions {
  seqLen: number;
  /** KV length for the decode FLOPs. */
  ctx: number;
  /** Where the shape came from (a file or a preset id). */
  from: string;
}

function paramLines(s: ModelShape): string[] {
  const c = countParams(s);
  const nMoe = moeLayers(s);
  const rows: string[][] = [
    ['embedding', si(c.embedding, 4), `${s.vocab} × ${s.d}`],
    ['output head', si(c.head, 4), s.tieEmbeddings ? 'tied to the embedding' : ''],
    [
      `attention (${s.nLayers} layers)`,
      si(c.attention, 4),
      `${si(attentionMatrixParams(s) + attentionVectorParams(s), 4)} per layer`,
    ],
  ];
  if (s.nDenseLayers) rows.push([`dense FFN (${s.nDenseLayers} layers)`, si(c.denseFfn, 4), `width ${s.dFF}`]);
  if (isMoe(s)) {
    rows.push(
      [
        `routed experts (${nMoe} × ${s.nRoutedExperts})`,
        si(c.routedExperts, 4),
        `${si(ffnParams(s, s.moeInterDim), 4)} each, width ${s.moeInterDim}`,
      ],
      [`shared experts (${nMoe} × ${s.nSharedExperts})`, si(c.sharedExperts, 4), ''],
      ['router', si(c.router, 4), ''],
    );
  }
  rows.push(
    ['norms', si(c.norms, 4), ''],
    ['total', si(c.total, 4), s.mtpDepth ? 'without the MTP modules' : ''],
    [
      'activated per token',
      si(c.activated, 4),
      `embedding and head included; ${si(c.activatedMatmul, 4)} matrix parameters (the N of 6·N·D)`,
    ],
  );
  if (s.mtpDepth)
    rows.push([`MTP modules (depth ${s.mtpDepth})`, si(c.mtp, 4), 'embedding and head shared with the model']);
  return table(['parameters', 'count', ''], rows, ['left', 'right', 'left']);
}

function flopLines(s: ModelShape, seqLen: number): string[] {
  const f = trainFlopsPerToken(s, seqLen);
  const g = (x: number) => sig(x / 1e9, 4);
  const share = (x: number) => pct(x / f.model);
  const rows: string[][] = [];
  if (f.denseFfn) rows.push(['dense FFN', g(f.denseFfn), share(f.denseFfn)]);
  if (f.experts) rows.push(['routed + shared experts (activated)', g(f.experts), share(f.experts)]);
  rows.push(
    ['attention projections', g(f.attnProj), share(f.attnProj)],
    [`core attention (causal, ${seqLen} tokens)`, g(f.attnCore), share(f.attnCore)],
    ['LM head', g(f.head), share(f.head)],
    ['model FLOPs (the MFU basis)', g(f.model), '100.0%'],
  );
  if (f.router) rows.push(['router', g(f.router), share(f.router)]);
  if (f.mtp) rows.push(['MTP modules', g(f.mtp), share(f.mtp)]);
  rows.push(['total', g(f.total), share(f.total)], ['6·N for comparison', g(6 * countParams(s).activatedMatmul), '']);
  return table([`training GFLOP per token at ${seqLen} (6 per multiply-add)`, 'GFLOP', 'share'], rows, [
    'left',
    'right',
    'right',
  ]);
}

export function renderModel(s: ModelShape, o: ModelReportOptions): string[] {
  const pf = inferFlopsPerToken(s, o.seqLen, 'prefill').total;
  const dc = inferFlopsPerToken(s, o.ctx, 'decode').total;
  const kv = compareKv(s);
  return [
    `${s.name} (${o.from})`,
    describeShape(s),
    '',
    ...paramLines(s),
    '',
    ...flopLines(s, o.seqLen),
    '',
    `inference: prefill ${sig(pf / 1e9, 4)} GFLOP per prompt token at ${o.seqLen}; decode ${sig(dc / 1e9, 4)} GFLOP per token at KV length ${o.ctx}` +
      (s.attention === 'mla' ? ' (absorbed MLA)' : ''),
    '',
    ...table(
      ['KV cache per token (BF16)', 'elements/layer', 'bytes/token', '× this model'],
      kv.map((k) => [k.kind, String(k.elementsPerLayer), bytes(k.bytesPerToken, 5), `${sig(k.ratioToModel, 3)}×`]),
      ['left', 'right', 'right', 'right'],
    ),
  ];
}

export function renderGpus(user: readonly GpuSpec[]): string[] {
  const all = [...user, ...CATALOGUE.filter((g) => !user.some((u) => u.id === g.id))];
  const rows = all.map((g) => [
    g.id + (user.includes(g) ? ' (user)' : ''),
    String(g.bf16Tflops),
    g.fp8Tflops === null ? '-' : String(g.fp8Tflops),
    String(g.hbmGB),
    String(g.hbmTBps),
    `${g.nvlinkGBps} / ${sig(nvlinkBytesPerSec(g) / 1e9, 3)}`,
    `${g.ibGBps} / ${sig(ibBytesPerSec(g) / 1e9, 3)}`,
    String(g.gpusPerNode),
  ]);
  return [
    ...table(['GPU', 'BF16 TF', 'FP8 TF', 'HBM GB', 'HBM TB/s', 'NVLink GB/s', 'IB GB/s', 'per node'], rows),
    '',
    'Dense TFLOP/s (no sparsity). Links per GPU per direction: datasheet / what projections use (measured where',
    'published, else datasheet × 0.8, the H800\'s measured ratio). "per node" is the NVLink domain.',
    '',
    ...all.map((g) => `${g.id}: ${g.name} — ${g.source}`),
  ];
}
