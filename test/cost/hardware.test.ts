import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  findGpu,
  ibBytesPerSec,
  knownGpuIds,
  LINK_EFFICIENCY,
  nvlinkBytesPerSec,
  type GpuSpec,
} from '../../src/cost/hardware.ts';

describe('GPU catalogue', () => {
  it('holds at least the H800, H100, H200, H20, A100, B200 and GB200', () => {
    for (const id of ['h800', 'h100', 'h200', 'h20', 'a100', 'b200', 'gb200']) expect(findGpu(id)?.id).toBe(id);
  });

  it('gives every GPU positive figures, a source, and measured links no faster than the datasheet', () => {
    for (const g of CATALOGUE) {
      for (const v of [g.bf16Tflops, g.hbmGB, g.hbmTBps, g.nvlinkGBps, g.ibGBps, g.gpusPerNode])
        expect(v).toBeGreaterThan(0);
      if (g.fp8Tflops !== null) expect(g.fp8Tflops).toBe(2 * g.bf16Tflops);
      expect(g.nvlinkMeasuredGBps ?? 0).toBeLessThanOrEqual(g.nvlinkGBps);
      expect(g.ibMeasuredGBps ?? 0).toBeLessThanOrEqual(g.ibGBps);
      expect(g.source.length).toBeGreaterThan(10);
    }
  });

  it("uses DeepSeek's measured 160 GB/s NVLink and 40 GB/s InfiniBand for the H800", () => {
    const h800 = findGpu('h800')!;
    expect(nvlinkBytesPerSec(h800)).toBe(160e9);
    expect(ibBytesPerSec(h800)).toBe(40e9);
    expect(h800.bf16Tflops).toBe(findGpu('h100')!.bf16Tflops); // only the links were cut
    expect(findGpu('h100')!.nvlinkGBps / h800.nvlinkGBps).toBe(2.25);
  });

  it("falls back to datasheet × LINK_EFFICIENCY (the H800's measured ratio) where nothing is measured", () => {
    const h200 = findGpu('h200')!;
    expect(nvlinkBytesPerSec(h200)).toBeCloseTo(450e9 * LINK_EFFICIENCY, 0);
    expect(LINK_EFFICIENCY).toBe(160 / 200);
    expect(LINK_EFFICIENCY).toBe(40 / 50);
  });

  it('finds ids case-insensitively and lets user GPUs shadow catalogue ones', () => {
    expect(findGpu('H800')?.id).toBe('h800');
    expect(findGpu('tpu')).toBeNull();
    const mine: GpuSpec = { ...findGpu('h800')!, nvlinkMeasuredGBps: 150, source: 'mine' };
    expect(findGpu('h800', [mine])?.source).toBe('mine');
    expect(knownGpuIds([mine]).filter((id) => id === 'h800')).toHaveLength(1);
  });
});
