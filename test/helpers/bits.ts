// Tolerance 0: two arrays hold the same numbers bit for bit (Object.is: NaN equals NaN, +0 differs from −0).
// The first difference fails with its index and both values.
import { expect } from 'vitest';

export function expectSameBits(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) expect([i, got[i]]).toEqual([i, want[i]]);
}
