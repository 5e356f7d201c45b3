// Output paths checked before any work starts, so a long run never ends in a failed write: `--out DIR` must be
// a writable directory or creatable as one (its nearest existing ancestor a writable directory), and an output
// file's folder likewise. A bad path is an InputError naming it (exit 1), raised before the first step.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';

/** The nearest existing ancestor of `path` (itself included) and its stat, or undefined at the root. */
function nearestExisting(path: string): { at: string; isDir: boolean } {
  let at = resolve(path);
  for (;;) {
    try {
      return { at, isDir: statSync(at).isDirectory() };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new InputError(`${path}: a part of the path is a file, not a directory`);
      if (code !== 'ENOENT')
        throw new InputError(`${path}: cannot be used as output (${code ?? (e as Error).message})`);
    }
    const up = dirname(at);
    if (up === at) throw new InputError(`${path}: no existing folder above it`);
    at = up;
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Throws unless `dir` is a writable directory, or can be created as one. Writes nothing. */
export function checkOutDir(dir: string, flag = '--out'): void {
  if (dir.trim() === '') throw new InputError(`${flag}: an empty path`);
  const { at, isDir } = nearestExisting(dir);
  const self = at === resolve(dir);
  if (!isDir)
    throw new InputError(
      self
        ? `${dir}: exists and is a file, not a directory (${flag} names a run directory)`
        : `${dir}: ${at} is a file, not a directory`,
    );
  if (!writable(at))
    throw new InputError(
      self ? `${dir}: not writable (permission denied)` : `${dir}: cannot be created, ${at} is not writable`,
    );
}

/** Throws unless the file `path` can be written: not a directory, and its folder writable or creatable. */
export function checkOutFile(path: string, flag = '--out'): void {
  if (path.trim() === '') throw new InputError(`${flag}: an empty path`);
  const { at, isDir } = nearestExisting(path);
  if (at === resolve(path)) {
    if (isDir) throw new InputError(`${path}: is a directory, expected a file`);
    try {
      accessSync(path, constants.W_OK);
    } catch {
      throw new InputError(`${path}: not writable (permission denied)`);
    }
    return;
  }
  checkOutDir(dirname(path), flag);
}

/** Throws unless `dir` exists and is a directory (an input such as --model DIR). */
export function checkInDir(dir: string, flag: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return; // the loader names the missing file itself
    throw new InputError(`${dir}: cannot be read (${code ?? (e as Error).message})`);
  }
  if (!isDir) throw new InputError(`${dir}: is a file, expected a directory (${flag} DIR)`);
}

/**
 * A value as the JSON a `--json` flag prints: non-finite numbers as the strings "NaN", "Infinity" and
 * "-Infinity" (JSON has no literal for them, and JSON.stringify would write null, losing which one it was).
 */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v),
    indent,
  );
}
