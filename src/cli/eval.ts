// `tinyseek eval`: held-out accuracy of a checkpoint on unseen problems.
import { loadCheckpoint } from '../model/checkpoint.ts';
import { evaluate } from '../train/evaluate.ts';
import { DIFFICULTY_RANGE, PROBLEM_KINDS, heldOutSet, type ProblemKind } from '../world/index.ts';
import { UsageError, bool, num, optStr, str } from './args.ts';
import { defineCommand } from './command.ts';

export const evalCommand = defineCommand({
  name: 'eval',
  summary: 'held-out accuracy of a checkpoint',
  usage: 'tinyseek eval --model DIR [--kind add] [--difficulty 2] [--n 200]',
  flags: {
    model: { type: 'string', help: 'checkpoint directory', meta: 'DIR' },
    kind: { type: 'string', default: 'add', choices: PROBLEM_KINDS, help: 'problem kind' },
    difficulty: { type: 'int', default: 2, min: 1, help: 'digits (add/sub/mul), terms (expr) or numbers (countdown)' },
    n: { type: 'int', default: 200, min: 1, help: 'problems' },
    temperature: { type: 'float', default: 0, min: 0, help: '0 = greedy' },
    'max-tokens': { type: 'int', default: 100, min: 1, help: 'longest completion' },
    seed: { type: 'int', default: 0, min: 0, help: 'sampling seed (temperature > 0)' },
    json: { type: 'bool', help: 'print the result as JSON' },
    show: { type: 'int', default: 5, min: 0, help: 'example completions to print' },
    'allow-nonfinite': { type: 'bool', help: 'load a checkpoint with NaN/Inf weights (to inspect a diverged run)' },
  },
}, async (a, io) => {
  const dir = optStr(a, 'model');
  if (!dir) throw new UsageError('--model DIR is required');
  const kind = str(a, 'kind') as ProblemKind;
  const [lo, hi] = DIFFICULTY_RANGE[kind];
  const difficulty = num(a, 'difficulty');
  if (difficulty < lo || difficulty > hi) throw new UsageError(`--difficulty for ${kind} must be in [${lo}, ${hi}]`);
  const { model } = loadCheckpoint(dir, { requiresGrad: false, allowNonfinite: bool(a, 'allow-nonfinite') });
  const r = await evaluate(model, heldOutSet(kind, difficulty, num(a, 'n')), { maxNewTokens: num(a, 'max-tokens'), temperature: num(a, 'temperature'), seed: num(a, 'seed') });
  if (bool(a, 'json')) {
    const { samples, ...rest } = r;
    io.out(JSON.stringify({ kind, difficulty, n: samples.length, ...rest }, null, 2) + '\n');
    return 0;
  }
  io.out(`${kind} (difficulty ${difficulty}), ${r.samples.length} held-out problems\n`);
  io.out(`  accuracy        ${(100 * r.accuracy).toFixed(1)}%\n  format rate     ${(100 * r.formatRate).toFixed(1)}%\n  truncated       ${(100 * r.truncatedRate).toFixed(1)}%\n`);
  io.out(`  mean length     ${r.meanLength.toFixed(1)} tokens\n  mean think      ${r.meanThinkLength.toFixed(1)} chars\n`);
  for (const s of r.samples.slice(0, num(a, 'show'))) io.out(`  ${s.correct ? '✓' : '✗'} ${s.prompt} → ${s.completion}${s.correct ? '' : `   (${s.reason})`}\n`);
  return 0;
});
