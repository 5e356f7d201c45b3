// Lesson 10: learning to check. Why the aha run's "wait check" is a ritual, Countdown as a world where a
// check can pay, the search-trace language with Gandhi et al.'s four behaviours, the tests that tell a
// genuine check from a ritual one (with the consistency measure as the exercise), and what has been
// measured: the miniature's scale, the shipped primed base, the default RL run and its verification tests,
// the compute-matched control, the priming table; a prediction, a live Countdown RL run on the shipped base
// (countdown-run.ts) and the intervention test live on a problem the learner picks, the base beside the trained
// policy.
import { fileURLToPath } from 'node:url';
import type { Lesson, RunResult } from '../../src/tui/manifest.ts';
import { checkConsistency } from './consistency-check.ts';
import { CD_SERIES, INTERVENTION_PROBLEMS, runCountdownLesson, runInterventionLesson } from './countdown-run.ts';

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
# What has been measured

**The arithmetic comes first.** The world plays Countdown at a miniature scale (\`COUNTDOWN_SCALE\`: numbers
1..9, targets 10..60, every step ≤ 60). Even so, a base that reads only search traces learns the shape of a
search long before its arithmetic: the last stop's base (3,683 steps) wrote 52% of its steps right and 6% of
its two-digit sums (\`10+9=13\`). Every primed corpus now gives 30% of its documents to an **arithmetic drill**
(true steps in the trace language, the same in every condition), and the learning rate is held and then
decayed, as V3's is. The shipped \`all\` base (\`fixtures/countdown-primed/all\`, 3,000 steps, ~9 CPU-minutes):
77% of its steps right, a check's recomputed value right 80% of the time, **73% of injected wrong claims
caught**, greedy pass@1 22%.

**RL does not lift it** (\`tinyseek aha --task countdown\`, 60 steps): held-out pass@1 24% → 29%, the think
*shorter* (92 → 81 characters), injected errors caught 73% → 52% (never accepted). Why: in 39 of 50 greedy failures the
search names a subgoal and then *copies* the needed value into a wrong step (\`need 9 from 7 3\` then
\`7+3=9\`), and its check only recomputes the last step, which is right. The checks look where the errors
are not, so a longer search cannot pay, and RL prunes the random dead ends instead.

**And the verdict reads the form, not the value.** Parse 5,000 documents of the \`all\` corpus and guess each
"yes"/"no" from the path's form alone (does it name a subgoal? how many steps? where in the trace?): the guess is
right every time, because a path that names a subgoal always ends in "yes". A model learns that cue instead of
comparing the check's value with the target. Two more corpora, each chosen after reading the last one's
failures, moved the error without removing it: checks that re-derive the whole path, and paths whose form no
longer tells the verdict. The second base checked every injected claim and caught 84% of them, but it learnt
the one cue left in (the check's position), and RL turned its verdict into a habitual "yes". The README lists
all six tries with their numbers.

**The priming table** (nine bases, 3 RL seeds × 20 steps each) is on the next page.

**At equal generated tokens**, the \`direct\` base sampling until it has spent what the searcher spent, with a
perfect verifier as the judge, roughly ties the searcher on 3-number problems (19% vs 22%) and beats it on
4-number problems, which neither saw in pretraining (19% vs 6%).

**A base that mostly guesses.** Make 80% of the \`all\` traces guesses (the first path, answered at once, no
verdict) and pretrain a 4-layer, 128-wide model on them: 60 GRPO steps lift pass@1 from 14% to 27% while the
think grows (greedy 30 → 48 characters), the largest lift with a growing think so far. Split the answers and
the reason shows: the searches are right about as often as the guesses (12% against 11%), because their
verdict is still the ritual, so RL does not amplify the search. It amplifies the guesses that open with a
backward step and a subgoal (\`42/7=6 need 6 from 9 3 ...\`), which in this corpus are always the solution:
0.33 of each per greedy answer before RL, about 1 after. Longer, it plateaus at 25–30%. The control: when a
guess writes its steps only, so that a right guess opens as a wrong one does, RL lifts nothing (14% → 14%) and
the think shortens.

**A verdict that compares, and a search that pays.** Every try above found the verdict read from the path's form.
So the searching base (\`fixtures/countdown-search/base\`, the default of \`tinyseek aha --task countdown\` until the
kept base below)
writes the comparison out before each verdict, \`to 56: 8+7=15 15=56? no try to 56: ...\`, with no check beside
it to lean on, after a first stage that drills the comparison alone. Teacher-forced on 100 of its corpus's
searches: at a "yes", P(yes) is 0.99, and 0.03 once the comparison's right side is replaced by another number; at
a "no" it is 0.00, and 0.56 once the two sides are made equal. This verdict reads the values (the "no" side only
half learnt). Its searches answer right 21% of the time against its guesses' 7%, and now RL amplifies the search:
seed 0 goes from 14% to 38% pass@1 in 80 steps, the think from 60 to 116 characters, the verdicts per answer from
0.6 to 3.6 (seeds 1 and 2: 17% → 32% and 20% → 35%, the think doubling).

Two things stayed short. Its gain (18 points on the mean of three seeds) was under the 25 the project aimed for: the
curves flatten near 40%, where a 2-layer model's paths, each right about 1 time in 7, stop finding the answer
within four or five tries, and 45% of its final answers rewrite a path they already wrote (\`8*4=32 32+8=40 40=20?
no try\` three times). A corpus that never repeats, one whose paths take the pairs in order, and a reward that
charges for every repeated path all leave the repeats at 39–59% and the gain where it was: a 2-layer model does not
learn to compare a path with the ones above it. Dr. GRPO's loss and DAPO's length penalty, the known cures for
answers that grow until the budget cuts them, move it no further (the penalty stops those answers by cutting the
search short), and more room does not help either: given 448 tokens instead of 224, the final policy answers as
often. The base's 16 samples hold an answer for 78% of the 3-number problems; one search of the policy finds it for
about 40%, and RL narrows the samples (their pass@16 falls to 67–72%). Better searches in the base do not move
that end: aim each failed path's last move at the target, so that a path is right whenever its first move can go
on (26% of first moves, against 11% of random paths), or walk the first moves in a fixed order, and the policy
still ends at 34–47%, from a base that starts at 15% or at 37%. RL sharpens which first moves the policy opens
with, not how well they suit the numbers, so its paths return to its favourites.

**Keep a number for last.** Read whole, those paths leak one step later: in a third of the policies' paths the move
after the first takes a number already used or never given (\`4*4=16 16-4=12\` for 4 4 6). The model has to work
out which given number is left over; a person sets it aside first. So the kept base
(\`fixtures/countdown-search/kept\`, the command's default now) opens every path by naming it, \`to 14: keep 6:
4*4=16 16-6=10 10=14? no try\`, and the step after the first copies a number written a few tokens back. Its
illegal paths halve (26% → 12%, and 15–21% after RL against 31–33%), and RL takes it from 24% to 54% at seed 0, +25
on the mean of six seeds (23% → 48%), the lift the project aimed for, at its edge. The first moves are chosen no
better than before, and the policy still repeats itself in a third of its answers: what changed is that more of
its paths can be right.

And the policy never checks, so it catches no injected error: the comparison trusts the step before it. Bases that check claims as well catch at most 14% before
RL, because a first path in a mostly guessing base is followed by its answer, and RL drops the checks: this model's
steps are right 99% of the time, so a recomputation costs tokens and saves almost nothing. A check pays where the
arithmetic fails; here it rarely does.

Gandhi et al. found that RL amplifies the behaviours a base already has. Ours have them, and RL amplifies only
what pays: the search, once its verdict compares; the guess and backward chaining before that; never, at this
scale, the check. The README's Countdown section has the tables and the commands.
`;

const primingText = `
# The priming table

Gandhi et al. primed one base per condition and ran the same RL on each. So does \`tinyseek experiment
priming\`: nine bases (\`fixtures/countdown-primed/\`), each made by its preset with the same drill, schedule
and number of tokens, then 20 GRPO steps with 3 seeds each. Measured (means over seeds; pass@1 sampled at
τ 0.6 on 64 held-out problems; behaviours and the injected-error test greedy):

| condition   | pass@1 before | pass@1 after | verdicts/answer | backtracks/answer | subgoals/answer | backward/answer | check accuracy | caught before | caught after |
|-------------|---------------|--------------|-----------------|-------------------|-----------------|-----------------|----------------|---------------|--------------|
| direct      | 17%           | 17%          | 0.00            | 0.00              | 0.00            | 0.00            | –              | 0%            | 0%           |
| backtrack   | 8%            | 9%           | 0.00            | 0.57              | 0.00            | 0.00            | –              | 0%            | 0%           |
| verify      | 7%            | 9%           | 1.11            | 0.11              | 0.00            | 0.00            | 100%           | 39%           | 40%          |
| subgoal     | 12%           | 14%          | 0.00            | 0.97              | 1.00            | 0.00            | –              | 0%            | 0%           |
| backward    | 18%           | 15%          | 0.00            | 1.05              | 0.00            | 0.81            | –              | 0%            | 0%           |
| all         | 23%           | 24%          | 1.92            | 0.93              | 0.99            | 1.00            | 86%            | 71%           | 63%          |
| empty       | 25%           | 26%          | 0.00            | 0.00              | 0.00            | 0.00            | –              | 0%            | 0%           |
| filler      | 0%            | 0%           | 0.00            | 0.00              | 0.00            | 0.00            | –              | 0%            | 0%           |
| no_positive | 9%            | 8%           | 2.00            | 1.00              | 0.00            | 0.00            | 100%           | 22%           | 19%          |

Compared with Gandhi et al. (Llama 3.2 3B and Qwen 2.5 3B, hundreds of RL steps): there, bases primed with
backtracking and verification improved under RL, the all-wrong \`no_positive\` traces primed as well as right
ones, and empty or filler thinks did not. Here, in 20 steps, **no condition moves** beyond the noise of 64
problems (±8 points); the table measures the bases more than RL. What it does show:
- **the search costs accuracy at this scale**: the two bases that do not search, \`empty\` (25%) and \`direct\`
  (17%), answer better than every searching base but \`all\` (23%); a 2-layer, 64-wide model guesses a 3-number
  problem in one go about as well as it searches it;
- **checks are real only with verification priming**: only \`verify\`, \`all\` and \`no_positive\` write checks
  (recomputed right 86–100% of the time), and only they ever catch an injected wrong claim (22–71%); the others
  never check, so they catch nothing;
- **\`no_positive\` keeps its behaviours** (2 verdicts and a backtrack per answer) and its checks (22% caught)
  while answering worse than \`all\` (9% vs 23%): the behaviours survive wrong answers, as Gandhi found, but here
  they do not make RL work;
- **\`filler\`** (a think of \`? ? ?\` as long as \`all\`'s) answers nothing right: 0% before and after.
The default run took 19 minutes of wall time on the shared 2-core machine at a load average of 6–10 (27 runs, 2
at a time, run in three parts while the last bases trained, then read back with \`--resume\` in 59 s); the
same seed gives the same table (tested at toy scale, in-process and in child processes).
`;

const runText = `
The RL run of \`tinyseek aha --task countdown\`, one step at a time, from the base of knob **base**:
**search** (\`fixtures/countdown-search/kept\`, the command's default: guesses and searches whose verdicts read a
written comparison, \`15=56? no\`, each path naming the number it keeps for last, and no checks) or **all** (\`fixtures/countdown-primed/all\`: every behaviour,
checks that recompute a claimed step). Each step 8 three-number problems, G sampled answers each, reward 1 for an
answer that verifies (plus the format bonus), GRPO's group advantages, one update. Every 5 steps the verification
tests of \`src/experiments/countdown-verify.ts\` run on 32 held-out problems.

The chart, per step: Gandhi's behaviours per training answer (×10, so they share the axis with percentages):
**verdicts** (yes/no), **checks**, **backtracks** ("try"), **subgoals** ("need"). At each evaluation (the lines
hold between them): held-out pass@1 and the share of **injected errors caught**, the test of the next step run
on all 32 problems.

On this CPU a step takes a few seconds (the default 15 steps are a few minutes on 2 quiet cores). The searching
base, seed 0, measured held-out pass@1 9% → 25% (32 problems, one sample each: ±18 points), verdicts per training
answer 1.8 → 3.5 and backtracks 1.5 → 2.8: its search grows. Injected errors: caught 0% → 0%, accepted 22% → 97%;
it has no check, and its comparison trusts the step before it. The \`all\` base (G = 8) measured held-out pass@1
19% → 25% (inside the noise of 32 problems), injected errors caught 72% → 59%, verdicts per training answer 2.4 →
2.0 and backtracks 1.5 → 1.0: its search is pruned from the first steps. The full runs are on the measurements
page.
`;

const interventionText = `
The causal test, on one problem you choose (knob **problem**: the first ${INTERVENTION_PROBLEMS.length} held-out
problems of the run). The player writes a dead-end path whose last step claims the target with a wrong value, e.g.
\`6-5=1 3*1=14\`, and lets the model continue from there, greedily:

- **caught**: it writes \`check 3*1=3 no\` — the recomputation is right and the verdict acts on it;
- **fooled**: it says \`yes\` to the wrong claim (directly, or after a check that repeats it) and answers wrong;
- neither: it moves on without testing the claim, or its check recomputes the step wrong.

Knob **base** picks the model. The searching base opens every path by naming the target, so its wrong path does
too (\`to 14: 6-4=2 4-2=14 \`); it has no check, and its comparison (\`14=14? yes\`) trusts the step before it,
so expect it to be fooled. The \`all\` base recomputes a claimed step before its verdict, so it can catch one.
The base's continuation is shown beside the continuation of the policy your RL run just trained from the same
base (run the previous step first). Knob **seed** draws a different wrong path for the same problem.
`;

const verdictChange = (run: RunResult | undefined): number => {
  const a = run?.metrics['verdictsFirst'],
    b = run?.metrics['verdictsLast'];
  return a === undefined || b === undefined ? NaN : (b - a) / Math.max(a, 1e-9);
};

const lesson: Lesson = {
  id: '10-learning-to-check',
  number: 10,
  title: 'Learning to check',
  summary:
    'Countdown search traces with verification, backtracking, subgoals and backward chaining; how to tell a genuine self-check from a ritual one, with the consistency measure as an exercise.',
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: [
    'src/world/countdown/verification.ts',
    'src/world/countdown/parse.ts',
    'src/world/template.ts',
    'src/rl/trainer.ts',
    'src/experiments/countdown-verify.ts',
    'fixtures/countdown-primed/all/model.safetensors',
    'fixtures/countdown-search/kept/model.safetensors',
  ],
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
    {
      kind: 'check',
      title: 'Predict: more verification, or less?',
      run: 'countdown',
      question:
        'The searching base writes about two verdicts (yes/no) per sampled answer, mostly guessing; the `all` base two to three, after a search with checks. RL rewards only a right final answer. Over the next run, **what happens to the verdicts per training answer** (mean of the first and of the last 3 steps)?',
      options: ['they rise by more than 10%', 'they stay within 10%', 'they fall by more than 10%'],
      answer: (run) => {
        const c = verdictChange(run);
        return c > 0.1 ? 0 : c < -0.1 ? 2 : 1;
      },
      explain: (run) => {
        const c = verdictChange(run);
        const measured = Number.isFinite(c)
          ? `This run measured ${run!.metrics['verdictsFirst']!.toFixed(2)} → ${run!.metrics['verdictsLast']!.toFixed(2)} verdicts per answer (${c >= 0 ? '+' : ''}${(100 * c).toFixed(0)}%) over ${run!.metrics['steps']} steps.`
          : 'The run measured nothing.';
        return `${measured} Gandhi et al. saw RL amplify the behaviours a base already has, where they pay. From the searching base they pay: a search of four paths whose verdict compares each value with the target answers right three times as often as a guess, so RL turns guesses into searches (the default 80-step run, seed 0: verdicts per answer 0.6 → 3.6, the think 60 → 116 characters, pass@1 14% → 38%). From the \`all\` base they do not: its checks recompute only the last step while its errors sit in the first, so RL prunes the search (60 steps: verdicts 2.4 → 1.8, backtracks 1.4 → 0.8, the think 92 → 81 characters). A few steps may show only noise.`;
      },
    },
    {
      kind: 'run',
      id: 'countdown',
      title: 'RL on Countdown, live',
      markdown: runText,
      knobs: [
        { name: 'base', label: 'base', values: ['search', 'all'], default: 'search' },
        { name: 'steps', label: 'RL steps', values: [10, 15, 20, 30], default: 15 },
        { name: 'groupSize', label: 'group size G', values: [4, 8, 16], default: 16 },
        { name: 'seed', label: 'seed', values: [0, 1, 2], default: 0 },
      ],
      chart: {
        series: [
          CD_SERIES.pass1,
          CD_SERIES.caught,
          CD_SERIES.verdicts,
          CD_SERIES.checks,
          CD_SERIES.tries,
          CD_SERIES.subgoals,
        ],
        title: 'GRPO on the primed Countdown base',
        yLabel: '% / count ×10',
      },
      run: runCountdownLesson,
    },
    {
      kind: 'run',
      id: 'intervention',
      title: 'Put an error in, watch for the check',
      markdown: interventionText,
      knobs: [
        {
          name: 'problem',
          label: 'held-out problem',
          values: INTERVENTION_PROBLEMS,
          default: INTERVENTION_PROBLEMS[0]!,
        },
        { name: 'base', label: 'base', values: ['search', 'all'], default: 'search' },
        { name: 'seed', label: 'seed of the wrong path', values: [0, 1, 2], default: 0 },
      ],
      run: runInterventionLesson,
    },
    { kind: 'prose', title: 'What has been measured', markdown: measured },
    { kind: 'prose', title: 'The priming table', markdown: primingText },
  ],
};

export default lesson;
