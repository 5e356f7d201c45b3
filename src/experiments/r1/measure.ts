// One row of the stage table (issue 14 item 4, mirroring R1 v2 Table 3): a checkpoint scored on the held-out
// 2-digit additions asked in both languages.
//   greedy       greedy accuracy                         pass1, passK   sampled at T = 0.6 (eval.ts, unbiased pass@k)
//   format       share of sampled completions well-formed
//   thinkLength  mean think characters (sampled)         reflection     share of sampled thinks with a re-check word
//   mixing       Σ steps not in the prompt's language / Σ steps, over sampled completions (languages/measures.ts)
//   readability  share of sampled completions well-formed with a readable think (no broken, switched or repeated step)
// Per language too, since mixing lives on one side: words prompts drifting into symbols.
import { Rng } from '../../core/rng.ts';
import type { PolicyModel } from '../../model/policy.ts';
import { evaluate } from '../../train/eval.ts';
import type { Rollout } from '../../train/rollout.ts';
import {
  heldOutSet,
  isReadable,
  LANGUAGES,
  mixedSteps,
  thinkText,
  type Language,
  type Problem,
} from '../../world/index.ts';

export interface LanguageScores {
  greedy: number;
  pass1: number;
  mixing: number;
}

export interface StageScores {
  greedy: number;
  pass1: number;
  passK: number;
  k: number;
  format: number;
  thinkLength: number;
  mixing: number;
  readability: number;
  reflection: number;
  byLanguage: Record<Language, LanguageScores>;
}

/** The held-out problems of a row: the same n 2-digit additions, asked in each language. */
export function heldOutBothLanguages(difficulty: number, n: number, seed: number): Problem[] {
  const base = heldOutSet('add', difficulty, n, seed);
  return LANGUAGES.flatMap((language) => base.map((p) => ({ ...p, language })));
}

/** Σ mixed steps / Σ steps over completions (0 when none has a step). */
export function poolMixing(rs: readonly Pick<Rollout, 'problem' | 'text'>[]): number {
  let steps = 0,
    mixed = 0;
  for (const r of rs) {
    const m = mixedSteps(thinkText(r.text), r.problem.language ?? 'symbols');
    steps += m.steps;
    mixed += m.mixed;
  }
  return steps === 0 ? 0 : mixed / steps;
}

/** Share of completions well-formed with a readable think. */
export function readabilityRate(rs: readonly Pick<Rollout, 'text' | 'reward'>[]): number {
  if (rs.length === 0) return 0;
  return rs.filter((r) => r.reward.format === 1 && isReadable(thinkText(r.text))).length / rs.length;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export async function scoreStage(
  policy: PolicyModel,
  opts: {
    difficulty: number;
    evalSize: number;
    samples: number;
    temperature: number;
    maxNewTokens: number;
    heldOutSeed: number;
    seed: number;
  },
): Promise<StageScores> {
  const problems = heldOutBothLanguages(opts.difficulty, opts.evalSize, opts.heldOutSeed);
  const ev = await evaluate(policy, problems, {
    samples: opts.samples,
    temperature: opts.temperature,
    maxNewTokens: opts.maxNewTokens,
    passAtK: [opts.samples],
    rng: new Rng(opts.seed).child('r1').child('score'),
    batchSize: 128,
  });
  const s = ev.sampledRollouts;
  const byLanguage = Object.fromEntries(
    LANGUAGES.map((l) => {
      const g = ev.greedyRollouts.filter((r) => r.problem.language === l);
      const sl = s.filter((r) => r.problem.language === l);
      return [
        l,
        {
          greedy: mean(g.map((r) => r.reward.accuracy)),
          pass1: mean(sl.map((r) => r.reward.accuracy)),
          mixing: poolMixing(sl),
        },
      ];
    }),
  ) as Record<Language, LanguageScores>;
  return {
    greedy: ev.greedyAccuracy,
    pass1: ev.pass1,
    passK: ev.passAtK[opts.samples]!,
    k: opts.samples,
    format: ev.sampled.formatRate,
    thinkLength: ev.sampled.thinkLen,
    mixing: poolMixing(s),
    readability: readabilityRate(s),
    reflection: ev.sampled.reflectiveFrac,
    byLanguage,
  };
}
