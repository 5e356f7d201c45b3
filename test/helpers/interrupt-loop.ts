// A child process for the Ctrl-C test: a step loop under installInterrupt. Each step is ~20 ms of synchronous
// work then one yield to the event loop; "ready" after the first step. On the first Ctrl-C it finishes the step,
// "saves" (argv[2] = 'slow': a save that takes seconds, so a second Ctrl-C lands during it), prints the saved
// step and the resume hint, and exits with interrupt.exitCode(0).
import { installInterrupt } from '../../src/cli/interrupt.ts';
import { yieldToEventLoop } from '../../src/core/yield.ts';

const slow = process.argv[2] === 'slow';
const io = { err: (s: string) => void process.stderr.write(s) };
const interrupt = installInterrupt({ io, resume: 'tinyseek pretrain --out runs/x --resume' });
let step = 0;
const busy = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end);
};
try {
  while (!interrupt.signal.aborted && step < 100_000) {
    busy(20);
    step++;
    if (step === 1) process.stdout.write('ready\n');
    await yieldToEventLoop();
  }
  if (slow)
    for (let i = 0; i < 300; i++) {
      busy(20);
      await yieldToEventLoop();
    }
  process.stdout.write(`saved step ${step}\n`);
  process.stdout.write(interrupt.resumeHint());
  process.exitCode = interrupt.exitCode(0);
} finally {
  interrupt.dispose();
}
