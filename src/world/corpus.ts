// The pretraining corpus: the "internet" the tiny base model reads. Every document is in the template
// (prompt, then think, answer, <eos>) and is one of three styles, mixed by CorpusMix:
//   direct    (default 82%) <think></think><answer>82</answer>, a fraction of them WRONG (carry slips,
//             typos), as on the real internet; a few with a token think "easy"
//   worked    (default 15%) a step-by-step solution (solutions/worked.ts)
//   reflect   (default  3%) a worked solution that errs, says "wait check", and fixes it (or, with
//             confirmFrac, a right quick answer that the check confirms)
// Why: R1-Zero's RL only amplifies what the base model already does sometimes (reference §6: oat-zero finds
// reflection in base models at step 0). So careful thinking must be *rare but present*; correctness
// reward can then make it common. NO_WORKED_MIX is the ablation in which there is nothing to amplify.
// Each document i draws from its own stream `<rng>/doc<i>`, so mixes that differ only in their fractions
// see the same problems in the same order (a controlled ablation), unless a document had to be redrawn
// for length (never with the defaults: the longest default document is ~142 of 160 tokens).
import type { Rng } from '../core/rng.ts';
import type { Problem, ProblemKind } from './problems/types.ts';
import { DIFFICULTY_RANGE, generateProblem, heldOutKeys, isProblemKind, problemKey } from './problems/index.ts';
import { completionFrom, documentFor } from './template.ts';
import { tokenLength } from './tokenizer.ts';
import { workedSolution } from './solutions/worked.ts';
import { reflectiveSolution } from './solutions/reflective.ts';
import { wrongAnswer } from './solutions/wrong.ts';
import { inLanguage, LANGUAGE_KINDS } from './languages/corpus.ts';
import {
  isPrimingCondition,
  PRIMING_CONDITIONS,
  primedCompletion,
  type PrimingCondition,
} from './countdown/priming.ts';
import { comparisonDrillDocument, drillDocument } from './countdown/drill.ts';
import { DEFAULT_SEARCH_TRACE } from './countdown/search-trace.ts';

export { thinkLength, reflectionCount, reflectionRate, REFLECTION_WORDS } from './reflection.ts';

export type DocumentStyle = 'direct' | 'worked' | 'reflect' | 'primed' | 'drill';

export interface CorpusMix {
  /** Relative weights of the three styles (the defaults sum to 1). */
  directFrac: number;
  workedFrac: number;
  reflectFrac: number;
  /** Fraction of direct documents whose answer is wrong. */
  wrongDirectFrac: number;
  /** Fraction of direct documents whose think is "easy" rather than empty. */
  tinyThinkFrac: number;
  /** Fraction of reflective documents whose quick answer is right, so the check confirms it (default 0:
   * every reflective document errs first and the check corrects it). */
  confirmFrac: number;
  kinds: readonly ProblemKind[];
  /** Inclusive difficulty range per kind (problems/index.ts says what difficulty means for each). */
  difficulty: Readonly<Record<ProblemKind, readonly [number, number]>>;
  /** Longest document in tokens; a longer draw is replaced by the next problem of its stream. */
  maxTokens: number;
  /** When set, every Countdown document is a search trace of this priming condition (countdown/priming.ts)
   * instead of a direct/worked/reflective one. */
  countdownPriming: PrimingCondition | null;
  /** With countdownPriming: the share of failed paths written as failed subgoals (search-trace.ts). */
  subgoalFailFrac: number;
  /** With countdownPriming: a successful subgoal is followed by "yes" too (search-trace.ts). */
  subgoalVerdicts: boolean;
  /** With countdownPriming: checks re-derive the whole path, and slips fall on any of its steps (search-trace.ts). */
  pathCheck: boolean;
  /** With countdownPriming: the share of traces that are guesses, one path answered at once (search-trace.ts). */
  guessFrac: number;
  /** With guessFrac: guesses write a path's steps only (search-trace.ts). */
  guessPlain: boolean;
  /** With countdownPriming: a verdict on the target follows a written comparison, "15=56? no" (search-trace.ts). */
  comparison: boolean;
  /** With countdownPriming: a geometric number of failed paths instead of a uniform one (search-trace.ts). */
  geometricFails: boolean;
  /** With geometricFails: the most failed paths a trace writes (search-trace.ts). */
  failCap: number;
  /** With countdownPriming: a search never writes the same failed path twice (search-trace.ts). */
  distinctFails: boolean;
  /** With countdownPriming: a search takes the pairs of numbers in the prompt's order (search-trace.ts). */
  pairOrder: boolean;
  /** With countdownPriming: a failed path's last move is the one nearest the target (search-trace.ts). */
  nearestFinal: boolean;
  /** With countdownPriming: a search walks the legal first moves in order (search-trace.ts). */
  moveOrder: boolean;
  /** With countdownPriming: every path opens by naming the numbers its first move keeps for later (search-trace.ts). */
  namesKept: boolean;
  /** With countdownPriming: the share of verifying traces with one slip that a check catches (search-trace.ts). */
  slipFrac: number;
  /** With countdownPriming: a claimed success is recomputed before its verdict (search-trace.ts; off needs slipFrac 0). */
  checkClaims: boolean;
  /** With countdownPriming: every path opens by naming the target, "to 56: 3+5=8 ..." (search-trace.ts). */
  restateTarget: boolean;
  /** Share of documents that are an arithmetic drill in the Countdown step language (countdown/drill.ts). */
  drillFrac: number;
  /** Share of documents that are the comparison drill, "15=56? no 56=56? yes" (countdown/drill.ts). */
  comparisonDrillFrac: number;
  /** The comparison drill written after a Countdown prompt, against its target (countdown/drill.ts). */
  comparisonDrillPrompts: boolean;
  /** Share of documents whose prompt asks for thinking in words (languages/corpus.ts; issue 14). */
  wordsFrac: number;
  /** Share of documents whose think code-switches between the two languages. */
  switchFrac: number;
}

/** What callers pass: any subset of the knobs; `difficulty` may name only some kinds. */
export type CorpusMixInput = Partial<Omit<CorpusMix, 'difficulty'>> & { difficulty?: Partial<CorpusMix['difficulty']> };

export const DEFAULT_MIX: Readonly<CorpusMix> = Object.freeze<CorpusMix>({
  directFrac: 0.82,
  workedFrac: 0.15,
  reflectFrac: 0.03,
  wrongDirectFrac: 0.15,
  tinyThinkFrac: 0.1,
  confirmFrac: 0,
  countdownPriming: null,
  subgoalFailFrac: 0,
  subgoalVerdicts: false,
  pathCheck: false,
  guessFrac: 0,
  guessPlain: false,
  comparison: false,
  geometricFails: false,
  failCap: DEFAULT_SEARCH_TRACE.failCap,
  distinctFails: false,
  pairOrder: false,
  nearestFinal: false,
  moveOrder: false,
  namesKept: false,
  slipFrac: DEFAULT_SEARCH_TRACE.slipFrac,
  checkClaims: true,
  restateTarget: false,
  drillFrac: 0,
  comparisonDrillFrac: 0,
  comparisonDrillPrompts: false,
  wordsFrac: 0,
  switchFrac: 0,
  kinds: ['add', 'sub', 'mul', 'expr', 'countdown'],
  difficulty: { add: [1, 3], sub: [1, 3], mul: [1, 3], expr: [1, 2], countdown: [3, 3] },
  maxTokens: 160,
});

/** The ablation with nothing to amplify: only direct answers. */
export const NO_WORKED_MIX: Readonly<CorpusMix> = Object.freeze<CorpusMix>({
  ...DEFAULT_MIX,
  directFrac: 1,
  workedFrac: 0,
  reflectFrac: 0,
});

export const TINY_THINK = 'easy';

export interface CorpusDocument {
  text: string;
  style: DocumentStyle;
  /** The document's problem; null for a drill. */
  problem: Problem | null;
  /** Whether the document's answer is right (false only for wrong direct answers and no_positive primed ones). */
  correct: boolean;
  tokens: number;
}

function resolveMix(partial: CorpusMixInput): CorpusMix {
  const mix: CorpusMix = {
    ...DEFAULT_MIX,
    ...partial,
    difficulty: { ...DEFAULT_MIX.difficulty, ...partial.difficulty },
  };
  for (const k of [
    'directFrac',
    'workedFrac',
    'reflectFrac',
    'wrongDirectFrac',
    'tinyThinkFrac',
    'confirmFrac',
    'drillFrac',
    'comparisonDrillFrac',
    'wordsFrac',
    'switchFrac',
  ] as const) {
    if (!(mix[k] >= 0) || !Number.isFinite(mix[k]))
      throw new RangeError(`corpus mix: ${k} must be a finite number >= 0, got ${mix[k]}`);
  }
  if (!(mix.directFrac + mix.workedFrac + mix.reflectFrac > 0))
    throw new RangeError('corpus mix: directFrac + workedFrac + reflectFrac must be > 0');
  if (mix.wrongDirectFrac > 1 || mix.tinyThinkFrac > 1 || mix.confirmFrac > 1)
    throw new RangeError('corpus mix: wrongDirectFrac, tinyThinkFrac and confirmFrac are fractions in [0, 1]');
  if (mix.drillFrac + mix.comparisonDrillFrac > 1)
    throw new RangeError('corpus mix: drillFrac + comparisonDrillFrac is a fraction in [0, 1]');
  if (mix.wordsFrac > 1 || mix.switchFrac > 1)
    throw new RangeError('corpus mix: wordsFrac and switchFrac are fractions in [0, 1]');
  if ((mix.wordsFrac > 0 || mix.switchFrac > 0) && mix.kinds.some((k) => !LANGUAGE_KINDS.includes(k)))
    throw new RangeError(`corpus mix: the words language is for ${LANGUAGE_KINDS.join(', ')} only`);
  if (mix.kinds.length === 0) throw new RangeError('corpus mix: kinds is empty');
  for (const kind of mix.kinds) {
    if (!isProblemKind(kind)) throw new RangeError(`corpus mix: unknown kind '${kind}'`);
    const [lo, hi] = mix.difficulty[kind];
    const [min, max] = DIFFICULTY_RANGE[kind];
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo > hi || lo < min || hi > max) {
      throw new RangeError(
        `corpus mix: difficulty for ${kind} must be integers min <= max within [${min}, ${max}], got [${lo}, ${hi}]`,
      );
    }
  }
  if (mix.countdownPriming !== null && !isPrimingCondition(mix.countdownPriming)) {
    throw new RangeError(
      `corpus mix: unknown countdownPriming '${String(mix.countdownPriming)}' (conditions: ${PRIMING_CONDITIONS.join(', ')})`,
    );
  }
  if (typeof mix.subgoalVerdicts !== 'boolean')
    throw new RangeError(`corpus mix: subgoalVerdicts must be true or false, got ${String(mix.subgoalVerdicts)}`);
  if (typeof mix.pathCheck !== 'boolean')
    throw new RangeError(`corpus mix: pathCheck must be true or false, got ${String(mix.pathCheck)}`);
  for (const k of [
    'guessPlain',
    'comparison',
    'geometricFails',
    'distinctFails',
    'pairOrder',
    'nearestFinal',
    'moveOrder',
    'namesKept',
    'checkClaims',
    'comparisonDrillPrompts',
    'restateTarget',
  ] as const)
    if (typeof mix[k] !== 'boolean')
      throw new RangeError(`corpus mix: ${k} must be true or false, got ${String(mix[k])}`);
  if (!(mix.slipFrac >= 0 && mix.slipFrac <= 1))
    throw new RangeError(`corpus mix: slipFrac must be in [0, 1], got ${mix.slipFrac}`);
  if (!(Number.isInteger(mix.failCap) && mix.failCap >= 0 && mix.failCap <= 12))
    throw new RangeError(`corpus mix: failCap must be an integer in 0..12, got ${mix.failCap}`);
  if (!mix.checkClaims && mix.slipFrac > 0)
    throw new RangeError('corpus mix: checkClaims off needs slipFrac 0 (a slip is caught by its check)');
  if (mix.moveOrder && mix.pairOrder)
    throw new RangeError('corpus mix: moveOrder and pairOrder are two orders; take one');
  if (!(mix.guessFrac >= 0 && mix.guessFrac <= 1))
    throw new RangeError(`corpus mix: guessFrac must be in [0, 1], got ${mix.guessFrac}`);
  if (!(mix.subgoalFailFrac >= 0 && mix.subgoalFailFrac <= 1))
    throw new RangeError(`corpus mix: subgoalFailFrac must be in [0, 1], got ${mix.subgoalFailFrac}`);
  if (!(mix.maxTokens > 0)) throw new RangeError(`corpus mix: maxTokens must be > 0, got ${mix.maxTokens}`);
  return mix;
}

const MAX_REDRAWS = 100;

/** Primed Countdown corpora also leave out the first PRIMING_HELD_OUT problems of every Countdown size's (3-5 numbers; 2-number
 * problems are too few at the miniature's scale to hold 256 out) held-out
 * split (default seed), whatever split the pretraining run itself excludes: RL evaluates on 3- and 4-number
 * problems at once, and a pretraining run excludes only one task's split. */
export const PRIMING_HELD_OUT = 256;
let primingExclude: Set<string> | undefined;
function primingHeldOut(): Set<string> {
  primingExclude ??= new Set(COUNTDOWN_SIZES.flatMap((d) => [...heldOutKeys('countdown', d, PRIMING_HELD_OUT)]));
  return primingExclude;
}
const COUNTDOWN_SIZES = [3, 4, 5];

function makeDocument(docRng: Rng, mix: CorpusMix, exclude: ReadonlySet<string> | undefined): CorpusDocument {
  // One draw picks the drill, the comparison drill or a problem, from the drill's own stream (drawn only when a
  // drill is asked for, so corpora without one are unchanged).
  const drill = mix.drillFrac + mix.comparisonDrillFrac > 0 ? docRng.child('drill').next() : 1;
  if (drill >= mix.drillFrac && drill < mix.drillFrac + mix.comparisonDrillFrac) {
    const r = docRng.child('drill').child('comparisons');
    let problem: Problem | undefined;
    // A prompted drill's problem is never a held-out one (its target is all it shows of it, but a split is a split).
    const problems = r.child('problem');
    while (mix.comparisonDrillPrompts && problem === undefined) {
      const p = generateProblem('countdown', problems, 3);
      if (!exclude?.has(problemKey(p)) && !primingHeldOut().has(problemKey(p))) problem = p;
    }
    const text = comparisonDrillDocument(r, problem);
    return { text, style: 'drill', problem: null, correct: true, tokens: tokenLength(text) };
  }
  if (drill < mix.drillFrac) {
    const text = drillDocument(docRng.child('drill').child('facts'));
    return { text, style: 'drill', problem: null, correct: true, tokens: tokenLength(text) };
  }
  // Fixed draws first, always in the same order, so the fractions never shift the problem stream.
  const choiceRng = docRng.child('choice');
  const kind = choiceRng.choice(mix.kinds);
  const [lo, hi] = mix.difficulty[kind];
  const difficulty = choiceRng.int(lo, hi + 1);
  const style = (['direct', 'worked', 'reflect'] as const)[
    choiceRng.weighted([mix.directFrac, mix.workedFrac, mix.reflectFrac])
  ]!;
  const wrong = choiceRng.next() < mix.wrongDirectFrac;
  const tiny = choiceRng.next() < mix.tinyThinkFrac;
  // Its own stream, drawn only when used, so corpora without confirmations are unchanged.
  const confirm = style === 'reflect' && mix.confirmFrac > 0 && docRng.child('confirm').next() < mix.confirmFrac;
  // The language draws too (issue 14) come from their own stream, drawn only when a language mix is asked for.
  const languages = mix.wordsFrac > 0 || mix.switchFrac > 0;
  const problemRng = docRng.child('problem');
  const noiseRng = docRng.child('noise');
  for (let redraw = 0; redraw < MAX_REDRAWS; redraw++) {
    let problem = generateProblem(kind, problemRng, difficulty);
    if (exclude?.has(problemKey(problem))) continue;
    if (mix.countdownPriming !== null && kind === 'countdown' && primingHeldOut().has(problemKey(problem))) continue;
    let completion: string;
    let correct = true;
    if (kind === 'countdown' && mix.countdownPriming !== null) {
      ({ completion, correct } = primedCompletion(problem, mix.countdownPriming, noiseRng.child(`r${redraw}`), {
        subgoalFailFrac: mix.subgoalFailFrac,
        subgoalVerdicts: mix.subgoalVerdicts,
        pathCheck: mix.pathCheck,
        guessFrac: mix.guessFrac,
        guessPlain: mix.guessPlain,
        comparison: mix.comparison,
        geometricFails: mix.geometricFails,
        failCap: mix.failCap,
        distinctFails: mix.distinctFails,
        pairOrder: mix.pairOrder,
        nearestFinal: mix.nearestFinal,
        moveOrder: mix.moveOrder,
        namesKept: mix.namesKept,
        slipFrac: mix.slipFrac,
        checkClaims: mix.checkClaims,
        restateTarget: mix.restateTarget,
      }));
      const text = documentFor(problem, completion);
      const tokens = tokenLength(text);
      if (tokens <= mix.maxTokens) return { text, style: 'primed', problem, correct, tokens };
      continue;
    }
    if (style === 'worked') completion = workedSolution(problem);
    else if (style === 'reflect') completion = reflectiveSolution(problem, noiseRng, confirm ? 'confirm' : undefined);
    else {
      correct = !wrong;
      completion = completionFrom(tiny ? TINY_THINK : '', wrong ? wrongAnswer(problem, noiseRng) : problem.answer);
    }
    if (languages)
      ({ problem, completion } = inLanguage(problem, completion, mix, docRng.child('language').child(`r${redraw}`)));
    const text = documentFor(problem, completion);
    const tokens = tokenLength(text);
    if (tokens <= mix.maxTokens) return { text, style, problem, correct, tokens };
  }
  throw new RangeError(
    `corpus: no ${style} ${kind} document at difficulty ${difficulty} fits maxTokens ${mix.maxTokens} (or all are excluded); raise maxTokens or lower the difficulty`,
  );
}

/** n documents with their labels (style, problem, correctness, length). */
export function makeLabeledCorpus(
  rng: Rng,
  n: number,
  mix: CorpusMixInput = {},
  options: { exclude?: ReadonlySet<string> } = {},
): CorpusDocument[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`corpus: n must be a non-negative integer, got ${n}`);
  const resolved = resolveMix(mix);
  return Array.from({ length: n }, (_, i) => makeDocument(rng.child(`doc${i}`), resolved, options.exclude));
}

/** The pretraining corpus: n documents (text only). Pass the held-out keys as `exclude`. */
export function makeCorpus(
  rng: Rng,
  n: number,
  mix: CorpusMixInput = {},
  options: { exclude?: ReadonlySet<string> } = {},
): string[] {
  return makeLabeledCorpus(rng, n, mix, options).map((d) => d.text);
}

export interface LengthStats {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Token-length distribution of documents (each special tag counts as one token). */
export function lengthStats(docs: readonly string[]): LengthStats {
  const lens = docs.map(tokenLength).sort((a, b) => a - b);
  if (lens.length === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const q = (p: number): number => lens[Math.min(lens.length - 1, Math.floor(p * lens.length))]!;
  const mean = lens.reduce((a, b) => a + b, 0) / lens.length;
  return {
    count: lens.length,
    min: lens[0]!,
    mean,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: lens[lens.length - 1]!,
  };
}
