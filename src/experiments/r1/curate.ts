// The two data filters of the R1 pipeline, as pure functions of scored samples (issue 14 item 3):
//   cold start   keep a zero sample iff it is right, thinks in steps, and its think — rewritten into the prompt's
//                language by the deterministic rewriter (world/languages/rewrite.ts) — is readable (nothing
//                broken, no repeated step); at most one per prompt, at most half of the set per language
//                (R1 Suppl. B.3.2: right answers only, repetition and mixing filtered, thinking translated)
//   rejection    keep a sample iff it is right, well-formed, every step in the prompt's language and readable;
//                identical completions of one prompt kept once (R1 §2.3.3: correct only, mixed-language removed)
//   easy         non-reasoning data: direct answers, empty think, to 1-digit additions ("trivial queries get no CoT")
import type { Rng } from '../../core/rng.ts';
import type { SftRecord } from '../../train/sft-data.ts';
import {
  completionFrom,
  generateProblem,
  isReadable,
  LANGUAGES,
  problemKey,
  promptFor,
  rewriteCompletion,
  thinkSteps,
  thinkText,
  mixedSteps,
  type Problem,
  type RewardBreakdown,
} from '../../world/index.ts';

/** What the filters read of a sample (a Rollout has it). */
export interface Sample {
  problem: Problem;
  text: string;
  reward: Pick<RewardBreakdown, 'accuracy' | 'format'>;
}

const languageOf = (p: Problem) => p.language ?? 'symbols';
const record = (problem: Problem, completion: string, source: string): SftRecord => ({
  prompt: promptFor(problem),
  completion,
  problem: problem.prompt,
  language: languageOf(problem),
  source,
});

/** Why a zero sample is not cold-start material, or null when it is (after rewriting). */
export function coldStartReject(s: Sample): string | null {
  if (s.reward.accuracy !== 1) return 'wrong';
  if (thinkSteps(thinkText(s.text)).length === 0) return 'no steps';
  if (!isReadable(thinkText(rewriteCompletion(s.text, languageOf(s.problem))))) return 'unreadable';
  return null;
}

/** The cold-start set: curated samples, rewritten into their prompt's language, in sample order. */
export function coldStartRecords(samples: readonly Sample[], size: number): SftRecord[] {
  const perLanguage = Math.ceil(size / 2);
  const count = new Map<string, number>();
  const seen = new Set<string>();
  const out: SftRecord[] = [];
  for (const s of samples) {
    if (out.length >= size) break;
    const lang = languageOf(s.problem);
    const key = `${lang}:${problemKey(s.problem)}`;
    if (seen.has(key) || (count.get(lang) ?? 0) >= perLanguage || coldStartReject(s) !== null) continue;
    seen.add(key);
    count.set(lang, (count.get(lang) ?? 0) + 1);
    out.push(record(s.problem, rewriteCompletion(s.text, lang), 'cold-start'));
  }
  return out;
}

/** Rejection sampling's rule: right, well-formed, wholly in the prompt's language, readable. */
export function rejectionKeeps(s: Sample): boolean {
  const think = thinkText(s.text);
  return (
    s.reward.accuracy === 1 &&
    s.reward.format === 1 &&
    mixedSteps(think, languageOf(s.problem)).mixed === 0 &&
    isReadable(think)
  );
}

/** The kept samples as records, each distinct (prompt, completion) once. */
export function rejectionRecords(samples: readonly Sample[]): SftRecord[] {
  const seen = new Set<string>();
  const out: SftRecord[] = [];
  for (const s of samples) {
    if (!rejectionKeeps(s)) continue;
    const key = `${promptFor(s.problem)}\u0000${s.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(record(s.problem, s.text, 'rejection'));
  }
  return out;
}

/** n direct answers to 1-digit additions, alternating the prompt's language. */
export function easyRecords(n: number, rng: Rng): SftRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const p: Problem = { ...generateProblem('add', rng.child(`e${i}`), 1), language: LANGUAGES[i % 2]! };
    return record(p, completionFrom('', p.answer), 'easy');
  });
}
