// Lesson 08: from R1-Zero to R1. Why R1-Zero's thinking was hard to read (language mixing), the two languages of
// thought of tinyseek's world, the five stages of the R1 pipeline built live as a table, the trade-off the
// language-consistency reward makes (a knob), and R1's eq. 7 as the exercise. Measured numbers: README.md
// ("From R1-Zero to R1") and `tinyseek r1`.
import { fileURLToPath } from 'node:url';
import type { Lesson, RunResult } from '../../src/tui/manifest.ts';
import { checkConsistency } from './consistency-check.ts';
import { runR1Lesson, SERIES } from './r1-run.ts';

const intro = `
# From R1-Zero to R1

R1-Zero reasoned well and wrote badly. Its thinking drifted between English and Chinese inside one answer,
repeated itself and ignored formatting: nothing in its reward (a right answer, in the right tags) asked for
anything else. DeepSeek-R1 is R1-Zero's recipe wrapped in four more stages that buy readability back:

1. **cold start** — a few thousand curated R1-Zero traces (right answers, no repetition, the thinking
   translated into the question's language), fine-tuned into the *base* model;
2. **reasoning RL** — GRPO again, with a third rule reward: **language consistency**, the share of the
   thinking's words in the target language (R1 eq. 7), added to accuracy and format;
3. **rejection sampling** — many samples per prompt from that checkpoint, only the right and unmixed ones
   kept, plus non-reasoning data (trivial questions get no thinking), and SFT *from the base again*;
4. **final RL** — at temperature 0.7.

## Two languages of thought

tinyseek's world has two notations for the same column step, and the prompt says which one to think in:

\`\`\`
q:37+45=?            a:<think>7+5=12 3+4+1=8 so 82</think><answer>82</answer>
q:37+45=? in words   a:<think>seven plus five is twelve three plus four plus one is eight so 82</think>...
\`\`\`

Every lexeme has one counterpart (12 ↔ twelve, + ↔ plus, = ↔ is), so a step is five lexemes in either
language and the rewriter between them is exact. The base (\`fixtures/r1-base\`) is lesson 3's base read on
over a corpus in both languages, with a few documents that switch notation between steps: it thinks well in
symbols and is still learning words. Words are harder for a tiny model: more tokens per step, and
the answer has to be read back out of "twelve" rather than copied from "12". That is the temptation: on a
words prompt, a step written in symbols is more likely to end in a right answer.

**Mixing** = the share of thinking steps not in the prompt's language. **Readability** = the share of
answers whose thinking parses, never switches inside a step, and never repeats a step.
`;

const runText = `
The whole pipeline, small budget: each stage's row appears as it finishes (held-out 2-digit additions asked in
both languages). The chart follows the RL stages' training accuracy and mixing, step by step.

Turn the knob: **w**, the weight of the language-consistency reward in reasoning RL and final RL. At w = 0
the later stages are R1-Zero's reward again; R1 used w = 1.
`;

const reading = `
# Reading the table

R1's own table (v2, Table 3) has the same shape: R1-Zero 77.9 on AIME, the cold start *down* to 59.0, reasoning
RL back to 74.0, rejection-sampling SFT 78.1, final RL 79.8 — while the readability measures (IF-Eval,
AlpacaEval) climb from the cold start on.

What to look for in yours:

- **zero**: accuracy rises from the base; on words prompts, some steps come out in symbols (mixing > 0).
- **cold-start**: SFT from the base on a few hundred rewritten traces: mixing near 0, readability up, and
  accuracy may fall below zero's.
- **reasoning-rl**: the consistency reward holds mixing down while accuracy recovers. With w = 0, mixing is
  free to come back.
- **rejection-sft** and **final-rl**: data only from right, unmixed answers; accuracy held or recovered.

A tiny run is noisy: rows differ by a few problems. The default run (\`tinyseek r1\`, about six minutes on 2
quiet cores) measured: zero 27% greedy with words-prompt mixing up from 2% to 14%; cold start down to 17% with
mixing 4%; reasoning RL back to 27% with no mixing (34% at w = 0: the reward's cost); rejection SFT 20%; final
RL 23% with the best pass@1 of all stages. Words prompts stayed almost unsolved throughout: the harder script
was too hard for this model, so the mixing that pays was rare. \`tinyseek r1 --sweep weight\` and
\`--sweep cold-start\` draw the trade-off curves; the README has the tables.
`;

const exerciseText = `
Write R1's language-consistency reward: the share of the thinking's lexemes that are in the target
language, counting only lexemes that have a language (numbers, operators, equals), and 1 when there are none.

The check compares your function with \`src/world/languages/measures.ts\` on six thinks: pure, one step
switched, the same asked in the other language, shared words and answers, an empty think, and a switch
inside a step.
`;

const lesson: Lesson = {
  id: '08-r1-zero-to-r1',
  number: 8,
  title: 'From R1-Zero to R1',
  summary:
    'Language mixing and why it pays, the cold start, the language-consistency reward, rejection sampling and final RL: the R1 pipeline built live as a stage table, with the consistency reward as the exercise.',
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: ['src/experiments/r1/pipeline.ts', 'src/world/languages/measures.ts', 'fixtures/r1-base/model.safetensors'],
  steps: [
    { kind: 'prose', title: 'R1-Zero wrote badly', markdown: intro },
    {
      kind: 'check',
      title: 'Predict: the zero stage',
      question:
        'Zero RL rewards only a right answer in the right tags. On prompts that ask for thinking in words, what happens to mixing (steps written in symbols)?',
      options: ['it rises above the base', 'it stays where the base had it', 'it falls'],
      run: 'r1',
      answer: (r: RunResult | undefined) => {
        const base = r?.metrics['base.mixingWords'] ?? 0;
        const zero = r?.metrics['zero.mixingWords'] ?? 0;
        return zero > base + 0.02 ? 0 : zero < base - 0.02 ? 2 : 1;
      },
      explain: (r: RunResult | undefined) =>
        `Measured on words prompts: base ${(100 * (r?.metrics['base.mixingWords'] ?? 0)).toFixed(0)}% of steps in symbols, after zero ${(100 * (r?.metrics['zero.mixingWords'] ?? 0)).toFixed(0)}%. Symbols are the easier script for this model, and nothing in R1-Zero's reward says which script to use.`,
    },
    {
      kind: 'run',
      id: 'r1',
      title: 'The pipeline, stage by stage',
      markdown: runText,
      knobs: [{ name: 'languageWeight', label: 'language reward weight w', values: [0, 0.25, 0.5, 1], default: 1 }],
      chart: { series: [SERIES.acc, SERIES.mixing], title: 'RL stages: training accuracy and mixing', yLabel: '%' },
      run: runR1Lesson,
    },
    { kind: 'prose', title: 'Reading the table', markdown: reading },
    {
      kind: 'exercise',
      title: 'The language-consistency reward',
      markdown: exerciseText,
      starter: 'exercises/consistency.ts',
      solution: 'solutions/consistency.ts',
      check: checkConsistency,
      hint: 'Filter lexemes(think) to those whose language is not null; if none are left return 1; else divide the count in `target` by the count left.',
    },
  ],
};

export default lesson;
