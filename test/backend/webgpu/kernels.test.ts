// Every kernel of backend.ts on the WebGPU backend against the CPU reference, on random inputs. The GPU
// computes in f32 where the CPU carries float64 sums, so equality is within a stated tolerance: 1e-5 relative
// for maps and short sums, 1e-4 for matmuls and long rows (f32 rounding grows with the sum's length), and
// 1e-3 absolute for sin and cos (a GPU's sin/cos, SwiftShader's among them, is only that accurate over ±2π).
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend, DType, Storage } from '../../../src/backend/backend.ts';
import { CpuBackend } from '../../../src/backend/cpu/cpu-backend.ts';
import { contiguousView } from '../../../src/backend/view.ts';
import { VEC4_TILES } from '../../../src/backend/webgpu/matmul-vec4.ts';
import { LARGE_TILE, type MatmulTile } from '../../../src/backend/webgpu/matmul-wgsl.ts';
import { Rng } from '../../../src/core/rng.ts';
import { webgpu } from './gpu.ts';

const gpu = await webgpu();
const cpu = new CpuBackend(1);

function close(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol = rtol): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!,
      w = want[i]!;
    if (Number.isNaN(w)) expect(g, `at ${i}`).toBeNaN();
    else if (!Number.isFinite(w)) expect(g, `at ${i}`).toBe(w);
    else if (Math.abs(g - w) > atol + rtol * Math.abs(w)) expect.fail(`element ${i}: got ${g}, want ${w}`);
  }
}

const rand = (rng: Rng, n: number, scale = 1) => Float32Array.from({ length: n }, () => rng.normal() * scale);

/** Run `k` on both backends with the same host inputs; return the named outputs of each. */
async function both(
  inputs: [DType, ArrayLike<number>][],
  outputs: [DType, number][],
  k: (b: Backend, ins: Storage[], outs: Storage[]) => void,
): Promise<{ cpu: ArrayLike<number>[]; gpu: ArrayLike<number>[] }> {
  const res = [];
  for (const b of [cpu, gpu!]) {
    const ins = inputs.map(([t, d]) => b.fromHost(t, d));
    const outs = outputs.map(([t, n]) => b.alloc(t, n));
    k(b, ins, outs);
    res.push(await Promise.all(outs.map((o) => b.read(o))));
  }
  return { cpu: res[0]!, gpu: res[1]! };
}

describe.skipIf(!gpu)('WebGPU kernels against the CPU reference', () => {
  afterAll(() => gpu?.destroy());
  const rng = new Rng(17).child('kernels');

  it("refuses the other backend's storages by name: a CPU array to a GPU kernel, a GPU buffer to a CPU one", () => {
    const onCpu = cpu.fromHost('float32', [1, 2, 3]),
      onGpu = gpu!.fromHost('float32', [1, 2, 3]);
    const mix = /a float32 tensor of another backend \((CpuStorage|GpuStorage)\) was given to the (webgpu|cpu) backend/;
    expect(() => gpu!.unary('neg', onCpu, gpu!.alloc('float32', 3))).toThrow(mix);
    expect(() => cpu.unary('neg', onGpu, cpu.alloc('float32', 3))).toThrow(mix);
  });

  it('describes its adapter', () => {
    expect(gpu!.description.length).toBeGreaterThan(0);
  });

  it('fill, and every unary map', async () => {
    const x = rand(rng, 300, 2);
    const pos = Float32Array.from(x, Math.abs);
    const ops = [
      'copy',
      'neg',
      'exp',
      'abs',
      'square',
      'recip',
      'sigmoid',
      'tanh',
      'relu',
      'silu',
      'siluGrad',
      'sin',
      'cos',
    ] as const;
    for (const op of ops) {
      const r = await both([['float32', x]], [['float32', 300]], (b, [a], [o]) => b.unary(op, a!, o!));
      close(r.gpu[0]!, r.cpu[0]!, 1e-5, op === 'sin' || op === 'cos' ? 1e-3 : 1e-6);
    }
    for (const op of ['log', 'sqrt', 'rsqrt'] as const) {
      const r = await both([['float32', pos]], [['float32', 300]], (b, [a], [o]) => b.unary(op, a!, o!));
      close(r.gpu[0]!, r.cpu[0]!, 1e-5, 1e-6);
    }
    const scalarOps = ['addScalar', 'mulScalar', 'maxScalar', 'minScalar', 'gtScalar', 'eqScalar', 'neScalar'] as const;
    for (const op of scalarOps) {
      const r = await both([['float32', x]], [['float32', 300]], (b, [a], [o]) => b.unary(op, a!, o!, x[5]!));
      close(r.gpu[0]!, r.cpu[0]!, 1e-6);
    }
    for (const s of [2, 3, 0.5, -1, 0]) {
      const r = await both([['float32', s === 0.5 ? pos : x]], [['float32', 300]], (b, [a], [o]) =>
        b.unary('powScalar', a!, o!, s),
      );
      close(r.gpu[0]!, r.cpu[0]!, 1e-5, 1e-6);
    }
    const f = await both(
      [],
      [
        ['float32', 70],
        ['int32', 9],
      ],
      (b, _, [o, i]) => (b.fill(o!, -2.5), b.fill(i!, 7)),
    );
    close(f.gpu[0]!, f.cpu[0]!, 0);
    close(f.gpu[1]!, f.cpu[1]!, 0);
  });

  it('binary zips over broadcast and strided views, float and int', async () => {
    const a = rand(rng, 24),
      b = rand(rng, 4);
    const aView = contiguousView([2, 3, 4]);
    const bView = { shape: [2, 3, 4], strides: [0, 0, 1], offset: 0 };
    for (const op of ['add', 'sub', 'mul', 'div', 'max', 'min', 'eq', 'gt'] as const) {
      const r = await both(
        [
          ['float32', a],
          ['float32', b],
        ],
        [['float32', 24]],
        (be, [x, y], [o]) => be.binary(op, x!, aView, y!, bView, o!),
      );
      close(r.gpu[0]!, r.cpu[0]!, 1e-6);
    }
    const ids = Int32Array.from([3, 1, 4, 1, 5, 9]);
    const r = await both(
      [
        ['int32', ids],
        ['int32', [1]],
      ],
      [['float32', 6]],
      (be, [x, y], [o]) => be.binary('eq', x!, contiguousView([6]), y!, { shape: [6], strides: [0], offset: 0 }, o!),
    );
    close(r.gpu[0]!, r.cpu[0]!, 0);
  });

  it('strided copy (a transpose into a slice)', async () => {
    const x = rand(rng, 12);
    const r = await both([['float32', x]], [['float32', 20]], (b, [s], [o]) =>
      b.copy(s!, { shape: [4, 3], strides: [1, 4], offset: 0 }, o!, { shape: [4, 3], strides: [5, 1], offset: 1 }),
    );
    close(r.gpu[0]!, r.cpu[0]!, 0);
    const ids = Int32Array.from({ length: 10 }, (_, i) => 1000003 * i);
    const c = await both([['int32', ids]], [['int32', 10]], (b, [s], [o]) =>
      b.copy(s!, contiguousView([10]), o!, contiguousView([10])),
    );
    close(c.gpu[0]!, c.cpu[0]!, 0);
  });

  it('sum and max reductions, short and long rows', async () => {
    for (const [outer, n, inner] of [
      [3, 5, 4],
      [2, 700, 3],
      [1, 1000, 1],
    ] as const) {
      const x = rand(rng, outer * n * inner);
      for (const op of ['sum', 'max'] as const) {
        const r = await both([['float32', x]], [['float32', outer * inner]], (b, [s], [o]) =>
          b.reduce(op, s!, o!, outer, n, inner),
        );
        close(r.gpu[0]!, r.cpu[0]!, 1e-4, 1e-4);
      }
    }
  });

  it('matmul in every transpose layout, batched, ragged and broadcast; large tiles too', async () => {
    const cases = [
      ...[false, true].flatMap((transA) =>
        [false, true].map((transB) => ({ m: 5, k: 19, n: 3, batch: 2, transA, transB, shareB: transA, large: false })),
      ),
      { m: 33, k: 65, n: 17, batch: 1, transA: true, transB: false, shareB: false, large: false },
      { m: 130, k: 20, n: 129, batch: 1, transA: false, transB: true, shareB: false, large: true },
      // a weight gradient Xᵀ·dY with a long K: split into slabs and summed in order
      { m: 9, k: 1024, n: 7, batch: 1, transA: true, transB: false, shareB: false, large: false },
    ];
    for (const { m, k, n, batch, transA, transB, shareB, large } of cases) {
      const a = rand(rng, batch * m * k),
        bb = rand(rng, (shareB ? 1 : batch) * k * n);
      const layout = { batch, m, k, n, transA, transB, aBatchStride: m * k, bBatchStride: shareB ? 0 : k * n };
      const r = await both(
        [
          ['float32', a],
          ['float32', bb],
        ],
        [['float32', batch * m * n]],
        (be, [x, y], [o]) =>
          be === gpu && large ? gpu.matmul(x!, y!, o!, layout, LARGE_TILE) : be.matmul(x!, y!, o!, layout),
      );
      close(r.gpu[0]!, r.cpu[0]!, 1e-4, 1e-4);
    }
  });

  it('the aligned vec4 matmul: every transpose layout, every tile, batched and broadcast; reruns identical', async () => {
    // each layout on the smallest tile, the larger tiles once each (SwiftShader compiles slowly), and the
    // transpose-in-registers staging where an operand is k-contiguous, and A staged row-major
    const [big, wide, small] = VEC4_TILES as [MatmulTile, MatmulTile, MatmulTile];
    const cases: [MatmulTile, boolean, boolean][] = [
      [small, false, false],
      [small, true, false],
      [small, false, true],
      [small, true, true],
      [big, false, true],
      [wide, true, false],
      [{ ...big, regT: true }, false, true],
      [{ ...wide, regT: true }, false, false],
      [{ ...big, aRows: true }, false, true],
      [{ ...small, aRows: true }, false, false],
      [{ ...small, aRows: true }, true, false],
    ];
    for (const [tile, transA, transB] of cases) {
      const m = tile.bm * 2,
        n = tile.bn,
        k = tile.bk * 3,
        batch = 2;
      const a = rand(rng, batch * m * k),
        bb = rand(rng, k * n);
      const layout = { batch, m, k, n, transA, transB, aBatchStride: m * k, bBatchStride: 0 };
      expect(gpu!.matmulTile(layout).vec4).toBe(true);
      const run = (be: Backend, [x, y]: Storage[], [o]: Storage[]) =>
        be === gpu ? gpu.matmul(x!, y!, o!, layout, tile) : be.matmul(x!, y!, o!, layout);
      const ins: [DType, Float32Array][] = [
        ['float32', a],
        ['float32', bb],
      ];
      const r = await both(ins, [['float32', batch * m * n]], run);
      close(r.gpu[0]!, r.cpu[0]!, 1e-4, 1e-4);
      if (tile === big) expect((await both(ins, [['float32', batch * m * n]], run)).gpu[0]).toEqual(r.gpu[0]);
    }
  });

  it('gather and scatterAdd (repeated indices add in order)', async () => {
    const src = rand(rng, 2 * 5 * 3);
    const idx = Int32Array.from([4, 0, 4, 2, 1, 1]);
    const g = await both(
      [
        ['float32', src],
        ['int32', idx],
      ],
      [['float32', 2 * 3 * 3]],
      (b, [s, i], [o]) => b.gather(s!, i!, o!, 2, 5, 3, 3, 3),
    );
    close(g.gpu[0]!, g.cpu[0]!, 0);
    const upd = rand(rng, 2 * 3 * 3);
    for (const stride of [3, 0]) {
      const res = [];
      for (const b of [cpu, gpu!]) {
        const dst = b.fromHost('float32', src),
          i = b.fromHost('int32', idx),
          u = b.fromHost('float32', upd);
        b.scatterAdd(dst, i, u, 2, 5, 3, 3, stride);
        res.push(await b.read(dst));
      }
      close(res[1]!, res[0]!, 1e-6);
    }
  });

  it('topk with ties to the lower index', async () => {
    const x = Float32Array.from([1, 3, 3, 2, 0, 5, 5, 5, -1, 4]);
    const r = await both(
      [['float32', x]],
      [
        ['float32', 6],
        ['int32', 6],
      ],
      (b, [s], [v, i]) => b.topk(s!, v!, i!, 2, 5, 3),
    );
    close(r.gpu[0]!, r.cpu[0]!, 0);
    close(r.gpu[1]!, r.cpu[1]!, 0);
  });

  it('softmax and log-softmax, plain, causal and scaled, and the softmax backward', async () => {
    const rows = 6,
      n = 80;
    const x = rand(rng, rows * n, 3);
    for (const log of [false, true])
      for (const causal of [undefined, { tq: 3, offset: 2 }])
        for (const scale of [undefined, 0.25]) {
          const r = await both([['float32', x]], [['float32', rows * n]], (b, [s], [o]) =>
            b.softmax(s!, o!, rows, n, { log, causal, scale }),
          );
          close(r.gpu[0]!, r.cpu[0]!, 1e-5, 1e-6);
        }
    const y = rand(rng, rows * n),
      g = rand(rng, rows * n);
    for (const scale of [undefined, 0.25]) {
      const r = await both(
        [
          ['float32', y],
          ['float32', g],
        ],
        [['float32', rows * n]],
        (b, [a, c], [o]) => b.softmaxBackward(a!, c!, o!, rows, n, scale),
      );
      close(r.gpu[0]!, r.cpu[0]!, 1e-5, 1e-5);
    }
  });

  it('rmsnorm and its backward', async () => {
    const rows = 5,
      n = 70;
    const x = rand(rng, rows * n),
      w = rand(rng, n),
      g = rand(rng, rows * n);
    const f = await both(
      [
        ['float32', x],
        ['float32', w],
      ],
      [
        ['float32', rows * n],
        ['float32', rows],
      ],
      (b, [a, c], [o, r]) => b.rmsnorm(a!, c!, o!, r!, rows, n, 1e-6),
    );
    close(f.gpu[0]!, f.cpu[0]!, 1e-5, 1e-6);
    close(f.gpu[1]!, f.cpu[1]!, 1e-5, 1e-6);
    const r = await both(
      [
        ['float32', x],
        ['float32', w],
        ['float32', f.cpu[1]!],
        ['float32', g],
      ],
      [
        ['float32', rows * n],
        ['float32', n],
      ],
      (b, [a, c, rs, gg], [gx, gw]) => b.rmsnormBackward(a!, c!, rs!, gg!, gx!, gw!, rows, n),
    );
    close(r.gpu[0]!, r.cpu[0]!, 1e-5, 1e-5);
    close(r.gpu[1]!, r.cpu[1]!, 1e-5, 1e-5);
  });

  it('rope in both layouts, forward and inverse', async () => {
    const rows = 4,
      heads = 2,
      dim = 8,
      maxPos = 6;
    const x = rand(rng, rows * heads * dim);
    const pos = Int32Array.from([0, 5, 2, 3]);
    const cos = Float32Array.from({ length: maxPos * 4 }, (_, i) => Math.cos(i * 0.3));
    const sin = Float32Array.from({ length: maxPos * 4 }, (_, i) => Math.sin(i * 0.3));
    for (const style of ['interleaved', 'half'] as const)
      for (const inverse of [false, true]) {
        const r = await both(
          [
            ['float32', x],
            ['int32', pos],
            ['float32', cos],
            ['float32', sin],
          ],
          [['float32', x.length]],
          (b, [a, p, c, s], [o]) => b.rope(a!, p!, c!, s!, o!, { rows, heads, dim, style, inverse }),
        );
        close(r.gpu[0]!, r.cpu[0]!, 1e-5, 1e-6);
      }
  });

  it('SwiGLU and its backward, and an AdamW step', async () => {
    const n = 500;
    const a = rand(rng, n, 3),
      u = rand(rng, n),
      g = rand(rng, n);
    const f = await both(
      [
        ['float32', a],
        ['float32', u],
      ],
      [['float32', n]],
      (b, [x, y], [o]) => b.swiglu(x!, y!, o!),
    );
    close(f.gpu[0]!, f.cpu[0]!, 1e-5, 1e-6);
    const r = await both(
      [
        ['float32', a],
        ['float32', u],
        ['float32', g],
      ],
      [
        ['float32', n],
        ['float32', n],
      ],
      (b, [x, y, z], [da, du]) => b.swigluBackward(x!, y!, z!, da!, du!),
    );
    close(r.gpu[0]!, r.cpu[0]!, 1e-5, 1e-6);
    close(r.gpu[1]!, r.cpu[1]!, 1e-5, 1e-6);
    const res = [];
    for (const b of [cpu, gpu!]) {
      const p = b.fromHost('float32', a),
        gr = b.fromHost('float32', g),
        m = b.fromHost('float32', u),
        v = b.fromHost(
          'float32',
          Float32Array.from(g, (q) => q * q),
        );
      b.adamw(p, gr, m, v, { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, step: 3 });
      res.push(await Promise.all([b.read(p), b.read(m), b.read(v)]));
    }
    for (let i = 0; i < 3; i++) close(res[1]![i]!, res[0]![i]!, 1e-5, 1e-6);
  });

  it('refuses float64 and synchronous reads, saying why', () => {
    expect(() => gpu!.alloc('float64', 3)).toThrow(/float64 is CPU-only/);
    expect(() => gpu!.readSync()).toThrow(/no synchronous reads/);
  });
});
