import { describe, expect, it } from 'vitest';
import { DEEPSEEK_V2, DEEPSEEK_V3, LLAMA_31_405B } from '../../src/cost/models.ts';
import { layout, paramsPerGpu, planProblems, type ParallelPlan, type RunShape } from '../../src/cost/parallel.ts';

const V3_PLAN: ParallelPlan = {
  tp: 1,
  cp: 1,
  pp: 16,
  ep: 64,
  schedule: 'dualpipe',
  v: 1,
  microBatchSeqs: 1,
  nodeLimit: 4,
  dedup: true,
};
const V3_RUN: RunShape = { nGpus: 2048, gpusPerNode: 8, seqLen: 4096, globalBatchTokens: 15360 * 4096 };
const problems = (plan: Partial<ParallelPlan>, run: Partial<RunShape> = {}, s = DEEPSEEK_V3) =>
  planProblems(s, { ...V3_PLAN, ...plan }, { ...V3_RUN, ...run });

describe('parallel plans', () => {
  it("accepts V3's PP16 × EP64 × ZeRO-1 DP on 2048 GPUs", () => {
    expect(problems({})).toEqual([]);
  });

  it('lays V3 out as DP128, expert-DP 2, 120 micro-batches and 64 even pipeline slots', () => {
    const l = layout(DEEPSEEK_V3, V3_PLAN, V3_RUN);
    expect(l).toMatchObject({ dp: 128, expertDp: 2, microBatches: 120, slots: 64, slotsPerStage: 4, imbalance: 1 });
  });

  it('charges uneven pipeline stages as imbalance instead of refusing them (V2 ran 60 layers on PP16)', () => {
    expect(planProblems(DEEPSEEK_V2, { ...V3_PLAN, ep: 8 }, V3_RUN)).toEqual([]);
    expect(layout(DEEPSEEK_V2, { ...V3_PLAN, ep: 8 }, V3_RUN).imbalance).toBeCloseTo(4 / (62 / 16), 12);
  });

  it('refuses impossible settings with a sentence that says why', () => {
    expect(problems({ pp: 64 })).toContain('PP 64 exceeds the 61 layers: some stage would hold no layer');
    expect(problems({ ep: 512 }, { nGpus: 8192 })).toContain('EP 512 is larger than the 256 routed experts');
    expect(problems({ ep: 48 })).toContain('EP 48 does not divide the 256 routed experts evenly');
    expect(problems({}, { nGpus: 0 })).toEqual(['the number of GPUs must be a whole number ≥ 1 (got 0)']);
    expect(problems({}, { nGpus: 2040 })).toContain('TP × CP × PP = 16 does not divide the 2040 GPUs');
    expect(problems({ tp: 3 }, { nGpus: 48 * 16 })).toContain('TP 3 does not divide the 128 attention heads');
    expect(problems({ ep: 2 }, {}, LLAMA_31_405B)).toContain('EP 2 needs an MoE model; Llama-3.1-405B is dense');
    expect(problems({ pp: 15 })).toContain('DualPipe needs an even PP (got 15)');
    expect(problems({ cp: 3, ep: 32 }, { nGpus: 3 * 16 * 64 })).toContain(
      'CP 3 does not divide the 4096-token sequences',
    );
    expect(problems({ ep: 256 }, { nGpus: 16 * 128 })).toContain(
      'EP 256 does not divide the 128 GPUs of a pipeline stage (TP × CP × DP)',
    );
    expect(problems({}, { globalBatchTokens: 64 * 4096 })).toContain(
      'a global batch of 64 sequences cannot feed DP 128 × 1-sequence micro-batches',
    );
    expect(problems({ tp: 0 })).toEqual(['TP must be a whole number ≥ 1 (got 0)']);
  });

  it('shards routed experts by PP × EP and everything else by PP × TP', () => {
    const p = paramsPerGpu(DEEPSEEK_V3, V3_PLAN);
    expect(p.experts * 16 * 64 + p.dense * 16).toBeCloseTo(671_026_404_352 + 11_610_067_968, -3);
  });

  it("fits V3's model states (two DualPipe copies, FP32 gradients, ZeRO-1 optimizer) in an 80 GB GPU", () => {
    const l = layout(DEEPSEEK_V3, V3_PLAN, V3_RUN);
    expect(l.modelStateBytes).toBeGreaterThan(20e9);
    expect(l.modelStateBytes).toBeLessThan(40e9);
  });
});
