// Solution: the PUCT score (AlphaZero pseudocode; src/search/puct.ts is the project's).

export interface ChildStats {
  prior: number;
  visits: number;
  valueSum: number;
}

export function puctScore(child: ChildStats, parentVisits: number, cBase = 19652, cInit = 1.25): number {
  const q = child.visits > 0 ? child.valueSum / child.visits : 0;
  const c = Math.log((1 + parentVisits + cBase) / cBase) + cInit;
  return q + (c * child.prior * Math.sqrt(parentVisits)) / (1 + child.visits);
}
