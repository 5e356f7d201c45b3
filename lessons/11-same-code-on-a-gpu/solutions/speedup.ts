// Exercise: predict a GPU's speedup from FLOPs and dispatch overhead, without writing a kernel.
//
// A training step does `flops` floating-point operations in `dispatches` kernel launches.
// - On the CPU it runs at `cpuGflops` (10⁹ FLOP/s): time = flops / rate. (Its per-op overhead is tiny.)
// - On the GPU every launch costs `dispatchUs` microseconds however small it is, and the arithmetic runs
//   at `gpuTflops` (10¹² FLOP/s): time = flops / rate + dispatches · overhead.
// Return both times in seconds and speedup = cpuSeconds / gpuSeconds.
//
// Solution: the launches add dispatches · dispatchUs microseconds to the GPU time.

export interface Step {
  flops: number;
  dispatches: number;
  cpuGflops: number;
  gpuTflops: number;
  dispatchUs: number;
}

export function predict(s: Step): { cpuSeconds: number; gpuSeconds: number; speedup: number } {
  const cpuSeconds = s.flops / (s.cpuGflops * 1e9);
  const gpuSeconds = s.flops / (s.gpuTflops * 1e12) + s.dispatches * s.dispatchUs * 1e-6;
  return { cpuSeconds, gpuSeconds, speedup: cpuSeconds / gpuSeconds };
}
