// The check for lesson 05's exercise: the learner's `trainingFlops` (6·N·D) and `gpuHours`
// (F / (peak · mfu) / 3600) on small exact cases first, then on DeepSeek-V3's and Llama-3.1-405B's
// numbers. On a failure it shows the call, what came back, what was expected and what the case is about.
// On a pass it puts the learner's gpuHours next to the cost model's own pre-training line for V3.
import { missingExport, type CheckOutcome } from '../../src/tui/manifest.ts';

interface Case {
  fn: 'trainingFlops' | 'gpuHours';
  args: number[];
  want: number;
  why: string;
}

const CASES: Case[] = [
  { fn: 'trainingFlops', args: [1, 1], want: 6, why: 'one parameter, one token: 2 FLOPs forward, 4 backward' },
  {
    fn: 'trainingFlops',
    args: [37e9, 14.8e12],
    want: 6 * 37e9 * 14.8e12,
    why: 'DeepSeek-V3: 37B of its 671B parameters are active per token, 14.8T tokens',
  },
  {
    fn: 'trainingFlops',
    args: [405e9, 15.6e12],
    want: 6 * 405e9 * 15.6e12,
    why: 'Llama-3.1-405B: dense, so all 405B are active, 15.6T tokens',
  },
  {
    fn: 'gpuHours',
    args: [3.6e15, 1e12, 1],
    want: 1,
    why: '3.6e15 FLOPs at a full 1e12 FLOP/s is 3600 seconds: one GPU-hour',
  },
  { fn: 'gpuHours', args: [3.6e15, 1e12, 0.5], want: 2, why: 'the same work at 50% MFU takes twice as long' },
  {
    fn: 'gpuHours',
    args: [3.7e24, 989.5e12, 0.3894],
    want: 3.7e24 / (989.5e12 * 0.3894) / 3600,
    why: "V3's pre-training FLOPs on H800s (989.5 TFLOP/s BF16) at DeepSeek's measured 38.94% MFU",
  },
];

const show = (v: unknown): string =>
  typeof v === 'number'
    ? Number.isFinite(v)
      ? Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3)
        ? v.toExponential(4)
        : String(Number(v.toPrecision(6)))
      : String(v)
    : v === undefined
      ? 'undefined'
      : (JSON.stringify(v) ?? String(v));

const close = (got: unknown, want: number): boolean =>
  typeof got === 'number' && Number.isFinite(got) && Math.abs(got - want) <= 1e-9 * Math.abs(want);

export async function checkGpuHours(mod: Record<string, unknown>): Promise<CheckOutcome> {
  for (const name of ['trainingFlops', 'gpuHours']) {
    if (typeof mod[name] !== 'function') return missingExport(mod, name);
  }
  for (const c of CASES) {
    const call = `${c.fn}(${c.args.map(show).join(', ')})`;
    let got: unknown;
    try {
      got = (mod[c.fn] as (...a: number[]) => unknown)(...c.args);
    } catch (e) {
      return {
        pass: false,
        message: `${call} threw: ${e instanceof Error ? e.message : String(e)}\nwhy this case: ${c.why}`,
      };
    }
    if (!close(got, c.want)) {
      const ratio =
        typeof got === 'number' && got !== 0 && Number.isFinite(got)
          ? `\n(expected ÷ returned = ${show(c.want / got)})`
          : '';
      return {
        pass: false,
        message: `${call} returned ${show(got)}\nexpected ${show(c.want)}\nwhy this case: ${c.why}${ratio}`,
      };
    }
  }
  // The same arithmetic the cost model does for V3's pre-training (src/cost), with its exact FLOP count.
  const { trainFlopsPerToken } = await import('../../src/cost/flops.ts');
  const { DEEPSEEK_V3 } = await import('../../src/cost/models.ts');
  const { V3_MFU } = await import('../../src/cost/presets.ts');
  const flops = 14.8e12 * trainFlopsPerToken(DEEPSEEK_V3, 4096).model;
  const hours = (mod['gpuHours'] as (...a: number[]) => number)(flops, 989.5e12, V3_MFU);
  const sixND = (mod['trainingFlops'] as (...a: number[]) => number)(37e9, 14.8e12);
  return {
    pass: true,
    message:
      `all ${CASES.length} cases match. With the cost model's exact count for V3 (${flops.toExponential(2)} FLOPs: 6·N·D gives ${sixND.toExponential(2)}, ` +
      `attention adds the rest), your gpuHours says ${(hours / 1e6).toFixed(3)}M GPU-hours; DeepSeek published 2.664M for pre-training.`,
  };
}
