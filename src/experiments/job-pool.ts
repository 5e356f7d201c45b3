// Independent runs of an experiment as child processes, `parallel` at a time (one per core), each on one matmul
// thread. A job is a JSON value handed to an entry module; its results depend on that value alone, so the
// schedule never changes a number (each run is as deterministic as it is alone). The pool starts jobs in list
// order, writes each one's output to its log file, and fails with the log's tail when one fails.
// Ctrl-C: the children run in their own process group, so the terminal's SIGINT reaches only this process;
// when `signal` aborts, each running child gets exactly one SIGINT (it saves after its step and exits 130),
// no new job starts, and `runJobs` resolves with `interrupted: true` once they have exited.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface PoolJob {
  /** Handed to the entry as its one argument (JSON). */
  job: unknown;
  /** File that receives the child's stdout and stderr. */
  log: string;
}

export interface PoolOptions {
  /** Module run in each child (loaded through tsx, as bin/tinyseek.js loads the CLI). */
  entry: URL;
  parallel: number;
  signal?: AbortSignal;
  /** Called in completion order with the job's index. */
  onDone?: (index: number) => void | Promise<void>;
}

/** tsx's loader, found from this module (not from the working directory). */
const tsxLoader = () => pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export async function runJobs(jobs: readonly PoolJob[], o: PoolOptions): Promise<{ interrupted: boolean }> {
  if (!(Number.isInteger(o.parallel) && o.parallel >= 1))
    throw new RangeError(`job pool: parallel must be an integer ≥ 1, got ${o.parallel}`);
  let next = 0;
  let failure: Error | undefined;
  const running = new Set<ReturnType<typeof spawn>>();
  const onAbort = () => running.forEach((c) => c.kill('SIGINT'));
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const lane = async (): Promise<void> => {
    while (next < jobs.length && failure === undefined && !o.signal?.aborted) {
      const i = next++;
      const { job, log } = jobs[i]!;
      mkdirSync(dirname(log), { recursive: true });
      const fd = openSync(log, 'w');
      const child = spawn(
        process.execPath,
        ['--max-semi-space-size=64', '--import', tsxLoader(), fileURLToPath(o.entry), JSON.stringify(job)],
        { stdio: ['ignore', fd, fd], detached: true, env: { ...process.env, TINYSEEK_THREADS: '1' } },
      );
      running.add(child);
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      running.delete(child);
      closeSync(fd);
      if (o.signal?.aborted) return;
      if (code !== 0) {
        const tail = readFileSync(log, 'utf8').trim().split('\n').slice(-5).join('\n');
        failure ??= new Error(`job ${i} failed (exit ${code}; log ${log}):\n${tail}`);
        return;
      }
      await o.onDone?.(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.parallel, jobs.length) }, lane));
  o.signal?.removeEventListener('abort', onAbort);
  if (failure !== undefined && !o.signal?.aborted) throw failure;
  return { interrupted: o.signal?.aborted === true };
}
