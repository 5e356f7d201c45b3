// Exercise: is a verdict acted on? Count, in one Countdown think, how often the search goes on after "no"
// and how often it stops after "yes".
//
// The think is words separated by single spaces, e.g.
//   "3+5=8 8+7=15 no try 5+3=8 8*7=56 check 8*7=56 yes so (5+3)*7"
// - a verdict is the word "yes" or "no";
// - a step is a word like "8+7=15" (digits, one of + - * /, digits, '=', digits) that does NOT directly
//   follow the word "check" (a checked step is a recomputation, not a move of the search);
// - the think ends at the word "so" (ignore everything from there on).
// After a "no" the search CONTINUES if some step comes later (before "so"); after a "yes" it STOPS if no
// step comes later.
//
// This starter counts the verdicts but claims every "no" continued and every "yes" stopped. Fix it.

export interface Consistency {
  noVerdicts: number;
  continuedAfterNo: number;
  yesVerdicts: number;
  stoppedAfterYes: number;
}

export function consistency(think: string): Consistency {
  const words = think.split(' ');
  const end = words.indexOf('so') < 0 ? words.length : words.indexOf('so');
  const noVerdicts = words.slice(0, end).filter((w) => w === 'no').length;
  const yesVerdicts = words.slice(0, end).filter((w) => w === 'yes').length;
  return { noVerdicts, continuedAfterNo: noVerdicts, yesVerdicts, stoppedAfterYes: yesVerdicts };
}
