// Checkpoints: a directory with `config.json` (the ModelConfig plus what made it) and `model.safetensors`
// (every parameter by its HF-layout name, float32). Saving is atomic per file (temp + rename), the weights are
// written before the config, and the config records the weights file's length and SHA-256: a save killed
// between the two renames leaves new weights beside an old config, which loading reports as an incomplete
// checkpoint by name rather than mixing them. Loading refuses anything truncated, corrupt, mismatched or
// non-finite (NaN/Inf weights, unless allowNonfinite) with an InputError naming the file and the problem,
// and never returns a half-loaded model. A Hugging Face directory (config.json with a `model_type`:
// deepseek_v3 or llama) loads through the same calls (hf-checkpoint.ts); saveHfCheckpoint writes one.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../core/fsio.ts';
import { validateConfig, type ModelConfig } from './config.ts';
import { fromHfConfig } from './hf-config.ts';
import { loadHfCheckpoint } from './hf-checkpoint.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';
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

/** The key of config.json that pins the weights file: { bytes, sha256 }. */
export const INTEGRITY_KEY = 'weightsFile';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function saveCheckpoint(dir: string, model: Transformer, meta: CheckpointMeta = {}): void {
  const bytes = encodeSafetensors(toSafeTensors(model.params), { format: 'pt', producer: 'tinyseek' });
  writeFileAtomic(join(dir, WEIGHTS_FILE), bytes);
  writeJsonAtomic(join(dir, CONFIG_FILE), { model: model.config, ...meta, [INTEGRITY_KEY]: { bytes: bytes.length, sha256: sha256(bytes) } });
}

/** The parsed config.json of a checkpoint directory (either layout). */
function readConfigJson(dir: string): { path: string; raw: unknown } {
  const path = join(dir, CONFIG_FILE);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError(`${dir}: is a file, expected a checkpoint directory`);
  if (!existsSync(path)) {
    if (existsSync(join(dir, WEIGHTS_FILE))) throw new InputError(`${dir}: incomplete checkpoint: ${WEIGHTS_FILE} without ${CONFIG_FILE} (an interrupted first save?)`);
    throw new InputError(`${path}: not found (is ${dir} a tinyseek checkpoint directory?)`);
  }
  try {
    return { path, raw: JSON.parse(readFileSync(path, 'utf8')) };
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

const isHf = (raw: unknown): boolean => typeof raw === 'object' && raw !== null && 'model_type' in raw && !('model' in raw);

/** Read and validate `config.json` of a checkpoint directory (an HF directory gives meta { format: 'hf' }). */
export function readCheckpointConfig(dir: string): { config: ModelConfig; meta: CheckpointMeta } {
  const { path, raw } = readConfigJson(dir);
  if (isHf(raw)) return { config: fromHfConfig(raw, path), meta: { format: 'hf', modelType: (raw as { model_type: unknown }).model_type } };
  if (typeof raw !== 'object' || raw === null || !('model' in raw)) throw new InputError(`${path}: missing the "model" section`);
  const { model, [INTEGRITY_KEY]: _pin, ...meta } = raw as { model: unknown; [INTEGRITY_KEY]?: unknown };
  return { config: validateConfig(model, path), meta };
}

/** The weights file's bytes, checked against the length and SHA-256 that config.json pins (when it does). */
function readPinnedWeights(dir: string, raw: unknown): Uint8Array {
  const path = join(dir, WEIGHTS_FILE);
  if (!existsSync(path)) throw new InputError(`${path}: not found`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read safetensors file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const pin = (raw as Record<string, unknown>)[INTEGRITY_KEY] as { bytes?: unknown; sha256?: unknown } | undefined;
  if (pin === undefined) return bytes; // written before pins existed, or by hand
  if (typeof pin !== 'object' || pin === null || typeof pin.bytes !== 'number' || typeof pin.sha256 !== 'string') {
    throw new InputError(`${join(dir, CONFIG_FILE)}: "${INTEGRITY_KEY}" must be {"bytes": number, "sha256": string}`);
  }
  if (pin.bytes !== bytes.length || pin.sha256 !== sha256(bytes)) {
    throw new InputError(`${dir}: incomplete checkpoint: ${WEIGHTS_FILE} does not match ${CONFIG_FILE} (an interrupted save?); re-run or restore the directory`);
  }
  return bytes;
}

export function loadCheckpoint(dir: string, opts: LoadOptions = {}): { model: Transformer; meta: CheckpointMeta } {
  const { raw } = readConfigJson(dir);
  if (isHf(raw)) return loadHfCheckpoint(dir, raw, opts);
  const { config, meta } = readCheckpointConfig(dir);
  const path = join(dir, WEIGHTS_FILE);
  const { tensors } = decodeSafetensors(readPinnedWeights(dir, raw), path);
  return { model: new Transformer(config, paramsFromTensors(tensors, config, path, opts)), meta };
}
