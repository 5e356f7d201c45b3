// Lesson 09: distillation, borrowing a foundation. R1's last finding (a small model fine-tuned on a strong
// reasoner's answers beats the same RL on the small model), why rejection sampling only keeps verified answers,
// a live run of both roads at equal compute with the number of teacher traces as the knob, the unbiased pass@k
// estimator as the exercise, and what `tinyseek experiment distill-vs-rl` measured (README, "Distillation vs RL").
import { fileURLToPath } from 'node:url';
import type { Lesson } from '../../src/tui/manifest.ts';
import { runDistillLesson, SERIES } from './distill-run.ts';
import { checkPassAtK } from './pass-at-k-check.ts';

const intro = `
# Distillation: borrowing a foundation

The R1 report ends with a finding that reached laptops. Fine-tune a small model on 800k answers written by
DeepSeek-R1 and it reasons far better than the same small model trained with R1-Zero's RL:

| Qwen-32B base | AIME 2024 pass@1 |
| --- | --- |
| RL (R1-Zero recipe, 10k+ steps) | 47.0% |
| distilled from R1 | 72.6% |

"Pulling yourself up by your bootstraps still requires a foundation": RL can only amplify what the base can
already sometimes do, while a teacher hands over answers the student would rarely find on its own. But the
paper never compared the two at **equal compute**, and the teacher's own training is the most expensive
thing in the picture. tinyseek counts every FLOP, so it can.

## The models

- **student**: 15k parameters (\`fixtures/distill/student-15k\`), pretrained exactly like lesson 3's 104k base;
  it answers 11% of 100 held-out 2-digit sums, greedily.
- **teachers**: the 104k aha model after lesson 3's 60 GRPO steps (\`fixtures/distill/teacher-104k\`, 78% of
  64 held-out sums greedy), and a 72k model made the same way (\`fixtures/distill/teacher-72k\`): 6.8× and 4.7× the student.
`;

const filter = `
# Rejection sampling: only what checks out

Distillation data is made by **rejection sampling**: the teacher answers each training problem G times, a rule
checks every answer, and only the right ones are kept (R1 §2.3.3: "retain only the correct responses").
tinyseek's filter (\`src/train/rejection-sampling.ts\`) keeps an answer when

- the verifier finds the exact right number in the \`<answer>\` block,
- the completion has the template's format (one think, one answer), and
- it ended by itself instead of running into the token limit.

The filter checks the *outcome*, not the reasoning. A kept trace can be \`1+7=7 1+4=5 so 57\` for 10+47: a
slip in the working and a right answer. The student learns those slips too — as R1's students learn whatever
the teacher's style is.

Each arm is charged for everything it spends: the teacher's samples (kept or not) at the teacher's size, the
student's SFT on the padded batches, and, counted separately, the teacher's own pretraining and RL.
`;

const runText = `
The teacher answers the training problems 4 times each; the right answers fine-tune the student (10 epochs).
Then the *same student base* gets GRPO (the aha recipe) until it has spent the same FLOPs as the distillation
did, trace generation included. The teacher's own training is *not* charged here, which favours
distillation: the next page says by how much. The knob is the number of training problems the teacher answers.
`;

const measured = `
# Measured: Table 6 in miniature

\`tinyseek experiment distill-vs-rl\` (11 minutes on a busy 2-core laptop) on 32 held-out 2-digit sums; FLOPs
are what each road spent on top of the student's pretraining:

| | FLOPs | greedy | pass@1 | pass@64 |
| --- | --- | --- | --- | --- |
| student base | 0 | 3% | 4% | 88% |
| RL (GRPO, 142 steps) | 3.7e10 | 0% | 4% | 91% |
| distilled (233 right teacher answers) | 3.7e10 | 13% | 4% | 81% |
| distilled on the longest right answers | 3.7e10 | 28% | 7% | 94% |
| the 104k teacher | 1.3e12 of its own | 81% | 53% | 100% |

- **Without the teacher's cost, distillation wins**, by a few problems out of 32: RL on this student learns
  nothing at all. It drops the think and stays at its base's accuracy: RL amplifies right answers the model
  already finds, and a 15k base that cannot copy the right digits rarely finds any.
- **With the teacher's cost, it does not**: the teacher's pretraining and RL cost 36× what distillation
  spent. The paper's comparison leaves the teacher out — fair when one teacher serves many students.
- **Distillation narrows**: pass@64 falls from 88% to 81% (and to 72% with RL on top), while RL keeps 91%.
- **Longer traces distil better** (28% vs 3% from the shortest right answers), and a 72k teacher that is as
  accurate but writes shorter answers with fewer checks gives a weaker student (3%).
- **A foundation is needed to borrow one too**: the distilled student writes the teacher's format and gets
  the digits wrong (\`70 wait check 6+8=14 4+2+1=8 so 87\` and the answer 84, for 36+18: the units right, the tens copied wrong).

The README's "Distillation vs RL" section has the full table (C: distillation then RL, the 3-digit split
where every model, teachers included, scores 0%) and the charts \`accuracy-vs-flops.svg\` and
\`pass-at-k.svg\` in this folder.
`;

const exerciseText = `
pass@k is the probability that at least one of k answers is right. With n ≥ k samples per problem of which c
are right, the unbiased estimate is 1 − C(n − c, k) / C(n, k). Finish \`passAtK(n, c, k)\`; the check compares
it with \`src/train/eval.ts\` on seven cases, one of which overflows the naive binomials.
`;

const lesson: Lesson = {
  id: '09-distillation',
  number: 9,
  title: 'Distillation: borrowing a foundation',
  summary:
    "A 15k student fine-tuned on a 104k teacher's verified answers vs the same student trained with RL, at equal FLOPs; rejection sampling and pass@k.",
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: [
    'src/experiments/distill-arms.ts',
    'src/experiments/distill-ledger.ts',
    'src/train/rejection-sampling.ts',
    'fixtures/distill/student-15k/model.safetensors',
    'fixtures/distill/teacher-104k/model.safetensors',
  ],
  steps: [
    { kind: 'prose', title: 'A foundation to borrow', markdown: intro },
    { kind: 'prose', title: 'Rejection sampling', markdown: filter },
    {
      kind: 'check',
      title: 'Predict',
      question:
        'At equal FLOPs (the teacher’s own training not counted), which student ends more accurate on held-out sums?',
      options: ['the distilled one', 'the RL one', 'about the same (within 5 points)'],
      run: 'distill',
      answer: (r) => {
        if (!r) return 0;
        const gap = (r.metrics['distilled'] ?? 0) - (r.metrics['rl'] ?? 0);
        return Math.abs(gap) <= 5 ? 2 : gap > 0 ? 0 : 1;
      },
      explain: (r) =>
        r
          ? `distilled ${r.metrics['distilled']!.toFixed(0)}% vs RL ${r.metrics['rl']!.toFixed(0)}% at ${r.metrics['flops']!.toExponential(1)} FLOPs each.`
          : 'Run the comparison to find out.',
    },
    {
      kind: 'run',
      id: 'distill',
      title: 'Distillation vs RL, live',
      markdown: runText,
      knobs: [{ name: 'traces', label: 'problems the teacher answers', values: [32, 64, 128, 256], default: 128 }],
      chart: { series: [SERIES.distill, SERIES.rl], title: 'held-out 2-digit accuracy', yLabel: '%' },
      run: runDistillLesson,
    },
    { kind: 'prose', title: 'Measured', markdown: measured },
    {
      kind: 'exercise',
      title: 'The pass@k estimator',
      markdown: exerciseText,
      starter: 'exercises/pass-at-k.ts',
      solution: 'solutions/pass-at-k.ts',
      check: checkPassAtK,
      hint: 'If n − c < k return 1. Otherwise multiply (1 − k / i) for i from n − c + 1 to n, and return 1 minus the product.',
    },
  ],
};

export default lesson;
