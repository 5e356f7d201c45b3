import { describe, expect, it } from 'vitest';
import { loadGpuFile } from '../../src/cost/gpu-file.ts';
import { LLAMA_31_405B, QWEN25_72B } from '../../src/cost/models.ts';
import { TRAIN_PRESETS } from '../../src/cost/presets.ts';
import { serveScenario, trainScenario } from '../../src/cost/scenario.ts';
import { projectTrain } from '../../src/cost/train.ts';
import { scenario } from './helpers.ts';

describe('scenarios: a preset plus what-if changes', () => {
  it('accepts every preset as published', () => {
    for (const p of TRAIN_PRESETS) expect(scenario(p.id).comparable).toBe(true);
  });

  it('lists the known GPUs when one is unknown, and refuses unknown presets', () => {
    const sc = trainScenario('deepseek-v3', { gpu: 'tpu-v5' });
    expect(sc.problems[0]).toMatch(
      /^unknown GPU 'tpu-v5' \(known: h800, h100, h200, h20, a100, b200, gb200; add your own with --gpu-file\)$/,
    );
    expect(trainScenario('gpt-5').problems[0]).toMatch(/unknown preset 'gpt-5' \(known: deepseek-v3, deepseek-v3-h100/);
  });

  it('uses a GPU from a user file, with its measured links', () => {
    const extra = loadGpuFile('fixtures/cost/gpus/example.json');
    expect(trainScenario('deepseek-v3', { gpu: 'mi300x' }).problems[0]).toMatch(/unknown GPU 'mi300x'/);
    const mine = trainScenario('deepseek-v3', { gpu: 'h800-measured' }, extra);
    expect('setup' in mine && mine.problems).toEqual([]);
    expect('setup' in mine && mine.setup.cluster.nvlinkBytesPerSec).toBe(155e9);
    expect('setup' in mine && mine.setup.cluster.ibBytesPerSec).toBe(45e9);
  });

  it('drops published figures for another GPU or token budget, keeps them for another explanation', () => {
    expect(scenario('deepseek-v3', { gpu: 'h100' }).comparable).toBe(false);
    expect(scenario('deepseek-v3', { tokens: 1e12 }).stages[0]!.published).toBeUndefined();
    const roof = scenario('deepseek-v3', { mode: 'roofline', overlap: 0 });
    expect(roof.comparable).toBe(true);
    expect(roof.stages[0]!.published?.gpuHours).toBe(2.664e6);
  });

  it('marks a given MFU as assumed and a moved one as transferred', () => {
    const s = scenario('deepseek-v3', { mfu: 0.5 }).stages[0]!;
    expect(s.kind === 'computed' && [s.mfu, s.mfuSource]).toEqual([0.5, 'assumed']);
    const h = scenario('deepseek-v3', { gpu: 'b200' }).stages[0]!;
    expect(h.kind === 'computed' && h.mfuSource).toBe('transferred');
  });

  it('trains a dense model from a config on the V3 recipe with EP switched off', () => {
    const sc = scenario('deepseek-v3', { shape: QWEN25_72B, gpu: 'h100', tokens: 18e12 });
    expect(sc.setup.plan.ep).toBe(1);
    expect(sc.stages.map((s) => s.kind)).toEqual(['computed', 'computed']);
    const r = projectTrain(sc.setup, sc.stages);
    expect(r.stages[0]!.gpuHours).toBeGreaterThan(1e6);
  });

  it('turns impossible settings into sentences', () => {
    expect(trainScenario('deepseek-v3', { pp: 100 }).problems).toContain(
      'PP 100 exceeds the 61 layers: some stage would hold no layer',
    );
    expect(trainScenario('deepseek-v3', { ep: 512, nGpus: 8192 }).problems).toContain(
      'EP 512 is larger than the 256 routed experts',
    );
    expect(trainScenario('deepseek-v3', { nGpus: 0 }).problems).toContain(
      'the number of GPUs must be a whole number ≥ 1 (got 0)',
    );
    expect(trainScenario('deepseek-v3', { mfu: 1.5 }).problems).toContain('MFU must be in (0, 1] (got 1.5)');
    expect(trainScenario('llama-3.1-405b', { ep: 8 }).problems).toContain(
      'EP 8 needs an MoE model; Llama-3.1-405B is dense',
    );
  });

  it('gives the long-context stage its own context parallelism unless a flag overrides it', () => {
    const sc = scenario('llama-3.1-405b');
    const lc = sc.stages[1]!;
    expect(lc.kind === 'computed' && lc.planOverride).toEqual({ cp: 16 });
    const forced = scenario('llama-3.1-405b', { cp: 8 }).stages[1]!;
    expect(forced.kind === 'computed' && forced.planOverride).toEqual({});
  });

  it("builds DeepSeek's serving fleet and refuses serving plans that cannot exist", () => {
    expect(serveScenario().problems).toEqual([]);
    expect(serveScenario({ decodeGpus: 300 }).problems[0]).toMatch(/decode EP 300 is larger than the 288 expert slots/);
    expect(serveScenario({ shape: LLAMA_31_405B, decodeGpus: 16 }).problems[0]).toMatch(/dense: split it with --tp/);
    expect(serveScenario({ tp: 3 }).problems[0]).toMatch(/TP 3 does not divide the 128 attention heads/);
    expect(serveScenario({ gpu: 'nope' }).problems[0]).toMatch(/unknown GPU 'nope'/);
  });
});
