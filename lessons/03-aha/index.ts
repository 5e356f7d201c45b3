// Lesson 03: R1-Zero in miniature. The template and the rule-based reward, GRPO's group-relative advantage
// as an exercise, a prediction about response length, a live GRPO run on the shipped base model (knobs:
// G, β, temperature, grpo/dr_grpo), an honest reading of what a run this short can and cannot show, and
// the three controls of src/experiments/aha-ablations.ts with the commands that run them.
import { fileURLToPath } from 'node:url';
import type { Lesson, RunResult } from '../types.ts';
import { checkGroupAdvantage } from './advantage-check.ts';
import { runAhaLesson, SERIES } from './aha-run.ts';

const intro = `
# R1-Zero: reinforcement learning with nothing but a checker

DeepSeek-R1-Zero started from a base model (no instruction tuning, no examples of reasoning) and ran
reinforcement learning on problems whose answers a program can check. Two choices make it work.

## The template

Every prompt is the question followed by a fixed frame. Here, in tinyseek's arithmetic world:

\`\`\`
q:438+939=?
a:<think> ... </think><answer>1377</answer>
\`\`\`

The prompt ends right after \`<think>\`; the model writes the rest.

The template says *where* to think and where to answer. It says nothing about *how* to think: no worked
examples, no "let's go step by step". Whatever goes inside \`<think>\` is the model's own choice.

## The reward is a rule

- **accuracy**: 1 if the text inside \`<answer>\` is the right number (checked exactly), else 0;
- **format**: a small bonus when the completion follows the template.

That is all. There is **no length term**: a long answer earns nothing extra, a short one loses nothing.
There is no learned reward model either, so there is nothing for the policy to fool except the checker
itself.

## Our base model

\`fixtures/base\` is a 104k-parameter transformer (d = 64, 2 layers) pretrained on an addition corpus:
mostly direct answers, plus 15% worked digit-by-digit solutions and 3% traces that catch a mistake
("wait check") and fix it. Under the template it almost never thinks: it answers 2-digit sums directly
(about 91% right) and 3-digit sums less than half the time. The careful habit is in its weights, rarely used.
The RL task is 3-digit addition, where answering directly is often wrong.
`;

const exerciseText = `
GRPO samples **G answers to the same question** and scores each one. Instead of training a value network
to say how good an answer *should* be, it compares each answer with its siblings:

  **A_i = (r_i − mean(r)) / (std(r) + ε)**

Every token of answer *i* is then pushed up (A_i > 0) or down (A_i < 0) by the same amount.

Finish \`groupAdvantage\` in the file named below. The check compares it with \`src/rl/advantages.ts\` on
groups that each test one property: the advantages sum to 0, adding a constant to every reward changes
nothing, and a group where every answer got the same reward gives zeros.
`;

const runText = `
The GRPO loop of \`src/rl/trainer.ts\`, the same one \`tinyseek aha\` runs, one step at a time on the
shipped base model. Each step: 8 addition problems, G sampled answers each, rule-based rewards, group
advantages, one clipped policy-gradient update with a KL penalty (coefficient β) towards the frozen
starting model. Every 5 steps it evaluates on 32 held-out 3-digit sums (2 samples each at temperature 0.6).

The chart: held-out pass@1 and training accuracy in percent, the mean think length in characters and
the response length in tokens.

Knobs to try, one at a time:

- **group size G**: a larger group gives a less noisy baseline and more chances to find a right answer;
- **β (klCoef)**: 0 lets the policy drift freely; 0.2 holds it close to the base model;
- **temperature**: sampling too cold gives groups of identical answers, and those teach nothing
  (all advantages are 0);
- **variant**: \`dr_grpo\` drops the std division and the per-answer 1/|o| averaging (see the last page).

On this CPU a step takes a few seconds. The paper ran thousands of steps; the default here is 20.
`;

const reading = `
# Reading the run honestly

Look at what your run measured, not at what the paper's figure looks like.

- **Noise first.** Held-out pass@1 is measured on 32 problems × 2 samples. One problem more or less
  moves it by 1.5 points, and two runs with different seeds can differ by 10. A rise smaller than that
  is not a result.
- **Short runs.** R1-Zero's response length grew over thousands of steps. Twenty steps with a
  104k-parameter model can show the *direction* of a change, or nothing. The full experiment is
  \`tinyseek aha\` (60 steps of 8 × 8, several seeds with \`--seeds\`), and even that is a miniature.
- **What would count as an aha.** Think length rising *together with* accuracy, on held-out problems,
  while the reward never mentions length. Longer answers on their own can also come from the loss
  (next page) or from the model rambling until it is truncated.
- **Why it can happen here at all.** The reward is about being right. On 3-digit sums the worked-solution
  habit is right more often than a direct guess, so each group's worked answers tend to get positive
  advantages and become more likely. RL can only amplify a habit the base already has sometimes; it
  does not invent one. That is also why a model this small may simply not get there in a few steps.

If your run shows no rise, that is a real finding about this scale and this budget, not a bug to hide.
`;

const controls = `
# The controls: three runs that say *why*

A curve that goes up proves little until you change one thing and watch it stop going up. Each control
is one command (\`tinyseek aha --ablation NAME\`, see \`src/experiments/aha-ablations.ts\`); each runs the
experiment twice, changing only that one thing, and draws both on one chart.

- **dr_grpo: is the length growth partly the loss's doing?** GRPO averages each answer's token losses
  by its own length |o|. A wrong answer's negative push is spread over all its tokens, so a *long* wrong
  answer is punished less per token than a short one. That drifts wrong answers longer for no good
  reason. Dr. GRPO divides by a constant instead, and drops the std division (which also over-weights
  groups that are nearly all right or all wrong). Compare the length of **incorrect** answers in the two
  arms: if GRPO's grow and Dr. GRPO's do not, part of the "longer thinking" was this bias.
- **no_worked: can RL invent a habit?** The same RL on a base pretrained on direct answers only (no
  worked solutions, no self-corrections). If thinking never appears there, RL was amplifying something
  the base had, not creating it.
- **shuffle: is the reward doing the work?** The rewards of each group are shuffled among its answers:
  the same numbers, no longer attached to the answers that earned them. Anything that still "improves"
  under a shuffled reward was not learned from the reward.

Each control takes minutes to tens of minutes on a laptop CPU, so they are commands rather than steps
here. Run them and compare the charts they write (\`<out>/<ablation>.svg\`).
`;

const change = (run: RunResult | undefined): number => {
  if (!run) return NaN;
  const a = run.metrics['lenFirst']!, b = run.metrics['lenLast']!;
  return (b - a) / Math.max(a, 1e-9);
};

const lesson: Lesson = {
  id: '03-aha',
  number: 3,
  title: 'R1-Zero: GRPO and the aha moment',
  summary: 'The R1-Zero template and rule-based reward, GRPO\'s group-relative advantage, a live GRPO run on a tiny base model (accuracy and thinking length), and the controls that say why.',
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: [
    'src/rl/advantages.ts',
    'src/rl/config.ts',
    'src/rl/policy.ts',
    'src/rl/trainer.ts',
    'src/model/checkpoint.ts',
    'src/experiments/aha.ts',
    'src/experiments/aha-ablations.ts',
    'fixtures/base/model.safetensors',
  ],
  steps: [
    { kind: 'prose', title: 'The template and the reward', markdown: intro },
    {
      kind: 'exercise',
      title: 'The group-relative advantage',
      markdown: exerciseText,
      starter: 'exercises/group-advantage.ts',
      solution: 'solutions/group-advantage.ts',
      check: checkGroupAdvantage,
      hint: 'Compute the mean of the G rewards, then the population std: the square root of the mean of (r − mean)². Return (r − mean) / (std + EPS) for each reward. With all rewards equal, r − mean is 0 for every answer, so the result is 0 without any special case.',
    },
    {
      kind: 'check',
      title: 'Predict: will the answers get longer?',
      run: 'aha',
      question:
        'The reward is accuracy plus format and never looks at length. In the next run, measured on held-out problems, **what happens to the mean response length between the first and the last evaluation?**',
      options: ['it grows by more than 10%', 'it stays within 10%', 'it shrinks by more than 10%'],
      answer: (run) => {
        const c = change(run);
        return c > 0.1 ? 0 : c < -0.1 ? 2 : 1;
      },
      explain: (run) => {
        const c = change(run);
        const measured = Number.isFinite(c)
          ? `This run measured ${run!.metrics['lenFirst']!.toFixed(1)} → ${run!.metrics['lenLast']!.toFixed(1)} tokens (${c >= 0 ? '+' : ''}${(100 * c).toFixed(0)}%) over ${run!.metrics['steps']} steps.`
          : 'The run measured nothing.';
        return `${measured} Length can only change here because it correlates with being right (worked answers are longer and, on 3-digit sums, more often correct), or because of how the loss averages over tokens (the dr_grpo control). In R1-Zero it grew steadily over thousands of steps; a run of a few steps on a tiny model may show nothing, and a change inside the noise is not a trend.`;
      },
    },
    {
      kind: 'run',
      id: 'aha',
      title: 'GRPO on the base model',
      markdown: runText,
      knobs: [
        { name: 'groupSize', label: 'group size G', values: [4, 8, 16], default: 8 },
        { name: 'klCoef', label: 'KL coefficient β', values: [0, 0.04, 0.2], default: 0.04 },
        { name: 'temperature', label: 'sampling temperature', values: [0.6, 1, 1.3], default: 1 },
        { name: 'variant', label: 'variant', values: ['grpo', 'dr_grpo'], default: 'grpo' },
        { name: 'steps', label: 'RL steps', values: [10, 20, 40, 60], default: 20 },
        { name: 'seed', label: 'seed', values: [0, 1, 2], default: 0 },
      ],
      chart: { series: [SERIES.acc, SERIES.train, SERIES.think, SERIES.len], title: 'R1-Zero in miniature', yLabel: '% / characters / tokens' },
      run: runAhaLesson,
    },
    { kind: 'prose', title: 'Reading the result', markdown: reading },
    { kind: 'prose', title: 'The controls', markdown: controls },
  ],
};

export default lesson;
