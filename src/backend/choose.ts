// Choosing the backend, at the edge of a program: the CLI, the test setup, the benches and worker entry points
// call `chooseBackend` (or `openBackend`, which can also open a GPU) once, before any tensor exists; library
// code never names a concrete backend (tensors carry their own, and new ones default to the chosen one).
// `TINYSEEK_BACKEND` names it when no flag does. The WebGPU backend is loaded lazily, only when asked for, and
// a missing adapter is an error (NoAdapterError), never a quiet fall-back to the CPU.
import { setDefaultBackend } from '../core/tensor.ts';
import type { Backend } from './backend.ts';
import { CpuBackend } from './cpu/cpu-backend.ts';

export const BACKEND_NAMES = ['cpu', 'webgpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** One backend per name per process: choosing again (the CLI per command, a library import) reuses it. */
const made = new Map<string, Backend>();

function known(name: string): void {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown backend '${name}' (known: ${BACKEND_NAMES.join(', ')})`);
  }
}

const envName = () => process.env.TINYSEEK_BACKEND || 'cpu';

/** Make `name` (default: $TINYSEEK_BACKEND, else cpu) the process's default backend and return it. */
export function chooseBackend(name: string = envName()): Backend {
  known(name);
  let b = made.get(name);
  if (!b) {
    if (name !== 'cpu') throw new Error(`the ${name} backend opens asynchronously: await openBackend('${name}')`);
    made.set(name, (b = new CpuBackend()));
  }
  setDefaultBackend(b);
  return b;
}

/** chooseBackend for any backend, opening a GPU device first when the name asks for one. */
export async function openBackend(name: string = envName()): Promise<Backend> {
  known(name);
  if (name === 'webgpu' && !made.has(name)) {
    const [{ openDevice }, { WebGpuBackend }] = await Promise.all([
      import('./webgpu/device.ts'),
      import('./webgpu/webgpu-backend.ts'),
    ]);
    made.set(name, new WebGpuBackend(await openDevice()));
  }
  return chooseBackend(name);
}

/** Release devices (a process holding a GPU device does not exit by itself). */
export function closeBackends(): void {
  const gpu = made.get('webgpu') as (Backend & { destroy(): void }) | undefined;
  gpu?.destroy();
  made.delete('webgpu');
}
