// Lesson 01: what a language model reads (tokens of the toy arithmetic world, one per character plus seven
// special tags) and what learning means for it (the next-token loss, starting at ln V), shown by pretraining
// a tiny transformer on direct-answer additions live. Exercise: the tokenizer, special tags included,
// checked against src/world/tokenizer.ts. Run: pretraining with knobs for steps, width and learning rate.
import { fileURLToPath } from 'node:url';
import type { Lesson, RunResult } from '../../src/tui/manifest.ts';
import { checkTokenizer } from './tokenizer-check.ts';
import { trainRun } from './train.ts';

const world = `
# A world made of 54 tokens

A language model never sees text. It sees **tokens**, whole numbers from a fixed vocabulary, and all it ever
learns to do is predict the next one. Real models use vocabularies of ~100 000 pieces of words (DeepSeek-V3:
129 280); tinyseek's toy world uses **54**: the ten digits, \`+ - * / ( ) = ?\`, the letters a–z, space,
newline, \`:\`, and seven special tags that are one token each:

\`\`\`
<pad> <bos> <eos> <think> </think> <answer> </answer>
\`\`\`

Every document of the pretraining corpus is a question in a fixed template (a miniature of the template
DeepSeek-R1-Zero was trained with), then an answer. A direct answer:

\`\`\`
<bos>q:37+45=?
a:<think></think><answer>82</answer><eos>
\`\`\`

is 56 characters but **20 tokens**: \`1 44 27 10 14 17 11 12 23 24 26 28 27 3 4 5 15 9 6 2\`. \`<bos>\` is id 1,
\`q\` is 44, \`3\` is 10, \`<think>\` is 3 and \`</think>\` is 4, \`8\` is 15.

The model reads the ids, and at every position outputs 54 scores, one per possible next token. Training
pushes up the score of the token that actually came next. First, write the function that turns text into
ids.
`;

const exerciseText = `
Complete \`encode(text, vocab)\`: text in, token ids out, exactly as tinyseek's tokenizer does it. The
starter splits the text into characters, which is right for \`12+7\` and wrong as soon as a tag appears:
\`<think>\` must become the single id 3, not seven ids.

Two more rules: a character outside the vocabulary (\`×\`, \`A\`, a lone \`<\`) has no id, so \`encode\` must
throw an Error; and the result must let \`decode\` (joining each id's text) give the text back.
`;

const runText = `
Now a real (tiny) transformer learns from such documents. It starts from random weights and reads batches
of 16 rows × 64 tokens of additions with direct answers: sums of 1, 2 and 3 digits, every answer right.
Each step it predicts every next token, the **loss** measures how surprised it was (the average of
−ln p(the token that came), in nats), and AdamW nudges all weights to be less surprised next time.

The chart shows the loss per step, and a flat line at **ln 54 ≈ 3.99**: the loss of a model that gives
every token the same probability, 1/54. After training, the model is asked held-out sums of each size
(greedy: it writes its most likely token each time), and the answers are checked.

Knobs: training steps, the model's width d_model (2 layers, a head per 16 dimensions), and the learning
rate. The defaults take one to a few minutes on a laptop; \`c\` stops early and keeps what was measured.
`;

const recap = `
# What the tiny model learned, and what it did not

At the defaults (1000 steps, d_model = 32, 25 440 parameters), the run this lesson was written with went
from a loss of 3.98 at step 1 to 0.68 at step 1000, and then answered 55% of 1-digit sums, 5% of 2-digit
sums and none of the 3-digit ones. Your numbers should match on any machine with the same Node major
version (the run is seeded), unless you turn the knobs.

The loss cannot go near 0: most tokens of a document are the question's random digits, which no model can
predict. Only the answer's few tokens are learnable, so small gains in loss are large gains in answers.

What it learns first is the short answers. A 1-digit sum is one fact out of 100, seen many times (all 100
are in the training data, so this is recall, not generalisation; the 2-digit test sums were held out of
training). A 3-digit sum must be written most-significant digit first, and the first digit already depends
on the carries of every column to its right. A 2-layer model gets a fixed amount of computation per token,
and for a direct answer that is all the computation it gets.

More steps and a wider model help: the base model of the next lessons (d_model = 64, 104 128 parameters,
3000 steps, a corpus that also has some worked solutions) answers 91% of held-out 2-digit sums directly,
but only 41% of 3-digit ones. Lesson 2 asks what changes when the model **writes its working out**: more
tokens, each one more pass through the network.
`;

const closest = (run: RunResult | undefined): number => {
  const loss = run?.metrics['firstLoss'] ?? NaN;
  // Options: ≈ 0.1, ≈ 1, ≈ ln 54 = 3.99, ≈ 54; the closest on a log scale.
  const targets = [0.1, 1, Math.log(54), 54];
  let best = 0;
  for (let i = 1; i < targets.length; i++)
    if (Math.abs(Math.log(loss / targets[i]!)) < Math.abs(Math.log(loss / targets[best]!))) best = i;
  return best;
};

const bestDigits = (run: RunResult | undefined): number => {
  const acc = [1, 2, 3].map((d) => run?.metrics[`acc${d}`] ?? 0);
  const top = Math.max(...acc);
  return top === 0 ? 3 : acc.indexOf(top);
};

const lesson: Lesson = {
  id: '01-tokens',
  number: 1,
  title: 'Tokens and a tiny transformer learning addition',
  summary:
    'What a language model reads (54 tokens of toy arithmetic) and how it learns: write the tokenizer, then pretrain a tiny transformer live and watch its loss fall from ln 54.',
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: [
    'src/world/index.ts',
    'src/world/tokenizer.ts',
    'src/train/pretrain.ts',
    'src/train/eval.ts',
    'src/model/config.ts',
  ],
  steps: [
    { kind: 'prose', title: 'A world made of 54 tokens', markdown: world },
    {
      kind: 'exercise',
      title: 'Write the tokenizer',
      markdown: exerciseText,
      starter: 'exercises/tokenizer.ts',
      solution: 'solutions/tokenizer.ts',
      check: checkTokenizer,
      hint: 'Walk through the text with an index i. At each i, first look for a vocabulary entry longer than one character that starts there (`text.startsWith(tag, i)`); if one does, push its id and jump past it. Otherwise look up the single character `text[i]`; if `vocab.indexOf` gives −1, throw.',
    },
    {
      kind: 'check',
      title: 'Predict: the loss before learning',
      run: 'train',
      question:
        'At step 1 the weights are random and small, so the model gives all 54 tokens nearly the same score. The loss is the average of −ln p(the right next token). **What will the loss be at step 1?**',
      options: ['about 0.1', 'about 1', 'about 4', 'about 54'],
      answer: closest,
      explain: (run) =>
        `This run's first loss was ${(run?.metrics['firstLoss'] ?? NaN).toFixed(2)}. With equal scores every token gets p = 1/54, and −ln(1/54) = ln 54 = ${Math.log(54).toFixed(2)}. That is the anchor to read any loss curve against: a model at ln V has learned nothing, and every nat below it is something learned. (In bits: log₂ 54 = ${Math.log2(54).toFixed(2)}, about the 6 bits it takes to name one of 54 tokens.)`,
    },
    {
      kind: 'run',
      id: 'train',
      title: 'Pretrain a tiny transformer',
      markdown: runText,
      knobs: [
        { name: 'steps', label: 'training steps', values: [100, 300, 1000, 3000], default: 1000 },
        { name: 'dModel', label: 'width d_model', values: [16, 32, 64], default: 32 },
        { name: 'lr', label: 'learning rate', values: [0.001, 0.003, 0.01], default: 0.003 },
      ],
      chart: { series: ['loss', 'ln V (uniform guess)'], title: 'next-token loss per step', yLabel: 'loss (nats)' },
      run: trainRun,
    },
    {
      kind: 'check',
      title: 'Which sums did it learn?',
      run: 'train',
      question:
        'After training, the model answered held-out sums of 1, 2 and 3 digits. **Which did it get right most often?**',
      options: ['1-digit sums', '2-digit sums', '3-digit sums', 'none: it got no sum right'],
      answer: bestDigits,
      explain: (run) => {
        const m = run?.metrics ?? {};
        const pct = (k: string) => (m[k] === undefined ? '–' : `${Math.round(m[k]! * 100)}%`);
        return `This run: 1-digit ${pct('acc1')}, 2-digit ${pct('acc2')}, 3-digit ${pct('acc3')} after ${m['steps']} steps. Short answers come first: a 1-digit sum is one of 100 facts, each seen many times. Longer sums need every digit right, and the leading digit depends on carries from all the columns to its right, all of it computed in the few tokens of a direct answer. ${m['steps'] !== undefined && m['steps']! < 100 ? 'With this few steps it has not learned any yet: run it at the full budget.' : ''}`;
      },
    },
    { kind: 'prose', title: 'What it learned', markdown: recap },
  ],
};

export default lesson;
