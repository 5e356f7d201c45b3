// Named, seeded random streams: every random draw in tinyseek comes from one of these.
//
// A stream is identified by its path from the root seed ("7/pretrain/data"). `child(name)` derives a new
// stream from the *path*, not from the parent's position, so adding a new consumer never shifts the numbers
// another consumer sees. The generator is seedrandom's Alea (fast, 2^116 period, state can be saved), so a
// run can checkpoint a stream and resume it exactly.
import seedrandom from 'seedrandom';

export interface RngState {
  path: string;
  alea: { c: number; s0: number; s1: number; s2: number };
  /** The second normal of a Box–Muller pair, not yet returned. */
  spareNormal?: number;
}

export class Rng {
  readonly path: string;
  private readonly prng: seedrandom.StatefulPRNG<RngState['alea']>;
  private spareNormal: number | undefined;

  /** A root stream for a seed; children are forked by name with `child`. */
  constructor(seed: number | string, state?: RngState['alea']) {
    this.path = String(seed);
    this.prng = seedrandom.alea(this.path, { state: state ?? true }) as seedrandom.StatefulPRNG<RngState['alea']>;
  }

  /** An independent stream named `name` under this one; the same path always gives the same numbers. */
  child(name: string): Rng {
    if (name.length === 0 || name.includes('/'))
      throw new Error(`rng stream names are non-empty and contain no '/': '${name}'`);
    return new Rng(`${this.path}/${name}`);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    return this.prng.double();
  }

  /** Uniform integer in [lo, hi). */
  int(lo: number, hi: number): number {
    if (!(hi > lo)) throw new Error(`rng.int: empty range [${lo}, ${hi})`);
    return lo + Math.floor(this.next() * (hi - lo));
  }

  /** Standard normal draw (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniformly chosen element. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('rng.choice: empty list');
    return items[this.int(0, items.length)]!;
  }

  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weighted(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i]!;
    if (!(total > 0)) throw new Error('rng.weighted: weights must have a positive sum');
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    // Rounding can leave u at ~0 after the loop: return the last index with positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
    return weights.length - 1;
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** Snapshot for checkpoints; `Rng.restore` continues the stream exactly where it was. */
  state(): RngState {
    const s: RngState = { path: this.path, alea: this.prng.state() };
    if (this.spareNormal !== undefined) s.spareNormal = this.spareNormal;
    return s;
  }

  static restore(s: RngState): Rng {
    const r = new Rng(s.path, s.alea);
    r.spareNormal = s.spareNormal;
    return r;
  }
}
