// Pipeline bubbles. With PP ranks, chunk times F (forward), B (full backward), W (weight-gradient part of B)
// and F&B (a forward and a backward chunk run overlapped), the DualPipe README / V3 Table 2 give:
//   1F1B      (PP−1)(F+B)            params 1×  activations PP
//   ZB1P      (PP−1)(F+B−2W)         params 1×  activations PP
//   DualPipe  (PP/2−1)(F&B+B−3W)     params 2×  activations PP+1
// Megatron's interleaved 1F1B with v chunks per rank divides the 1F1B bubble by v (Narayanan 2021).
// A step of m micro-batches does m(F+B) of work per rank, so the bubble fraction is bubble / (m(F+B)).
// Source: ../shared/reference/cost-model.md §3.3; deepseek-v3-architecture.md §5.

export type Schedule = '1f1b' | 'interleaved' | 'zb1p' | 'dualpipe';
export const SCHEDULES: readonly Schedule[] = ['1f1b', 'interleaved', 'zb1p', 'dualpipe'];

export interface ChunkTimes {
  F: number;
  B: number;
  W: number;
  /** A forward and a backward chunk overlapped; F + B when overlap saves no compute (DualPipe hides comm). */
  FB: number;
}

/**
 * Typical ratios: backward costs twice the forward, half of it weight gradients (W = F), and overlapping F with B
 * hides communication, not arithmetic (F&B = F + B).
 */
export const TYPICAL_CHUNKS: ChunkTimes = { F: 1, B: 2, W: 1, FB: 3 };

/** Bubble time per step on one rank, in the unit of the chunk times (V3 Table 2). */
export function bubbleTime(schedule: Schedule, pp: number, c: ChunkTimes = TYPICAL_CHUNKS, v = 1): number {
  if (pp <= 1) return 0;
  switch (schedule) {
    case '1f1b':
      return (pp - 1) * (c.F + c.B);
    case 'interleaved':
      return ((pp - 1) * (c.F + c.B)) / v;
    case 'zb1p':
      return (pp - 1) * (c.F + c.B - 2 * c.W);
    case 'dualpipe':
      return (pp / 2 - 1) * (c.FB + c.B - 3 * c.W);
  }
}

/** Bubble as a fraction of one rank's useful compute per step, m micro-batches. */
export function bubbleFraction(
  schedule: Schedule,
  pp: number,
  m: number,
  c: ChunkTimes = TYPICAL_CHUNKS,
  v = 1,
): number {
  return bubbleTime(schedule, pp, c, v) / (m * (c.F + c.B));
}

/** Parameter and activation memory per rank, in units of one stage's parameters / one micro-batch's activations. */
export function scheduleMemory(schedule: Schedule, pp: number): { params: number; activations: number } {
  if (schedule === 'dualpipe') return { params: 2, activations: pp + 1 };
  return { params: 1, activations: pp };
}

/** What a schedule needs to run; empty when it can. DualPipe's code asserts an even rank count. */
export function scheduleProblems(schedule: Schedule, pp: number, v: number): string[] {
  const p: string[] = [];
  if (schedule === 'dualpipe' && pp > 1 && pp % 2 !== 0) p.push(`DualPipe needs an even PP (got ${pp})`);
  if (schedule === 'interleaved' && (!Number.isInteger(v) || v < 1))
    p.push(`interleaving needs v ≥ 1 chunks per rank (got ${v})`);
  return p;
}
