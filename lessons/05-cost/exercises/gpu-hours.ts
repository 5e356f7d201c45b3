// Exercise: the back-of-the-envelope cost of training a model, in two functions.
//
//   trainingFlops(N, D)        FLOPs to train on D tokens with N parameters active per token
//   gpuHours(F, peak, mfu)     GPU-hours to do F FLOPs on GPUs of `peak` FLOP/s each, running at a
//                              model FLOPs utilisation `mfu` (the fraction of peak actually delivered)
//
// Both are wrong as written. trainingFlops counts only the forward pass (one multiply and one add per
// parameter per token); training also runs the backward pass. gpuHours assumes the GPU runs at 100% of
// its peak and answers in GPU-seconds. Fix them. Save the file: the player re-checks it.

export function trainingFlops(activeParams: number, tokens: number): number {
  return 2 * activeParams * tokens;
}

export function gpuHours(totalFlops: number, peakFlopsPerGpu: number, mfu: number): number {
  return totalFlops / peakFlopsPerGpu;
}
