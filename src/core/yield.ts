// Let the event loop run between steps of long work: signal handlers (Ctrl-C), timers and I/O only run
// when the call stack unwinds to the loop, which an `await` on an already-settled promise never does.
// `setImmediate` queues behind pending I/O and reads no clock, so it changes no result.
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
