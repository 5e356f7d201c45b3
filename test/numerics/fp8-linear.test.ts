// The FP8 linear layer: Fprop, Dgrad and Wgrad through the emulated FP8 GEMM with V3's operand granularities,
// close to the FP32 layer at FP8 precision, exactly linearT with quantisation switched off, and plugged into
// the Transformer's attention and FFN projections only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/core/autograd.ts';
import { InputError } from '../../src/core/errors.ts';
import { crossEntropy, linearT, mul, sum } from '../../src/core/ops/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { defaultBackend, intTensor, setDefaultBackend, tensor, type Tensor } from '../../src/core/tensor.ts';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { defaultConfig } from '../../src/model/config.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { roundToBF16 } from '../../src/numerics/bf16.ts';
import { gemmF64, transpose } from '../../src/numerics/fp8-gemm.ts';
import {
  FP32_REFERENCE_RECIPE,
  fp8LinearT,
  transposeQuantised,
  type Fp8LinearRecipe,
} from '../../src/numerics/fp8-linear.ts';
import { FP8_RECIPES, linearFor, roundTensorsToBF16, validatePrecision } from '../../src/numerics/precision.ts';
import { fakeQuantise, quantise } from '../../src/numerics/scaling.ts';

const N = 40,
  IN = 48,
  OUT = 40; // tokens, in, out: not multiples of T = 32, so edge tiles and blocks are partial

function randomF32(seed: number, name: string, length: number, std = 1): Float32Array {
  const rng = new Rng(seed).child(name);
  return Float32Array.from({ length }, () => std * rng.normal());
}

/** Forward y, and ∂L/∂x, ∂L/∂W for L = Σ y ⊙ R, through `linear`. */
function run(
  linear: (x: Tensor, w: Tensor) => Tensor,
  xv: Float32Array,
  wv: Float32Array,
  rv: Float32Array,
  xShape = [N, IN],
) {
  const x = tensor(xv, xShape, { requiresGrad: true });
  const w = tensor(wv, [OUT, IN], { requiresGrad: true });
  const y = linear(x, w);
  backward(sum(mul(y, tensor(rv, y.shape))));
  return { y: y.dataSync(), dx: x.grad!.dataSync(), dw: w.grad!.dataSync() };
}

function normwise(c: ArrayLike<number>, ref: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < ref.length; i++) {
    num += (c[i]! - ref[i]!) ** 2;
    den += ref[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

const tile = FP8_RECIPES['fp8-tile'];
const tensorWise = FP8_RECIPES['fp8-tensor'];
const xv = randomF32(1, 'x', N * IN),
  wv = randomF32(1, 'w', OUT * IN, 0.1),
  rv = randomF32(1, 'r', N * OUT);

describe('fp8LinearT', () => {
  it('with the idealised recipe (no quantisation, exact sums stored as FP32) equals linearT with float64 sums exactly: forward and both gradients', async () => {
    // Both sum each dot product in order in float64 and round once (the CPU matmul's TINYSEEK_GEMM=f64).
    const before = defaultBackend(),
      f64 = new CpuBackend(1, { gemm: 'f64' });
    setDefaultBackend(f64);
    const ref = run(linearT, xv, wv, rv, [2, 20, IN]);
    setDefaultBackend(before);
    await f64.close();
    const got = run((x, w) => fp8LinearT(x, w, FP32_REFERENCE_RECIPE), xv, wv, rv, [2, 20, IN]);
    for (const k of ['y', 'dx', 'dw'] as const) expect(Array.from(got[k])).toEqual(Array.from(ref[k]));
  });

  it('keeps the forward within FP8 (E4M3) error of the FP32 layer, and does quantise', () => {
    const ref = run(linearT, xv, wv, rv),
      got = run((x, w) => fp8LinearT(x, w, tile), xv, wv, rv);
    const e = normwise(got.y, ref.y);
    // E4M3 keeps 3 fraction bits: ≈ 2.5% rms relative rounding per operand, ≈ 3.5% for the product of two.
    expect(e).toBeGreaterThan(0.01);
    expect(e).toBeLessThan(0.06);
  });

  it('gives activation and weight gradients within FP8 tolerance of FP32 autograd', () => {
    const ref = run(linearT, xv, wv, rv);
    for (const recipe of [tile, tensorWise]) {
      const got = run((x, w) => fp8LinearT(x, w, recipe), xv, wv, rv);
      for (const k of ['dx', 'dw'] as const) {
        expect(normwise(got[k], ref[k])).toBeGreaterThan(0.01);
        expect(normwise(got[k], ref[k])).toBeLessThan(0.06);
      }
    }
  });

  it('runs each GEMM with V3 granularities: Fprop x 1×T · W T×T, Dgrad G 1×T · W T×T, Wgrad Gᵀ 1×T · (cached FP8 x)ᵀ 1×T', () => {
    // An accumulator of 51 bits makes the GEMM exact up to FP32 promotion, so only the quantisation remains.
    const exact: Fp8LinearRecipe = { ...tile, accumulatorMantissaBits: 51, accumulatorRounding: 'nearest' };
    const got = run((x, w) => fp8LinearT(x, w, exact), xv, wv, rv);
    const q = (v: Float32Array, r: number, c: number, granularity: 'tile' | 'block') =>
      fakeQuantise(v, r, c, { format: 'e4m3', granularity, tileSize: 32 });
    const wq = q(wv, OUT, IN, 'block');
    const y = gemmF64(q(xv, N, IN, 'tile'), wq, N, IN, OUT, true);
    const dx = gemmF64(q(rv, N, OUT, 'tile'), wq, N, OUT, IN);
    const xCached = q(xv, N, IN, 'tile');
    const dw = gemmF64(
      q(transpose(rv, N, OUT), OUT, N, 'tile'),
      q(transpose(xCached, N, IN), IN, N, 'tile'),
      OUT,
      N,
      IN,
      true,
    );
    expect(normwise(got.y, y)).toBeLessThan(1e-6);
    expect(normwise(got.dx, dx)).toBeLessThan(1e-6);
    expect(normwise(got.dw, dw)).toBeLessThan(1e-6);
  });

  it('suffers from an outlier in x with per-tensor scales far more than with 1×T tiles', () => {
    const xo = xv.slice();
    // One activation outlier. Per-tensor, an ordinary |x| ≈ 1 lands at 448/1e5 ≈ 2^-8 in FP8 units: a subnormal.
    xo[7] = 1e5;
    const ref = run(linearT, xo, wv, rv);
    const errs = [tile, tensorWise].map((r) => run((x, w) => fp8LinearT(x, w, r), xo, wv, rv));
    // y's row 0 and dW's column 7 are dominated by the outlier either way; elsewhere only per-tensor scaling pays.
    const rest = (a: ArrayLike<number>) => Array.from(a).slice(OUT);
    const otherCols = (a: ArrayLike<number>) => Array.from(a).filter((_, i) => i % IN !== 7);
    const [yTile, yTensor] = errs.map((g) => normwise(rest(g.y), rest(ref.y)));
    const [wTile, wTensor] = errs.map((g) => normwise(otherCols(g.dw), otherCols(ref.dw)));
    expect(yTensor).toBeGreaterThan(3 * yTile!);
    expect(wTensor).toBeGreaterThan(2.5 * wTile!);
  });

  it('is deterministic', () => {
    const a = run((x, w) => fp8LinearT(x, w, tile), xv, wv, rv),
      b = run((x, w) => fp8LinearT(x, w, tile), xv, wv, rv);
    expect(Array.from(a.dw)).toEqual(Array.from(b.dw));
  });

  it('rejects operands that do not fit and recipes it cannot run', () => {
    const x = tensor(xv, [N, IN]),
      w = tensor(wv, [IN, OUT]);
    expect(() => fp8LinearT(x, w, tile)).toThrow(InputError);
    expect(() => fp8LinearT(x, tensor(wv, [OUT, IN]), { ...tile, tileSize: 0 })).toThrow(/tileSize/);
  });
});

describe('transposeQuantised', () => {
  it('of a T×T block-scaled matrix is the block quantisation of the transpose (the same FP8 weight)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 0, max: 1e6 }),
        (r, c, seed) => {
          const v = randomF32(seed, 'm', r * c);
          for (const granularity of ['block', 'tensor'] as const) {
            const a = transposeQuantised(quantise(v, r, c, { format: 'e4m3', granularity, tileSize: 16 }));
            const b = quantise(transpose(v, r, c), c, r, { format: 'e4m3', granularity, tileSize: 16 });
            expect(a).toEqual(b);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
  it('refuses 1×T tiles, whose transpose is not a tile', () => {
    expect(() => transposeQuantised(quantise(xv, N, IN, { format: 'e4m3', granularity: 'tile' }))).toThrow(
      /re-quantise/,
    );
  });
});

describe('precision', () => {
  it('maps fp32 to linearT and validates names', () => {
    expect(linearFor('fp32')).toBe(linearT);
    expect(validatePrecision('fp8-tile')).toBe('fp8-tile');
    expect(() => validatePrecision('fp16', '--precision')).toThrow(
      /--precision: expected one of fp32, fp8-tile, fp8-tensor/,
    );
  });

  it('rounds optimizer moments to BF16 in place of the array', () => {
    const ts = [tensor([1 + 2 ** -10, 3.14159, -1e-3], [3])];
    const before = ts[0];
    roundTensorsToBF16(ts);
    expect(ts[0]).not.toBe(before);
    expect(Array.from(ts[0]!.dataSync())).toEqual([1, roundToBF16(3.14159), roundToBF16(-1e-3)]);
  });
});

describe('Transformer.linear', () => {
  const config = { ...defaultConfig, dModel: 32, nLayers: 2, nHeads: 2, nKvHeads: 2, dFF: 48, maxSeqLen: 16 };
  const ids = intTensor(
    Int32Array.from({ length: 2 * 12 }, (_, i) => (i * 7) % config.vocabSize),
    [2, 12],
  );
  const targets = intTensor(
    Int32Array.from({ length: 2 * 12 }, (_, i) => (i * 5 + 1) % config.vocabSize),
    [2, 12],
  );

  it('carries the q/k/v/o and gate/up/down projections; embedding and LM head stay linearT', () => {
    const model = Transformer.init(config, new Rng(3).child('init'));
    const seen: string[] = [];
    model.linear = (x, w) => (seen.push(w.name!), linearT(x, w));
    model.forward(ids);
    const names = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
    expect(
      seen.map((n) => n.replace(/^model\.layers\.\d+\.(self_attn|mlp)\./, '').replace('.weight', '')).sort(),
    ).toEqual([...names, ...names].sort());
    expect(seen.some((n) => n.includes('embed') || n.includes('lm_head'))).toBe(false);
  });

  it('in fp8-tile gives a loss and gradients close to fp32', () => {
    const lossAndGrads = (precision: 'fp32' | 'fp8-tile') => {
      const model = Transformer.init(config, new Rng(3).child('init'));
      model.linear = linearFor(precision);
      const loss = crossEntropy(model.forward(ids), targets);
      backward(loss);
      return {
        loss: loss.dataSync()[0]!,
        g: model.p('model.layers.1.mlp.down_proj.weight').grad!.dataSync(),
        e: model.p('model.embed_tokens.weight').grad!.dataSync(),
      };
    };
    const a = lossAndGrads('fp32'),
      b = lossAndGrads('fp8-tile');
    expect(Math.abs(b.loss - a.loss) / a.loss).toBeLessThan(1e-3);
    expect(b.loss).not.toBe(a.loss);
    expect(normwise(b.g, a.g)).toBeLessThan(0.1);
    expect(normwise(b.e, a.e)).toBeLessThan(0.1);
  });
});
