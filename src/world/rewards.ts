// Rule-based rewards, as in R1-Zero (reference §2.2.2): accuracy and format only, both 0/1, pure functions
// of (problem, completion). Deliberately NO term looks at length (Dr. GRPO §7: length is a bias to
// measure, not to reward) and no neural judge (reward hacking).
//   total = REWARD_WEIGHTS.accuracy · accuracy + REWARD_WEIGHTS.format · format = 1·acc + 0.1·fmt
// The 0.1 echoes TinyZero's 0 / 0.1 / 1 scheme (§5): a well-formed wrong answer earns a little, so a base
// model learns the tags early, but never enough to beat being right (accuracy already requires format).
// A truncated completion (generation hit max length) earns 0 on both and is flagged (pitfalls §10.2, §10.6).
// R1's reasoning RL adds a third rule, language consistency (§2.3.2, Nature eq. 7; issue 14), with a weight w:
//   total += w · languageReward,  languageReward = share of the think's step lexemes in the prompt's language
// (languages/measures.ts). w = 0 (the default) leaves R1-Zero's reward exactly as it was.
// Countdown may subtract a repetition term (off by default; countdown/repetition.ts), truncated or not, since a
// search that loops until the budget ends is the one it is for:
//   total −= w_rep · repeatedShare,  repeatedShare = share of the think's paths that rewrite an earlier one
import type { Problem } from './problems/types.ts';
import { parseCompletion } from './template.ts';
import { verify } from './verifier.ts';
import { languageConsistency } from './languages/measures.ts';
import { thinkText } from './reflection.ts';
import { repeatedShare } from './countdown/repetition.ts';

export const REWARD_WEIGHTS = Object.freeze({ accuracy: 1, format: 0.1 });

export interface RewardOptions {
  /** Generation stopped at the length limit without <eos> or </answer>. */
  truncated?: boolean;
  /** w of the language-consistency reward (R1 eq. 7); absent or 0: R1-Zero's two rewards only. */
  languageWeight?: number;
  /** w_rep of the Countdown repetition term (countdown/repetition.ts); absent or 0: none. */
  repetitionWeight?: number;
}

export interface RewardBreakdown {
  accuracy: 0 | 1;
  format: 0 | 1;
  total: number;
  /** 'correct', or the first reason the completion lost reward. */
  reason: string;
  truncated: boolean;
  /** The answer text that was checked, when there was one. */
  extracted?: string;
  /** The language-consistency reward in [0, 1], when a language weight > 0 was asked for. */
  language?: number;
  /** The share of a Countdown think's paths that repeat an earlier one, when a repetition weight > 0 was asked for. */
  repetition?: number;
}

/** R1's language-consistency reward: the share of the think's step lexemes in the language the prompt asks for
 * (symbols when it asks for none); 1 for a think without steps. */
export function languageReward(problem: Pick<Problem, 'language'>, text: string): number {
  return languageConsistency(thinkText(text), problem.language ?? 'symbols');
}

/** 1 iff the completion is exactly: think text, </think>, one <answer>…</answer>, optionally <eos>. */
export function formatReward(text: string): 0 | 1 {
  return parseCompletion(text).problems.length === 0 ? 1 : 0;
}

/** 1 iff the answer verifies AND the format is valid (a right number in a broken frame earns nothing). */
export function accuracyReward(problem: Problem, text: string): 0 | 1 {
  return formatReward(text) === 1 && verify(problem, text).correct ? 1 : 0;
}

/** Countdown's repeated-path share of a completion's think, or 0 for another task. */
function repetitionOf(problem: Problem, text: string): number {
  if (problem.kind !== 'countdown' || problem.numbers === undefined || problem.target === undefined) return 0;
  return repeatedShare(thinkText(text), problem.numbers, problem.target);
}

export function rewardBreakdown(problem: Problem, text: string, options: RewardOptions = {}): RewardBreakdown {
  const truncated = options.truncated === true;
  const w = options.languageWeight ?? 0;
  const wRep = options.repetitionWeight ?? 0;
  const repetition = wRep > 0 ? repetitionOf(problem, text) : 0;
  const rep = wRep > 0 ? { repetition } : {};
  if (truncated)
    return {
      accuracy: 0,
      format: 0,
      total: wRep > 0 ? -wRep * repetition : 0,
      reason: 'truncated',
      truncated,
      ...(w > 0 ? { language: 0 } : {}),
      ...rep,
    };
  const parsed = parseCompletion(text);
  const format: 0 | 1 = parsed.problems.length === 0 ? 1 : 0;
  const verdict = verify(problem, text);
  const accuracy: 0 | 1 = format === 1 && verdict.correct ? 1 : 0;
  const reason = format === 0 ? `format: ${parsed.problems[0]}` : verdict.reason;
  const language = w > 0 ? languageReward(problem, text) : 0;
  const total = REWARD_WEIGHTS.accuracy * accuracy + REWARD_WEIGHTS.format * format + w * language - wRep * repetition;
  const out: RewardBreakdown = { accuracy, format, total, reason, truncated, ...rep };
  if (verdict.extracted !== undefined) out.extracted = verdict.extracted;
  if (w > 0) out.language = language;
  return out;
}
