// noGrad switches recording off for its body only: synchronously, through the body's own awaits, and not for
// other work that runs while an async body waits (a sampler yielding to the event loop between tokens).
import { describe, expect, it } from 'vitest';
import { isRecording, noGrad } from '../../src/core/autograd.ts';
import { mul } from '../../src/core/ops/index.ts';
import { tensor } from '../../src/core/tensor.ts';

const tick = () => new Promise((r) => setImmediate(r));

describe('noGrad', () => {
  it('turns recording off inside a synchronous body and back on after it, also when it throws', () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    expect(noGrad(() => [isRecording(), mul(x, x).requiresGrad])).toEqual([false, false]);
    expect(mul(x, x).requiresGrad).toBe(true);
    expect(() =>
      noGrad(() => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(isRecording()).toBe(true);
  });

  it('keeps recording off across the awaits of an async body, and on for work that runs meanwhile', async () => {
    const x = tensor([1, 2], [2], { requiresGrad: true });
    const inside: boolean[] = [];
    const sampling = noGrad(async () => {
      for (let k = 0; k < 3; k++) {
        inside.push(mul(x, x).requiresGrad);
        await tick();
      }
    });
    const beside: boolean[] = [];
    for (let k = 0; k < 3; k++) {
      beside.push(mul(x, x).requiresGrad, isRecording());
      await tick();
    }
    await sampling;
    expect(inside).toEqual([false, false, false]);
    expect(beside).toEqual([true, true, true, true, true, true]);
    expect(isRecording()).toBe(true);
  });
});
