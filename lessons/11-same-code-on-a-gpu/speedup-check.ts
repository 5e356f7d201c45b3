// The check for lesson 11's exercise: the learner's `predict` against the cost model stated in the exercise,
// on three steps that each teach one regime: a tiny step that launch overhead dominates (the GPU loses), the
// lesson model on the H200 (overhead still dominates, the GPU wins by less than its FLOP/s suggest), and the
// 26M-parameter model (arithmetic dominates).
import { missingExport, type CheckOutcome } from '../../src/tui/manifest.ts';

interface Step {
  flops: number;
  dispatches: number;
  cpuGflops: number;
  gpuTflops: number;
  dispatchUs: number;
}

const CASES: { step: Step; why: string }[] = [
  {
    step: { flops: 1e6, dispatches: 100, cpuGflops: 5, gpuTflops: 20, dispatchUs: 15 },
    why: 'a tiny step: 100 launches cost more than the whole CPU step, so the GPU is slower',
  },
  {
    step: { flops: 6 * 104_128 * 768, dispatches: 177, cpuGflops: 5, gpuTflops: 20, dispatchUs: 15 },
    why: 'the lesson model (6 · parameters · tokens FLOPs): the launches take 100× the arithmetic',
  },
  {
    step: { flops: 6 * 25_726_464 * 8192, dispatches: 904, cpuGflops: 5, gpuTflops: 20, dispatchUs: 15 },
    why: 'the 26M-parameter model at B=32, T=256: now the arithmetic dominates',
  },
];

function reference(s: Step) {
  const cpuSeconds = s.flops / (s.cpuGflops * 1e9);
  const gpuSeconds = s.flops / (s.gpuTflops * 1e12) + s.dispatches * s.dispatchUs * 1e-6;
  return { cpuSeconds, gpuSeconds, speedup: cpuSeconds / gpuSeconds };
}

const close = (a: unknown, b: number) => typeof a === 'number' && Math.abs(a - b) <= 1e-9 * Math.abs(b);

export async function checkSpeedup(mod: Record<string, unknown>): Promise<CheckOutcome> {
  const f = mod['predict'];
  if (typeof f !== 'function') return missingExport(mod, 'predict');
  for (const { step, why } of CASES) {
    const want = reference(step);
    const got = (f as (s: Step) => Record<string, unknown>)(step);
    for (const key of ['cpuSeconds', 'gpuSeconds', 'speedup'] as const)
      if (!close(got?.[key], want[key]))
        return {
          pass: false,
          message: `for ${JSON.stringify(step)} (${why}): ${key} should be ${want[key].toPrecision(4)}, got ${String(got?.[key])}`,
        };
  }
  const [tiny, lesson, big] = CASES.map((c) => reference(c.step));
  return {
    pass: true,
    message: `Right. Predicted speedups: ${tiny!.speedup.toFixed(2)}× (tiny), ${lesson!.speedup.toFixed(0)}× (lesson model), ${big!.speedup.toFixed(0)}× (26M model).`,
  };
}
