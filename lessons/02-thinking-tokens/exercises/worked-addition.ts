// Exercise: write the worked solution of an addition the way tinyseek's corpus writes it.
//
//   workedThink(37, 45) === '7+5=12 3+4+1=8 so 82'
//
// Column by column from the right: each step adds the two digits of a column (a missing digit is 0) plus
// the carry from the column before, written "+1" only when there is one; the step's value is that column's
// whole sum. The answer is the last column's sum, then the units digit of every earlier column's sum,
// read from left to right. This starter forgets the carry. Save the file: the player re-checks it.

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
  for (let i = 0; i < Math.max(da.length, db.length); i++) {
    const x = da[i] ?? 0;
    const y = db[i] ?? 0;
    const s = x + y;
    steps.push(`${x}+${y}=${s}`);
    sums.push(s);
  }
  const last = sums[sums.length - 1]!;
  const units = sums
    .slice(0, -1)
    .map((s) => s % 10)
    .reverse();
  return [...steps, `so ${last}${units.join('')}`].join(' ');
}
