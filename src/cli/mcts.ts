// `tinyseek mcts`: AlphaZero-style PUCT search over reasoning steps or single tokens (search/mcts.ts) on held-out
// problems, the value and terminal judge a reward model (tinyseek prm train; default: a fresh one on --model,
// which scores a step by the model's own confidence in it). Writes summary.json (accuracy, tokens, FLOPs),
// metrics.jsonl (one line per problem), tokens.svg and tree.txt (the first problem's tree).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../core/rng.ts';
import { yieldToEventLoop } from '../core/yield.ts';
import { writeFileAtomic, writeJsonAtomic } from '../core/fsio.ts';
import { ComputeLedger } from '../cost/ledger.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { transformerPolicy } from '../model/policy.ts';
import { svgLineChart } from '../plot/svg.ts';
import { drawTree, MCTS_DEFAULTS, mctsSolve } from '../search/mcts.ts';
import { loadRewardModel, rewardModelFrom } from '../search/reward-model.ts';
import { heldOutSet } from '../world/index.ts';
import { bool, num, optStr, str } from './args.ts';
import { defineCommand } from './command.ts';
import { installInterrupt } from './interrupt.ts';
import { checkOutDir } from './output.ts';
import { ProgressBar } from './progress.ts';

export const mctsCommand = defineCommand(
  {
    name: 'mcts',
    summary: 'MCTS (PUCT) over reasoning steps or tokens on held-out problems: accuracy and tokens generated',
    usage:
      'tinyseek mcts [--model DIR] [--value DIR] [--level step|token] [--k 4] [--sims 8] [--problems 16] --out DIR',
    flags: {
      model: { type: 'string', default: 'fixtures/aha-base', help: 'the policy that proposes moves', meta: 'DIR' },
      value: { type: 'string', help: 'reward model for values and terminal scores (tinyseek prm train)', meta: 'DIR' },
      level: { type: 'string', default: 'step', choices: ['step', 'token'], help: 'node size' },
      k: {
        type: 'int',
        default: MCTS_DEFAULTS.k,
        min: 1,
        max: 54,
        help: 'candidates per node (R1: "maximum extension")',
      },
      sims: { type: 'int', default: 8, min: 1, help: 'simulations per move' },
      leaf: {
        type: 'string',
        default: 'value',
        choices: ['value', 'rollout'],
        help: 'leaf value: value head or one rollout',
      },
      problems: { type: 'int', default: 16, min: 1, help: 'held-out 2-digit additions' },
      seed: { type: 'int', default: 0, min: 0, help: 'seed of sampling and root noise' },
      tree: { type: 'bool', help: "print the first problem's tree" },
      out: { type: 'string', default: 'runs/mcts', help: 'run directory', meta: 'DIR' },
    },
    examples: [
      'tinyseek mcts --value runs/prm --level step --k 4 --tree',
      'tinyseek mcts --value runs/prm --level token --k 4 --sims 4 --out runs/mcts-token',
    ],
  },
  async (a, io) => {
    const out = str(a, 'out');
    checkOutDir(out);
    const model = str(a, 'model');
    const policy = transformerPolicy(loadCheckpoint(model).model);
    const valueDir = optStr(a, 'value');
    const value = valueDir ? loadRewardModel(valueDir).rm : rewardModelFrom(model);
    const held = heldOutSet('add', 2, num(a, 'problems'));
    const level = str(a, 'level') as 'step' | 'token';
    const book = new ComputeLedger();
    const rng = new Rng(num(a, 'seed')).child('mcts');
    const bar = new ProgressBar({ total: held.length, label: `${level} MCTS`, io });
    const stop = installInterrupt({ io, what: 'this problem' });
    const lines: string[] = [];
    let right = 0,
      tree: string[] = [];
    try {
      for (const [j, p] of held.entries()) {
        if (stop.signal.aborted) return stop.finish();
        const r = await mctsSolve(policy, value, p, {
          ...MCTS_DEFAULTS,
          level,
          k: num(a, 'k'),
          simsPerMove: num(a, 'sims'),
          leaf: str(a, 'leaf') as 'value' | 'rollout',
          rng: rng.child(`p${j}`),
          ledger: { book, phase: 'search' },
        });
        if (j === 0) tree = drawTree(r.root, 5);
        right += r.correct ? 1 : 0;
        lines.push(
          JSON.stringify({ problem: p.prompt, correct: r.correct, tokens: r.tokens, simulations: r.simulations }),
        );
        bar.tick(1, `${right}/${j + 1} right`);
        await yieldToEventLoop(); // lets Ctrl-C in
      }
    } finally {
      stop.dispose();
    }
    bar.done();
    const total = book.total();
    mkdirSync(out, { recursive: true });
    writeFileAtomic(join(out, 'metrics.jsonl'), lines.join('\n') + '\n');
    writeFileAtomic(join(out, 'tree.txt'), `${held[0]!.prompt}\n${tree.join('\n')}\n`);
    const summary = {
      level,
      k: num(a, 'k'),
      sims: num(a, 'sims'),
      problems: held.length,
      accuracy: right / held.length,
      ...total,
    };
    writeJsonAtomic(join(out, 'summary.json'), summary);
    writeFileAtomic(
      join(out, 'tokens.svg'),
      svgLineChart({
        title: `${level} MCTS: tokens generated per problem`,
        xLabel: 'problem',
        yLabel: 'tokens',
        series: [{ name: 'tokens', points: lines.map((l, i) => [i, (JSON.parse(l) as { tokens: number }).tokens]) }],
      }),
    );
    if (bool(a, 'tree')) io.out(`${held[0]!.prompt}\n${tree.join('\n')}\n`);
    io.out(
      `${level} MCTS, K=${summary.k}: ${right}/${held.length} right, ${total.tokens} tokens, ${total.flops.toExponential(2)} FLOPs\nrun directory: ${out}\n`,
    );
    return 0;
  },
);
