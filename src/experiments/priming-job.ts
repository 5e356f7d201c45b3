// One RL run of the priming experiment in a child process (job-pool.ts): argv[2] is a PrimingJob as JSON.
// SIGINT (sent once by the pool) stops the run after its step, saved for --resume; the exit code is then 130.
import { chooseBackend } from '../backend/choose.ts';
import { runPrimingJob, type PrimingJob } from './priming.ts';

const job = JSON.parse(process.argv[2]!) as PrimingJob;
const stop = new AbortController();
process.on('SIGINT', () => stop.abort());
chooseBackend('cpu');
await runPrimingJob(job, stop.signal);
process.exit(stop.signal.aborted ? 130 : 0);
