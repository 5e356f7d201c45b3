// Output paths are checked before any work starts, so a long run never ends in a stack trace with its results
// lost: a run directory must be a directory (or not exist yet, with a parent we can create), and a file
// output must not be a directory. Problems raise InputError naming the path (exit 1).
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';

/** The nearest existing ancestor of `path` (itself when it exists). */
function existingAncestor(path: string): string {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

function checkWritableAncestor(path: string): void {
  const anc = existingAncestor(path);
  if (!statSync(anc).isDirectory()) throw new InputError(`${path}: cannot be created, ${anc} is a file`);
  try {
    accessSync(anc, constants.W_OK);
  } catch {
    throw new InputError(`${path}: cannot be written (no write permission in ${anc})`);
  }
}

/** A run directory to write: an existing directory, or a path whose nearest existing parent is a writable directory. */
export function checkOutDir(path: string): void {
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new InputError(`${path}: exists and is a file, not a run directory`);
    try {
      accessSync(path, constants.W_OK);
    } catch {
      throw new InputError(`${path}: cannot be written (no write permission)`);
    }
    return;
  }
  checkWritableAncestor(path);
}

/** An output file to write: not a directory, and its directory creatable. */
export function checkOutFile(path: string): void {
  if (existsSync(path) && statSync(path).isDirectory())
    throw new InputError(`${path}: is a directory, not a file to write`);
  checkWritableAncestor(dirname(resolve(path)));
}
