// Reading a Countdown think exactly: the search-trace language of this world, item by item, with the state of
// the search after each item and the exact oracle of every step. Items are separated by spaces:
//   8*7=56            a forward step: two numbers of the current state → their result (state − {8,7} + {56})
//   56/7=8            a backward step: one operand is the target (working back from it; the state is unchanged)
//   need 8 from 3 5   a subgoal: make 8 from these numbers
//   check 8+7=15      a verification: the last forward step recomputed
//   check 3+5=8 8*7=56  ... or the whole current path recomputed in order from the given numbers (a path check:
//                     as many steps as the path has forward steps; a wrong value carries into the later steps)
//   15=56?            a written comparison: the value under test against the target, side by side
//   yes | no          a verdict: is the value under test (the comparison's, else the check's, else the last
//                     step's) the target?
//   try               backtracking: abandon the path, start again from the given numbers ("no" also ends a path)
//   so <answer>       the end of the think
// Anything else is an `other` item. The oracle: a step is `right` iff its value is the exact a op b over the
// positive integers; `legal` iff its operands are in the state; a prefix is `onTrack` iff every forward step of
// the current path is right and legal and the target is made or still `solvable` (pairs.ts) from the state.
import { COUNTDOWN_OPS, type CountdownOp } from '../problems/countdown.ts';
import { moveValue, removeOnce, solvable } from './pairs.ts';

const STEP = /^(\d+)([+\-*/])(\d+)=(\d+)$/;
const COMPARE = /^(\d+)=(\d+)\?$/;

export interface StepText {
  a: number;
  op: CountdownOp;
  b: number;
  value: number;
}

/** "8*7=56" → {a: 8, op: '*', b: 7, value: 56}; null for anything else. */
export function parseStepText(text: string): StepText | null {
  const m = STEP.exec(text);
  if (m === null || !COUNTDOWN_OPS.includes(m[2] as CountdownOp)) return null;
  return { a: Number(m[1]), op: m[2] as CountdownOp, b: Number(m[3]), value: Number(m[4]) };
}

export type CdItem =
  | (StepText & {
      kind: 'step';
      role: 'forward' | 'backward';
      right: boolean;
      legal: boolean;
      onTrack: boolean;
      state: number[];
      startsPath: boolean;
    })
  | (StepText & {
      kind: 'check';
      /** The recomputed steps in order (one, or the whole path); a, op, b, value above are the last of them. */
      steps: CheckStep[];
      /** Every recomputed value is the true a op b. */
      right: boolean;
      /** index of the forward step it recomputes (null: none before) */ of: number | null;
      /** One step: it recomputes the last forward step (same a op b). A path check: it recomputes every forward
       * step of the current path in order, each from the given numbers and the check's own earlier values. */
      sameStep: boolean;
    })
  | {
      kind: 'verdict';
      says: 'yes' | 'no';
      /** the value under test */ value: number | null;
      /** whether the value is tested against a subgoal ("need G from …", then its steps, then the verdict) rather
       * than the target */ subgoal: boolean;
      right: boolean | null;
    }
  | {
      kind: 'compare';
      /** The value written as under test, and what it is compared with (the target when written right). */
      value: number;
      against: number;
      /** The value is the one under test before it (the last step's or the check's). */
      copied: boolean;
    }
  | { kind: 'try' }
  | { kind: 'need'; goal: number; from: number[]; sound: boolean }
  | { kind: 'so'; answer: string }
  | { kind: 'other'; text: string };

export interface CheckStep extends StepText {
  right: boolean;
  /** Character offset of the step in the think. */
  at: number;
}

const COMMUTES: readonly CountdownOp[] = ['+', '*'];

/** Does `check` recompute `path` (its forward steps, from the given numbers) step by step? Each check step has the
 * path step's op and operands, where an operand that a path step made is replaced by the check's value for that
 * step (a person plugging the numbers back in carries the true value on); + and * may swap their operands. */
export function recomputesPath(numbers: readonly number[], path: readonly StepText[], check: readonly StepText[]) {
  if (path.length !== check.length) return false;
  const pool = numbers.map((v) => ({ written: v, now: v }));
  const take = (v: number): number | null => {
    const k = pool.findIndex((p) => p.written === v);
    return k < 0 ? null : pool.splice(k, 1)[0]!.now;
  };
  return path.every((p, i) => {
    const c = check[i]!;
    const [x, y] = [take(p.a), take(p.b)];
    pool.push({ written: p.value, now: c.value });
    if (x === null || y === null || c.op !== p.op) return false;
    return (c.a === x && c.b === y) || (COMMUTES.includes(c.op) && c.a === y && c.b === x);
  });
}

export interface ParsedSearch {
  items: CdItem[];
  /** Character offset in the think where each item starts. */
  offsets: number[];
}

/** Parses a Countdown think (the text before </think>) against the problem's numbers and target. */
export function parseSearch(think: string, numbers: readonly number[], target: number): ParsedSearch {
  const words: { text: string; at: number }[] = [];
  for (const m of think.matchAll(/\S+/g)) words.push({ text: m[0], at: m.index! });
  const items: CdItem[] = [];
  const offsets: number[] = [];
  let state = numbers.slice();
  let pathOk = true;
  let lastForward: number | null = null;
  // Forward steps of the current path (since the last "try" or "no"), for a path check.
  let pathSteps: number[] = [];
  let reset = true;
  let underTest: number | null = null;
  // A subgoal "need G from X" is met by |X| − 1 steps; a verdict right after the last of them tests G.
  let pending: { value: number; steps: number } | null = null;
  let subgoalDue = false;
  const push = (item: CdItem, at: number) => {
    items.push(item);
    offsets.push(at);
  };
  for (let i = 0; i < words.length; i++) {
    const { text, at } = words[i]!;
    if (text === 'so') {
      push({ kind: 'so', answer: think.slice(at + 2).trim() }, at);
      break;
    }
    const s = parseStepText(text);
    if (s !== null) {
      const right = moveValue(s.a, s.op, s.b) === s.value;
      const backward = (s.a === target || s.b === target) && !state.includes(target);
      if (backward) {
        push(
          {
            kind: 'step',
            ...s,
            role: 'backward',
            right,
            legal: true,
            onTrack: pathOk,
            state: state.slice(),
            startsPath: false,
          },
          at,
        );
        continue;
      }
      const rest = removeOnce(state, [s.a, s.b]);
      const legal = rest !== null;
      state = [...(rest ?? state), s.value];
      pathOk = pathOk && legal && right;
      const onTrack = pathOk && (s.value === target || solvable(state, target));
      lastForward = items.length;
      pathSteps.push(items.length);
      underTest = s.value;
      subgoalDue = pending !== null && --pending.steps === 0;
      if (pending !== null && pending.steps < 0) pending = null;
      push({ kind: 'step', ...s, role: 'forward', right, legal, onTrack, state: state.slice(), startsPath: reset }, at);
      reset = false;
      continue;
    }
    if (text === 'check' && i + 1 < words.length && parseStepText(words[i + 1]!.text) !== null) {
      // One step, or up to as many as the current path has: a path check.
      const steps: CheckStep[] = [];
      do {
        const w = words[++i]!;
        const c = parseStepText(w.text)!;
        steps.push({ ...c, right: moveValue(c.a, c.op, c.b) === c.value, at: w.at });
      } while (steps.length < pathSteps.length && i + 1 < words.length && parseStepText(words[i + 1]!.text) !== null);
      const c = steps[steps.length - 1]!;
      const f = lastForward === null ? null : (items[lastForward] as Extract<CdItem, { kind: 'step' }>);
      const sameStep =
        steps.length === 1
          ? f !== null && f.a === c.a && f.op === c.op && f.b === c.b
          : recomputesPath(
              numbers,
              pathSteps.map((k) => items[k] as Extract<CdItem, { kind: 'step' }>),
              steps,
            );
      underTest = c.value;
      ({ pending, subgoalDue } = { pending: null, subgoalDue: false });
      const { a, op, b, value } = c;
      const right = steps.every((st) => st.right);
      push({ kind: 'check', a, op, b, value, steps, right, of: lastForward, sameStep }, at);
      continue;
    }
    const cmp = COMPARE.exec(text);
    if (cmp !== null) {
      const value = Number(cmp[1]);
      push({ kind: 'compare', value, against: Number(cmp[2]), copied: value === underTest }, at);
      underTest = value;
      continue;
    }
    if (text === 'yes' || text === 'no') {
      const against = subgoalDue ? pending!.value : target;
      push(
        {
          kind: 'verdict',
          says: text,
          value: underTest,
          subgoal: subgoalDue,
          right: underTest === null ? null : (text === 'yes') === (underTest === against),
        },
        at,
      );
      ({ pending, subgoalDue } = { pending: null, subgoalDue: false });
      if (text === 'no')
        ({ state, pathOk, reset, pathSteps } = { state: numbers.slice(), pathOk: true, reset: true, pathSteps: [] });
      continue;
    }
    if (text === 'try') {
      ({ pending, subgoalDue } = { pending: null, subgoalDue: false });
      push({ kind: 'try' }, at);
      ({ state, pathOk, reset, pathSteps } = { state: numbers.slice(), pathOk: true, reset: true, pathSteps: [] });
      continue;
    }
    if (text === 'need' && i + 1 < words.length && /^\d+$/.test(words[i + 1]!.text)) {
      const goal = Number(words[++i]!.text);
      const from: number[] = [];
      if (i + 1 < words.length && words[i + 1]!.text === 'from') {
        i++;
        while (i + 1 < words.length && /^\d+$/.test(words[i + 1]!.text)) from.push(Number(words[++i]!.text));
      }
      // Sound: the numbers are at hand, the goal can be made from them, and the goal with the other numbers
      // can still make the target (or is it).
      const rest = removeOnce(state, from);
      const makes = from.length === 1 ? from[0] === goal : solvable(from, goal);
      const sound = rest !== null && makes && (goal === target || solvable([...rest, goal], target));
      pending = from.length > 1 ? { value: goal, steps: from.length - 1 } : null;
      subgoalDue = false;
      push({ kind: 'need', goal, from, sound }, at);
      continue;
    }
    push({ kind: 'other', text }, at);
  }
  return { items, offsets };
}

export interface BehaviourCounts {
  /** Verdicts (yes/no): explicit tests of a result against the target. */
  verification: number;
  /** Checks alone (recomputations). */
  checks: number;
  /** Paths abandoned for another: forward steps that start a new path after "try" or "no". */
  backtracking: number;
  /** "need" items. */
  subgoals: number;
  /** Backward steps (from the target). */
  backwardChaining: number;
  forwardSteps: number;
}

/** Gandhi et al.'s four behaviours, counted exactly by parsing (no model judge). */
export function countBehaviours(parsed: ParsedSearch): BehaviourCounts {
  const c: BehaviourCounts = {
    verification: 0,
    checks: 0,
    backtracking: 0,
    subgoals: 0,
    backwardChaining: 0,
    forwardSteps: 0,
  };
  let first = true;
  for (const it of parsed.items) {
    if (it.kind === 'verdict') c.verification++;
    else if (it.kind === 'check') c.checks++;
    else if (it.kind === 'need') c.subgoals++;
    else if (it.kind === 'step' && it.role === 'backward') c.backwardChaining++;
    else if (it.kind === 'step') {
      c.forwardSteps++;
      if (it.startsPath && !first) c.backtracking++;
      first = false;
    }
  }
  return c;
}
