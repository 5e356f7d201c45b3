import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';

const draw = (r: Rng, n: number) => Array.from({ length: n }, () => r.next());

describe('named RNG streams', () => {
  it('the same seed and path give the same numbers', () => {
    fc.assert(
      fc.property(fc.integer(), fc.stringMatching(/^[a-z]{1,8}$/), (seed, name) => {
        expect(draw(new Rng(seed).child(name), 5)).toEqual(draw(new Rng(seed).child(name), 5));
      }),
    );
  });
  it('a child does not depend on how much the parent or a sibling has drawn', () => {
    const a = new Rng(3);
    const first = draw(a.child('data'), 4);
    const b = new Rng(3);
    draw(b, 100);
    draw(b.child('init'), 50);
    expect(draw(b.child('data'), 4)).toEqual(first);
  });
  it('different names and seeds give different streams', () => {
    expect(draw(new Rng(1).child('a'), 3)).not.toEqual(draw(new Rng(1).child('b'), 3));
    expect(draw(new Rng(1), 3)).not.toEqual(draw(new Rng(2), 3));
  });
  it('a saved state resumes the stream exactly, including a pending normal', () => {
    const r = new Rng('resume');
    r.normal();
    const s = r.state();
    const rest = [r.normal(), r.next(), r.normal()];
    const q = Rng.restore(s);
    expect([q.normal(), q.next(), q.normal()]).toEqual(rest);
  });
  it('int stays in range and weighted never picks a zero weight', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const r = new Rng(seed);
        const v = r.int(-3, 4);
        expect(v >= -3 && v < 4 && Number.isInteger(v)).toBe(true);
        expect(r.weighted([0, 2, 0, 1])).not.toBe(0);
      }),
    );
  });
  it('normal draws have mean ≈ 0 and variance ≈ 1', () => {
    const r = new Rng(9);
    const xs = Array.from({ length: 20000 }, () => r.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const varc = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(varc - 1)).toBeLessThan(0.05);
  });
  it('refuses stream names with a slash', () => {
    expect(() => new Rng(1).child('a/b')).toThrow(/no '\/'/);
  });
});
