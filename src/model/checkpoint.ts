// Checkpoints: a directory with `config.json` (the ModelConfig plus what made it) and `model.safetensors`
// (every parameter by its HF-layout name, float32). Saving is atomic per file (temp + rename) and the weights
// are written before the config, so an interrupted save leaves the previous checkpoint loadable. Loading
// refuses anything truncated, corrupt or mismatched with an InputError that names the file and the problem,
// and never returns a half-loaded model. A Hugging Face directory (config.json with a `model_type`:
// deepseek_v3 or llama) loads through the same calls (hf-checkpoint.ts); saveHfCheckpoint writes one.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { writeJsonAtomic } from '../core/fsio.ts';
import { validateConfig, type ModelConfig } from './config.ts';
import { fromHfConfig } from './hf-config.ts';
import { loadHfCheckpoint } from './hf-checkpoint.ts';
import { loadSafetensors, saveSafetensors } from './safetensors.ts';
import { Transformer } from './transformer.ts';
import { paramsFromTensors, toSafeTensors, type LoadOptions } from './weights.ts';

export { saveHfCheckpoint } from './hf-checkpoint.ts';
export { toSafeTensors } from './weights.ts';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';

export interface CheckpointMeta {
  /** Free-form provenance: the command, seed, step, … */
  [key: string]: unknown;
}

export function saveCheckpoint(dir: string, model: Transformer, meta: CheckpointMeta = {}): void {
  saveSafetensors(join(dir, WEIGHTS_FILE), toSafeTensors(model.params), { format: 'pt', producer: 'tinyseek' });
  writeJsonAtomic(join(dir, CONFIG_FILE), { model: model.config, ...meta });
}

/** The parsed config.json of a checkpoint directory (either layout). */
function readConfigJson(dir: string): { path: string; raw: unknown } {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) throw new InputError(`${path}: not found (is ${dir} a tinyseek checkpoint directory?)`);
  try {
    return { path, raw: JSON.parse(readFileSync(path, 'utf8')) };
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

const isHf = (raw: unknown): boolean =>
  typeof raw === 'object' && raw !== null && 'model_type' in raw && !('model' in raw);

/** Read and validate `config.json` of a checkpoint directory (an HF directory gives meta { format: 'hf' }). */
export function readCheckpointConfig(dir: string): { config: ModelConfig; meta: CheckpointMeta } {
  const { path, raw } = readConfigJson(dir);
  if (isHf(raw))
    return {
      config: fromHfConfig(raw, path),
      meta: { format: 'hf', modelType: (raw as { model_type: unknown }).model_type },
    };
  if (typeof raw !== 'object' || raw === null || !('model' in raw))
    throw new InputError(`${path}: missing the "model" section`);
  const { model, ...meta } = raw as { model: unknown };
  return { config: validateConfig(model, path), meta };
}

export function loadCheckpoint(dir: string, opts: LoadOptions = {}): { model: Transformer; meta: CheckpointMeta } {
  const { raw } = readConfigJson(dir);
  if (isHf(raw)) return loadHfCheckpoint(dir, raw, opts);
  const { config, meta } = readCheckpointConfig(dir);
  const path = join(dir, WEIGHTS_FILE);
  if (!existsSync(path)) throw new InputError(`${path}: not found`);
  const { tensors } = loadSafetensors(path);
  return { model: new Transformer(config, paramsFromTensors(tensors, config, path, opts)), meta };
}
