// Two languages of thought (issue 14): the same worked steps in symbols ("7+5=12") and in words ("seven plus
// five is twelve"), a parser that says which language each step is in, the cold start's deterministic rewriter,
// the mixing / readability / consistency measures, and the two-language corpus documents.
export * from './lexicon.ts';
export * from './parse.ts';
export * from './rewrite.ts';
export * from './measures.ts';
export * from './corpus.ts';
