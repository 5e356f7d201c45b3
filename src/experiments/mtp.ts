// Multi-token prediction, for training and for decoding [V3 §2.2, §5.4.3; reference/deepseek-v3-architecture.md §3].
//   training   the same model with and without one MTP module (D = 1, λ = 0.3), same data and the same main-model
//              initial weights; MTP is dropped at evaluation, so held-out loss compares the main models alone
//   decoding   the D = 1 model drafts the second next token with its MTP module and verifies it in the next main
//              forward pass (model/speculative.ts): acceptance rate, tokens per main forward pass, and (with a
//              clock) the wall-clock speedup over plain greedy decoding — V3 reports 85–90% and 1.8×. A tiny model's
//              answers are short and formulaic, so the same agreement is also measured teacher-forced over held-out
//              documents (every position of real text), which is what decoding richer output would see.
// Speculative output is checked token for token against greedy decoding.
import { noGrad } from '../core/autograd.ts';
import { reshape, slice } from '../core/ops/index.ts';
import { svgLineChart } from '../plot/svg.ts';
import { validateConfig } from '../model/config.ts';
import { mtpLogits, mtpModule } from '../model/mtp.ts';
import { argmax } from '../model/sampling.ts';
import { greedyDecode, speculativeDecode, type DecodeStats } from '../model/speculative.ts';
import { defaultPositions, type Transformer } from '../model/transformer.ts';
import { ANSWER_END_ID, EOS_ID, encode, heldOutSet, promptFor } from '../world/index.ts';
import {
  archTrainDefaults,
  heldOut,
  mainLoss,
  heldOutBatch,
  smallModel,
  trainArch,
  type ArchTrainConfig,
  type HeldOut,
} from './arch-train.ts';
import type { TrainStep } from '../train/trainer.ts';
import { f3, markdownTable, movingAverage, tailMean, type ArchReport, type ExperimentHooks } from './arch-report.ts';

export interface MtpConfig {
  seed: number;
  steps: number;
  lambda: number;
  /** Held-out prompts per problem kind (add, mul, expr, countdown) decoded speculatively. */
  prompts: number;
  maxNewTokens: number;
}

export const MTP_DEFAULTS: MtpConfig = { seed: 0, steps: 200, lambda: 0.3, prompts: 4, maxNewTokens: 40 };

export const mtpModel = (depth: number, lambda: number) =>
  validateConfig({ ...smallModel({ dModel: 48, dFF: 96 }), mtpDepth: depth, mtpLambda: lambda });

export interface DecodeSummary {
  prompts: number;
  tokens: number;
  mainForwards: number;
  greedyForwards: number;
  drafted: number;
  accepted: number;
  acceptanceRate: number;
  tokensPerForward: number;
  identicalToGreedy: boolean;
}

/**
 * Decode each prompt greedily and speculatively and sum the counts. With `now`, each method's pass over all prompts
 * is timed `reps` times after a warm-up pass, alternating methods, and the median is kept (ms).
 */
export async function compareDecoding(
  model: Transformer,
  prompts: number[][],
  maxNewTokens: number,
  now?: () => number,
  reps = 3,
): Promise<{ summary: DecodeSummary; greedyMs?: number; speculativeMs?: number }> {
  const opts = { maxNewTokens, stopIds: [EOS_ID, ANSWER_END_ID] };
  const pass = async (f: (p: number[]) => Promise<DecodeStats>) => {
    const out: DecodeStats[] = [];
    for (const p of prompts) out.push(await f(p));
    return out;
  };
  const greedyPass = () => pass((p) => greedyDecode(model, p, opts));
  const specPass = () => pass((p) => speculativeDecode(model, p, { ...opts, draftDepth: 1 }));
  const greedy = await greedyPass(),
    spec = await specPass(); // also the warm-up
  let greedyMs: number | undefined, speculativeMs: number | undefined;
  if (now) {
    const g: number[] = [],
      s: number[] = [];
    const time = async (run: () => Promise<unknown>, into: number[]) => {
      const t0 = now();
      await run();
      into.push(now() - t0);
    };
    for (let r = 0; r < reps; r++) {
      await time(greedyPass, g);
      await time(specPass, s);
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    [greedyMs, speculativeMs] = [median(g), median(s)];
  }
  const sum = (xs: DecodeStats[], k: 'mainForwards' | 'drafted' | 'accepted') => xs.reduce((t, x) => t + x[k], 0);
  const tokens = spec.reduce((t, x) => t + x.tokens.length, 0);
  const drafted = sum(spec, 'drafted'),
    accepted = sum(spec, 'accepted');
  return {
    summary: {
      prompts: prompts.length,
      tokens,
      mainForwards: sum(spec, 'mainForwards'),
      greedyForwards: sum(greedy, 'mainForwards'),
      drafted,
      accepted,
      acceptanceRate: drafted ? accepted / drafted : NaN,
      tokensPerForward: tokens / sum(spec, 'mainForwards'),
      identicalToGreedy: spec.every((x, i) => x.tokens.join() === greedy[i]!.tokens.join()),
    },
    greedyMs,
    speculativeMs,
  };
}

/**
 * Teacher-forced drafting on held-out documents: at each position i, does the MTP module's guess for t_{i+2} equal
 * the main model's greedy choice at i+1 (the acceptance rate decoding these documents would see), and the truth?
 */
export async function draftAgreement(
  model: Transformer,
  c: ArchTrainConfig,
  batches = 4,
): Promise<{ agreement: number; accuracy: number; positions: number }> {
  let agree = 0,
    right = 0,
    n = 0;
  const V = model.config.vocabSize;
  for (let i = 0; i < batches; i++) {
    const { inputs, targets } = heldOutBatch(c, i);
    const [B, T] = inputs.shape as [number, number];
    const d = model.config.dModel;
    const [main, draft] = noGrad(() => {
      const h0 = model.hidden(inputs); // [B·T, d]
      const hPrev = reshape(slice(reshape(h0, [B, T, d]), 1, 0, T - 1), [B * (T - 1), d]);
      const h1 = mtpModule(model, 1, hPrev, slice(inputs, 1, 1, T), defaultPositions(B, T - 1, 0, inputs));
      return [model.logits(h0), mtpLogits(model, 1, h1)];
    });
    const [zm, zd, y] = [await main.data(), await draft.data(), await targets.data()];
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T - 1; t++) {
        const truth = y[b * T + t + 1]!; // t_{t+2}
        if (truth < 0) continue;
        const guess = argmax(zd, (b * (T - 1) + t) * V, V);
        agree += guess === argmax(zm, (b * T + t + 1) * V, V) ? 1 : 0;
        right += guess === truth ? 1 : 0;
        n++;
      }
    }
  }
  return { agreement: agree / n, accuracy: right / n, positions: n };
}

export async function runMtp(c: MtpConfig = MTP_DEFAULTS, hooks: ExperimentHooks = {}): Promise<ArchReport> {
  const runs: { depth: number; steps: TrainStep[]; heldOut: HeldOut; model: Transformer }[] = [];
  for (const depth of [0, 1]) {
    const train = archTrainDefaults(mtpModel(depth, c.lambda), c.steps, c.seed);
    const { model, steps } = await trainArch(
      train,
      (s) => hooks.onProgress?.(depth * c.steps + s.step, 2 * c.steps + 1, `D=${depth} loss ${mainLoss(s).toFixed(3)}`),
      hooks,
      `mtp-d${depth}`,
    );
    runs.push({ depth, steps, heldOut: await heldOut(model, train), model });
  }
  const kinds = [
    ['add', 2],
    ['mul', 2],
    ['expr', 2],
    ['countdown', 3],
  ] as const;
  const prompts = kinds.flatMap(([kind, difficulty]) =>
    heldOutSet(kind, difficulty, c.prompts).map((p) => encode(promptFor(p))),
  );
  const dec = await compareDecoding(runs[1]!.model, prompts, c.maxNewTokens, hooks.now);
  const agreement = await draftAgreement(runs[1]!.model, archTrainDefaults(mtpModel(1, c.lambda), c.steps, c.seed));
  await hooks.onProgress?.(2 * c.steps + 1, 2 * c.steps + 1, `acceptance ${f3(dec.summary.acceptanceRate)}`);
  const s = dec.summary,
    wallSpeedup = dec.greedyMs !== undefined && dec.speculativeMs ? dec.greedyMs / dec.speculativeMs : undefined;
  const table =
    markdownTable(
      [
        'model',
        'train loss, main (last 10%)',
        'MTP loss (last 10%)',
        'held-out loss (main)',
        'held-out next-token acc.',
      ],
      runs.map((r) => [
        r.depth ? `with MTP (D = 1, λ = ${c.lambda})` : 'without MTP',
        f3(tailMean(r.steps.map(mainLoss), 0.1)),
        r.depth
          ? f3(
              tailMean(
                r.steps.map((x) => x.mtp! / c.lambda),
                0.1,
              ),
            )
          : '–',
        f3(r.heldOut.loss),
        f3(r.heldOut.accuracy),
      ]),
    ) +
    '\n' +
    markdownTable(
      ['speculative decoding (D = 1)', 'value'],
      [
        ['prompts / tokens generated', `${s.prompts} / ${s.tokens}`],
        ['draft acceptance rate', f3(s.acceptanceRate)],
        ['tokens per main forward pass', f3(s.tokensPerForward)],
        [
          'main forward passes, greedy → speculative',
          `${s.greedyForwards} → ${s.mainForwards} (${f3(s.greedyForwards / s.mainForwards)}×)`,
        ],
        [
          'wall-clock speedup (this CPU, MTP cost included)',
          wallSpeedup === undefined ? 'not measured (no clock)' : `${f3(wallSpeedup)}×`,
        ],
        ['output identical to greedy', s.identicalToGreedy ? 'yes' : 'NO'],
        [
          "draft = main model's next choice, held-out documents (teacher-forced)",
          `${f3(agreement.agreement)} of ${agreement.positions} positions`,
        ],
        ['draft = true second-next token, held-out documents', f3(agreement.accuracy)],
      ],
    );
  const svg = svgLineChart({
    title: 'Main-model training loss with and without an MTP module (10-step average)',
    xLabel: 'step',
    yLabel: 'next-token loss (nats)',
    series: [
      ...runs.map((r) => ({
        name: r.depth ? 'main loss, with MTP' : 'main loss, without MTP',
        points: movingAverage(r.steps.map(mainLoss)).map((v, i) => [i + 1, v] as [number, number]),
      })),
      {
        name: 'MTP depth-1 loss (second next token)',
        points: movingAverage(runs[1]!.steps.map((x) => x.mtp! / c.lambda)).map(
          (v, i) => [i + 1, v] as [number, number],
        ),
        dashed: true,
      },
    ],
  });
  return {
    experiment: 'mtp',
    config: c,
    summary: { heldOut: runs.map((r) => ({ depth: r.depth, ...r.heldOut })), decoding: s, teacherForced: agreement },
    table,
    svg,
    metrics: runs.flatMap((r) => r.steps.map((x) => ({ depth: r.depth, ...x }))),
    timing:
      dec.greedyMs === undefined
        ? undefined
        : { greedyMs: dec.greedyMs, speculativeMs: dec.speculativeMs, wallSpeedup },
  };
}
