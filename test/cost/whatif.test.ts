import { describe, expect, it } from 'vitest';
import { v3WhatIf } from '../../src/cost/whatif.ts';

const rows = v3WhatIf();
const row = (label: string) => rows.find((r) => r.label.startsWith(label))!;

describe('the V3-on-H100 what-if', () => {
  it("costs the same GPU-hours on H100 with V3's recipe: the all-to-all is hidden and IB-bound", () => {
    expect(row('H100, same recipe').gpuHours).toBeCloseTo(row('as run').gpuHours, 6);
    expect(row('H100, same recipe').nvlinkSeconds).toBeLessThan(row('as run').nvlinkSeconds);
    expect(row('as run').ibSeconds).toBeGreaterThan(row('as run').nvlinkSeconds);
  });

  it('costs more without overlap and most without any trick, on either GPU', () => {
    expect(row('H800, all-to-all not overlapped').change).toBeGreaterThan(0.2);
    expect(row('H800, none of the tricks').gpuHours).toBeGreaterThan(row('H800, all-to-all not overlapped').gpuHours);
    expect(row('H100, none of the tricks').gpuHours).toBeCloseTo(row('H800, none of the tricks').gpuHours, 6);
  });

  it("shows where the H800's NVLink cut bites: a TP8 recipe costs far more on H800 than on H100", () => {
    expect(row('H800, TP8').change).toBeGreaterThan(row('H100, TP8').change + 0.15);
    expect(row('H800, TP8').ibSeconds).toBe(0);
  });
});
