// The AdamW update as WebAssembly (simd/adamw-kernel.ts) against the CPU backend's loop (SIMD off): the same bits
// (tolerance 0) of parameters and both moments after several steps, at any length (odd ones too), for random
// hyperparameters, with weight decay on and off, on ordinary values, ±0, ±∞, NaN and subnormals; and behind the
// backend, the same training step with SIMD on and off.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { SimdAdamw } from '../../src/backend/cpu/simd/adamw-kernel.ts';
import { Rng } from '../../src/core/rng.ts';
import { expectSameBits } from '../helpers/bits.ts';

const loops = new CpuBackend(1, { simd: false }),
  fast = new CpuBackend(1, { simd: true });
const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-40];

function values(n: number, rng: Rng, wild: boolean, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () =>
    wild && rng.next() < 0.05 ? SPECIAL[rng.int(0, SPECIAL.length)]! : rng.normal() * scale,
  );
}

describe('SIMD AdamW', () => {
  const kernel = new SimdAdamw();
  it('gives the loop’s bits for parameters and moments over several steps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1200 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (n, wild, seed) => {
          const rng = new Rng(seed);
          const h = {
            lr: 10 ** -(1 + 3 * rng.next()),
            beta1: 0.8 + 0.19 * rng.next(),
            beta2: 0.9 + 0.0999 * rng.next(),
            eps: rng.next() < 0.5 ? 1e-8 : 1e-6,
            weightDecay: rng.next() < 0.3 ? 0 : 0.1,
            step: 0,
          };
          const p = values(n, rng, wild),
            m = new Float32Array(n),
            v = new Float32Array(n);
          const [sp, sm, sv] = [p, m, v].map((a) => loops.fromHost('float32', Float32Array.from(a)));
          for (let step = 1; step <= 3; step++) {
            const g = values(n, rng, wild, 0.01);
            h.step = step;
            const c1 = 1 - Math.pow(h.beta1, step),
              c2 = 1 - Math.pow(h.beta2, step);
            expect(kernel.run(p, g, m, v, h, c1, c2, 1 - h.lr * h.weightDecay)).toBe(n >= 256);
            if (n < 256) return;
            loops.adamw(sp!, loops.fromHost('float32', g), sm!, sv!, h);
            expectSameBits(p, loops.readSync(sp!) as Float32Array);
            expectSameBits(m, loops.readSync(sm!) as Float32Array);
            expectSameBits(v, loops.readSync(sv!) as Float32Array);
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('behind the backend: an update with SIMD on and off gives the same parameters', () => {
    const rng = new Rng(2),
      n = 4099;
    const p = values(n, rng, true),
      g = values(n, rng, true, 0.01);
    const h = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, step: 4 };
    const [a, b] = [fast, loops].map((be) => {
      const [sp, sm, sv] = [p, p, g].map((x) =>
        be.fromHost(
          'float32',
          Float32Array.from(x, (y) => y * 0.5),
        ),
      );
      be.adamw(sp!, be.fromHost('float32', g), sm!, sv!, h);
      return [sp!, sm!, sv!].map((s) => be.readSync(s) as Float32Array);
    });
    a!.forEach((x, i) => expectSameBits(x, b![i]!));
  });
});
