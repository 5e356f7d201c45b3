// The R1-Zero prompt template in miniature (reference/grpo-and-r1-zero.md §2, Table 1 of the R1 paper).
// The real template asks the assistant to put its reasoning in <think> </think> and its answer in
// <answer> </answer>; ours keeps only that contract, short enough for a 64–160 token context:
//   prompt     = <bos>q:37+85=?\na:<think>
//   completion = 7+5=12 3+8+1=12 so 122</think><answer>122</answer><eos>
// Like TinyZero's prompt, ours pre-fills "<think>", so a *completion* (what the model generates) starts
// inside the think: a well-formed one has no <think>, one </think>, then exactly one answer block.
import type { Problem } from './problems/types.ts';
import { ANSWER, ANSWER_END, BOS, EOS, PAD, THINK, THINK_END } from './tokenizer.ts';

/** What a prompt adds to ask for thinking in words (issue 14: "the prompt says which language the thinking
 * should use"); a prompt without it asks for symbols, so every earlier prompt is unchanged. */
export const IN_WORDS = ' in words';

/** The text the model is conditioned on; it ends right after the opening <think>. */
export function promptFor(problem: Pick<Problem, 'prompt'> & Pick<Partial<Problem>, 'language'>): string {
  return `${BOS}q:${problem.prompt}=?${problem.language === 'words' ? IN_WORDS : ''}\na:${THINK}`;
}

/** A completion with the given think text and answer, closed by <eos>. */
export function completionFrom(think: string, answer: string): string {
  return `${think}${THINK_END}${ANSWER}${answer}${ANSWER_END}${EOS}`;
}

/** A whole training document: prompt followed by completion. */
export function documentFor(
  problem: Pick<Problem, 'prompt'> & Pick<Partial<Problem>, 'language'>,
  completion: string,
): string {
  return promptFor(problem) + completion;
}

/** The completion part of a document (everything after its first <think>); a text without <think> is
 * taken to be a completion already. */
export function completionOf(text: string): string {
  const i = text.indexOf(THINK);
  return i < 0 ? text : text.slice(i + THINK.length);
}

export interface ParsedCompletion {
  /** Text before the first </think>, or null when there is none. */
  think: string | null;
  /** Trimmed content of the single <answer>…</answer> block, or null when there is not exactly one. */
  answer: string | null;
  /** Whether an <eos> closes the completion. */
  hasEos: boolean;
  /** Why the completion is not well-formed; empty iff it is. */
  problems: string[];
}

const TAG = /<\/?think>|<\/?answer>|<bos>|<eos>|<pad>/g;
const isBlank = (s: string): boolean => s.trim().length === 0;

function count(tags: readonly { tag: string }[], tag: string): number {
  return tags.filter((t) => t.tag === tag).length;
}

function times(n: number, what: string): string {
  return `${n === 2 ? 'two' : n} ${what} tags`;
}

/** Splits a completion into think and answer and lists every structural problem (never throws).
 * Whitespace is tolerated around tags; nothing but whitespace may stand between </think> and <answer>
 * or after </answer>, except one <eos> (and padding after it). */
export function parseCompletion(text: string): ParsedCompletion {
  const tags = [...text.matchAll(TAG)].map((m) => ({ tag: m[0], at: m.index!, end: m.index! + m[0].length }));
  const problems: string[] = [];
  const nThinkOpen = count(tags, THINK);
  const nThinkEnd = count(tags, THINK_END);
  const nAnswer = count(tags, ANSWER);
  const nAnswerEnd = count(tags, ANSWER_END);
  const nEos = count(tags, EOS);

  if (nThinkOpen > 0) problems.push('repeated <think> (the prompt already opens it)');
  if (count(tags, BOS) > 0) problems.push('<bos> inside the completion');
  if (nThinkEnd === 0) problems.push('no </think>');
  if (nThinkEnd > 1) problems.push(times(nThinkEnd, '</think>'));

  let answer: string | null = null;
  if (nAnswer === 0) problems.push('no answer tag');
  else if (nAnswer > 1) problems.push(times(nAnswer, 'answer'));
  else if (nAnswerEnd === 0) problems.push('truncated: <answer> is never closed');
  else if (nAnswerEnd > 1) problems.push(times(nAnswerEnd, '</answer>'));
  else {
    const open = tags.find((t) => t.tag === ANSWER)!;
    const close = tags.find((t) => t.tag === ANSWER_END)!;
    if (close.at < open.at) problems.push('</answer> before <answer>');
    else {
      const inner = tags.filter((t) => t.at > open.at && t.at < close.at);
      if (inner.length > 0) problems.push(`${inner[0]!.tag} inside the answer`);
      else answer = text.slice(open.end, close.at).trim();
    }
  }
  if (answer === '') problems.push('empty answer');

  // The order of the structural tags must be exactly </think> <answer> </answer> [<eos>], pads after.
  const firstThinkEnd = tags.find((t) => t.tag === THINK_END);
  const think = firstThinkEnd ? text.slice(0, firstThinkEnd.at) : null;
  const eosTag = tags.find((t) => t.tag === EOS);
  if (tags.some((t) => t.tag === PAD && (!eosTag || t.at < eosTag.at))) problems.push('<pad> before <eos>');
  if (problems.length === 0) {
    const seq = tags.filter((t) => t.tag !== PAD);
    const order = seq.map((t) => t.tag);
    const expected = nEos > 0 ? [THINK_END, ANSWER, ANSWER_END, EOS] : [THINK_END, ANSWER, ANSWER_END];
    if (order.join(' ') !== expected.join(' ')) {
      problems.push(nEos > 1 ? times(nEos, '<eos>') : `tags out of order: ${order.join(' ')}`);
    } else {
      const [te, ao, ac, eos] = seq;
      if (!isBlank(text.slice(te!.end, ao!.at))) problems.push('text between </think> and <answer>');
      if (!isBlank(text.slice(ac!.end, eos ? eos.at : text.length))) problems.push('text after </answer>');
      if (eos && !isBlank(text.slice(eos.end).split(PAD).join(''))) problems.push('text after <eos>');
    }
  }
  return { think, answer, hasEos: nEos > 0, problems };
}
