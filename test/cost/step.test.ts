import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stepModel, type StepSetup } from '../../src/cost/step.ts';
import { scenario } from './helpers.ts';

const v3 = scenario('deepseek-v3').setup;
const llama = scenario('llama-3.1-405b').setup;
const B = 15360 * 4096;

const sumParts = (p: Record<string, number>) => Object.values(p).reduce((a, b) => a + b, 0);

describe('a training step', () => {
  it("splits V3's measured 19.9 s step into useful compute, extra work, kernel losses, bubble and comm", () => {
    const s = stepModel(v3, 4096, B, { kind: 'mfu', mfu: 0.3894 });
    expect(s.stepSeconds).toBeCloseTo(19.92, 2); // 15360 sequences per step (ISCA'25 Table 4: 19.926 s)
    expect(sumParts(s.parts)).toBeCloseTo(s.stepSeconds, 9);
    expect(s.parts.usefulCompute / s.stepSeconds).toBeCloseTo(0.3894, 9);
    expect(s.parts.exposedComm).toBe(0); // DualPipe hides the all-to-all
    expect(s.efficiency).toBeCloseTo(0.422, 3);
    expect(s.flags).toEqual([]);
  });

  it('gives V3 an IB-bound all-to-all that a 40 GB/s link hides under compute about 3 : 1', () => {
    const s = stepModel(v3, 4096, B, { kind: 'mfu', mfu: 0.3894 });
    expect(s.comm.ep.ibSeconds).toBeGreaterThan(s.comm.ep.nvlinkSeconds);
    expect(s.computeToComm).toBeGreaterThan(2.5);
    expect(s.computeToComm).toBeLessThan(3.5);
    expect(s.neededIbBytesPerSec).toBeLessThan(v3.cluster.ibBytesPerSec);
  });

  it('round-trips: the MFU a roofline predicts, fed back as an MFU, gives the same step and η', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.2, max: 0.9, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (eta, ov) => {
          const x: StepSetup = { ...v3, overlap: { ...v3.overlap, ep: ov } };
          const roof = stepModel(x, 4096, B, { kind: 'roofline', efficiency: eta });
          const back = stepModel(x, 4096, B, { kind: 'mfu', mfu: roof.mfu });
          expect(back.stepSeconds).toBeCloseTo(roof.stepSeconds, 6);
          if (roof.hiddenComm < roof.stepSeconds && back.flags.length === 0)
            expect(back.efficiency).toBeCloseTo(eta, 6);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('never takes longer with more bandwidth (roofline)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e9, max: 1e12, noNaN: true }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (bw, more, ov, ib) => {
          const base = (f: number): StepSetup => ({
            ...v3,
            overlap: { ...v3.overlap, ep: ov },
            cluster: { ...v3.cluster, [ib ? 'ibBytesPerSec' : 'nvlinkBytesPerSec']: bw * f },
          });
          const slow = stepModel(base(1), 4096, B, { kind: 'roofline', efficiency: 0.42 }).stepSeconds;
          const fast = stepModel(base(more), 4096, B, { kind: 'roofline', efficiency: 0.42 }).stepSeconds;
          expect(fast).toBeLessThanOrEqual(slow * (1 + 1e-12));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('never takes longer with more overlap (roofline)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
        const at = (ov: number) =>
          stepModel({ ...llama, overlap: { ...llama.overlap, tp: ov } }, 8192, 2048 * 8192, {
            kind: 'roofline',
            efficiency: 0.5,
          }).stepSeconds;
        expect(at(Math.max(a, b))).toBeLessThanOrEqual(at(Math.min(a, b)) * (1 + 1e-12));
      }),
      { numRuns: 40 },
    );
  });

  it('flags an MFU the hardware cannot reach under the bubble and exposed communication', () => {
    const s = stepModel(llama, 8192, 2048 * 8192, { kind: 'mfu', mfu: 0.9 });
    expect(s.flags.join(' ')).toMatch(/faster than peak/);
  });

  it('warns when the model states alone do not fit in HBM', () => {
    const noTp = { ...llama, plan: { ...llama.plan, tp: 1 } };
    expect(stepModel(noTp, 8192, 2048 * 8192, { kind: 'mfu', mfu: 0.3 }).flags.join(' ')).toMatch(
      /exceed the 80 GB of HBM/,
    );
    expect(stepModel(llama, 8192, 2048 * 8192, { kind: 'mfu', mfu: 0.3 }).flags).toEqual([]);
  });

  it('pays TP over NVLink for Llama (TP8) and nothing for V3 (no TP)', () => {
    expect(stepModel(v3, 4096, B, { kind: 'mfu', mfu: 0.39 }).comm.tp.seconds).toBe(0);
    const l = stepModel(llama, 8192, 2048 * 8192, { kind: 'mfu', mfu: 0.39 });
    expect(l.comm.tp.link).toBe('nvlink');
    expect(l.comm.tp.seconds).toBeGreaterThan(0);
  });
});
