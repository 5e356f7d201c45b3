// `tinyseek eval`: held-out accuracy of a checkpoint on unseen problems — greedy, and with --samples n also
// pass@1 over n samples and pass@k (train/eval.ts).
import { Rng } from '../core/rng.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { transformerPolicy } from '../model/policy.ts';
import { evaluate } from '../train/eval.ts';
import { heldOutSet, type ProblemKind } from '../world/index.ts';
import { UsageError, bool, num, optStr, str } from './args.ts';
import { defineCommand } from './command.ts';
import { checkpointFlag, difficultyOf, kindFlag } from './flags.ts';
import { toJson } from './output.ts';

export const evalCommand = defineCommand(
  {
    name: 'eval',
    summary: 'held-out accuracy of a checkpoint: greedy, pass@1 and pass@k',
    usage: 'tinyseek eval --model DIR [--kind add] [--difficulty 2] [--n 200] [--samples 16 --pass-at 1,4,16]',
    flags: {
      model: checkpointFlag,
      kind: kindFlag(),
      difficulty: {
        type: 'int',
        default: 2,
        min: 1,
        help: 'digits (add/sub/mul), terms (expr) or numbers (countdown)',
      },
      n: { type: 'int', default: 200, min: 1, help: 'problems' },
      samples: {
        type: 'int',
        default: 0,
        min: 0,
        max: 256,
        help: 'samples per problem at --temperature for pass@1 and pass@k (0: greedy only)',
      },
      'pass-at': { type: 'intlist', help: 'k values of pass@k to report (each ≤ --samples; default: 1 and --samples)' },
      temperature: {
        type: 'float',
        default: 0.6,
        min: 0,
        help: 'sampling temperature of the --samples (R1 evaluates at 0.6)',
      },
      'max-tokens': { type: 'int', default: 100, min: 1, help: 'longest completion' },
      seed: { type: 'int', default: 0, min: 0, help: 'sampling seed' },
      json: { type: 'bool', help: 'print the result as JSON' },
      show: { type: 'int', default: 5, min: 0, help: 'example greedy completions to print' },
      'allow-nonfinite': { type: 'bool', help: 'load a checkpoint with NaN/Inf weights (to inspect a diverged run)' },
    },
    examples: [
      'tinyseek eval --model fixtures/base',
      'tinyseek eval --model runs/aha/seed0/policy --samples 16 --pass-at 1,4,16',
    ],
  },
  async (a, io) => {
    const dir = optStr(a, 'model');
    if (!dir) throw new UsageError('--model DIR is required');
    const kind = str(a, 'kind') as ProblemKind;
    const difficulty = difficultyOf(kind, num(a, 'difficulty'));
    const samples = num(a, 'samples');
    const ks = (a.flags['pass-at'] as number[] | undefined) ?? (samples > 0 ? [...new Set([1, samples])] : []);
    for (const k of ks)
      if (k < 1 || k > samples) throw new UsageError(`--pass-at ${k}: each k must be in [1, --samples ${samples}]`);
    const { model } = loadCheckpoint(dir, { requiresGrad: false, allowNonfinite: bool(a, 'allow-nonfinite') });
    const problems = heldOutSet(kind, difficulty, num(a, 'n'));
    const r = await evaluate(transformerPolicy(model), problems, {
      samples,
      passAtK: ks,
      temperature: num(a, 'temperature'),
      maxNewTokens: num(a, 'max-tokens'),
      rng: new Rng(num(a, 'seed')).child('eval'),
    });
    const g = r.greedy;
    if (bool(a, 'json')) {
      const { greedyRollouts, sampledRollouts, ...rest } = r;
      io.out(toJson({ kind, difficulty, n: problems.length, samples, ...rest }, 2) + '\n');
      return 0;
    }
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    io.out(`${kind} (difficulty ${difficulty}), ${problems.length} held-out problems\n`);
    io.out(
      `  greedy accuracy ${pct(g.accuracy)}\n  format rate     ${pct(g.formatRate)}\n  truncated       ${pct(g.truncationRate)}\n`,
    );
    io.out(`  mean length     ${g.lenAll.toFixed(1)} tokens\n  mean think      ${g.thinkLen.toFixed(1)} chars\n`);
    if (samples > 0) {
      io.out(`  ${samples} samples per problem at temperature ${num(a, 'temperature')}:\n`);
      for (const k of ks) io.out(`    pass@${k}`.padEnd(18) + `${pct(r.passAtK[k]!)}\n`);
    }
    for (const s of r.greedyRollouts.slice(0, num(a, 'show'))) {
      const ok = s.reward.accuracy === 1;
      io.out(`  ${ok ? '✓' : '✗'} ${s.problem.prompt} → ${s.text}${ok ? '' : `   (${s.reward.reason})`}\n`);
    }
    return 0;
  },
);
