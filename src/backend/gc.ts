// V8's garbage collector, called at run time (the same as node --expose-gc). The memory pools of both backends
// (cpu/host-pool.ts, webgpu/memory.ts) ask for a collection once many bytes have been handed out, so that the
// storages a step dropped are found and their memory comes back before the next step needs it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFn: (() => void) | undefined;

/** A full collection (a scavenge would not do: V8 finds dead FinalizationRegistry targets only in a full one). */
export function collectGarbage(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}
