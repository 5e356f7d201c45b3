// Is a Countdown model's self-verification genuine? The tests of issue 16 item 4 run on a model, on held-out
// problems (world/countdown/verification.ts holds the pure measures):
//   evalPass1            greedy accuracy
//   behaviours           Gandhi's four behaviours per completion, counted by parsing
//   stepAccuracy         share of written steps whose value is the true a op b (the arithmetic under the search)
//   checkAccuracy, consistency (P(continue | no), P(stop | yes)), usefulness (save / spoil rates)
//   interventionCatchRate  force-decode "<prompt><a dead-end path whose last step claims the target>" and count
//                          the continuations whose check recomputes the step to its true value and says "no"
//   test-time scaling    accuracy when the completion may use at most B tokens. Greedy decoding is a pure
//                        function of the prefix, so the run capped at B is the prefix of the long run: a
//                        completion counts at budget B iff it is right and ≤ B tokens (no extra generation).
import { Rng } from '../core/rng.ts';
import type { CheckpointMeta } from '../model/checkpoint.ts';
import { generate } from '../model/generate.ts';
import type { Transformer } from '../model/transformer.ts';
import {
  addTallies,
  countBehaviours,
  EMPTY_TALLY,
  interventionOutcome,
  type Intervention,
  type InterventionOutcome,
  interventionPrefix,
  parseSearch,
  repeatedShare,
  verificationRates,
  verificationTally,
  type BehaviourCounts,
  type VerificationRates,
  NO_OPENING,
  type PathOpening,
} from '../world/countdown/index.ts';
import {
  ANSWER_END_ID,
  decode,
  encode,
  EOS_ID,
  PAD_ID,
  promptFor,
  rewardBreakdown,
  thinkLength,
  thinkText,
  type Problem,
} from '../world/index.ts';

export interface CountdownVerifyOptions {
  maxNewTokens: number;
  /** Token budgets for the test-time-scaling curve (each ≤ maxNewTokens). */
  budgets: readonly number[];
  seed: number;
  batchSize: number;
  /** How the injected prefixes open (interventionPrefix): as every path of the base's corpus does. */
  opening: PathOpening;
}

/** How the paths of a checkpoint's Countdown corpus open (its config.json's pretrain.mix: restateTarget, "to 56:",
 * and namesKept, "keep 6:"): its injected prefixes must open so too. */
export function pathOpeningOf(meta: CheckpointMeta): PathOpening {
  const mix = (meta.pretrain as { mix?: { restateTarget?: unknown; namesKept?: unknown } } | undefined)?.mix;
  return { restateTarget: mix?.restateTarget === true, namesKept: mix?.namesKept === true };
}

export const COUNTDOWN_VERIFY_DEFAULTS: CountdownVerifyOptions = {
  maxNewTokens: 200,
  budgets: [25, 50, 100, 150, 200],
  seed: 0,
  batchSize: 64,
  opening: NO_OPENING,
};

export interface CountdownVerifyResult extends VerificationRates {
  evalPass1: number;
  evalFormatRate: number;
  evalThinkLen: number;
  /** Mean count per completion of each behaviour. */
  behaviours: BehaviourCounts;
  /** Share of the answers whose think writes a path it already wrote (countdown/repetition.ts). */
  repeatedPaths: number;
  interventionCatchRate: number | null;
  interventionFooledRate: number | null;
  interventionRecoverRate: number | null;
  interventions: number;
  /** Accuracy at each budget of `budgets`. */
  scaling: { budget: number; accuracy: number }[];
  samples: { prompt: string; completion: string; correct: boolean }[];
}

async function greedy(
  model: Transformer,
  prompts: string[],
  maxNewTokens: number,
  batchSize: number,
  rng: Rng,
): Promise<{ text: string; tokens: number; truncated: boolean }[]> {
  const out: { text: string; tokens: number; truncated: boolean }[] = [];
  for (let i = 0; i < prompts.length; i += batchSize) {
    const chunk = prompts.slice(i, i + batchSize);
    const gens = await generate(model, chunk.map(encode), {
      maxNewTokens,
      temperature: 0,
      stopIds: [EOS_ID, ANSWER_END_ID],
      padId: PAD_ID,
      rng: chunk.map((_, j) => rng.child(`p${i + j}`)),
    });
    for (const g of gens)
      out.push({ text: decode(g.tokens), tokens: g.tokens.length, truncated: g.finish === 'length' });
  }
  return out;
}

/** One intervention: the injected prefix, the model's greedy continuation after it, and how it was judged. */
export interface InterventionRun {
  problem: Problem;
  intervention: Intervention;
  continuation: string;
  outcome: InterventionOutcome;
}

/** Force-decode "<prompt><a dead-end path whose last step claims the target>" for each problem (those with such a
 * path) and judge the greedy continuations. `rng` is the verification stream (problem i draws its path from
 * rng.child('iv').child('p<i>')). */
export async function runInterventions(
  model: Transformer,
  problems: readonly Problem[],
  rng: Rng,
  maxNewTokens: number,
  batchSize: number,
  opening: PathOpening = NO_OPENING,
): Promise<InterventionRun[]> {
  const ivs = problems.map((p, i) => interventionPrefix(p, rng.child('iv').child(`p${i}`), opening));
  const withIv = problems.flatMap((p, i) => (ivs[i] ? [{ p, iv: ivs[i]! }] : []));
  const conts = await greedy(
    model,
    withIv.map(({ p, iv }) => promptFor(p) + iv.prefix),
    maxNewTokens,
    batchSize,
    rng.child('intervene'),
  );
  return withIv.map(({ p, iv }, i) => ({
    problem: p,
    intervention: iv,
    continuation: conts[i]!.text,
    outcome: interventionOutcome(p, iv, conts[i]!.text),
  }));
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export async function countdownVerify(
  model: Transformer,
  problems: readonly Problem[],
  partial: Partial<CountdownVerifyOptions> = {},
): Promise<CountdownVerifyResult> {
  const o = { ...COUNTDOWN_VERIFY_DEFAULTS, ...partial };
  const rng = new Rng(o.seed).child('countdown-verify');
  const gens = await greedy(
    model,
    problems.map((p) => promptFor(p)),
    o.maxNewTokens,
    o.batchSize,
    rng.child('plain'),
  );
  const rewards = gens.map((g, i) => rewardBreakdown(problems[i]!, g.text, { truncated: g.truncated }));
  let tally = { ...EMPTY_TALLY };
  const counts: BehaviourCounts[] = [];
  gens.forEach((g, i) => {
    const p = problems[i]!;
    tally = addTallies(tally, verificationTally(p, g.text));
    counts.push(countBehaviours(parseSearch(thinkText(g.text), p.numbers!, p.target!)));
  });
  const behaviours = Object.fromEntries(
    (Object.keys(counts[0] ?? {}) as (keyof BehaviourCounts)[]).map((k) => [k, mean(counts.map((c) => c[k]))]),
  ) as unknown as BehaviourCounts;

  // Intervention: the same problems, each with an injected wrong claim.
  const outcomes = (await runInterventions(model, problems, rng, o.maxNewTokens, o.batchSize, o.opening)).map(
    (r) => r.outcome,
  );
  const rate = (f: (x: (typeof outcomes)[number]) => boolean) =>
    outcomes.length === 0 ? null : outcomes.filter(f).length / outcomes.length;

  return {
    evalPass1: mean(rewards.map((r) => r.accuracy)),
    evalFormatRate: mean(rewards.map((r) => r.format)),
    evalThinkLen: mean(gens.map((g) => thinkLength(g.text))),
    behaviours,
    repeatedPaths: mean(
      gens.map((g, i) => (repeatedShare(thinkText(g.text), problems[i]!.numbers!, problems[i]!.target!) > 0 ? 1 : 0)),
    ),
    ...verificationRates(tally),
    interventionCatchRate: rate((x) => x.caught),
    interventionFooledRate: rate((x) => x.fooled),
    interventionRecoverRate: rate((x) => x.recovered),
    interventions: outcomes.length,
    scaling: o.budgets.map((budget) => ({
      budget,
      accuracy: mean(gens.map((g, i) => (rewards[i]!.accuracy === 1 && g.tokens <= budget ? 1 : 0))),
    })),
    samples: gens
      .slice(0, 8)
      .map((g, i) => ({ prompt: problems[i]!.prompt, completion: g.text, correct: rewards[i]!.accuracy === 1 })),
  };
}
