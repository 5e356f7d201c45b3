// Lesson 00: how the lesson player works, shown with something real, exact and instant — estimating π
// two ways (a series and random darts from the project's seeded streams) — plus a first exercise,
// softmax, the function behind attention weights, MoE gates and sampling. Every step kind appears once:
// prose, a prediction, a run with knobs and a live chart, a question, an exercise.
import { fileURLToPath } from 'node:url';
import type { Lesson, RunResult } from '../../src/tui/manifest.ts';
import { estimatePi, times } from './pi.ts';
import { checkSoftmax } from './softmax-check.ts';

const welcome = `
# Welcome to tinyseek

tinyseek rebuilds the ideas behind **DeepSeek-V3** and **DeepSeek-R1** in miniature: small enough to run
on this computer's CPU, on toy arithmetic, and deterministic (the same seed gives the same numbers, every
time, on every machine).

A lesson is a short sequence of steps of four kinds:

- **prose**, like this page;
- **runs** of real tinyseek code, with a progress bar and a live chart; turn the *knobs* and run again;
- **checks**: a question, often a prediction you make *before* a run and then compare with what it measured;
- **exercises**: you finish a small TypeScript function in your own copy of a file, and the check re-runs
  every time you save.

This first lesson shows each kind once, on something tiny and exact: computing π.

## Keys

The keys that work right now are always listed at the bottom of the screen. The main ones:

- \`→\` or \`n\` next step, \`←\` or \`p\` previous step;
- \`m\` the lesson menu, \`q\` quit. Progress is saved as you go, and a lesson resumes where you left it.

Press \`→\` to continue.
`;

const runText = `
Two ways to estimate π with the same amount of work *N*:

- **series**: add *N* terms of π = 4 · (1 − 1/3 + 1/5 − 1/7 + …);
- **darts**: throw *N* random points into a unit square; the fraction that lands inside the quarter
  circle x² + y² < 1 approaches π/4.

The chart shows log₁₀ of each error as the work grows: −3 means an error of 0.001, about three correct
decimals. Press space to run. \`k\` and \`K\` change the highlighted knob, \`↑\`/\`↓\` pick the knob, \`c\`
cancels a run and keeps what it measured.
`;

const exerciseText = `
**Softmax** turns a list of scores into probabilities: exponentiate, then divide by the sum. It is
everywhere in a language model: attention weights, the router that picks experts in a mixture of experts,
and the next-token distribution that sampling draws from.

The starter file computes it straight from the formula. Open the file named below in your editor, make it
survive scores in the thousands without changing its answers, and save. The check runs on every save and
shows the input it tried, what your code returned and what it expected.
`;

const ratioOf = (run: RunResult | undefined) => (run ? run.metrics['dartsError']! / run.metrics['seriesError']! : NaN);

const lesson: Lesson = {
  id: '00-welcome',
  number: 0,
  title: 'Welcome: how the player works',
  summary:
    'Steps, runs, knobs, checks and exercises, shown on something exact and instant: estimating π two ways, then a numerically stable softmax.',
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: ['src/core/rng.ts'],
  steps: [
    { kind: 'prose', title: 'Welcome', markdown: welcome },
    {
      kind: 'check',
      title: 'Predict before you run',
      run: 'pi',
      question:
        'The next step estimates π two ways with the same work N (100 000 by default): adding N terms of the series 4 · (1 − 1/3 + 1/5 − …), or throwing N random darts at a square and counting those inside a quarter circle. **Which estimate ends closer to π?**',
      options: ['the series', 'the darts', 'about equally close (within a factor of 3)'],
      answer: (run) => {
        const ratio = ratioOf(run);
        return ratio > 3 ? 0 : ratio < 1 / 3 ? 1 : 2;
      },
      explain: (run) =>
        `In this run the darts' error was ${times(ratioOf(run))} the series' error. The series' error shrinks like 1/N: ten times the work buys one more correct digit. The darts' error shrinks like 1/√N: one more digit costs a *hundred* times the darts. Random sampling is a slow way to compute a number you can compute exactly, but it is how we estimate nearly everything in machine learning: a minibatch gradient, or GRPO's advantage from a group of G sampled answers, has noise that shrinks like 1/√(samples) too.`,
    },
    {
      kind: 'run',
      id: 'pi',
      title: 'Estimate π two ways',
      markdown: runText,
      knobs: [
        { name: 'samples', label: 'work N (terms = darts)', values: [1000, 10000, 100000, 1000000], default: 100000 },
        { name: 'seed', label: 'seed of the darts', values: [1, 2, 3, 4], default: 1 },
      ],
      chart: { series: ['series log10 error', 'darts log10 error'], yLabel: 'log10 |estimate − π|' },
      run: estimatePi,
    },
    {
      kind: 'check',
      title: 'What does the seed change?',
      question: 'You run the step again with the seed knob changed from 1 to 2. **Which curve changes?**',
      options: ['the series curve', 'the darts curve', 'both', 'neither'],
      answer: () => 1,
      explain:
        "The series uses no randomness, so it is the same every time. The darts come from a named, seeded stream, `new Rng(seed).child('darts')`; every random draw in tinyseek comes from such a stream, so the same seed gives the same darts bit for bit, and a different seed gives different darts. Go back (`←`), try seed 2, then seed 1 again: the curve you saw first comes back exactly.",
    },
    {
      kind: 'exercise',
      title: 'Softmax that does not overflow',
      markdown: exerciseText,
      starter: 'exercises/softmax.ts',
      solution: 'solutions/softmax.ts',
      check: checkSoftmax,
      hint: 'Subtract the largest score from every score before calling `Math.exp`. Softmax does not change when you subtract the same number from every score (the factor it introduces cancels between top and bottom), and with the largest score subtracted no exponent is above 0, so nothing overflows and the sum is at least 1.',
    },
    {
      kind: 'prose',
      title: 'Where next',
      markdown: `
# That is the whole player

You have seen every kind of step: prose, a prediction, a run with knobs and a live chart, a question and
an exercise. The other lessons use the same keys on the real thing: tokens and the toy arithmetic world,
attention and MLA, mixtures of experts, FP8, and GRPO teaching a small model to reason.

Outside the player:

- \`tinyseek lessons --list\` lists the lessons and your progress;
- \`tinyseek lesson N --plain\` prints lesson N as text and runs its runs with plain progress, for logs
  and screen readers;
- your exercise files stay in your workspace folder, to keep or to start over (\`x\` twice resets one).

Press \`→\` to finish and go back to the menu.
`,
    },
  ],
};

export default lesson;
