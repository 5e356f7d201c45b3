// The search a worked Countdown solution writes down: chains ((n1 op n2) op n3) ... over all the numbers,
// in a fixed order (orderings of the numbers lexicographically by position, then ops + - * / at each
// step), skipping chains with a non-positive or fractional intermediate. Generated instances are always
// reachable by such a chain (problems/countdown.ts), so the search always succeeds.
// The written trace is abridged, as a person's would be: only the first `shownFails` failed chains are
// written out (each with its real arithmetic and "no"), then the chain that reaches the target.
import type { CountdownOp } from '../problems/countdown.ts';
import { applyOp, COUNTDOWN_OPS } from '../problems/countdown.ts';

export interface Chain {
  values: number[];
  ops: CountdownOp[];
  result: number;
}

export function searchChains(
  numbers: readonly number[],
  target: number,
  shownFails: number,
): { fails: Chain[]; solution: Chain | null } {
  const fails: Chain[] = [];
  const seenOrders = new Set<string>();
  let solution: Chain | null = null;

  const extend = (values: number[], ops: CountdownOp[], acc: number, unused: number[]): boolean => {
    if (unused.length === 0) {
      const chain = { values: values.slice(), ops: ops.slice(), result: acc };
      if (acc === target) {
        solution = chain;
        return true;
      }
      if (fails.length < shownFails) fails.push(chain);
      return false;
    }
    const tried = new Set<number>();
    for (let i = 0; i < unused.length; i++) {
      const n = unused[i]!;
      if (tried.has(n)) continue; // equal numbers give the same chains
      tried.add(n);
      const rest = unused.filter((_, j) => j !== i);
      for (const op of COUNTDOWN_OPS) {
        const v = applyOp(acc, op, n);
        if (v === null) continue;
        if (extend([...values, n], [...ops, op], v, rest)) return true;
      }
    }
    return false;
  };

  for (let i = 0; i < numbers.length && solution === null; i++) {
    const first = numbers[i]!;
    if (seenOrders.has(String(first))) continue;
    seenOrders.add(String(first));
    extend(
      [first],
      [],
      first,
      numbers.filter((_, j) => j !== i),
    );
  }
  return { fails, solution };
}
