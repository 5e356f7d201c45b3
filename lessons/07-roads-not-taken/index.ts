// Lesson 7: the roads not taken. R1's "unsuccessful attempts" run in miniature: Math-Shepherd process labels
// against an exact step oracle, best-of-N with a reward model, the PRM as an RL reward and the hacking it
// invites, step-level MCTS with a tree drawn in the terminal, and the compute-matched table of
// `tinyseek experiment roads-not-taken`. The exercise is the PUCT score.
import { fileURLToPath } from 'node:url';
import { terminalLineChart } from '../../src/plot/terminal.ts';
import type { Lesson } from '../../src/tui/manifest.ts';
import { checkPuct } from './puct-check.ts';
import { runBestOfN, runMcts, runShepherd } from './runs.ts';

const intro = `
# The roads not taken

In 2024 the road to reasoning models looked like AlphaGo: a **process reward model** (PRM) that judges every
step, and **tree search** guided by a value model. DeepSeek tried both and wrote them up as "unsuccessful
attempts" (R1 §4.2):

- a PRM needs a notion of *step*, labels for steps (hard to get), and once a model is the reward, the policy
  learns to please the model instead of solving the problem (**reward hacking**);
- MCTS over tokens faces a search space far larger than chess, a cap on children per node leads to local
  optima, and the value model that should steer it is hard to train.

An outcome check plus GRPO was enough. This lesson runs both roads on the aha run's world (2-digit addition,
the 104k-parameter base of lesson 3), where one thing is possible that no paper had: an **exact oracle** for
every step ("is 7+5=12 right, and can the sum still be finished from here?").
`;

const shepherdText = `
# Math-Shepherd: labels without humans

From the prefix that ends at a step, let a *completer* model finish the answer N times:

- **hard label** = 1 if any of the N reaches the right answer;
- **soft label** = the fraction that do.

That measures the step's *value* — can this policy still get there — not whether the step is right. The run
samples base-model traces of a few training problems, labels every step and puts the exact oracle beside it.
Turn the knob N (k / K) and re-run (r).
`;

const bonText = `
# Best-of-N

Sample N answers and let a selector pick one: at random, by majority vote, or by a reward model's score — here
the minimum over the steps (PRM-min). The **oracle** (right if any of the N is right, pass@N) is the ceiling no
selector can beat. The reward model in this run is untrained: each step scores σ(ℓ), the base model's own
confidence in the value it wrote (the implicit PRM); the experiment trains one on Math-Shepherd labels.
`;

const mctsText = `
# MCTS over reasoning steps

AlphaZero's search: from the root, pick children by PUCT (value + prior × exploration bonus) down to a leaf,
expand it with K sampled next steps, value it with the reward model, back the value up. After a few
simulations, move to the most-visited child and repeat until the answer is written.

Each line of the tree is a step the model proposed, with its visits N, mean value Q and prior P. K is R1's
"maximum extension per node": turn it and watch how much the tree can see.
`;

const measured = `
# The whole comparison, measured

\`tinyseek experiment roads-not-taken\` runs every road from the same base on the same 64 held-out problems and
counts every FLOP (generation, reward-model training and inference, search, policy updates). The default run
(2 seeds, 16 RL steps; the README has every table):

\`\`\`
road                          FLOPs    held-out accuracy
base, greedy                  2.7e8     9.4%
GRPO, outcome reward          4.5e10   35.9%
best-of-4, PRM-min            9.9e10   23.4%
step MCTS, K = 4              1.3e11   20.3%
token MCTS, K = 4             1.4e11    4.7%
GRPO, PRM step credit         1.6e11   32.0%
GRPO, PRM min-form reward     1.6e11   35.2%
GRPO, PRM credit + outcome    1.6e11   42.2%
3 self-improvement rounds     4.4e11    6.3%
\`\`\`

- **labels**: hard labels agree with the oracle on 78–87% of steps; with more rollouts, false negatives vanish
  (15 → 0 of 115 steps) while false positives grow (10 → 19);
- **best-of-N**: every selector stays far under pass@N (89% at N = 32); PRM-min is best at N = 8 and then
  falls, while majority vote keeps climbing;
- **MCTS**: widening a node from K = 2 to 8 multiplies the tokens by 6.8 and does not keep paying
  (6.3% → 20.3% → 12.5%);
- **PRM as reward**: within 16 steps it trains, at three and a half times the FLOPs, and the mix with the
  outcome check even leads; run 48 steps and the PRM's step credit is hacked (the hacking curve);
- **self-improvement**: the search solves the same 17% of training problems each round and the policy does not
  improve — R1's "hard to replicate". The value head is scored against the policy's *exact* success
  probability, enumerated over every completion above probability 10⁻³: Brier 0.097 → 0.085 → 0.028 (86–94%
  of the mass covered), mostly by learning that this weak policy rarely finishes anything.

GRPO with an outcome check buys the most accuracy per FLOP and keeps climbing: the road R1 took.
`;

const pc = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Held-out greedy accuracy and mean PRM reward (sum of step scores per answer) every 4 RL steps, mean of seeds 0
 * and 1, from `tinyseek experiment roads-not-taken --steps 48` (the outcome and sum arms; summary.json prmRl). */
const HACK = {
  steps: [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48],
  outcomeAcc: [0.0938, 0.0781, 0.1016, 0.2266, 0.3594, 0.3984, 0.4766, 0.4922, 0.5391, 0.5469, 0.5781, 0.7031, 0.7734],
  sumAcc: [0.0938, 0.0781, 0.2656, 0.3281, 0.3203, 0.3594, 0.3203, 0.3281, 0.3125, 0.3047, 0.3125, 0.2734, 0.2422],
  outcomePrm: [0.4319, 0.4237, 0.4829, 0.5799, 0.6922, 0.7196, 0.7451, 0.8451, 0.834, 0.7423, 0.8171, 0.8259, 0.768],
  sumPrm: [0.4319, 0.4431, 0.5487, 0.7104, 0.8143, 0.8297, 0.8303, 0.8896, 0.9229, 0.8024, 0.9565, 0.9227, 0.9348],
};
const HACK_ONSET = { seed0: 28, seed1: 32 };

const hackChart = terminalLineChart({
  series: [
    { name: 'outcome acc', values: HACK.outcomeAcc },
    { name: 'PRM acc', values: HACK.sumAcc },
    { name: 'PRM reward', values: HACK.sumPrm },
  ],
  width: 72,
  height: 16,
  title: 'GRPO for 48 steps, evaluated every 4 (x: evaluation index)',
  yLabel: 'accuracy / PRM reward',
});

const hackText = `
# The PRM as the reward: the hacking curve

Give GRPO the PRM's step scores as **per-step credit** (DeepSeekMath's process supervision: each step earns its
score at the token that ends it, and every token is credited with the normalised scores of the steps after it)
and train as long as the outcome run. Mean of 2 seeds, 64 held-out problems:

\`\`\`
${hackChart}
\`\`\`

- with the outcome check, held-out accuracy climbs to ${pc(HACK.outcomeAcc.at(-1)!)} by step 48;
- with the PRM's step credit it climbs *faster* at first (${pc(HACK.sumAcc[2]!)} at step 8, against
  ${pc(HACK.outcomeAcc[2]!)}), stalls near a third, and falls back to ${pc(HACK.sumAcc.at(-1)!)} while the PRM reward
  it is paid keeps rising (${HACK.sumPrm[5]!.toFixed(2)} → ${HACK.sumPrm.at(-1)!.toFixed(2)}): the two part ways at step
  ${HACK_ONSET.seed0} (seed 0) and ${HACK_ONSET.seed1} (seed 1).

The toy does not hack by padding: steps per answer stay near 2 and repeated or trivially-true steps stay rare
in both arms. The policy finds steps the PRM scores higher without being more often right — Goodhart's law on
a reward model that reads the base model's confidence. \`hacking-steps.svg\` in the run directory draws the same
story per RL step. The default run (16 steps) stops before the two part ways.
`;

const exerciseText = `
Finish \`puctScore(child, parentVisits)\`:

    score = Q + c(N) · P · √N / (1 + n)
    c(N)  = log((1 + N + 19652) / 19652) + 1.25,   Q = 0 for an unvisited child

The check compares it with the project's (src/search/puct.ts) on four children, then runs the law it implies:
with equal priors and no values, every child is tried once before any is tried twice.
`;

const lesson: Lesson = {
  id: '07-roads-not-taken',
  number: 7,
  title: 'The roads not taken',
  summary:
    'Process reward models and MCTS against GRPO: Math-Shepherd labels vs an exact oracle, best-of-N, PRM reward hacking, a search tree, the compute table; the PUCT score as an exercise.',
  dir: fileURLToPath(new URL('.', import.meta.url)),
  requires: [
    'src/search/shepherd.ts',
    'src/search/mcts.ts',
    'src/search/best-of-n.ts',
    'src/experiments/roads-not-taken.ts',
  ],
  steps: [
    { kind: 'prose', title: 'Two roads DeepSeek did not take', markdown: intro },
    { kind: 'prose', title: 'Math-Shepherd labels', markdown: shepherdText },
    {
      kind: 'check',
      title: 'Predict: more rollouts per step',
      question:
        'As N grows from 1, which mistake of the hard label grows: calling a bad step good, or a good step bad?',
      options: [
        'bad steps called good (false positives)',
        'good steps called bad (false negatives)',
        'neither changes',
      ],
      run: 'shepherd',
      answer: (r) =>
        !r ? 0 : r.metrics.fpLast! > r.metrics.fpFirst! ? 0 : r.metrics.fnLast! > r.metrics.fnFirst! ? 1 : 2,
      explain: (r) =>
        r
          ? `This run: false positives ${r.metrics.fpFirst} → ${r.metrics.fpLast}, false negatives ${r.metrics.fnFirst} → ${r.metrics.fnLast}. With more rollouts, one lucky completion is enough to mark a wrong step "good" (the hard label can only go up with N), while good steps that a weak completer fails from get rescued.`
          : 'The hard label can only go up as N grows: false positives can only grow, false negatives only shrink.',
    },
    {
      kind: 'run',
      id: 'shepherd',
      title: 'Labelling steps by rollouts',
      markdown: shepherdText,
      knobs: [{ name: 'n', label: 'rollouts per step N', values: [1, 2, 4, 8], default: 4 }],
      run: runShepherd,
    },
    {
      kind: 'check',
      title: 'Predict: best-of-N',
      question:
        'With N answers per problem, does the reward model (PRM-min) pick right answers more often than majority vote?',
      options: ['yes', 'no, majority vote does at least as well'],
      run: 'bon',
      answer: (r) => (r && r.metrics.prmMin! > r.metrics.majority! ? 0 : 1),
      explain: (r) =>
        r
          ? `This run: PRM-min ${(100 * r.metrics.prmMin!).toFixed(1)}%, majority ${(100 * r.metrics.majority!).toFixed(1)}%, oracle ${(100 * r.metrics.oracle!).toFixed(1)}%. A weak base rarely agrees with itself on the right answer, so majority vote has little to count; a step score can prefer the traces whose arithmetic the model is sure of.`
          : 'See the run.',
    },
    {
      kind: 'run',
      id: 'bon',
      title: 'Best-of-N',
      markdown: bonText,
      knobs: [{ name: 'n', label: 'answers per problem N', values: [1, 4, 16], default: 4 }],
      run: runBestOfN,
    },
    {
      kind: 'run',
      id: 'mcts',
      title: 'A search tree',
      markdown: mctsText,
      knobs: [{ name: 'k', label: 'candidates per node K', values: [2, 4, 8], default: 4 }],
      chart: { series: ['accuracy'], title: 'step MCTS', yLabel: 'accuracy so far' },
      run: runMcts,
    },
    {
      kind: 'exercise',
      title: 'The PUCT score',
      markdown: exerciseText,
      starter: 'exercises/puct.ts',
      solution: 'solutions/puct.ts',
      check: checkPuct,
      hint: 'Two fixes: q must be 0 when child.visits is 0 (no division by zero), and the constant is c = Math.log((1 + parentVisits + cBase) / cBase) + cInit, not cInit alone.',
    },
    {
      kind: 'check',
      title: 'Predict: the PRM as the reward',
      question:
        'GRPO is paid the PRM’s step scores instead of the outcome check, for 48 steps. Does held-out accuracy follow the PRM reward up?',
      options: ['yes, both rise to the end', 'accuracy stalls and falls while the PRM reward keeps rising'],
      answer: () =>
        HACK.sumAcc.at(-1)! < Math.max(...HACK.sumAcc) - 0.05 && HACK.sumPrm.at(-1)! > HACK.sumPrm[5]! ? 1 : 0,
      explain:
        'The measured run (next page): held-out accuracy peaks near a third and falls, while the PRM reward keeps rising — reward hacking.',
    },
    { kind: 'prose', title: 'The hacking curve', markdown: hackText },
    { kind: 'prose', title: 'The whole comparison', markdown: measured },
  ],
};

export default lesson;
