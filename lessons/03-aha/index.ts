// Lesson 03: R1-Zero in miniature. The template and the rule-based reward, GRPO's group-relative advantage
// as an exercise, a prediction about response length, a live GRPO run on the shipped base model (knobs:
// G, β, temperature, grpo/dr_grpo), an honest reading of what a run this short can and cannot show, and
// the three controls of src/experiments/aha-ablations.ts with the commands that run them.
import { fileURLToPath } from 'node:url';
import type { Lesson, RunResult } from '../../src/tui/manifest.ts';
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

\`fixtures/aha-base\` is a 104k-parameter transformer (d = 64, 2 layers) pretrained on 1- and 2-digit sums:
70% direct answers (some of them wrong, as on the real internet), 15% worked digit-by-digit solutions and
15% traces that give a quick answer, say "wait check" and then work it out. Under the template it almost
always answers directly, and on 2-digit sums a direct answer is right only about 7% of the time: the model
can copy digits and add single digits, but not yet add two 2-digit numbers in one go. Sampled, it sometimes
works the sum out or re-checks a guess (about 9% of its answers), and those answers are right far more often.
The careful habits are in its weights, rarely used. The RL task is 2-digit addition.
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
starting model. Every 5 steps it evaluates on 32 held-out 2-digit sums (2 samples each at temperature 0.6).

The chart: held-out pass@1, training accuracy and the share of held-out answers that re-check
("wait check") in percent, the mean think length in characters and the response length in tokens.

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
- **What the full experiment measured.** \`tinyseek aha --seeds 0,1,2\` (60 steps of 8 prompts × 8
  samples, about 2 minutes a seed on 2 cores) went, as the mean of three seeds from the first to the last held-out
  evaluation: greedy accuracy 9% → 81%, pass@1 9% → 53%, think length 5 → 33 characters, answers that
  re-check 10% → 95%. The chart it draws is \`lessons/03-aha/aha-3seeds.svg\`.
- **What would count as an aha.** Think length rising *together with* accuracy, on held-out problems,
  while the reward never mentions length. Longer answers on their own can also come from the loss
  (next page) or from the model rambling until it is truncated.
- **Why it happens here at all.** The reward is about being right. On 2-digit sums a direct answer is
  right about 7% of the time, a worked one far more often, so in each group the careful answers tend to
  get positive advantages and become more likely. RL can only amplify a habit the base already has
  sometimes; it does not invent one (the no_worked control on the last page tests exactly that).

# Is the re-check real?

Read the answers, not just the word counts. At the end of the run a typical answer is

\`\`\`
q:49+70=?  a:<think>157 wait check 9+0=9 4+7=11 so 119</think><answer>119</answer>
\`\`\`

The model guesses, says "wait check", and works the sum out. But look at the guesses: over the last
20 steps of the three seeds, not one of 45 re-checking answers guessed right, and a third of them
guessed 157 whatever the question. The corpus taught it that shape (a wrong quick answer, then the
check), and RL kept the shape because the work after "wait check" is what gets rewarded. The words of
reflection rose from 10% to 95%; actual checking of a first answer did not happen, because the first
answer never had a chance. This is the *superficial self-reflection* that reproductions of R1-Zero
report too: counting "wait" measures a style, and a style can be a ritual. (With a base that read
30% plain worked solutions and 5% re-checks instead, RL makes plain worked traces the rule and
re-checking fades to 0: which careful habit wins depends on what the base read.)

Read them yourself: \`tinyseek aha\` saves the trained model in its run directory, so after it
\`tinyseek sample --model runs/aha --problem '49+70' --n 8 --temperature 1\` shows eight answers.

Would a more honest corpus give honest checking? We tried it: the same base recipe, but half of the
self-checking documents now guess *right* and the check confirms it
(\`tinyseek pretrain --preset aha --confirm-frac 0.5 --out runs/aha-base-confirm\`, then
\`tinyseek aha --base runs/aha-base-confirm --seeds 0,1,2\`). RL then mostly dropped re-checking
(6% → 9% of answers, against 10% → 95%) and made the plain worked trace the rule instead, and it
learned more slowly (pass@1 9% → 34%, greedy 8% → 61%, think length 5 → 17 characters). The re-checks
it did write were unreliable: sampling each seed's final model 4 times on the 64 held-out problems gave
59 re-checking answers in all, and 54 of them ended wrong (only 1 by repeating the wrong guess). We have not pinned down why that base's re-checks go
wrong; what the runs do show is that RL keeps whichever habit is most reliably right in the base it
starts from. Reflection words rose here only where they came attached to a procedure that works.

Training accuracy (sampled at temperature 1) is about 27% over the last 10 steps, far below pass@1 at
temperature 0.6: every token of a 38-token answer is a chance to slip, and a 104k-parameter model slips
often.
`;

const controls = `
# The controls: three runs that say *why*

A curve that goes up proves little until you change one thing and watch it stop going up. Each control
is one command (\`tinyseek aha --ablation NAME --seeds 0,1,2\`, see \`src/experiments/aha-ablations.ts\`);
each runs the experiment twice, changing only that one thing, and draws both on one chart. What they
measured (mean of seeds 0, 1, 2; the charts are in \`lessons/03-aha/ablation-*.svg\`):

- **dr_grpo: is the length growth partly the loss's doing?** GRPO averages each answer's token losses
  by its own length |o|. A wrong answer's negative push is spread over all its tokens, so a *long* wrong
  answer is punished less per token than a short one. That drifts wrong answers longer for no good
  reason. Dr. GRPO divides by a constant instead, and drops the std division. Measured: wrong answers
  grew from 21 to 36.5 tokens under GRPO and from 20 to 33.6 under Dr. GRPO (mean of the first and last
  10 steps), while right answers ended almost equal (39.3 vs 38.7). So the bias is there, in the
  direction the Dr. GRPO paper found, but small: about 3 tokens of the 16 that wrong answers grew. Most
  of the growth is the switch to careful answers, which are long whether right or wrong. Dr. GRPO also
  learned a little slower here (pass@1 46% vs 53% at step 60).
- **no_worked: can RL invent a habit?** The same RL on a base pretrained on direct answers only (no
  worked solutions, no self-corrections). Measured: think length 0.1 → 0.0 characters, re-checking
  0% → 0%, pass@1 22% → 26%. That base is *better* at direct answers (it read nothing else), yet RL
  only polished them; it never started to think. The default base ended at 53% by thinking.
  Pulling yourself up by your bootstraps still requires a foundation.
- **shuffle: is the reward doing the work?** The rewards of each group are shuffled among its answers:
  the same numbers, no longer attached to the answers that earned them. Measured: pass@1 9% → 6%,
  think length 5.4 → 6.3 characters, re-checking 10% → 12% (noise), against 53%, 33 and 95% with the
  real reward. Nothing is learned without the signal.

Each control takes 10 to 20 minutes on a laptop CPU, so they are commands rather than steps here.
`;

const change = (run: RunResult | undefined): number => {
  if (!run) return NaN;
  const a = run.metrics['lenFirst']!,
    b = run.metrics['lenLast']!;
  return (b - a) / Math.max(a, 1e-9);
};

const lesson: Lesson = {
  id: '03-aha',
  number: 3,
  title: 'R1-Zero: GRPO and the aha moment',
  summary:
    "The R1-Zero template and rule-based reward, GRPO's group-relative advantage, a live GRPO run on a tiny base model (accuracy and thinking length), and the controls that say why.",
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: [
    'src/rl/advantages.ts',
    'src/rl/config.ts',
    'src/model/policy.ts',
    'src/rl/trainer.ts',
    'src/model/checkpoint.ts',
    'src/experiments/aha.ts',
    'src/experiments/aha-ablations.ts',
    'fixtures/aha-base/model.safetensors',
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
        return `${measured} Length can only change here because it correlates with being right (worked and re-checked answers are longer and, on 2-digit sums, far more often correct), or because of how the loss averages over tokens (the dr_grpo control). In R1-Zero it grew steadily over thousands of steps; a run of a few steps on a tiny model may show nothing, and a change inside the noise is not a trend.`;
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
      chart: {
        series: [SERIES.acc, SERIES.train, SERIES.refl, SERIES.think, SERIES.len],
        title: 'R1-Zero in miniature',
        yLabel: '% / characters / tokens',
      },
      run: runAhaLesson,
    },
    { kind: 'prose', title: 'Reading the result', markdown: reading },
    { kind: 'prose', title: 'The controls', markdown: controls },
  ],
};

export default lesson;
