// The two data filters of the R1 pipeline, as pure functions of scored samples (issue 14 item 3):
//   cold start   keep a zero sample iff it is right, thinks in steps whose arithmetic is right, and its think,
//                rewritten by the deterministic rewriter (world/languages/rewrite.ts), is readable (nothing broken,
//                no repeated step); one per question, written for the question asked in each language (the trace
//                translated into it), so the set teaches both scripts even though zero solves words prompts rarely
//                (R1 Suppl. B.3.2: right answers only, repetition and mixing filtered, thinking translated)
//   rejection    keep a sample iff it is right, well-formed, every step in the prompt's language and readable;
//                identical completions of one prompt kept once (R1 §2.3.3: correct only, mixed-language removed)
//   easy         non-reasoning data: direct answers, empty think, to 1-digit additions ("trivial queries get no CoT")
import type { Rng } from '../../core/rng.ts';
import type { SftRecord } from '../../train/sft-data.ts';
import {
  completionFrom,
  evaluateArithmetic,
  renderStep,
  type ThinkStep,
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
  const steps = thinkSteps(thinkText(s.text));
  if (steps.length === 0) return 'no steps';
  if (!steps.every(stepIsRight)) return 'a wrong step';
  if (!isReadable(thinkText(rewriteCompletion(s.text, languageOf(s.problem))))) return 'unreadable';
  return null;
}

/** A step's arithmetic is right: its left-hand side evaluates to its value (the exact oracle of steps.ts). */
export function stepIsRight(step: ThinkStep): boolean {
  const [lhs] = renderStep(step, 'symbols').split('=');
  const r = evaluateArithmetic(lhs!);
  return r.ok && r.value.equals(step.value);
}

/** The cold-start set: curated samples in sample order, one per question, each written for the question in
 * both languages (the trace rewritten into each); at most `size` records. */
export function coldStartRecords(samples: readonly Sample[], size: number): SftRecord[] {
  const seen = new Set<string>();
  const out: SftRecord[] = [];
  for (const s of samples) {
    if (out.length + LANGUAGES.length > size) break;
    const key = problemKey(s.problem);
    if (seen.has(key) || coldStartReject(s) !== null) continue;
    seen.add(key);
    for (const language of LANGUAGES)
      out.push(record({ ...s.problem, language }, rewriteCompletion(s.text, language), 'cold-start'));
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
