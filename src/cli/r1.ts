// `tinyseek r1`: the R1 pipeline in miniature (experiments/r1/): zero → cold-start → reasoning-rl →
// rejection-sft → final-rl, one run directory per stage, the stage table printed and in summary.json.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import { join } from 'node:path';
import { BUDGETS, STAGES, type Budget, type R1Config, type StageName } from '../experiments/r1/config.ts';
import { runR1, type R1Event } from '../experiments/r1/pipeline.ts';
import { DEFAULT_SIZES, DEFAULT_WEIGHTS, runSweep, SWEEPS, type SweepName } from '../experiments/r1/sweep.ts';
import { tableLines } from '../experiments/r1/table.ts';
import { UsageError, bool, optStr, str, type Parsed } from './args.ts';
import { defineCommand, type IO } from './command.ts';
import { installInterrupt } from './interrupt.ts';
import { checkOutDir } from './output.ts';
import { ProgressBar } from './progress.ts';

function configOf(a: Parsed): R1Config {
  const budget = str(a, 'budget') as Budget;
  const c: R1Config = structuredClone(BUDGETS[budget]);
  const base = optStr(a, 'base');
  if (base) c.base = base;
  const w = a.flags['language-weight'] as number | undefined;
  if (w !== undefined) {
    c.reasoningRl.languageWeight = w;
    c.finalRl.languageWeight = w;
  }
  const n = a.flags['cold-start-size'] as number | undefined;
  if (n !== undefined) c.coldStart.size = n;
  return c;
}

/** The config a pipeline run directory was started with (its r1.json), or undefined for a new directory. */
function savedConfig(dir: string): R1Config | undefined {
  const path = join(dir, 'r1.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as R1Config;
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message}); use a new --out`);
  }
}

/** The sweep's points: --values, checked, or the whole default sweep. */
function sweepValues(a: Parsed, sweep: SweepName): number[] {
  const given = a.flags.values as string[] | undefined;
  if (!given) return sweep === 'weight' ? DEFAULT_WEIGHTS : DEFAULT_SIZES;
  return given.map((v) => {
    const x = Number(v);
    const ok = sweep === 'weight' ? Number.isFinite(x) && x >= 0 : Number.isInteger(x) && x >= 2;
    if (!ok) throw new UsageError(`--values: '${v}' is not a ${sweep === 'weight' ? 'weight ≥ 0' : 'set size ≥ 2'}`);
    return x;
  });
}

/** Progress lines of one pipeline run: a bar per stage, a line per finished stage. */
function reporter(io: IO, prefix: string): (e: R1Event) => void {
  let bar: ProgressBar | undefined;
  let last = 0;
  const t0 = performance.now();
  return (e) => {
    if (e.type === 'stage-start') {
      io.err(`${prefix}${e.stage === 'base' ? 'scoring the base' : `stage ${e.index + 1}/5: ${e.stage}`}\n`);
      bar = undefined;
    } else if (e.type === 'progress') {
      if (!bar || e.done < last) {
        bar = new ProgressBar({ total: e.total, label: `${prefix}${e.stage}`, io });
        last = 0;
      }
      bar.tick(e.done - last, e.note);
      last = e.done;
    } else {
      bar?.done();
      bar = undefined;
      const r = e.row;
      const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
      io.err(
        `${prefix}${r.stage}${e.resumed ? ' (finished earlier)' : ''}: greedy ${pct(r.greedy)}, pass@1 ${pct(r.pass1)}, mixing ${pct(r.mixing)}, readability ${pct(r.readability)}` +
          ` [${((performance.now() - t0) / 1000).toFixed(0)} s]\n`,
      );
    }
  };
}

export const r1Command = defineCommand(
  {
    name: 'r1',
    summary:
      'the R1 pipeline in miniature: zero, cold start, reasoning RL with a language reward, rejection sampling, final RL',
    usage:
      'tinyseek r1 [--out DIR] [--budget default|small] [--stage NAME] [--seeds 0,1] [--resume] [--sweep weight|cold-start]',
    flags: {
      out: { type: 'string', default: 'runs/r1', help: 'run directory (one sub-directory per stage)', meta: 'DIR' },
      budget: {
        type: 'string',
        default: 'default',
        choices: Object.keys(BUDGETS),
        help: 'default: ~10 min on 2 cores; small: the same stages, ~2 min',
      },
      stage: {
        type: 'string',
        choices: STAGES,
        help: 'run only this stage (its input stage must be finished in --out); default: every unfinished stage',
      },
      seeds: { type: 'intlist', default: [0], min: 0, help: 'seeds; several write seed-<s>/ each', meta: 'LIST' },
      resume: {
        type: 'bool',
        help: 'continue the run in --out from its last finished stage (its config comes from the r1.json there)',
      },
      base: { type: 'string', help: 'base checkpoint (default: fixtures/r1-base)', meta: 'DIR' },
      'language-weight': {
        type: 'float',
        min: 0,
        help: 'w of the language-consistency reward in reasoning-rl and final-rl (default 1, as R1)',
      },
      'cold-start-size': { type: 'int', min: 1, help: 'curated zero traces in the cold-start set (default 256)' },
      values: {
        type: 'list',
        help: 'with --sweep: the weights or set sizes to run (default: the whole sweep)',
        meta: 'LIST',
      },
      sweep: {
        type: 'string',
        choices: SWEEPS,
        help: `a sweep on a finished pipeline in --out: weight (w = ${DEFAULT_WEIGHTS.join(', ')}) or cold-start (n = ${DEFAULT_SIZES.join(', ')})`,
      },
    },
    examples: [
      'tinyseek r1 --out runs/r1',
      'tinyseek r1 --out runs/r1 --resume',
      'tinyseek r1 --out runs/r1-small --budget small',
      'tinyseek r1 --out runs/r1 --stage reasoning-rl --language-weight 0.5',
      'tinyseek r1 --out runs/r1 --sweep weight',
      'tinyseek r1 --out runs/r1 --sweep cold-start',
    ],
  },
  async (a, io) => {
    const out = str(a, 'out');
    const seeds = a.flags.seeds as number[];
    if (new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds repeats a seed: ${seeds.join(',')}`);
    const stage = optStr(a, 'stage') as StageName | undefined;
    const sweep = optStr(a, 'sweep') as SweepName | undefined;
    if (sweep && stage) throw new UsageError('--sweep runs on a finished pipeline: leave out --stage');
    if (!sweep && a.flags.values !== undefined) throw new UsageError('--values goes with --sweep');
    const resume = bool(a, 'resume') || stage !== undefined || sweep !== undefined;
    checkOutDir(out);
    if (!resume && existsSync(out) && readdirSync(out).length > 0)
      throw new UsageError(`${out}: not empty; continue it with --resume or choose a new --out`);
    const base = configOf(a);
    const again = sweep ? ` --sweep ${sweep}` : ' --resume';
    const stop = installInterrupt({ io, what: 'this step', resume: `tinyseek r1 --out ${out}${again}` });
    try {
      for (const seed of seeds) {
        const dir = seeds.length > 1 ? join(out, `seed-${seed}`) : out;
        const prefix = seeds.length > 1 ? `seed ${seed}: ` : '';
        // A run directory remembers its config (r1.json): continuing it needs only --out, as its resume line says.
        const c = resume ? (savedConfig(dir) ?? { ...base, seed }) : { ...base, seed };
        if (sweep) {
          // The sweep alone, from the pipeline's finished stages (so it can run beside a pipeline still going).
          const values = sweepValues(a, sweep);
          const onEvent = reporter(io, `${prefix}sweep ${sweep}: `);
          const points = await runSweep(c, sweep, values, { out: dir, signal: stop.signal, onEvent });
          if (stop.signal.aborted) break;
          io.out(
            `\n${prefix}sweep ${sweep} (${sweep === 'weight' ? 'reasoning-rl from cold-start' : 'cold-start from the base'}):\n`,
          );
          const label = (v: number) => `${sweep === 'weight' ? 'w=' : 'n='}${v}`;
          io.out(tableLines(points.map((p) => ({ ...p.row, stage: label(p.value) as never }))).join('\n') + '\n');
          io.out(`written: ${join(dir, `sweep-${sweep}.json`)}, ${join(dir, `sweep-${sweep}.svg`)}\n`);
          continue;
        }
        const summary = await runR1(c, { out: dir, signal: stop.signal, stage, onEvent: reporter(io, prefix) });
        if (stop.signal.aborted) break;
        io.out(`\n${prefix}the stage table (held-out 2-digit addition, ${c.evalSize} problems × 2 languages):\n`);
        io.out(tableLines([summary.base, ...summary.stages]).join('\n') + '\n');
        io.out(`run directory: ${dir} (summary.json, stages.svg, zero-mixing.svg, one checkpoint per stage)\n`);
      }
      return stop.finish();
    } finally {
      stop.dispose();
    }
  },
);
