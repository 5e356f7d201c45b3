// Countdown by pair combination, public API: the search rules and exact oracle (pairs), problems, the
// search-trace language (parse) and its generator with Gandhi et al.'s strategies (search-trace), the
// verification measures (verification), repeated paths (repetition) and the primed corpora (priming).
export * from './pairs.ts';
export * from './problems.ts';
export * from './parse.ts';
export * from './search-trace.ts';
export * from './verification.ts';
export * from './repetition.ts';
export * from './priming.ts';
