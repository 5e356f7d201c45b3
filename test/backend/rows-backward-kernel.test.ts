// The WebAssembly RMSNorm and softmax backward passes (simd/rows-backward-kernel.ts) against fused.ts's float32
// loops: the same bits (tolerance 0) for any rows × n (odd n too: a pair runs past a row's end), on ordinary
// values and on ±∞, NaN, huge and subnormal ones; and through the CPU backend with SIMD on and off.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import * as fused from '../../src/backend/cpu/fused.ts';
import { SimdRowsBackward } from '../../src/backend/cpu/simd/rows-backward-kernel.ts';
import { Rng } from '../../src/core/rng.ts';
import { expectSameBits } from '../helpers/bits.ts';

const kernel = new SimdRowsBackward();

function values(count: number, rng: Rng, wild: boolean, scale = 1): Float32Array {
  const SPECIAL = [Infinity, -Infinity, NaN, 3e38, -3e38, 1e-45, 0, -0];
  return Float32Array.from({ length: count }, () =>
    wild && rng.next() < 0.03 ? SPECIAL[Math.floor(rng.next() * SPECIAL.length)]! : rng.normal() * scale,
  );
}

const shapes = fc.record({
  rows: fc.integer({ min: 1, max: 40 }),
  n: fc.integer({ min: 1, max: 70 }),
  wild: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

describe('SIMD row-wise backward passes', () => {
  it('RMSNorm: fused.rmsnormBackward’s gx and gw, bit for bit', () => {
    fc.assert(
      fc.property(shapes, ({ rows, n, wild, seed }) => {
        const rng = new Rng(seed);
        const x = values(rows * n, rng, wild),
          w = values(n, rng, wild),
          g = values(rows * n, rng, wild),
          rs = Float32Array.from({ length: rows }, () => 1 / (0.1 + rng.next()));
        const [gx1, gx2] = [0, 1].map(() => new Float32Array(rows * n));
        const [gw1, gw2] = [0, 1].map(() => new Float32Array(n));
        fused.rmsnormBackward(x, w, rs, g, gx1!, gw1!, rows, n);
        kernel.rmsnorm(x, w, rs, g, gx2!, gw2!, rows, n);
        expectSameBits(gx2!, gx1!);
        expectSameBits(gw2!, gw1!);
      }),
      { numRuns: 200 },
    );
  });

  it('softmax: fused.softmaxBackward’s bits at any scale', () => {
    fc.assert(
      fc.property(shapes, fc.constantFrom(1, 0.25, 1 / Math.sqrt(3)), ({ rows, n, wild, seed }, scale) => {
        const rng = new Rng(seed);
        const y = values(rows * n, rng, wild).map(Math.abs),
          g = values(rows * n, rng, wild);
        const [o1, o2] = [0, 1].map(() => new Float32Array(rows * n));
        fused.softmaxBackward(y, g, o1!, rows, n, scale);
        kernel.softmax(y, g, o2!, rows, n, scale);
        expectSameBits(o2!, o1!);
      }),
      { numRuns: 200 },
    );
  });

  it('runs behind the CPU backend: the same bits with SIMD on and off', () => {
    const rng = new Rng(11),
      rows = 48,
      n = 33;
    const x = values(rows * n, rng, true),
      w = values(n, rng, false),
      g = values(rows * n, rng, true),
      rs = Float32Array.from({ length: rows }, () => rng.next() + 0.5);
    const [a, b] = [new CpuBackend(1, { simd: true }), new CpuBackend(1, { simd: false })].map((be) => {
      const [sx, sw, sg, sr] = [x, w, g, rs].map((v) => be.fromHost('float32', v));
      const gx = be.alloc('float32', rows * n),
        gw = be.alloc('float32', n),
        sm = be.alloc('float32', rows * n);
      be.rmsnormBackward(sx!, sw!, sr!, sg!, gx, gw, rows, n);
      be.softmaxBackward(sx!, sg!, sm, rows, n, 0.5);
      return [gx, gw, sm].map((s) => be.readSync(s));
    });
    a!.forEach((v, i) => expectSameBits(v, b![i]!));
  });
});
