// The roads-not-taken run's finished stages on disk, so `--resume` skips them (the pattern of r1/pipeline.ts and
// distill-vs-rl: a stage's result is written atomically only once it has finished; a stage stopped by Ctrl-C
// throws RunInterrupted, leaves no result and is redone). Layout of the run directory:
//   roads.json              the config; resuming with another config is refused
//   stages/<name>.json      a stage's result (numbers, traces, ledgers as {phase: spend})
//   stages/<name>/          a model the later stages need (a policy checkpoint or a reward model)
// Without a directory every stage just runs. A result read back must be the one the stage would compute again,
// so stage results hold plain JSON (no NaN: JSON would turn it into null) and models round-trip bit for bit
// (float32 safetensors).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { writeJsonAtomic } from '../core/fsio.ts';
import { ComputeLedger, type Spend } from '../cost/ledger.ts';
import { yieldToEventLoop } from '../core/yield.ts';
import { RunInterrupted } from '../train/trainer.ts';

export interface StageStore {
  /** The stage's saved result when resuming, else run it, stop if asked, save and return it. */
  run<T>(name: string, make: (modelDir: string | null) => Promise<T>): Promise<T>;
  /** The directory a stage keeps its model in (null: no run directory). */
  modelDir(name: string): string | null;
  /** Throw RunInterrupted when a stop was asked. */
  check(): void;
}

export function stageStore(
  dir: string | undefined,
  config: unknown,
  o: { resume?: boolean; stopped?: () => boolean; onResumed?: (name: string) => void | Promise<void> },
): StageStore {
  const check = () => {
    if (o.stopped?.()) throw new RunInterrupted();
  };
  if (dir) {
    const cfgPath = join(dir, 'roads.json');
    const text = JSON.stringify(config, null, 2) + '\n';
    if (o.resume && existsSync(cfgPath) && readFileSync(cfgPath, 'utf8') !== text)
      throw new InputError(`${dir}: holds a roads-not-taken run with another config (roads.json); use a new --out`);
    mkdirSync(join(dir, 'stages'), { recursive: true });
    writeJsonAtomic(cfgPath, config);
  }
  const modelDir = (name: string) => (dir ? join(dir, 'stages', name) : null);
  return {
    modelDir,
    check,
    async run<T>(name: string, make: (modelDir: string | null) => Promise<T>): Promise<T> {
      const file = dir ? join(dir, 'stages', `${name}.json`) : null;
      if (file && o.resume && existsSync(file)) {
        await o.onResumed?.(name);
        return JSON.parse(readFileSync(file, 'utf8')) as T;
      }
      await yieldToEventLoop(); // lets a Ctrl-C handler run between stages
      check();
      // A stage that returns has finished (one stopped half-way throws RunInterrupted): keep it, then stop.
      const r = await make(modelDir(name));
      if (file) writeJsonAtomic(file, r);
      await yieldToEventLoop();
      check();
      return r;
    },
  };
}

/** A ledger from its JSON ({phase: spend} in charge order). */
export function ledgerFromJson(spends: Record<string, Spend>): ComputeLedger {
  const l = new ComputeLedger();
  for (const [phase, s] of Object.entries(spends)) l.charge(phase, s.flops, s.tokens);
  return l;
}
