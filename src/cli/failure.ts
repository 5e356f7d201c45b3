// Every way a command can fail, turned into one line on stderr and an exit code: usage errors (bad flags) 2,
// bad files and data 1, file-system errors (`fs` codes) 1 with the path, allocation failures 1 with a hint,
// and anything else, which is a bug, 70 (EX_SOFTWARE) with the stack only when TINYSEEK_DEBUG is set.

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'is a directory, expected a file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many symbolic links',
  EBUSY: 'busy',
  EIO: 'input/output error',
};

export interface Failure {
  code: number;
  line: string;
}

const ALLOCATION =
  /Invalid typed array length|Array buffer allocation failed|Invalid array length|Invalid string length|allocation failed|out of memory/i;

/** The one-line message and exit code for an error that reached the CLI edge. */
export function describeFailure(e: unknown, env: Record<string, string | undefined> = process.env): Failure {
  if (e instanceof Error && e.name === 'UsageError') return { code: 2, line: e.message };
  if (e instanceof Error && e.name === 'InputError') return { code: 1, line: e.message };
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && Object.hasOwn(FS_REASONS, err.code)) {
    const path = err.path ?? (err as { dest?: string }).dest;
    return { code: 1, line: `${path ?? err.syscall ?? 'file system'}: ${FS_REASONS[err.code]} (${err.code})` };
  }
  if (e instanceof RangeError && ALLOCATION.test(e.message)) {
    return { code: 1, line: `not enough memory for the requested sizes (${e.message}); try smaller values` };
  }
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const stack = env.TINYSEEK_DEBUG && e instanceof Error ? (e.stack ?? '') : '';
  return {
    code: 70,
    line: `internal error: ${message.split('\n')[0]} (a bug: please report it; TINYSEEK_DEBUG=1 shows the stack)${stack ? `\n${stack}` : ''}`,
  };
}
