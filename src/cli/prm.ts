// `tinyseek prm label|train|rerank`: process reward models step by step (src/search/): Math-Shepherd labels
// with their accuracy against the exact oracle, a PRM or ORM trained on them, and best-of-N reranking.
// Each writes a run directory with summary.json, metrics.jsonl and a plot; thin wrappers over search/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { Rng } from '../core/rng.ts';
import { InputError } from '../core/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../core/fsio.ts';
import { ComputeLedger } from '../cost/ledger.ts';
import { trainingProblems } from '../experiments/roads-not-taken.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { transformerPolicy } from '../model/policy.ts';
import { svgLineChart } from '../plot/svg.ts';
import { bestOfN, candidatesOf } from '../search/best-of-n.ts';
import { loadRewardModel, rewardModelFrom, saveRewardModel, trainRewardModel } from '../search/reward-model.ts';
import { rmExamples, scoreTraces, type RmTarget } from '../search/rm-data.ts';
import { scoreSteps } from '../search/scored-steps.ts';
import { labelQuality, shepherdLabels, type ShepherdTrace } from '../search/shepherd.ts';
import { rollout } from '../train/rollout.ts';
import { heldOutSet, type Problem } from '../world/index.ts';
import { num, optStr, str, UsageError } from './args.ts';
import { defineCommand, defineGroup } from './command.ts';
import { installInterrupt } from './interrupt.ts';
import { checkOutDir } from './output.ts';
import { ProgressBar } from './progress.ts';

const MAX_NEW = 60;

class Stopped extends Error {}
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

const label = defineCommand(
  {
    name: 'label',
    summary: 'Math-Shepherd labels: roll out every step prefix N times; accuracy vs the exact oracle by N',
    usage: 'tinyseek prm label [--model DIR] [--completer DIR] [--problems 40] [--traces 4] [--n 8] --out DIR',
    flags: {
      model: { type: 'string', default: 'fixtures/aha-base', help: 'policy whose traces are labelled', meta: 'DIR' },
      completer: { type: 'string', help: 'policy that rolls out from each step (default: --model)', meta: 'DIR' },
      problems: { type: 'int', default: 40, min: 1, help: 'training problems (2-digit addition, never held out)' },
      traces: { type: 'int', default: 4, min: 1, help: 'traces sampled per problem (T = 1)' },
      n: { type: 'int', default: 8, min: 1, max: 64, help: 'rollouts per step prefix (labels at 1, 2, 4, … ≤ N)' },
      seed: { type: 'int', default: 0, min: 0, help: 'seed of problems and rollouts' },
      out: { type: 'string', default: 'runs/prm-label', help: 'run directory', meta: 'DIR' },
    },
    examples: [
      'tinyseek prm label --problems 40 --n 8 --out runs/prm-label',
      'tinyseek prm label --completer runs/aha --out runs/prm-label-rl   # an RL-trained completer',
    ],
  },
  async (a, io) => {
    const out = str(a, 'out');
    checkOutDir(out);
    const model = str(a, 'model'),
      seed = num(a, 'seed'),
      n = num(a, 'n');
    const policy = transformerPolicy(loadCheckpoint(model).model);
    const completer = transformerPolicy(loadCheckpoint(optStr(a, 'completer') ?? model).model);
    const problems = trainingProblems(num(a, 'problems'), seed, 64);
    const rng = new Rng(seed).child('prm-label');
    const gens = await rollout(policy, problems, {
      groupSize: num(a, 'traces'),
      temperature: 1,
      maxNewTokens: MAX_NEW,
      rngFor: (j, k) => rng.child('traces').child(`p${j}`).child(`g${k}`),
    });
    const traces = gens.map((r) => scoreSteps(r.problem, r.completion, r.finish === 'length'));
    const book = new ComputeLedger();
    const bar = new ProgressBar({ total: 1, label: 'label', io });
    let last = 0;
    // Labels are written once at the end: Ctrl-C stops after the current batch and writes nothing.
    const stop = installInterrupt({ io, what: 'this batch' });
    let labelled: ShepherdTrace[];
    try {
      labelled = await shepherdLabels(completer, traces, {
        n,
        temperature: 1,
        maxNewTokens: MAX_NEW,
        rng: rng.child('label'),
        ledger: { book, phase: 'label', config: completer.model.config },
        onProgress: (done, total) => {
          if (stop.signal.aborted) throw new Stopped();
          bar.tick((done - last) / total);
          last = done;
        },
      });
    } catch (e) {
      if (e instanceof Stopped) return stop.finish();
      throw e;
    } finally {
      stop.dispose();
    }
    bar.done();
    const ns = [1, 2, 4, 8, 16, 32, 64].filter((k) => k <= n);
    const rows = ns.map((k) => labelQuality(labelled, k));
    mkdirSync(out, { recursive: true });
    writeFileAtomic(
      join(out, 'labels.jsonl'),
      labelled
        .map(({ trace, hits }) => JSON.stringify({ problem: trace.problem, completion: trace.completion, hits }))
        .join('\n') + '\n',
    );
    writeFileAtomic(join(out, 'metrics.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeJsonAtomic(join(out, 'summary.json'), {
      model,
      completer: optStr(a, 'completer') ?? model,
      n,
      labels: rows,
      compute: book.toJSON(),
    });
    writeFileAtomic(
      join(out, 'labels.svg'),
      svgLineChart({
        title: 'Math-Shepherd hard labels vs the exact oracle',
        xLabel: 'N (rollouts per step)',
        yLabel: 'share of steps',
        logX: true,
        series: [
          { name: 'hard-label accuracy', points: rows.map((r) => [r.n, r.hardAccuracy] as [number, number]) },
          {
            name: 'false positives',
            points: rows.map((r) => [r.n, r.hard.fp / Math.max(1, r.steps)] as [number, number]),
          },
        ],
      }),
    );
    io.out(`${labelled.length} traces, ${rows[0]?.steps ?? 0} intermediate steps; hard labels vs the oracle:\n`);
    for (const r of rows)
      io.out(
        `  N=${String(r.n).padEnd(3)} accuracy ${pct(r.hardAccuracy)}  TP ${r.hard.tp} FP ${r.hard.fp} FN ${r.hard.fn} TN ${r.hard.tn}\n`,
      );
    io.out(`run directory: ${out} (labels.jsonl, summary.json, metrics.jsonl, labels.svg)\n`);
    return 0;
  },
);

function readLabels(path: string): ShepherdTrace[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`${path}: cannot read (write it with tinyseek prm label)`);
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((line, i) => {
      try {
        const r = JSON.parse(line) as { problem: Problem; completion: number[]; hits: number[][] };
        if (!r.problem || !Array.isArray(r.completion) || !Array.isArray(r.hits)) throw new Error('missing field');
        const trace = scoreSteps(r.problem, r.completion);
        if (r.hits.length !== trace.steps.length) throw new Error('hits do not match the steps');
        return { trace, hits: r.hits };
      } catch (e) {
        throw new InputError(`${path}:${i + 1}: not a label record (${(e as Error).message})`);
      }
    });
}

const trainCmd = defineCommand(
  {
    name: 'train',
    summary: 'train a PRM (step labels) or an ORM (outcomes) on labels.jsonl: a scalar head read at step ends, BCE',
    usage: 'tinyseek prm train --labels FILE [--target hard|soft|oracle|outcome] [--n 4] [--steps 150] --out DIR',
    flags: {
      labels: { type: 'string', help: 'labels.jsonl from tinyseek prm label', meta: 'FILE' },
      model: { type: 'string', default: 'fixtures/aha-base', help: 'checkpoint the trunk starts from', meta: 'DIR' },
      target: {
        type: 'string',
        default: 'hard',
        choices: ['hard', 'soft', 'oracle', 'outcome'],
        help: 'Math-Shepherd hard/soft labels at --n, the exact oracle, or outcomes (an ORM)',
      },
      n: { type: 'int', default: 4, min: 1, help: 'rollouts per label (≤ the N labels.jsonl has)' },
      steps: { type: 'int', default: 150, min: 1, help: 'optimiser steps' },
      'batch-size': { type: 'int', default: 16, min: 1, help: 'traces per step' },
      lr: { type: 'float', default: 1e-3, min: 0, help: 'peak learning rate' },
      seed: { type: 'int', default: 0, min: 0, help: 'seed of the batch order' },
      out: { type: 'string', default: 'runs/prm', help: 'reward-model directory', meta: 'DIR' },
    },
    examples: [
      'tinyseek prm train --labels runs/prm-label/labels.jsonl --out runs/prm',
      'tinyseek prm train --labels runs/prm-label/labels.jsonl --target outcome --out runs/orm',
    ],
  },
  async (a, io) => {
    const path = optStr(a, 'labels');
    if (!path) throw new UsageError('--labels FILE is required (labels.jsonl from tinyseek prm label)');
    const out = str(a, 'out');
    checkOutDir(out);
    const target = str(a, 'target') as RmTarget;
    const data = rmExamples(readLabels(path), target, num(a, 'n'));
    const rm = rewardModelFrom(str(a, 'model'));
    const steps = num(a, 'steps');
    const bar = new ProgressBar({ total: steps, label: `train ${target === 'outcome' ? 'ORM' : 'PRM'}`, io });
    const book = new ComputeLedger();
    const lines: string[] = [];
    const losses = await trainRewardModel(rm, data, {
      steps,
      batchSize: num(a, 'batch-size'),
      lr: num(a, 'lr'),
      seed: num(a, 'seed'),
      ledger: { book, phase: 'train' },
      onStep: (step, loss) => {
        lines.push(JSON.stringify({ step: step + 1, loss }));
        bar.tick(1, `loss ${loss.toFixed(3)}`);
      },
    });
    bar.done();
    mkdirSync(out, { recursive: true });
    await saveRewardModel(out, rm, { labels: path, target, n: num(a, 'n'), steps });
    writeFileAtomic(join(out, 'metrics.jsonl'), lines.join('\n') + '\n');
    writeJsonAtomic(join(out, 'summary.json'), {
      target,
      examples: data.length,
      firstLoss: losses[0],
      lastLoss: losses.at(-1),
      compute: book.toJSON(),
    });
    writeFileAtomic(
      join(out, 'loss.svg'),
      svgLineChart({
        title: `${target} reward model: BCE`,
        xLabel: 'step',
        yLabel: 'loss',
        series: [{ name: 'BCE', points: losses.map((l, i) => [i + 1, l]) }],
      }),
    );
    io.out(
      `BCE ${losses[0]!.toFixed(3)} → ${losses.at(-1)!.toFixed(3)} on ${data.length} traces\nreward model: ${out}\n`,
    );
    return 0;
  },
);

const rerank = defineCommand(
  {
    name: 'rerank',
    summary: 'best-of-N on held-out problems: random, majority, ORM, PRM (min, product, last) and the oracle pass@N',
    usage: 'tinyseek prm rerank --prm DIR [--orm DIR] [--policy DIR] [--n 1,2,4,8,16,32] [--problems 64] --out DIR',
    flags: {
      prm: { type: 'string', help: 'PRM directory (tinyseek prm train)', meta: 'DIR' },
      orm: { type: 'string', help: 'ORM directory (default: the PRM read at the last step)', meta: 'DIR' },
      policy: { type: 'string', default: 'fixtures/aha-base', help: 'policy that samples the N answers', meta: 'DIR' },
      n: { type: 'intlist', default: [1, 2, 4, 8, 16, 32], help: 'values of N' },
      problems: { type: 'int', default: 64, min: 1, help: 'held-out 2-digit additions' },
      seed: { type: 'int', default: 0, min: 0, help: 'seed of the samples' },
      out: { type: 'string', default: 'runs/prm-rerank', help: 'run directory', meta: 'DIR' },
    },
    examples: ['tinyseek prm rerank --prm runs/prm --orm runs/orm --n 1,4,16 --out runs/prm-rerank'],
  },
  async (a, io) => {
    const prmDir = optStr(a, 'prm');
    if (!prmDir) throw new UsageError('--prm DIR is required (a reward model from tinyseek prm train)');
    const out = str(a, 'out');
    checkOutDir(out);
    const ns = a.flags.n as number[];
    if (ns.some((k) => k < 1)) throw new UsageError('--n: every N must be ≥ 1');
    const prm = loadRewardModel(prmDir).rm;
    const ormDir = optStr(a, 'orm');
    const orm = ormDir ? loadRewardModel(ormDir).rm : prm;
    const policy = transformerPolicy(loadCheckpoint(str(a, 'policy')).model);
    const held = heldOutSet('add', 2, num(a, 'problems'));
    const N = Math.max(...ns);
    const rng = new Rng(num(a, 'seed')).child('best-of-n');
    io.err(`sampling ${held.length} × ${N} answers…\n`);
    const samples = await rollout(policy, held, {
      groupSize: N,
      temperature: 1,
      maxNewTokens: MAX_NEW,
      rngFor: (j, k) => rng.child(`p${j}`).child(`g${k}`),
      batchSize: 256,
    });
    const st = samples.map((r) => scoreSteps(r.problem, r.completion, r.finish === 'length'));
    io.err('scoring…\n');
    const ps = await scoreTraces(prm, st),
      os = ormDir ? await scoreTraces(orm, st) : ps;
    const cands = candidatesOf(st, ps, os, N);
    const rows = bestOfN(cands, ns, rng.child('select'));
    mkdirSync(out, { recursive: true });
    writeFileAtomic(join(out, 'metrics.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeJsonAtomic(join(out, 'summary.json'), {
      prm: prmDir,
      orm: ormDir ?? null,
      problems: held.length,
      bestOfN: rows.map(({ selector, n, accuracy, wrongStepOfRight }) => ({ selector, n, accuracy, wrongStepOfRight })),
    });
    const sels = [...new Set(rows.map((r) => r.selector))];
    writeFileAtomic(
      join(out, 'best-of-n.svg'),
      svgLineChart({
        title: 'Best-of-N on held-out problems',
        xLabel: 'N',
        yLabel: 'accuracy',
        logX: true,
        series: sels.map((s) => ({
          name: s,
          points: rows.filter((r) => r.selector === s).map((r) => [r.n, r.accuracy] as [number, number]),
        })),
      }),
    );
    io.out(`${'selector'.padEnd(12)}${ns.map((k) => `N=${k}`.padStart(8)).join('')}\n`);
    for (const s of sels)
      io.out(
        `${s.padEnd(12)}${ns.map((k) => pct(rows.find((r) => r.selector === s && r.n === k)!.accuracy).padStart(8)).join('')}\n`,
      );
    io.out(`run directory: ${out} (summary.json, metrics.jsonl, best-of-n.svg)\n`);
    return 0;
  },
);

export const prmCommand = defineGroup(
  'prm',
  'process reward models: Math-Shepherd labels, PRM/ORM training, best-of-N reranking',
  [label, trainCmd, rerank],
);
