// The worker side of checkExerciseInWorker (exercise.ts): finds the exercise step in the lesson catalog
// again (a check is a function, so it cannot be sent to a thread), says it is ready, judges the learner's
// file with it and posts the outcome. The main thread terminates this worker if the check never returns.
import { parentPort, workerData } from 'node:worker_threads';
import { openBackend } from '../backend/choose.ts';
import { lessons } from '../../lessons/index.ts';
import { checkExerciseFile } from './exercise.ts';

await openBackend(); // $TINYSEEK_BACKEND, as the main thread (a GPU opens asynchronously)

export interface ExerciseJob {
  lessonId: string;
  stepIndex: number;
  path: string;
  timeoutMs: number;
}

export type WorkerReply = { kind: 'missing' } | { kind: 'ready' } | { kind: 'outcome'; pass: boolean; message: string };

const job = workerData as ExerciseJob;
const post = (m: WorkerReply) => parentPort!.postMessage(m);
const step = lessons.find((l) => l.id === job.lessonId)?.steps[job.stepIndex];
if (step?.kind !== 'exercise') {
  post({ kind: 'missing' });
} else {
  post({ kind: 'ready' });
  post({ kind: 'outcome', ...(await checkExerciseFile(step, job.path, job.timeoutMs)) });
}
