// A reasoning trace as data: a list of steps ("7+5=12") and words ("no", "wait check"), then "so <answer>".
// Worked and reflective solutions are built as traces and rendered once, so a reflective solution can
// corrupt one step of a worked one without re-parsing text. Rendering: items joined by single spaces,
// then " so <answer>"; e.g. "7+5=12 3+4+1=8 so 82".
import { completionFrom } from '../template.ts';

export type TraceItem = { kind: 'step'; lhs: string; value: string } | { kind: 'word'; text: string };

export interface Trace {
  items: TraceItem[];
  /** What goes in the answer block; the think ends with "so <answer>". */
  answer: string;
}

export const step = (lhs: string, value: number | string): TraceItem => ({ kind: 'step', lhs, value: String(value) });
export const word = (text: string): TraceItem => ({ kind: 'word', text });

export function renderItem(item: TraceItem): string {
  return item.kind === 'step' ? `${item.lhs}=${item.value}` : item.text;
}

/** The think text of a trace. */
export function renderThink(trace: Trace): string {
  return [...trace.items.map(renderItem), `so ${trace.answer}`].join(' ');
}

/** The completion (think, </think>, answer block, <eos>) of a trace. */
export function traceCompletion(trace: Trace): string {
  return completionFrom(renderThink(trace), trace.answer);
}
