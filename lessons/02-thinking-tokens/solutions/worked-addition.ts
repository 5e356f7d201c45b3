// Reference solution: the worked solution of an addition, as tinyseek's corpus writes it.
//
//   workedThink(37, 45) === '7+5=12 3+4+1=8 so 82'
//
// The carry into a column is 1 when the previous column's sum reached 10. Each step needs only two
// digits, the carry, and a sum below 20: that is all a small model has to get right per step, whatever
// the length of the numbers. The answer is assembled from sums already written, so the model copies it.

/** Digits of n, least significant first: 307 → [7, 0, 3]. */
function digitsLsbFirst(n: number): number[] {
  const out: number[] = [];
  do {
    out.push(n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return out;
}

export function workedThink(a: number, b: number): string {
  const da = digitsLsbFirst(a);
  const db = digitsLsbFirst(b);
  const steps: string[] = [];
  const sums: number[] = [];
  let carry = 0;
  for (let i = 0; i < Math.max(da.length, db.length); i++) {
    const x = da[i] ?? 0;
    const y = db[i] ?? 0;
    const s = x + y + carry;
    steps.push(`${x}+${y}${carry ? `+${carry}` : ''}=${s}`);
    sums.push(s);
    carry = s >= 10 ? 1 : 0;
  }
  const last = sums[sums.length - 1]!;
  const units = sums
    .slice(0, -1)
    .map((s) => s % 10)
    .reverse();
  return [...steps, `so ${last}${units.join('')}`].join(' ');
}
