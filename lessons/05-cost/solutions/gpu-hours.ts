// Reference solution: the back-of-the-envelope cost of training a model.
//
//   trainingFlops = 6 · N · D
//     forward: 2 FLOPs (a multiply and an add) per active parameter per token;
//     backward: about twice the forward (gradients for the activations and for the weights).
//   gpuHours = F / (peak · mfu) / 3600
//     each GPU delivers mfu · peak FLOP/s; F divided by that is GPU-seconds; 3600 of them make an hour.
// The number of GPUs is not an input: more GPUs finish sooner, but the GPU-hours (and the bill) stay the
// same as long as the MFU does.

export function trainingFlops(activeParams: number, tokens: number): number {
  return 6 * activeParams * tokens;
}

export function gpuHours(totalFlops: number, peakFlopsPerGpu: number, mfu: number): number {
  return totalFlops / (peakFlopsPerGpu * mfu) / 3600;
}
