// `tinyseek traces`: write prompt–completion JSONL of solved problems in one of the world's solution styles —
// the SFT data of `tinyseek sft` (and the shape every later stage's traces take).
import { Rng } from '../core/rng.ts';
import { solvedRecords, writeSftFile, type TraceStyle } from '../train/sft-data.ts';
import { heldOutKeys, type ProblemKind } from '../world/index.ts';
import { UsageError, num, str } from './args.ts';
import { defineCommand } from './command.ts';
import { difficultyOf, kindFlag } from './flags.ts';
import { checkOutFile } from './output.ts';

const STYLES: readonly TraceStyle[] = ['worked', 'reflective', 'direct'];

export const tracesCommand = defineCommand(
  {
    name: 'traces',
    summary: 'write solved problems as prompt–completion JSONL (SFT data)',
    usage: 'tinyseek traces --out FILE.jsonl [--kind add] [--difficulty 1,2] [--n 500] [--style worked] [--seed 0]',
    flags: {
      out: { type: 'string', help: 'JSONL file to write', meta: 'FILE' },
      kind: kindFlag(),
      difficulty: { type: 'intlist', default: [1, 2], help: 'difficulties to draw from, uniformly (digits for add)' },
      n: { type: 'int', default: 500, min: 1, max: 1_000_000, help: 'records' },
      style: {
        type: 'string',
        default: 'worked',
        choices: STYLES,
        help: 'worked: digit-by-digit steps; reflective: a quick answer, "wait check", then the work; direct: the answer alone',
      },
      seed: { type: 'int', default: 0, min: 0, help: 'seed of the problem draws' },
      'held-out-difficulty': {
        type: 'int',
        default: 2,
        min: 1,
        help: 'never write a problem of the held-out split at this difficulty (the 100 that tinyseek sft and eval score; like pretraining)',
      },
    },
    examples: [
      'tinyseek traces --out runs/worked.jsonl',
      'tinyseek traces --kind add --difficulty 2 --n 2000 --style direct --out runs/direct.jsonl',
    ],
  },
  async (a, io) => {
    const out = str(a, 'out');
    if (!a.flags.out) throw new UsageError('--out FILE is required');
    const kind = str(a, 'kind') as ProblemKind;
    const ds = (a.flags.difficulty as number[]).map((d) => difficultyOf(kind, d));
    checkOutFile(out);
    const heldOut = heldOutKeys(kind, difficultyOf(kind, num(a, 'held-out-difficulty'), 'held-out-difficulty'), 100);
    const records = solvedRecords(
      kind,
      ds,
      num(a, 'n'),
      str(a, 'style') as TraceStyle,
      new Rng(num(a, 'seed')).child('traces'),
      heldOut,
    );
    writeSftFile(out, records);
    io.out(
      `${records.length} ${str(a, 'style')} ${kind} records (difficulty ${ds.join(',')}; none from the held-out ${num(a, 'held-out-difficulty')}-digit split) → ${out}\n`,
    );
    io.out(`e.g. ${JSON.stringify(records[0])}\n`);
    return 0;
  },
);
