// The GPU catalogue: dense peak FLOP/s, HBM, NVLink and InfiniBand for the accelerators the cost model
// projects onto. Every figure is a dense (no 2:4 sparsity) datasheet number unless marked measured; link
// bandwidths are per GPU and per direction. Where a measurement is published (DeepSeek's 160 GB/s NVLink on
// the H800) the projections use it; elsewhere they take the datasheet figure × LINK_EFFICIENCY.
// Source: ../shared/reference/cost-model.md §2 (datasheets, scaling-book gpus.md, DeepSeek-V3 issue #28,
// DeepEP issue #16, ISCA'25 arXiv 2505.09343 §4).

export interface GpuSpec {
  /** Lower-case key used on the command line: `--gpu h800`. */
  id: string;
  name: string;
  /** Dense BF16 tensor-core peak, TFLOP/s. The MFU denominator, also for FP8 training (cost-model.md §1.2). */
  bf16Tflops: number;
  /** Dense FP8 tensor-core peak, TFLOP/s; null where the chip has no FP8 tensor cores. */
  fp8Tflops: number | null;
  hbmGB: number;
  /** HBM bandwidth, TB/s. */
  hbmTBps: number;
  /** NVLink per GPU per direction, GB/s (datasheet; half the bidirectional figure). */
  nvlinkGBps: number;
  /** Achieved NVLink per GPU per direction, GB/s, where a measurement is published. */
  nvlinkMeasuredGBps?: number;
  /** Scale-out (InfiniBand/RoCE) per GPU per direction, GB/s, nominal. */
  ibGBps: number;
  /** Achieved scale-out per GPU per direction, GB/s, where published. */
  ibMeasuredGBps?: number;
  /** GPUs that share one NVLink domain (a node; 72 for an NVL72 rack). */
  gpusPerNode: number;
  /** Where the numbers come from, in one line. */
  source: string;
}

/**
 * Measured ÷ datasheet for both H800 links: NVLink 160 of 200 GB/s (V3 §3.2.2) and IB 40 of 50 GB/s
 * (ISCA'25 §4.3). Used for every link that has no published measurement of its own.
 */
export const LINK_EFFICIENCY = 0.8;

export const CATALOGUE: readonly GpuSpec[] = [
  {
    id: 'h800',
    name: 'NVIDIA H800 SXM5 80GB',
    // Same SMs and clocks as the H100 SXM: 989.5 / 1979 TFLOP/s dense, 80 GB HBM3 at 3.35 TB/s.
    bf16Tflops: 989.5,
    fp8Tflops: 1979,
    hbmGB: 80,
    hbmTBps: 3.35,
    // Export-control cut: NVLink 400 GB/s bidirectional = 200 per direction (ISCA'25 §4.1);
    // DeepSeek measured ~160 GB/s unidirectional (V3 §3.2.2, DeepSeek-V3 issue #28, DeepEP issue #16).
    nvlinkGBps: 200,
    nvlinkMeasuredGBps: 160,
    // 8 × 400 Gb/s ConnectX-7 per node = 50 GB/s per GPU; "40 effective" (ISCA'25 §4.3; DeepEP 43–58 GB/s).
    ibGBps: 50,
    ibMeasuredGBps: 40,
    gpusPerNode: 8,
    source: "H100 datasheet compute; NVLink/IB from DeepSeek-V3 §3.2.2, issue #28, ISCA'25 §4",
  },
  {
    id: 'h100',
    name: 'NVIDIA H100 SXM5 80GB',
    // Datasheet: BF16 1979 and FP8 3958 TFLOP/s with sparsity, so 989.5 / 1979 dense; HBM3 3.35 TB/s.
    bf16Tflops: 989.5,
    fp8Tflops: 1979,
    hbmGB: 80,
    hbmTBps: 3.35,
    // NVLink 4: 18 links × 25 GB/s per direction = 450 (900 bidirectional). 8×H100 NCCL AllReduce reaches
    // ~370 GB/s bus bandwidth at large messages (scaling-book gpus.md).
    nvlinkGBps: 450,
    nvlinkMeasuredGBps: 370,
    // One 400 Gb/s ConnectX-7 per GPU.
    ibGBps: 50,
    gpusPerNode: 8,
    source: 'NVIDIA H100 datasheet; NVLink measured: scaling-book gpus.md (NCCL AllReduce busbw)',
  },
  {
    id: 'h200',
    name: 'NVIDIA H200 SXM 141GB',
    // H100 compute with 141 GB HBM3e at 4.8 TB/s (datasheet).
    bf16Tflops: 989.5,
    fp8Tflops: 1979,
    hbmGB: 141,
    hbmTBps: 4.8,
    nvlinkGBps: 450,
    ibGBps: 50,
    gpusPerNode: 8,
    source: 'NVIDIA H200 datasheet',
  },
  {
    id: 'h20',
    name: 'NVIDIA H20 96GB',
    // Export part: 148 BF16 / 296 FP8 TFLOP/s dense, 96 GB HBM3 at 4.0 TB/s, full 900 GB/s NVLink.
    bf16Tflops: 148,
    fp8Tflops: 296,
    hbmGB: 96,
    hbmTBps: 4.0,
    nvlinkGBps: 450,
    // DeepEP issue #16: intranode all-to-all measured at 337 GB/s on H20.
    nvlinkMeasuredGBps: 337,
    // No published node design; assumed one 400 Gb/s NIC per GPU as on H800/H100 nodes.
    ibGBps: 50,
    gpusPerNode: 8,
    source: 'H20 spec pages (willitrunai.com); NVLink measured: DeepEP issue #16; IB assumed',
  },
  {
    id: 'a100',
    name: 'NVIDIA A100 SXM4 80GB',
    // 312 TFLOP/s BF16 dense; no FP8 tensor cores; 80 GB HBM2e at 2.039 TB/s.
    bf16Tflops: 312,
    fp8Tflops: null,
    hbmGB: 80,
    hbmTBps: 2.039,
    // NVLink 3: 600 GB/s bidirectional; DGX A100 has 8 × 200 Gb/s HDR, 25 GB/s per GPU.
    nvlinkGBps: 300,
    ibGBps: 25,
    gpusPerNode: 8,
    source: 'NVIDIA A100 datasheet; DGX A100 (8 × HDR 200 Gb/s)',
  },
  {
    id: 'b200',
    name: 'NVIDIA B200 (HGX, 180GB)',
    // 2250 BF16 / 4500 FP8 TFLOP/s dense (FP4 9000); 180 GB HBM3e at 8 TB/s.
    bf16Tflops: 2250,
    fp8Tflops: 4500,
    hbmGB: 180,
    hbmTBps: 8.0,
    // NVLink 5: 1.8 TB/s bidirectional; DGX B200 has 8 × 400 Gb/s ConnectX-7.
    nvlinkGBps: 900,
    ibGBps: 50,
    gpusPerNode: 8,
    source: 'NVIDIA DGX/HGX B200 datasheet; cost-model.md §2',
  },
  {
    id: 'gb200',
    name: 'NVIDIA GB200 (NVL72 rack)',
    // Per GPU of an NVL72: 180 PF BF16 and 360 PF FP8 dense per rack / 72; 13.4 TB HBM3e, 576 TB/s per rack.
    bf16Tflops: 2500,
    fp8Tflops: 5000,
    hbmGB: 186,
    hbmTBps: 8.0,
    // 130 TB/s NVLink per rack = 1.8 TB/s bidirectional per GPU, one 72-GPU domain; 3.6 TB/s rack egress.
    nvlinkGBps: 900,
    ibGBps: 50,
    gpusPerNode: 72,
    source: 'NVIDIA GB200 NVL72 datasheet; cost-model.md §2 (node = NVLink domain of 72)',
  },
];

/** Achieved NVLink per GPU per direction, bytes/s: the measurement where published, else datasheet × 0.8. */
export function nvlinkBytesPerSec(g: GpuSpec): number {
  return (g.nvlinkMeasuredGBps ?? g.nvlinkGBps * LINK_EFFICIENCY) * 1e9;
}

/** Achieved scale-out per GPU per direction, bytes/s (measured, else datasheet × 0.8). */
export function ibBytesPerSec(g: GpuSpec): number {
  return (g.ibMeasuredGBps ?? g.ibGBps * LINK_EFFICIENCY) * 1e9;
}

/** Dense BF16 peak in FLOP/s. */
export const bf16FlopsPerSec = (g: GpuSpec): number => g.bf16Tflops * 1e12;

/** HBM bandwidth in bytes/s. */
export const hbmBytesPerSec = (g: GpuSpec): number => g.hbmTBps * 1e12;

/** Looks a GPU up by id (case-insensitive) in the catalogue plus any user GPUs; null when unknown. */
export function findGpu(id: string, extra: readonly GpuSpec[] = []): GpuSpec | null {
  const key = id.toLowerCase();
  // User GPUs come first so a user file can redefine a catalogue entry (e.g. a measured H800 cluster).
  return [...extra, ...CATALOGUE].find((g) => g.id === key) ?? null;
}

/** Every known id, user GPUs first, for error messages and `tinyseek cost gpus`. */
export function knownGpuIds(extra: readonly GpuSpec[] = []): string[] {
  const ids = [...extra.map((g) => g.id), ...CATALOGUE.map((g) => g.id)];
  return ids.filter((id, i) => ids.indexOf(id) === i);
}
