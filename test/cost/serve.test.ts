import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findGpu } from '../../src/cost/hardware.ts';
import { LLAMA_31_405B } from '../../src/cost/models.ts';
import { SERVE_V3 } from '../../src/cost/presets.ts';
import { serveScenario } from '../../src/cost/scenario.ts';
import { decode, decodeWeightBytes, iscaDecodeBound, prefill, type ServeSetup } from '../../src/cost/serve.ts';

const withDecode = (d: Partial<ServeSetup['decode']>, x: ServeSetup = SERVE_V3): ServeSetup => ({
  ...x,
  decode: { ...x.decode, ...d },
});

describe('serving projection', () => {
  it("reproduces ISCA'25's decode bound: 120.96 µs per EP step, 14.76 ms TPOT, 0.82 ms over NVL72", () => {
    const b = iscaDecodeBound({ d: 7000, layers: 61, tokens: 32, experts: 9, bytesPerSec: 50e9 });
    expect(b.epStepSeconds * 1e6).toBeCloseTo(120.96, 9);
    expect(b.tpotSeconds * 1e3).toBeCloseTo(14.757, 3);
    expect(b.tokPerSecPerUser).toBeCloseTo(67.8, 1);
    expect(
      iscaDecodeBound({ d: 7000, layers: 61, tokens: 32, experts: 9, bytesPerSec: 900e9 }).tpotSeconds * 1e3,
    ).toBeCloseTo(0.82, 2);
  });

  it("lands V3 prefill and decode per node within 2× of DeepSeek's ~73.7K and ~14.8K tok/s", () => {
    const p = prefill(SERVE_V3);
    const d = decode(SERVE_V3);
    expect(p.bound).toBe('compute');
    for (const [ours, theirs] of [
      [p.tokPerSecPerNodeInclHits, 73.7e3],
      [d.tokPerSecPerNode, 14.8e3],
    ] as const) {
      expect(ours / theirs).toBeGreaterThan(0.5);
      expect(ours / theirs).toBeLessThan(2);
    }
  });

  it('picks the largest decode batch that meets the per-user speed and fits in HBM', () => {
    const d = decode(SERVE_V3);
    expect(d.tpotSeconds).toBeLessThanOrEqual(1 / 20);
    expect(d.weightBytesPerGpu + d.kvBytesPerGpu).toBeLessThanOrEqual(80e9 * SERVE_V3.usableHbm);
    const bigger = decode(withDecode({ batch: d.batch + 1 }));
    expect(
      bigger.tpotSeconds > 1 / 20 || bigger.weightBytesPerGpu + bigger.kvBytesPerGpu > 80e9 * SERVE_V3.usableHbm,
    ).toBe(true);
    expect(d.kvBytesPerSequence).toBe(4989 * 70_272);
  });

  it('holds 2 routed + 1 shared expert per decode GPU (EP144 with 32 redundant experts), weights in FP8', () => {
    const oneExpert = 3 * 7168 * 2048;
    const withTwo = decodeWeightBytes(SERVE_V3);
    const withFour = decodeWeightBytes(withDecode({ gpus: 72 }));
    expect(withFour - withTwo).toBe(58 * 2 * oneExpert);
  });

  it('never serves more tokens per GPU for a faster per-user target, nor fewer for more HBM bandwidth', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 5, max: 200, noNaN: true }),
        fc.double({ min: 1, max: 3, noNaN: true }),
        (tps, k) => {
          const slow = decode(withDecode({ tokensPerSecPerUser: tps }));
          const fast = decode(withDecode({ tokensPerSecPerUser: tps * k }));
          expect(fast.tokPerSecPerGpu).toBeLessThanOrEqual(slow.tokPerSecPerGpu * (1 + 1e-9));
          const wide = decode({
            ...withDecode({ tokensPerSecPerUser: tps }),
            gpu: { ...SERVE_V3.gpu, hbmTBps: SERVE_V3.gpu.hbmTBps * k },
          });
          expect(wide.tokPerSecPerGpu).toBeGreaterThanOrEqual(slow.tokPerSecPerGpu * (1 - 1e-9));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("says when a dense model's weights do not fit one GPU, and serves it with TP", () => {
    const alone = serveScenario({ shape: LLAMA_31_405B, gpu: 'h100' });
    expect(decode(alone.setup).limitedBy).toBe('weights-do-not-fit');
    const tp8 = serveScenario({ shape: LLAMA_31_405B, gpu: 'h100', tp: 8 });
    expect(tp8.problems).toEqual([]);
    const d = decode(tp8.setup);
    expect(d.batch).toBeGreaterThan(1);
    expect(d.tokPerSecPerGpu).toBeCloseTo(d.batch / 8 / d.tpotSeconds, 9);
  });

  it("reads the H200's larger HBM as a larger decode batch", () => {
    const h200 = serveScenario({ gpu: 'h200', tokensPerSecPerUser: 5 }).setup;
    expect(decode(h200).batch).toBeGreaterThan(decode(withDecode({ tokensPerSecPerUser: 5 })).batch);
    expect(findGpu('h200')!.hbmGB).toBe(141);
  });
});
