import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { impliedMfu, projectStage, projectTrain, type StageSpec } from '../../src/cost/train.ts';
import { scenario } from './helpers.ts';

const v3 = scenario('deepseek-v3');
const pre = v3.stages[0] as Extract<StageSpec, { kind: 'computed' }>;
const withMfu = (mfu: number) => projectStage(v3.setup, { ...pre, mfu });
const withTokens = (tokens: number) => projectStage(v3.setup, { ...pre, phases: [{ ...pre.phases[0]!, tokens }] });

describe('training projection', () => {
  it('reproduces V3 Table 1: 2.664M + 0.119M + 0.005M = 2.788M H800 GPU-hours, $5.576M (within 0.1%)', () => {
    const r = projectTrain(v3.setup, v3.stages);
    const [p, c, post] = r.stages;
    expect(Math.abs(p!.gpuHours / 2.664e6 - 1)).toBeLessThan(0.001);
    expect(c!.gpuHours).toBeCloseTo(119e3, 6);
    expect(post!.gpuHours).toBe(5e3);
    expect(Math.abs(r.total.gpuHours / 2.788e6 - 1)).toBeLessThan(0.001);
    expect(Math.abs(r.total.dollars / 5.576e6 - 1)).toBeLessThan(0.001);
    expect(p!.days).toBeCloseTo(54.2, 1); // "3.7 days per trillion tokens on 2048 H800"
    expect(p!.gpuHours / 14.8).toBeCloseTo(180e3, -3); // 180K GPU-hours per trillion tokens
  });

  it("projects Llama-3.1-405B's 30.84M H100 GPU-hours within ±15% with V3's MFU, nothing fitted to it", () => {
    const r = projectTrain(scenario('llama-3.1-405b').setup, scenario('llama-3.1-405b').stages);
    expect(Math.abs(r.total.gpuHours / 30.84e6 - 1)).toBeLessThan(0.15);
  });

  it('spends fewer GPU-hours as the MFU rises', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.double({ min: 0.001, max: 0.05, noNaN: true }),
        (m, dm) => {
          expect(withMfu(m + dm).gpuHours).toBeLessThan(withMfu(m).gpuHours);
          expect(withMfu(m).gpuHours * m).toBeCloseTo(withMfu(0.5).gpuHours * 0.5, 3); // inversely proportional
        },
      ),
    );
  });

  it('scales GPU-hours and dollars linearly with tokens', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e9, max: 1e14, noNaN: true }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        (t, k) => {
          const a = withTokens(t);
          const b = withTokens(t * k);
          expect(b.gpuHours / a.gpuHours).toBeCloseTo(k, 9);
          expect(b.dollars / a.dollars).toBeCloseTo(k, 9);
        },
      ),
    );
  });

  it('charges lost wall time through goodput and dollars through the price', () => {
    const base = projectStage(v3.setup, pre);
    const lossy = projectStage({ ...v3.setup, goodput: 0.9, pricePerGpuHour: 3 }, pre);
    expect(lossy.gpuHours * 0.9).toBeCloseTo(base.gpuHours, 3);
    expect(lossy.dollars).toBeCloseTo(lossy.gpuHours * 3, 3);
    expect(lossy.mfu).toBeCloseTo(base.mfu!, 12);
  });

  it('derives an implied MFU that reproduces the hours it came from', () => {
    const ctx = v3.stages[1] as Extract<StageSpec, { kind: 'computed' }>;
    expect(impliedMfu(1e24, 1e6, 989.5e12)).toBeCloseTo(1e24 / (1e6 * 3600 * 989.5e12), 15);
    expect(ctx.mfuSource).toBe('implied');
    expect(projectStage(v3.setup, ctx).gpuHours).toBeCloseTo(119e3, 6);
  });

  it("runs the roofline at V3's kernel efficiency to within 1% of its measured hours", () => {
    const roof = projectStage({ ...v3.setup, mode: 'roofline' }, pre);
    expect(Math.abs(roof.gpuHours / 2.664e6 - 1)).toBeLessThan(0.01);
    expect(roof.mfuSource).toBe('roofline');
  });
});
