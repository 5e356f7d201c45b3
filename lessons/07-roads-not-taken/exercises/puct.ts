// Exercise: the PUCT score AlphaZero uses to pick which child to try next in its tree search.
//
//   score(child) = Q + c(N) · P · √N / (1 + n)
//   Q     = valueSum / n, the child's mean backed-up value (0 for a child never visited, n = 0)
//   P     = the child's prior (the policy's probability of that move)
//   N     = the parent's visit count, n = the child's visit count
//   c(N)  = log((1 + N + cBase) / cBase) + cInit,   cBase = 19652, cInit = 1.25
//
// This starter forgets two things: c grows (slowly) with N, and an unvisited child's Q is 0. Fix it.

export interface ChildStats {
  prior: number;
  visits: number;
  valueSum: number;
}

export function puctScore(child: ChildStats, parentVisits: number, cBase = 19652, cInit = 1.25): number {
  const q = child.valueSum / child.visits;
  return q + (cInit * child.prior * Math.sqrt(parentVisits)) / (1 + child.visits);
}
