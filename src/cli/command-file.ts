// command.json: what a long command was asked to do, saved in its run directory before the work starts, so
// `--resume` continues exactly that run whatever flags it is given now.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { writeJsonAtomic } from '../core/fsio.ts';

const FILE = 'command.json';

export function saveCommand(out: string, settings: object): void {
  writeJsonAtomic(join(out, FILE), settings);
}

/** The settings saved by `saveCommand` in `out` (`what` names the command, for the error). */
export function readCommand<T>(out: string, what: string): T {
  const path = join(out, FILE);
  if (!existsSync(path)) throw new InputError(`${path}: not found (no ${what} run to resume in ${out})`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}
