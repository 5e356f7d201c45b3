import { describe, expect, it } from 'vitest';
import { DEEPSEEK_V3, LLAMA_31_405B } from '../../src/cost/models.ts';
import { SERVE_V3 } from '../../src/cost/presets.ts';
import { renderGpus, renderModel } from '../../src/cost/report-model.ts';
import { buildServeReport, renderServe } from '../../src/cost/report-serve.ts';
import { renderTrain, trainNotes } from '../../src/cost/report-train.ts';
import { projectTrain } from '../../src/cost/train.ts';
import { v3WhatIf } from '../../src/cost/whatif.ts';
import { scenario } from './helpers.ts';

describe('train report', () => {
  const sc = scenario('deepseek-v3');
  const r = projectTrain(sc.setup, sc.stages);
  const text = renderTrain(sc, r, trainNotes(sc, r)).join('\n');

  it('shows each stage against V3 Table 1 and the total with dollars', () => {
    expect(text).toMatch(
      /pre-training\s+14\.8T\s+4K\s+249\.8\s+38\.9%\s+measured\s+2\.665M\s+54\.2\s+\$5\.33M\s+2\.664M\s+\+0\.05%/,
    );
    expect(text).toMatch(/total\s+2\.789M\s+56\.8\s+\$5\.579M\s+2\.788M\s+\+0\.05%/);
    expect(text).toMatch(/\$5\.576M\s+\+0\.05%/);
  });

  it('breaks the step into compute, kernel losses, bubble and exposed communication', () => {
    for (const part of [
      'useful compute at peak',
      'kernels below peak',
      'pipeline bubble (dualpipe)',
      'exposed communication',
      'EP all-to-all, IB',
    ])
      expect(text).toContain(part);
  });

  it('closes by naming the assumption and the 2.664M + 0.119M + 0.005M sum', () => {
    expect(text).toContain('Which assumption produces the hours: the MFU.');
    expect(text).toContain('published 2.664M + 119.0K + 5.000K = 2.788M');
    expect(text).toContain("MTP's extra cost: 10.2 GFLOP per token");
  });

  it('titles a changed run as a what-if and leaves out wire precisions without EP', () => {
    const dense = scenario('deepseek-v3', { shape: LLAMA_31_405B, gpu: 'h100', tokens: 1e12 });
    const lines = renderTrain(dense, projectTrain(dense.setup, dense.stages), []);
    expect(lines[0]).toBe(
      "What if, starting from preset 'deepseek-v3': Llama-3.1-405B on 2048 × NVIDIA H100 SXM5 80GB",
    );
    expect(lines.join('\n')).not.toContain('dispatch');
  });

  it('adds the what-if table on request', () => {
    expect(renderTrain(sc, r, [], v3WhatIf()).join('\n')).toMatch(/H100, same recipe\s+2\.679M\s+\+0\.0%/);
  });
});

describe('serve report', () => {
  const text = renderServe(buildServeReport(SERVE_V3, 2)).join('\n');

  it("sets prefill, decode, the ISCA bound and the day's sheet beside DeepSeek's figures", () => {
    expect(text).toMatch(/input tok\/s per node including cache hits \(DeepSeek: ~73\.7K, \+\d+\.\d%\)/);
    expect(text).toMatch(/per node at 20\.\d tok\/s per user \(DeepSeek: ~14\.8K per node at 20–22, \+\d+\.\d%\)/);
    expect(text).toContain('= 120.96 µs per EP step');
    expect(text).toContain('TPOT 14.76 ms');
    expect(text).toMatch(/nodes\s+226\.86\s+\d+\.\d+\s+226\.75/);
    expect(text).toMatch(/cost-profit margin\s+545%\s+\d+%\s+545%/);
    expect(text).toContain('$87,072');
  });

  it("leaves DeepSeek's comparisons out for another model", () => {
    const other = renderServe(
      buildServeReport(
        { ...SERVE_V3, shape: LLAMA_31_405B, decode: { ...SERVE_V3.decode, tp: 8, redundantExperts: 0 } },
        2,
      ),
    ).join('\n');
    expect(other).not.toContain('ISCA');
    expect(other).toContain('batch');
  });
});

describe('model and GPU reports', () => {
  it("lists V3's parameters, FLOPs and KV cache", () => {
    const text = renderModel(DEEPSEEK_V3, { seqLen: 4096, ctx: 4096, from: 'preset' }).join('\n');
    expect(text).toMatch(/total\s+671\.0B/);
    expect(text).toMatch(/activated per token\s+37\.55B/);
    expect(text).toMatch(/model FLOPs \(the MFU basis\)\s+249\.8/);
    expect(text).toMatch(/MLA \(this model\)\s+576\s+70\.272 KB/);
    expect(text).toMatch(/MHA, 128 heads × 128\s+32768\s+3\.9977 MB\s+56\.9×/);
  });

  it('lists the catalogue with datasheet and used link speeds', () => {
    const text = renderGpus([]).join('\n');
    expect(text).toMatch(/h800\s+989\.5\s+1979\s+80\s+3\.35\s+200 \/ 160\s+50 \/ 40\.0\s+8/);
    expect(text).toMatch(/gb200 .* 72$/m);
  });
});
