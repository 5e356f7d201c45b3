// Steps as a first-class notion: a completion's think split into the steps a reader checks one by one, each
// with an EXACT oracle (reference/r1-story-beyond-zero.md §7: the one thing no PRM paper had).
//   right    the step's arithmetic: value = the exact value of its left-hand side
//   onTrack  the problem can still be solved from here:
//            column arithmetic / expressions — every step so far equals the worked solution's step at the
//            same place (the answer is assembled from these values, so one wrong value loses it);
//            Countdown — the path so far is right and legal and the target is made or still reachable by
//            pair combination (exhaustive search, countdown/pairs.ts); "try"/"no" start a fresh path.
// Steps are the trace items of the form "lhs=value" (worked.ts, countdown/search-trace.ts); a Countdown
// "check 8+7=15" is a step of its own (its oracle is `right`; it moves no state), as is every step of a path check.
import { evaluateArithmetic } from './arith.ts';
import { parseSearch } from './countdown/parse.ts';
import type { Problem } from './problems/types.ts';
import { thinkText } from './reflection.ts';
import { workedTrace } from './solutions/worked.ts';

export interface TraceStep {
  /** "7+5=12" as written. */
  text: string;
  /** Character offsets of the step in the think. */
  start: number;
  end: number;
  role: 'step' | 'backward' | 'check';
  right: boolean;
  onTrack: boolean;
}

const ARITH_STEP = /^([0-9+\-*/]+)=(\d+)$/;

function arithmeticSteps(problem: Problem, think: string): TraceStep[] {
  const worked = workedTrace(problem).items.flatMap((it) => (it.kind === 'step' ? [`${it.lhs}=${it.value}`] : []));
  const out: TraceStep[] = [];
  let onTrack = true;
  for (const m of think.matchAll(/\S+/g)) {
    if (m[0] === 'so') break;
    const s = ARITH_STEP.exec(m[0]);
    if (s === null) continue;
    const r = evaluateArithmetic(s[1]!);
    const right = r.ok && r.value.equals(Number(s[2]));
    onTrack = onTrack && m[0] === worked[out.length];
    out.push({ text: m[0], start: m.index!, end: m.index! + m[0].length, role: 'step', right, onTrack });
  }
  return out;
}

function countdownSteps(problem: Problem, think: string): TraceStep[] {
  const { numbers, target } = problem;
  if (numbers === undefined || target === undefined) throw new Error('countdown: problem without numbers or target');
  const parsed = parseSearch(think, numbers, target);
  const out: TraceStep[] = [];
  let onTrack = true;
  parsed.items.forEach((it, i) => {
    if (it.kind === 'check') {
      // A path check is a step per recomputed step.
      for (const st of it.steps) {
        const text = `${st.a}${st.op}${st.b}=${st.value}`;
        out.push({ text, start: st.at, end: st.at + text.length, role: 'check', right: st.right, onTrack });
      }
      return;
    }
    if (it.kind !== 'step') return;
    const start = parsed.offsets[i]!;
    const text = `${it.a}${it.op}${it.b}=${it.value}`;
    if (it.role === 'forward') onTrack = it.onTrack;
    out.push({
      text,
      start,
      end: start + text.length,
      role: it.role === 'backward' ? 'backward' : 'step',
      right: it.right,
      onTrack: onTrack && (it.role === 'forward' || it.right),
    });
  });
  return out;
}

/** The steps of a completion (or of a whole document) with their oracle labels, in order. */
export function splitSteps(problem: Problem, text: string): TraceStep[] {
  const think = thinkText(text);
  return problem.kind === 'countdown' ? countdownSteps(problem, think) : arithmeticSteps(problem, think);
}
