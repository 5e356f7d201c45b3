// Rollouts: G sampled completions per prompt, each scored by the world's rule-based reward.
//   for each problem q_j: o_{j,1..G} ~ π(· | promptFor(q_j)),   r_{j,k} = rewardBreakdown(q_j, o_{j,k})
// A completion ends at <eos> or </answer> or at maxNewTokens; one that hits the limit is truncated and earns
// 0 (world/rewards.ts; pitfalls §10.2, §10.6). Every row draws from its own Rng (the caller derives it from
// (step, prompt, sample)), so results do not depend on how rows are batched.
// summarizeRollouts gives what a batch of them says about the policy: reward, accuracy, format and truncation
// rates; length (tokens) over all / correct / incorrect completions (Dr. GRPO's length-bias lens); think length
// (characters), reflection rate and the share of completions that reflect at all (R1's "wait" frequency).
// Means of an empty subset are null (JSON has no NaN); sums run in rollout order.
// Source: reference/grpo-and-r1-zero.md §1 (G samples per question), §2 (R1-Zero template and rewards), §7.
import type { Rng } from '../core/rng.ts';
import {
  ANSWER_END_ID,
  EOS_ID,
  PAD_ID,
  decode,
  encode,
  promptFor,
  reflectionCount,
  reflectionRate,
  rewardBreakdown,
  thinkLength,
  type Problem,
  type RewardBreakdown,
} from '../world/index.ts';
import type { PolicyModel } from '../model/policy.ts';

export interface SamplingOptions {
  temperature: number;
  topK?: number;
  topP?: number;
  maxNewTokens: number;
}

export interface RolloutOptions extends SamplingOptions {
  groupSize: number;
  /** The stream of sample k of problem j. */
  rngFor: (problem: number, sample: number) => Rng;
  /** Rows per generate call (default: all at once). Results are the same for any value. */
  batchSize?: number;
  /** Weight of the language-consistency reward (world/rewards.ts; 0 or absent: none). */
  languageWeight?: number;
  /** Weight of Countdown's repetition term (world/rewards.ts; 0 or absent: none). */
  repetitionWeight?: number;
}

export interface Rollout {
  problem: Problem;
  /** Index of the problem in the list, and of the sample within its group. */
  problemIndex: number;
  sample: number;
  prompt: number[];
  completion: number[];
  text: string;
  finish: 'stop' | 'length';
  reward: RewardBreakdown;
  /** Completion tokens (the stop token included). */
  length: number;
  /** Characters of the think (world/reflection.ts). */
  thinkLength: number;
  reflectionWords: number;
  reflectionRate: number;
}

/** The stop ids of the R1-Zero template: a completion is over at <eos> or </answer>. */
export const STOP_IDS: readonly number[] = [EOS_ID, ANSWER_END_ID];

/** Score one completion of a problem. */
export function scoreCompletion(
  problem: Problem,
  completion: number[],
  finish: 'stop' | 'length',
  languageWeight = 0,
  repetitionWeight = 0,
): Omit<Rollout, 'problemIndex' | 'sample' | 'prompt'> {
  const text = decode(completion);
  return {
    problem,
    completion,
    text,
    finish,
    reward: rewardBreakdown(problem, text, { truncated: finish === 'length', languageWeight, repetitionWeight }),
    length: completion.length,
    thinkLength: thinkLength(text),
    reflectionWords: reflectionCount(text),
    reflectionRate: reflectionRate(text),
  };
}

/** G completions per problem, laid out group by group (problem 0's G samples, then problem 1's, …). */
export async function rollout(
  policy: PolicyModel,
  problems: readonly Problem[],
  opts: RolloutOptions,
): Promise<Rollout[]> {
  const rows: { j: number; k: number; prompt: number[] }[] = [];
  problems.forEach((p, j) => {
    const prompt = encode(promptFor(p));
    if (prompt.length + opts.maxNewTokens > policy.maxSeqLen) {
      throw new RangeError(
        `a prompt of ${prompt.length} tokens plus maxNewTokens ${opts.maxNewTokens} exceeds the model's maxSeqLen ${policy.maxSeqLen} ('${p.prompt}')`,
      );
    }
    for (let k = 0; k < opts.groupSize; k++) rows.push({ j, k, prompt });
  });
  const size = opts.batchSize ?? Math.max(1, rows.length);
  const out: Rollout[] = [];
  for (let from = 0; from < rows.length; from += size) {
    const chunk = rows.slice(from, from + size);
    const gens = await policy.generate(
      chunk.map((r) => r.prompt),
      {
        maxNewTokens: opts.maxNewTokens,
        temperature: opts.temperature,
        topK: opts.topK,
        topP: opts.topP,
        stopIds: [...STOP_IDS],
        padId: PAD_ID,
        rng: chunk.map((r) => opts.rngFor(r.j, r.k)),
      },
    );
    chunk.forEach((r, i) => {
      const g = gens[i]!;
      out.push({
        ...scoreCompletion(problems[r.j]!, g.tokens, g.finish, opts.languageWeight, opts.repetitionWeight),
        problemIndex: r.j,
        sample: r.k,
        prompt: r.prompt,
      });
    });
  }
  return out;
}

export interface RolloutSummary {
  count: number;
  reward: number;
  accuracy: number;
  formatRate: number;
  truncationRate: number;
  lenAll: number;
  lenCorrect: number | null;
  lenIncorrect: number | null;
  thinkLen: number;
  reflectionRate: number;
  reflectiveFrac: number;
}

function meanOrNull(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

export function summarizeRollouts(rs: readonly Rollout[]): RolloutSummary {
  if (rs.length === 0) throw new Error('summarizeRollouts: no rollouts');
  const m = (f: (r: Rollout) => number) => meanOrNull(rs.map(f))!;
  return {
    count: rs.length,
    reward: m((r) => r.reward.total),
    accuracy: m((r) => r.reward.accuracy),
    formatRate: m((r) => r.reward.format),
    truncationRate: m((r) => (r.reward.truncated ? 1 : 0)),
    lenAll: m((r) => r.length),
    lenCorrect: meanOrNull(rs.filter((r) => r.reward.accuracy === 1).map((r) => r.length)),
    lenIncorrect: meanOrNull(rs.filter((r) => r.reward.accuracy === 0).map((r) => r.length)),
    thinkLen: m((r) => r.thinkLength),
    reflectionRate: m((r) => r.reflectionRate),
    reflectiveFrac: m((r) => (r.reflectionWords > 0 ? 1 : 0)),
  };
}
