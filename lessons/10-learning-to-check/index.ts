// Lesson 10: learning to check. Why the aha run's "wait check" is a ritual, Countdown as a world where a
// check can pay, the search-trace language with Gandhi et al.'s four behaviours, the tests that tell a
// genuine check from a ritual one (with the consistency measure as the exercise), and what has been
// measured so far. Not yet here (issue 16): a live Countdown RL run and the live intervention test, which
// need a primed Countdown base that learns its arithmetic in minutes; none does yet.
import { fileURLToPath } from 'node:url';
import type { Lesson } from '../../src/tui/manifest.ts';
import { checkConsistency } from './consistency-check.ts';

const intro = `
# Learning to check

In lesson 3 the policy learned to write "wait check" and then work the sum out. But the guess before the
check was never right, and the check never caught anything: a ritual, copied from the corpus because the
work after it is what gets rewarded.

The R1 story is about something else: a model that **verifies** a result and **backtracks** when the check
fails, because that pays. Gandhi et al. (2025) showed on Countdown that RL amplifies exactly the behaviours a
base model already shows — verification, backtracking, subgoals, backward chaining — and that priming a base
with traces that contain them, *even traces whose final answers are all wrong*, is what lets RL take off.

## Countdown

Reach the target from the numbers with + − × ÷, each number at most once, every intermediate a positive
integer: \`3 5 7 to 56\` → \`(3+5)*7\`. A search combines any two of the remaining numbers per step.

## The search, written out

tinyseek writes search traces with its own search code, so every step is exact and every behaviour can be
counted by parsing:

\`\`\`
3+5=8 8+7=15 no try 56/7=8 need 8 from 3 5 3+5=8 8*7=56 check 8*7=56 yes so (3+5)*7
\`\`\`

- \`no\` / \`yes\` — **verification**: is this the target?
- \`try\` — **backtracking**: abandon the path, start again;
- \`need 8 from 3 5\` — a **subgoal**;
- \`56/7=8\` — **backward chaining**: work back from the target;
- \`check 8*7=56\` — recompute a claimed success before believing it.

A third of the verifying traces make one slip *into* the target (\`8+7=56\`), and their check catches it
(\`check 8+7=15 no try ...\`). So in this corpus a check sometimes disagrees with what came before it: it
carries information.
`;

const genuine = `
# Genuine or ritual?

Counting the word "check" cannot tell them apart. These measures can (\`src/world/countdown/verification.ts\`;
\`tinyseek aha --task countdown\` writes them on every evaluation row of \`metrics.jsonl\`):

- **check accuracy**: is the recomputed value in a check the true one? A ritual check copies the claim.
- **consistency**: after "no", does the search go on? After "yes", does it stop? A verdict that is not
  acted on is decoration.
- **usefulness**: how often does a check turn a wrong candidate into a right final answer — and how often
  does it throw away a right one?
- **intervention**: force the model to continue from a path whose last step claims the target with a wrong
  value (\`3+5=8 8+7=56 \`). A genuine checker writes \`check 8+7=15 no\` and searches on; a ritual one writes
  \`yes\` and answers wrong. This is a causal test: we put the error there ourselves.
- **test-time scaling**: does accuracy keep rising when the model may think longer?

The next page asks you to write the consistency measure.
`;

const exerciseText = `
Finish \`consistency(think)\`: count the "no" verdicts and how many of them the search continued after (some
step comes later, before "so"), and the "yes" verdicts and how many of them it stopped after (no step comes
later). A word right after \`check\` is a recomputation, not a step.

The check compares your counts with \`src/world/countdown/verification.ts\` on five thinks, each teaching one
case: a genuine search, a "no" that is ignored, a "yes" that is ignored, a checked step that is not a move, and
a search with two failed paths.
`;

const measured = `
# What has been measured so far

Honestly: nothing learned yet. Fifteen primed bases (all nine priming conditions, three of them with three
seeds) pretrained for about 150 steps each answered none of 64 held-out 3-number problems, before or after a
few RL steps, and none caught an injected error. A 100k-parameter model needs thousands of steps before
Countdown's arithmetic (14*13=182) works, and a primed base's pretraining step takes a second or more on one
CPU core: the priming table is a command (\`tinyseek experiment priming\`), not yet a result.

One base trained longer (all strategies, 800 steps, 25 minutes on a laptop) shows which part comes first. On
64 held-out problems every answer had the right form: about 2.4 verdicts, 1 check, 1.3 backtracks and 1
subgoal per answer, and the verdicts were acted on (after "no" the search went on 93% of the time, after "yes"
it always stopped). Yet no answer was right, a check's recomputed value was right 1.6% of the time, and none
of 64 injected errors was caught. Consistency without accuracy: the *shape* of verification, learned long
before the arithmetic that would make it real. That is the ritual of lesson 3 again, and the reason the
intervention test exists.
`;

const lesson: Lesson = {
  id: '10-learning-to-check',
  number: 10,
  title: 'Learning to check',
  summary:
    'Countdown search traces with verification, backtracking, subgoals and backward chaining; how to tell a genuine self-check from a ritual one, with the consistency measure as an exercise.',
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: ['src/world/countdown/verification.ts', 'src/world/countdown/parse.ts', 'src/world/template.ts'],
  steps: [
    { kind: 'prose', title: 'A world where a check can pay', markdown: intro },
    { kind: 'prose', title: 'Genuine or ritual?', markdown: genuine },
    {
      kind: 'exercise',
      title: 'The consistency measure',
      markdown: exerciseText,
      starter: 'exercises/consistency.ts',
      solution: 'solutions/consistency.ts',
      check: checkConsistency,
      hint: 'Find the index of "so" first. Mark which words are steps (match /^\\d+[+\\-*/]\\d+=\\d+$/ and the word before is not "check"). Then for each verdict look for a marked step after it and before "so".',
    },
    { kind: 'prose', title: 'What has been measured', markdown: measured },
  ],
};

export default lesson;
