// Measures of a completion's thinking, for RL logs and lessons: how long the think is, and how often it
// uses reflection words (the R1 paper's Nature supplement tracks such words rising 5-7x during RL).
//   thinkLength(text)     = characters between the prompt's <think> and </think> (to the end if unclosed)
//   reflectionCount(text) = whole-word occurrences of REFLECTION_WORDS in the think
//   reflectionRate(text)  = reflectionCount / words in the think (0 for an empty think)
// Caveat (Dr. GRPO, App. D, reference §7): "wait" is a false-positive-prone marker in real text and that
// paper leaves it out; in this world it only ever appears in reflective traces, so we count it, but pass
// `words` without it to reproduce their stricter measure.
import { THINK_END } from './tokenizer.ts';
import { completionOf } from './template.ts';

/** Reflection markers: the R1 Nature supplement's list that fits this world plus Dr. GRPO's re- words. */
export const REFLECTION_WORDS: readonly string[] = Object.freeze([
  'wait',
  'check',
  'recheck',
  'verify',
  'retry',
  'mistake',
  'wrong',
  'error',
  'rethink',
  'reconsider',
  'reevaluate',
]);

/** The think text of a completion or a whole document. */
export function thinkText(text: string): string {
  const c = completionOf(text);
  const end = c.indexOf(THINK_END);
  return end < 0 ? c : c.slice(0, end);
}

export function thinkLength(text: string): number {
  return thinkText(text).length;
}

function thinkWords(text: string): string[] {
  return thinkText(text)
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

export function reflectionCount(text: string, words: readonly string[] = REFLECTION_WORDS): number {
  const set = new Set(words);
  return thinkWords(text).filter((w) => set.has(w)).length;
}

export function reflectionRate(text: string, words: readonly string[] = REFLECTION_WORDS): number {
  const all = thinkWords(text);
  if (all.length === 0) return 0;
  const set = new Set(words);
  return all.filter((w) => set.has(w)).length / all.length;
}
