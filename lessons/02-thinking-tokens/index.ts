// Lesson 02: why a model needs more tokens to think. A fixed-depth transformer spends the same computation
// on every token, so a direct answer gets a few tokens' worth however hard the sum; a worked solution
// spends one short step per column. Run: the base model answers held-out 1/2/3-digit additions forced to
// answer directly, forced to start a worked solution, and free, with accuracy and tokens for each.
// Exercise: write the worked solution (column sums with carries) exactly as the corpus does.
import { fileURLToPath } from 'node:url';
import type { Lesson } from '../../src/tui/manifest.ts';
import { checkWorkedThink } from './worked-check.ts';
import { thinkingRun } from './thinking.ts';

const intro = `
# A fixed amount of thought per token

A transformer computes each token with the same stack of layers: the base model here has 2 layers and
about 100 000 parameters, so every token costs it about 200 000 FLOPs (a multiply and an add per
parameter), **whatever the question**. It cannot stop and think harder on a hard token. The only way it can spend more computation on
a problem is to write more tokens.

The pretraining corpus has two ways to answer \`37+45\`:

\`\`\`
direct:  <think></think><answer>82</answer>
worked:  <think>7+5=12 3+4+1=8 so 82</think><answer>82</answer>
\`\`\`

The direct answer must produce \`8\` first, and the \`8\` depends on the carry from \`7+5\`: the whole
sum in one forward pass per digit. The worked solution goes right to left, one column per step; each step
adds two digits and a carry the model has just written itself. A 3-digit sum takes 3 steps, a 30-digit sum
30: the work grows with the problem, and so does the number of tokens.

That is the idea behind DeepSeek-R1's long answers: with reinforcement learning on verifiable rewards, R1-Zero
learned on its own to write longer and longer reasoning (from hundreds to thousands of tokens per answer
over training), because spending tokens is how a fixed network buys computation.

In the default corpus most answers are direct (82%); worked solutions are rarer (15%). The run asks the same base
model both ways.
`;

const runText = `
The base model (pretrained on the corpus above, no reinforcement learning) answers held-out additions of
1, 2 and 3 digits three ways, with greedy decoding:

- **direct**: the prompt already ends with \`</think><answer>\`, so the model must write the answer at once;
- **worked**: the think is opened with one forced token, the units digit of the first number (\`7\` for
  \`37+45\`); in this corpus only a worked solution starts that way, so the model continues one;
- **free**: nothing is forced; the model picks a style itself.

An answer counts as right when it is well-formed and its number is the sum (the rule-based reward of
\`src/world/rewards.ts\`). Tokens are counted from \`<think>\` to \`</answer>\`. The chart's x axis is the
number of digits (1, 2, 3). For the worked solutions the run also checks every step against the true one:
right, a *misread* step (the wrong digits or carry on its left side: \`4+8\` where the column is \`4+9\`), or
a *wrong sum* (the right digits added wrongly). Knob: problems per digit count (more is slower and less
noisy).
`;

const exerciseText = `
Write the worked solution the way the corpus writes it, so that you know exactly what the model imitates:

\`\`\`
workedThink(37, 45)   === '7+5=12 3+4+1=8 so 82'
workedThink(99, 1)    === '9+1=10 9+0+1=10 so 100'
\`\`\`

One step per column from the right: the two digits (0 where a number has run out), \`+1\` when the
previous column carried, \`=\` the column's whole sum. Then \`so\` and the answer: the last sum, followed by
the units digits of the earlier sums from left to right. The starter does everything but the carry.
`;

const recap = `
# What the run shows, and what it does not

Two things hold in every run: the worked solutions spend about five times as many tokens at 3 digits, and
*free* answers like the majority of its pretraining data did (directly), whichever way works better.

Whether the worked solutions are *more accurate* depends on the model. With the base checkpoint at the
time of writing (2 layers, d_model = 64, 3000 steps) they were not: on 3-digit sums the direct answers got
41% and the worked ones 16%. An earlier checkpoint of the same training run (2000 steps) had it the other
way round, 3% against 22%. So this tiny model does not reproduce the paper's story cleanly. The step check
says why:

- its worked steps had **no** wrong sums: the arithmetic the scratchpad asks for, two digits and a carry,
  it does reliably, which is the point of writing steps;
- but about a quarter of the 3-digit steps were **misread**: in 90 of 100 held-out 3-digit sums the model
  took the wrong hundreds digit of the second number. Each step must find its two digits by position in
  the prompt, and the model learned that lookup for the hundreds column only from the 3-digit worked
  solutions, about 5% of its corpus (direct answers were 82%);
- one misread step spoils the answer, so the errors compound: a worked solution is only as good as all its
  steps together.

A second caveat: 15% of the corpus's direct answers are wrong on purpose (as on the real internet) while
its worked solutions are always right, so the two styles were not learned from equally clean data either.

What carries over to R1 is the mechanism, not our percentages: a fixed network buys computation with tokens,
and a step-by-step answer turns one hard token into many easy ones. Large models read their own context
reliably, so for them the trade pays off as problems grow. Which style a model *chooses* is what reinforcement
learning with a correctness reward decides (GRPO, lesson 3): it samples both, the rule-based reward favours
whichever is right more often, and the model shifts towards it.
`;

const lesson: Lesson = {
  id: '02-thinking-tokens',
  number: 2,
  title: 'Why a model needs more tokens to think',
  summary:
    'A fixed-depth model spends the same computation on every token. Force the base model to answer directly or to work the sum out column by column, and compare accuracy and tokens as the numbers grow.',
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: ['src/world/index.ts', 'src/model/checkpoint.ts', 'src/model/generate.ts', 'src/train/pretrain.ts'],
  steps: [
    { kind: 'prose', title: 'A fixed amount of thought per token', markdown: intro },
    {
      kind: 'check',
      title: 'Predict: direct or worked?',
      run: 'thinking',
      question:
        'The same model answers held-out additions once forced to answer directly and once forced to start a worked solution. It gets most 1-digit sums right both ways. **On 3-digit sums, which way gets more right?**',
      options: ['the direct answers', 'the worked solutions', 'about the same (within 5 points)'],
      answer: (run) => {
        const direct = run?.metrics['direct3'] ?? 0;
        const worked = run?.metrics['worked3'] ?? 0;
        return Math.abs(direct - worked) <= 0.05 ? 2 : direct > worked ? 0 : 1;
      },
      explain: (run) => {
        const m = run?.metrics ?? {};
        const p = (k: string) => `${Math.round((m[k] ?? NaN) * 100)}%`;
        const t = (k: string) => (m[k] ?? NaN).toFixed(0);
        const direct = m['direct3'] ?? 0;
        const worked = m['worked3'] ?? 0;
        const verdict =
          worked > direct + 0.05
            ? 'The worked solutions won, as the R1 story says they should as problems grow.'
            : direct > worked + 0.05
              ? 'The direct answers won here, against the R1 story. The step check under the run says why: look at how many worked steps were misread (the wrong digits put into a step) and how many added wrong.'
              : 'Neither way won clearly here.';
        return `This run, 3-digit sums: direct ${p('direct3')} right in about ${t('directTokens3')} tokens, worked ${p('worked3')} in about ${t('workedTokens3')} tokens (1-digit: ${p('direct1')} and ${p('worked1')}). ${verdict} A direct answer gets one forward pass per written token however many carries the sum needs; a worked solution spends one step per column, each the same small problem, but each step must also find its digits in the prompt, and one bad step spoils the answer.`;
      },
    },
    {
      kind: 'run',
      id: 'thinking',
      title: 'Answer directly, or work it out',
      markdown: runText,
      knobs: [{ name: 'problems', label: 'problems per digit count', values: [16, 32, 64], default: 32 }],
      chart: { series: ['direct %', 'worked %', 'free %'], title: 'accuracy vs digits (1, 2, 3)', yLabel: '% right' },
      run: thinkingRun,
    },
    {
      kind: 'check',
      title: 'Where do worked solutions go wrong?',
      run: 'thinking',
      question:
        'Look at the step check of the 3-digit worked solutions in the run. **What went wrong in most of the bad steps?**',
      options: [
        'a wrong sum: the right digits added wrongly',
        'a misread: the wrong digits (or carry) put into the step',
        'missing steps: the solution stopped early',
        'nothing: (almost) every step was right',
      ],
      answer: (run) => {
        const m = run?.metrics ?? {};
        const right = m['stepsRight3'] ?? 0;
        const misread = m['misread3'] ?? 0;
        const misadded = m['misadded3'] ?? 0;
        const missing = Math.max(0, 1 - right - misread - misadded);
        if (right >= 0.95) return 3;
        const worst = Math.max(misadded, misread, missing);
        return worst === misread ? 1 : worst === misadded ? 0 : 2;
      },
      explain: (run) => {
        const m = run?.metrics ?? {};
        const p = (k: string) => `${Math.round((m[k] ?? NaN) * 100)}%`;
        return `3-digit worked steps in this run: ${p('stepsRight3')} right, ${p('misread3')} misread, ${p('misadded3')} with a wrong sum. Adding two digits and a carry is the easy part; a step that needs it is one small, fixed-size problem. Finding the right two digits is a lookup by position in the prompt, and a tiny model that saw few 3-digit worked solutions gets it wrong most often in the column it practised least, the hundreds. Thinking tokens give a model more computation; they do not give it better eyes.`;
      },
    },
    {
      kind: 'check',
      title: 'Why do more tokens help?',
      question:
        'A worked solution of a 3-digit sum takes about 34 tokens; a direct answer about 7. **What do the extra tokens give a fixed-size transformer?**',
      options: [
        'more parameters: a longer answer uses more of the network',
        "more computation: one more pass through every layer per token, with each step's result written down for the next",
        'more memory: the model stores the digits it has read in its weights',
      ],
      answer: () => 1,
      explain:
        'The parameters are the same for every token, and nothing is stored in the weights while answering. What grows is computation: each token is one more pass through all the layers, and whatever a token writes (a column sum, a carry) is read back by the attention of every later token. The think is a scratchpad the model computes on. R1 spends thousands of tokens per hard problem for this reason, which is also why reasoning models are expensive to serve.',
    },
    {
      kind: 'exercise',
      title: 'Write the worked solution',
      markdown: exerciseText,
      starter: 'exercises/worked-addition.ts',
      solution: 'solutions/worked-addition.ts',
      check: checkWorkedThink,
      hint: 'Keep a variable carry, 0 at the start. In each column, s = x + y + carry; write the left side as `${x}+${y}` plus `+1` only when carry is 1; after the step, carry = s >= 10 ? 1 : 0. The answer assembly in the starter is already right.',
    },
    { kind: 'prose', title: 'What the run shows', markdown: recap },
  ],
};

export default lesson;
