// The committed H200 measurements of bench/gpu (bench/gpu/RESULTS.md has every row and how they were made):
// shown by lesson 11 when this machine has no WebGPU adapter, and used by its exercise's numbers.
export const H200 = {
  device: 'NVIDIA H200 (Dawn/Vulkan, webgpu 0.6.2)',
  fp32PeakTflops: 67,
  /** fp32 matmul TFLOP/s by n (n×n×n): tinyseek's WGSL kernel, and cuBLAS SGEMM through PyTorch. */
  matmul: [
    { n: 512, wgsl: 4.5, cublas: 8.8 },
    { n: 1024, wgsl: 15.1, cublas: 36.4 },
    { n: 2048, wgsl: 19.4, cublas: 49.7 },
    { n: 4096, wgsl: 27.1, cublas: 51.2 },
  ],
  f16SubgroupMatrixTflops4096: 73.0,
  /** Training-step tokens/s: tinyseek on WebGPU, PyTorch CUDA eager fp32, and the dispatches per step. */
  train: [
    { name: 'lesson d=64 L=2 T=48 B=16', params: 104_128, webgpu: 32_776, torch: 141_343, dispatches: 187 },
    { name: 'd=128 L=4 H=4 T=64 B=32', params: 810_880, webgpu: 51_981, torch: 196_742, dispatches: 344 },
    { name: 'd=512 L=8 H=8 T=256 B=32', params: 25_726_464, webgpu: 82_428, torch: 215_127, dispatches: 656 },
  ],
  /** The R1-Zero aha run (61 steps) on the same machine: the same curve to the printed digit on both. */
  aha: { webgpuSeconds: 50.2, cpuOneThreadSeconds: 67.4, greedyFirst: 0.094, greedyLast: 0.781 },
} as const;
