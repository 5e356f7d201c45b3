// The CPU backend's memory pool (src/backend/cpu/host-pool.ts): a released array comes back to the next take of
// its dtype and size class, zero-filled when asked for; storages the collector finds dead are parked; and reuse
// changes no bit: the V3 objective (MLA, sparse MoE, MTP) trained with AdamW, a short pretraining run and a short
// GRPO run give the same numbers when every array is reused and its stale contents poisoned with NaN as with no
// pool at all. The poisoned backend pools every size and collects often, so most takes are reuses (checked).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backend/backend.ts';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend.ts';
import { HostPool, poisonHostPool, sizeClass } from '../../src/backend/cpu/host-pool.ts';
import { collectGarbage } from '../../src/backend/gc.ts';
import { backward, noGrad } from '../../src/core/autograd.ts';
import { AdamW } from '../../src/core/optim.ts';
import { Rng } from '../../src/core/rng.ts';
import { defaultBackend, setDefaultBackend } from '../../src/core/tensor.ts';
import { yieldToEventLoop } from '../../src/core/yield.ts';
import { trainingObjective } from '../../src/model/objective.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { generate } from '../../src/model/generate.ts';
import { trainRl } from '../../src/rl/trainer.ts';
import { nextTokenBatch, tinyV3 } from '../model/util.ts';
import { tinyConfig, tinyParts, tinyPretrain } from '../rl/setups.ts';

describe('the host memory pool', () => {
  it('gives a released array back to the next take of its dtype and length, zero-filled when asked', () => {
    const pool = new HostPool({ minLength: 4 });
    const owner = {};
    const a = pool.take('float32', 8, true);
    a.fill(3);
    pool.free(owner, a);
    expect(pool.take('float64', 8, true)).not.toBe(a); // another dtype
    expect(pool.take('float32', 9, true)).not.toBe(a); // another length
    const b = pool.take('float32', 8, true);
    expect(b).toBe(a);
    expect([...b]).toEqual(new Array(8).fill(0));
    expect(pool.take('float32', 8, true)).not.toBe(a); // taken once only
    expect([pool.reused, pool.created]).toEqual([1, 4]);
  });

  it('rounds a length up to its size class by at most an eighth, so near lengths share arrays', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 28 }), (n) => {
        const c = sizeClass(n);
        expect(c).toBeGreaterThanOrEqual(n);
        expect(c).toBeLessThanOrEqual(n + n / 8);
        expect(sizeClass(c)).toBe(c);
      }),
    );
    const pool = new HostPool({ minLength: 4 });
    const a = pool.take('float32', 1100, false); // class 1152
    a.fill(5);
    expect(a.length).toBe(1100);
    pool.free({}, a);
    const b = pool.take('float32', 1150, true);
    expect([b.length, b.buffer === a.buffer, b.every((x) => x === 0)]).toEqual([1150, true, true]);
  });

  it('poisons a reused uninitialised array, and leaves small arrays, a full pool and mode off alone', () => {
    const poison = new HostPool({ mode: 'poison', minLength: 4, maxParkedBytes: 32 });
    const f = poison.take('float32', 4, false),
      i = poison.take('int32', 4, false),
      big = poison.take('float32', 16, false),
      small = poison.take('float32', 3, false);
    for (const a of [f, i, big, small]) poison.free({}, a);
    expect([...poison.take('float32', 4, false)].every(Number.isNaN)).toBe(true);
    expect([...poison.take('int32', 4, false)]).toEqual(new Array(4).fill(-0x7fffffff));
    expect(poison.take('float32', 16, false)).not.toBe(big); // over maxParkedBytes: left to the collector
    expect(poison.take('float32', 3, false)).not.toBe(small); // under minLength
    const off = new HostPool({ mode: 'off', minLength: 1 });
    const a = off.take('float32', 8, false);
    off.free({}, a);
    expect(off.take('float32', 8, false)).not.toBe(a);
  });

  it('parks the arrays of storages the collector found dead, at the next turn of the event loop', async () => {
    const cpu = new CpuBackend(1, { simd: false, memory: { minLength: 1 } }); // (with SIMD, the arena's: arena.test.ts)
    for (let i = 0; i < 10; i++) cpu.alloc('float32', 64);
    for (let tries = 0; tries < 20 && cpu.memory.parkedBytes === 0; tries++) {
      collectGarbage();
      await yieldToEventLoop();
    }
    expect(cpu.memory.parkedBytes).toBeGreaterThan(0);
    const before = cpu.memory.reused;
    cpu.alloc('float32', 64);
    expect(cpu.memory.reused).toBe(before + 1);
  });

  it('over its cap, drops the sizes released least recently first', () => {
    const pool = new HostPool({ minLength: 1, maxParkedBytes: 3 * 64 });
    const [a, b, c] = [16, 16, 24].map((n) => pool.take('float32', n, true)); // 64, 64 and 96 bytes
    pool.free({}, a!); // size 16: 64 bytes
    pool.free({}, c!); // size 24: 160 bytes
    pool.free({}, b!); // size 16 again (now the most recent): 224 > 192, so size 24 goes
    expect(pool.parkedBytes).toBe(128);
    expect(pool.take('float32', 24, true)).not.toBe(c);
    expect(new Set([pool.take('float32', 16, true), pool.take('float32', 16, true)])).toEqual(new Set([a, b]));
  });

  it('watches at most maxWatchedBytes of tracked storages; past it an array is left untracked', () => {
    const pool = new HostPool({ minLength: 1, maxWatchedBytes: 4 * 256 });
    const owners = Array.from({ length: 10 }, () => ({}));
    const arrays = owners.map((o) => {
      const a = pool.take('float32', 64, true); // 256 bytes
      pool.track(o, a);
      return a;
    });
    expect(pool.watchedBytes).toBe(4 * 256);
    pool.free(owners[9]!, arrays[9]!); // never watched: parked, the count unchanged
    expect(pool.watchedBytes).toBe(4 * 256);
    pool.free(owners[0]!, arrays[0]!); // watched: one fewer, and the next array is watched again
    expect(pool.watchedBytes).toBe(3 * 256);
    pool.track({}, pool.take('float32', 64, true));
    expect(pool.watchedBytes).toBe(4 * 256);
  });

  it('keeps memory bounded in a training loop that never turns the event loop', async () => {
    // Without a turn of the loop the registry's callbacks never run, so every array it watches stays held; with
    // the cap, the arrays past it are the collector's. Measured: bytes of array buffers after 20 steps and a
    // full collection, with a 1 MiB cap and with none. V8 frees the buffers of collected arrays on a background
    // thread, which lags on a loaded machine (CI once read 8.2 MB where 2.0 are left), so the reading waits for
    // it: up to a second, blocking this thread (Atomics.wait does not turn the event loop).
    const settled = (before: number, tries: number): number => {
      const nap = new Int32Array(new SharedArrayBuffer(4));
      let bytes = Infinity;
      for (let i = 0; i < tries && bytes >= 4 * 2 ** 20; i++) {
        if (i > 0) Atomics.wait(nap, 0, 0, 20);
        collectGarbage();
        bytes = process.memoryUsage().arrayBuffers - before;
      }
      return bytes;
    };
    const grown = async (maxWatchedBytes: number) => {
      const cpu = new CpuBackend(1, { simd: false, memory: { minLength: 1, maxWatchedBytes } }); // (arena: arena.test.ts)
      return on(cpu, async () => {
        const cfg = tinyV3({ dModel: 32, nHeads: 2, nKvHeads: 2 });
        const model = Transformer.init(cfg, new Rng(2));
        const opt = new AdamW(model.parameters());
        const rng = new Rng(3);
        const ids = Array.from({ length: 8 * 17 }, () => rng.int(0, cfg.vocabSize));
        const { x, y } = nextTokenBatch(ids, 17);
        collectGarbage();
        const before = process.memoryUsage().arrayBuffers;
        for (let step = 0; step < 20; step++) {
          const obj = trainingObjective(model, x, y);
          opt.zeroGrad();
          backward(obj.loss);
          noGrad(() => opt.step(1e-2));
          await obj.loss.item(); // settled: no turn of the event loop
        }
        // (no cap: held by the registry, nothing to wait for)
        return { bytes: settled(before, maxWatchedBytes === Infinity ? 1 : 50), watched: cpu.memory.watchedBytes };
      });
    };
    const capped = await grown(2 ** 20),
      open = await grown(Infinity);
    expect(open.watched).toBeGreaterThan(8 * 2 ** 20);
    expect(open.bytes).toBeGreaterThan(8 * 2 ** 20);
    expect(capped.watched).toBeLessThanOrEqual(2 ** 20);
    expect(capped.bytes).toBeLessThan(4 * 2 ** 20);
  });

  it('gets arrays back during a long generation, which turns the event loop every token', async () => {
    const cpu = new CpuBackend(1, { memory: { minLength: 1, gcAfterBytes: 2 ** 18 } });
    await on(cpu, async () => {
      const model = Transformer.init(tinyV3(), new Rng(1));
      const before = cpu.memory.reused;
      await generate(
        model,
        [
          [1, 2, 3],
          [4, 5],
        ],
        { maxNewTokens: 28, stopIds: [], padId: 0, rng: new Rng(2), temperature: 1 },
      );
      expect(cpu.memory.reused - before).toBeGreaterThan(50);
    });
  });
});

async function on<T>(b: Backend, f: () => Promise<T>): Promise<T> {
  const prev = defaultBackend();
  setDefaultBackend(b);
  try {
    return await f();
  } finally {
    setDefaultBackend(prev);
  }
}

/** Three AdamW steps of the V3 objective (MLA, MoE, MTP), yielding between steps as training loops do. */
async function v3Steps(): Promise<{ losses: number[]; params: Map<string, unknown> }> {
  const cfg = tinyV3({ mtpDepth: 1 });
  const model = Transformer.init(cfg, new Rng(2).child('init'));
  const opt = new AdamW(model.parameters());
  const rng = new Rng(4).child('ids');
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const ids = Array.from({ length: 2 * 9 }, () => rng.int(0, cfg.vocabSize));
    const { x, y } = nextTokenBatch(ids, 9);
    const obj = trainingObjective(model, x, y);
    opt.zeroGrad();
    backward(obj.loss);
    noGrad(() => opt.step(1e-2));
    losses.push(await obj.loss.item());
    await yieldToEventLoop();
  }
  const params = new Map<string, unknown>();
  for (const [name, p] of model.params) params.set(name, await p.data());
  return { losses, params };
}

const pretrainRun = async () => (await tinyPretrain()).metrics;

const grpoRun = () =>
  trainRl(tinyParts(), tinyConfig({ seed: 3, steps: 2, maxNewTokens: 10, evalSize: 2, evalSamples: 1 }));

describe('memory reuse changes no bit', () => {
  const off = new CpuBackend(1, { memory: { mode: 'off' } });
  const poisoned = new CpuBackend(1, { memory: poisonHostPool });

  it.each([
    ['the V3 objective trained with AdamW', v3Steps],
    ['a pretraining run', pretrainRun],
    ['a GRPO run', grpoRun],
  ] as const)('%s', async (_, run) => {
    const reusedBefore = poisoned.memory.reused;
    const want = await on(off, run as () => Promise<unknown>);
    const got = await on(poisoned, run as () => Promise<unknown>);
    expect(got).toEqual(want);
    expect(poisoned.memory.reused - reusedBefore).toBeGreaterThan(50);
  });
});
