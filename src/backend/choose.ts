// Choosing the backend, at the edge of a program: the CLI, the test setup, the benches and worker entry points
// call `chooseBackend` once, before any tensor exists; library code never names a concrete backend (tensors
// carry their own, and new ones default to the chosen one). `TINYSEEK_BACKEND` names it when no flag does.
import { setDefaultBackend } from '../core/tensor.ts';
import type { Backend } from './backend.ts';
import { CpuBackend } from './cpu/cpu-backend.ts';

export const BACKEND_NAMES = ['cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** One backend per name per process: choosing again (the CLI per command, a library import) reuses it. */
const made = new Map<string, Backend>();

/** Make `name` (default: $TINYSEEK_BACKEND, else cpu) the process's default backend and return it. */
export function chooseBackend(name: string = process.env.TINYSEEK_BACKEND || 'cpu'): Backend {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown backend '${name}' (known: ${BACKEND_NAMES.join(', ')})`);
  }
  const b = made.get(name) ?? new CpuBackend();
  made.set(name, b);
  setDefaultBackend(b);
  return b;
}
