// DAPO's overlong handling (DAPO §3.4, reference/grpo-and-r1-zero.md §8), for answers that run into the
// generation budget L_max:
//   'mask': truncated answers are left out of the loss (overlong filtering): no signal either way;
//   'soft': a length penalty added to the reward inside the last L_cache tokens of the budget,
//           R_len(|y|) = 0 if |y| ≤ L_max − L_cache;  ((L_max − L_cache) − |y|) / L_cache up to L_max;  −1 beyond.
// Both are DAPO options only: the default R1-Zero reward never looks at length.
export type OverlongMode = 'none' | 'mask' | 'soft';

export function softOverlongPenalty(length: number, maxLen: number, cache: number): number {
  if (!(cache > 0 && cache <= maxLen)) throw new RangeError(`soft overlong: cache ${cache} must be in (0, ${maxLen}]`);
  const free = maxLen - cache;
  if (length <= free) return 0;
  if (length <= maxLen) return (free - length) / cache;
  return -1;
}
