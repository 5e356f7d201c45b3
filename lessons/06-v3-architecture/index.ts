// Lesson 06: DeepSeek-V3's three architectural ideas, each shown with the project's own code. MLA: the KV
// cache per token for MHA/GQA/MQA/MLA at toy and V3 size (knob: the latent width). MoE: the sigmoid gate
// with auxiliary-loss-free bias balancing on the real route() (knob: γ), then the gate for one token as an
// exercise. MTP: a prediction, then the mtp experiment (training with an MTP module, speculative decoding).
import { fileURLToPath } from 'node:url';
import type { Lesson, RunResult } from '../../src/tui/manifest.ts';
import { checkV3Gate } from './gate-check.ts';
import { gateRun } from './gate-run.ts';
import { kvCacheRun } from './kv-cache.ts';
import { mtpRun } from './mtp-run.ts';

const intro = `
# DeepSeek-V3 in three ideas

V3 has 671 billion parameters, yet one token uses only about 37 billion of them, and its attention cache
is small enough to serve long contexts cheaply. Three changes to a plain transformer do most of that:

- **MLA** (multi-head latent attention): cache one small latent vector per token instead of every head's
  keys and values;
- **DeepSeekMoE**: many small experts, a few chosen per token, balanced by a bias instead of a loss;
- **MTP** (multi-token prediction): a small extra module that also predicts the token after next, a
  training signal and, at inference, a free draft for speculative decoding.

Each is in \`src/model/\` at toy size and runs here in seconds.
`;

const kvText = `
During generation every layer keeps, for every past token, what attention needs to look back at it.
How many numbers per token per layer:

- **MHA**: a key and a value for each of n_h heads: 2·n_h·d_h;
- **GQA**: heads share n_kv key/value heads: 2·n_kv·d_h;
- **MQA**: one shared key/value head: 2·d_h;
- **MLA**: one compressed latent c^KV of width d_c (\`kvLoraRank\`), plus one small RoPE key d_h^R
  shared by all heads: d_c + d_h^R. The per-head keys and values are rebuilt from the latent when
  needed (and the up-projections can be folded into the query and output projections, so in practice
  they are never materialised).

The run counts these with \`cacheNumbersPerTokenPerLayer\` for the tiny models of the mla-cache
experiment and for V3's shape, and converts V3's to gigabytes for one 32K-token sequence. Turn the
knob to see what the latent width buys: MLA keeps all 128 heads (unlike MQA) at a cache close to MQA's.
Quality is the other half of the story; \`tinyseek experiment mla-cache\` trains the tiny variants and
compares held-out loss.
`;

const gateText = `
A DeepSeekMoE layer has many routed experts (V3: 256) and sends each token to a few (V3: 8), plus one
shared expert every token uses. V3's gate:

1. **score**: s_i = σ(u · e_i) for every expert: a sigmoid, so each score stands on its own;
2. **choose**: the top-k experts by **s_i + b_i**, where b_i is a per-expert bias;
3. **weigh**: the chosen experts' *unbiased* scores, normalised to sum 1, times \`routeScale\` (2.5).

The bias balances the load without a loss term: after each step an over-loaded expert's bias goes down
by γ and an under-loaded one's goes up. It changes who gets the token, never how much each chosen
expert's output counts, so it does not pull the model's gradients the way an auxiliary loss does.

The run drives the real gate (\`route\` in \`src/model/gate.ts\`) with random tokens and a gate where three
of 16 experts are much more attractive, and plots **MaxVio** = (max load − mean load) / mean load for
your γ beside γ = 0. Try γ = 0.05: a large step overshoots, and the load keeps jumping between experts.
`;

const exerciseText = `
Write V3's gate for one token, in plain numbers: sigmoid scores, choose the top k by score + bias,
weigh the chosen by their unbiased scores normalised and multiplied by \`routeScale\`. (V3 also limits a
token to 4 of 8 expert *groups* first, to bound how many machines it talks to; leave that out here.)

The check feeds the same logits to \`route()\` in \`src/model/gate.ts\` and compares. One case has a bias
that changes the choice: there the weights must still come from the scores alone.
`;

const mtpText = `
**MTP** adds a small module after the main model. It takes the main model's last hidden state and the
embedding of the next token, and predicts the token *after* next (V3 uses one such module, D = 1, and
weighs its loss by λ = 0.3). It shares the embedding and output head with the main model.

At inference the module can be dropped, or used as a draft: the main pass produces the next token *and*
the module guesses the one after; the next main pass checks the guess. If it was right, that pass
yields two tokens. The output is exactly the greedy output either way; only the number of main passes
changes. V3 reports 85–90% acceptance and about 1.8× tokens per second.

The run trains a tiny model with and without one MTP module on the same data, then decodes held-out
arithmetic prompts both ways. Small budget: 10 steps, an almost untrained model.
`;

const closing = `
# What you saw, and how big it is for real

- **MLA**: at V3's shape the cache is 576 numbers per token per layer instead of MHA's 32,768 (about 57×
  smaller), without giving up per-head keys. At toy size the counts are tiny and the saving shows up as a
  ratio, not as memory you would notice.
- **MoE with bias balancing**: the bias moves the load towards even without touching the weights of the
  experts a token uses. Our gate run has no training at all: real MoE training also moves the gate
  itself, which is why V3 keeps a tiny sequence-wise balance loss as a safety net
  (\`tinyseek experiment moe-balance\` compares it with an auxiliary loss on a trained model).
- **MTP**: acceptance depends on how predictable the output is. Tiny arithmetic answers are short and
  formulaic, so a trained toy model can reach V3-like acceptance on them; that says little about
  richer text. The teacher-forced agreement over whole held-out documents is the fairer number, and
  \`tinyseek experiment mtp\` also times both decoders on this CPU.

Next: the cost lesson puts these numbers on H800s.
`;

const lesson: Lesson = {
  id: '06-v3-architecture',
  number: 6,
  title: 'DeepSeek-V3: MoE, MLA and MTP',
  summary:
    'The KV cache of MHA, GQA, MQA and MLA at toy and V3 size, the sigmoid gate with bias-based load balancing (and an exercise writing it), and multi-token prediction with speculative decoding.',
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: [
    'src/model/config.ts',
    'src/model/gate.ts',
    'src/model/moe.ts',
    'src/model/mla.ts',
    'src/model/mtp.ts',
    'src/model/speculative.ts',
    'src/experiments/mla-cache.ts',
    'src/experiments/mtp.ts',
  ],
  steps: [
    { kind: 'prose', title: 'Three ideas', markdown: intro },
    {
      kind: 'run',
      id: 'kv',
      title: 'KV cache per token: MHA, GQA, MQA, MLA',
      markdown: kvText,
      knobs: [
        { name: 'kvLoraRank', label: 'MLA latent width d_c (kvLoraRank)', values: [128, 256, 512, 1024], default: 512 },
      ],
      run: kvCacheRun,
    },
    {
      kind: 'check',
      title: 'MLA against MQA',
      run: 'kv',
      question:
        "At V3's shape with d_c = 512, **which caches fewer numbers per token: MLA or MQA (one shared key/value head of width 128)?**",
      options: ['MLA', 'MQA', 'the same'],
      answer: (run) => {
        const mla = run?.metrics['mlaV3'] ?? 576;
        return mla < 256 ? 0 : mla > 256 ? 1 : 2;
      },
      explain: (run) =>
        `MQA keeps 2 × 128 = 256 numbers, MLA ${run?.metrics['mlaV3'] ?? 576} (d_c + 64 for the shared RoPE key). MQA is smaller still, but every head then attends with the same key and value, which costs quality; MLA keeps 128 distinct heads, rebuilt from the latent, at a cache about 57× smaller than MHA's. The claim of the V2 paper is that MLA matches or beats MHA in quality, which is an empirical result, not a consequence of the arithmetic.`,
    },
    {
      kind: 'run',
      id: 'gate',
      title: 'The V3 gate and bias-based balancing',
      markdown: gateText,
      knobs: [
        { name: 'gamma', label: 'bias update speed γ', values: [0, 0.0003, 0.001, 0.01, 0.05], default: 0.001 },
        { name: 'seed', label: 'seed', values: [0, 1, 2], default: 0 },
      ],
      chart: { series: ['MaxVio, with bias', 'MaxVio, no bias'], title: 'load imbalance per batch', yLabel: 'MaxVio' },
      run: gateRun,
    },
    {
      kind: 'exercise',
      title: 'The V3 gate for one token',
      markdown: exerciseText,
      starter: 'exercises/v3-gate.ts',
      solution: 'solutions/v3-gate.ts',
      check: checkV3Gate,
      hint: 'Compute s = logits.map(x => 1 / (1 + Math.exp(-x))). Sort the expert indices by s[i] + bias[i], largest first, and keep k. Then weight_i = s[i] / (sum of s over the chosen) * routeScale: the bias is used only for the sort.',
    },
    {
      kind: 'check',
      title: 'Predict: how often will the draft be accepted?',
      run: 'mtp',
      question:
        'The next run drafts every second token with a tiny MTP module and keeps the draft only if the main model agrees. **On held-out arithmetic prompts, what acceptance rate do you expect?**',
      options: ['under 50%', '50–80%', 'over 80%, like V3'],
      answer: (run) => {
        const a = run?.metrics['acceptanceRate'] ?? 0;
        return a < 0.5 ? 0 : a <= 0.8 ? 1 : 2;
      },
      explain: (run: RunResult | undefined) => {
        const a = run?.metrics['acceptanceRate'];
        const measured =
          a === undefined
            ? 'The run measured nothing.'
            : `This run accepted ${(100 * a).toFixed(0)}% of drafts after ${run!.metrics['steps']} training steps (${run!.metrics['tokensPerForward']!.toFixed(2)} tokens per main pass), and the output was ${run!.metrics['identical'] ? '' : 'NOT '}identical to greedy decoding.`;
        return `${measured} Acceptance is the chance that the module's guess for the token after next matches what the main model will choose, so it measures how predictable the output is to a one-block module, not how good the model is. Our arithmetic answers are short and formulaic: after 200 training steps a run accepted all 20 drafts it made on 8 prompts (50 tokens, a tiny sample), and agreed with the main model on 90% of 1650 positions of held-out documents, close to V3's 85–90% on ordinary text. Barely trained (the small budget) it is near chance. Speculation only pays if the draft is cheap: here the MTP block costs about as much as one of the two main blocks, so the wall-clock gain is smaller than the pass count suggests.`;
      },
    },
    {
      kind: 'run',
      id: 'mtp',
      title: 'MTP and speculative decoding',
      markdown: mtpText,
      knobs: [{ name: 'steps', label: 'training steps per model', values: [50, 100, 200], default: 100 }],
      run: mtpRun,
    },
    { kind: 'prose', title: 'What you saw', markdown: closing },
  ],
};

export default lesson;
