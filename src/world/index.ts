// The toy arithmetic world, public API: tokenizer, problems, template, verifier, rewards, corpus.
// Data flow (DESIGN.md): problems → corpus documents for pretraining; problems → prompts for RL, whose
// completions are scored by rewards (verifier + format). Everything here is pure and seeded by an Rng.
export * from './tokenizer.ts';
export * from './problems/index.ts';
export { MAX_DIGITS } from './problems/arithmetic.ts';
export { EXPR_TERMS, EXPR_MAX_DIGITS, expressionSteps, parseExpressionPrompt } from './problems/expression.ts';
export {
  COUNTDOWN_MAX_NUMBER,
  COUNTDOWN_MAX_TARGET,
  COUNTDOWN_MIN_NUMBERS,
  COUNTDOWN_MAX_NUMBERS,
  applyOp,
  chainExpression,
  chainSteps,
} from './problems/countdown.ts';
export type { CountdownOp } from './problems/countdown.ts';
export * from './template.ts';
export { evaluateArithmetic, fractionText, MAX_EXPRESSION_CHARS } from './arith.ts';
export type { ArithResult } from './arith.ts';
export * from './verifier.ts';
export * from './rewards.ts';
export * from './reflection.ts';
export type { Trace, TraceItem } from './solutions/trace.ts';
export { renderThink, traceCompletion } from './solutions/trace.ts';
export { COUNTDOWN_SHOWN_FAILS, workedSolution, workedTrace } from './solutions/worked.ts';
export { CHECK_PHRASE, RECHECK_PHRASE, reflectiveSolution, reflectiveTrace } from './solutions/reflective.ts';
export type { ReflectionShape } from './solutions/reflective.ts';
export { digitTypo, wrongAnswer } from './solutions/wrong.ts';
export type { Mistake } from './solutions/wrong.ts';
export { DEFAULT_MIX, NO_WORKED_MIX, TINY_THINK, lengthStats, makeCorpus, makeLabeledCorpus } from './corpus.ts';
export type { CorpusDocument, CorpusMix, CorpusMixInput, DocumentStyle, LengthStats } from './corpus.ts';
export { splitSteps } from './steps.ts';
export type { TraceStep } from './steps.ts';
export * from './languages/index.ts';
