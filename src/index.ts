// tinyseek as a library: DeepSeek-V3 and R1 in miniature. Each area is also its own entry point
// (tinyseek/model, tinyseek/numerics, tinyseek/cost, tinyseek/world); here they are namespaces.
//   import { model, numerics } from 'tinyseek';   import { loadCheckpoint } from 'tinyseek/model';
import { chooseBackend } from './backend/choose.ts';

// Importing the library makes the program's edge here: tensors default to the CPU reference backend
// ($TINYSEEK_BACKEND if set) unless the program calls chooseBackend itself.
chooseBackend();
export { chooseBackend } from './backend/choose.ts';
export * as model from './model/index.ts';
export * as numerics from './numerics/index.ts';
export * as cost from './cost/index.ts';
export * as world from './world/index.ts';
export { Rng } from './core/rng.ts';
export { InputError } from './core/errors.ts';
