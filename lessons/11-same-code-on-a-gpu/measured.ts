// The committed H200 measurements of bench/gpu (bench/gpu/RESULTS.md has every row and how they were made):
// shown by lesson 11 when this machine has no WebGPU adapter, and used by its exercise's numbers.
export const H200 = {
  device: 'NVIDIA H200 (Dawn/Vulkan, webgpu 0.6.2)',
  fp32PeakTflops: 67,
  /**
   * fp32 matmul TFLOP/s by n (n×n×n): tinyseek's WGSL kernel (the backend's choice; 4096 and cuBLAS at 4096 from
   * run 38, A staged k-major; the smaller sizes from run 5, before the clamps went), and cuBLAS SGEMM. The rest of
   * this object is run 34's, the last H200 `final` with A staged row-major (run 38 read the training steps at
   * 0.76×, 0.63× and 0.50× PyTorch for d=512, d=128 and the lesson model).
   */
  matmul: [
    { n: 512, wgsl: 3.5, cublas: 10.7 },
    { n: 1024, wgsl: 25.6, cublas: 37.0 },
    { n: 2048, wgsl: 31.9, cublas: 50.2 },
    { n: 4096, wgsl: 40.2, cublas: 51.4 },
  ],
  /** f16 on the tensor cores at 4096³: 2×2 subgroups sharing one staged slab (F16_SHARED, run 34). */
  f16SubgroupMatrixTflops4096: 200.8,
  /** Training-step tokens/s: tinyseek on WebGPU, PyTorch CUDA eager fp32 (the same lease, run 34), and the
   * dispatches per step. */
  train: [
    { name: 'lesson d=64 L=2 T=48 B=16', params: 104_128, webgpu: 135_118, torch: 210_259, dispatches: 189 },
    { name: 'd=128 L=4 H=4 T=64 B=32', params: 810_880, webgpu: 221_409, torch: 353_887, dispatches: 342 },
    { name: 'd=512 L=8 H=8 T=256 B=32', params: 25_726_464, webgpu: 156_141, torch: 219_264, dispatches: 647 },
  ],
  /**
   * The same step on the same kind of card before two host-side fixes (each dispatch looked its kernel up by
   * hashing the WGSL source, and the GPU pool ran a full collection nearly every step): run 11.
   */
  beforeHostFixes: [
    { name: 'lesson d=64 L=2 T=48 B=16', webgpu: 34_972, torch: 172_949 },
    { name: 'd=128 L=4 H=4 T=64 B=32', webgpu: 43_020, torch: 272_450 },
    { name: 'd=512 L=8 H=8 T=256 B=32', webgpu: 148_121, torch: 217_776 },
  ],
  /** The R1-Zero aha run (61 steps) on the same machine (run 34): the same curve at every step on both. */
  aha: { webgpuSeconds: 28.0, cpuOneThreadSeconds: 25.9, greedyFirst: 0.094, greedyLast: 0.781 },
} as const;
