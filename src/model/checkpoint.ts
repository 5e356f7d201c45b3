// Checkpoints: a directory with `config.json` (the ModelConfig plus what made it) and `model.safetensors`
// (every parameter by its HF-layout name, float32). Saving is atomic per file (temp + rename), the weights are
// written before the config, and the config records the length and SHA-256 of every file of the save
// ("files": the weights and any extra file such as optimizer moments): a save killed between the renames leaves
// new files beside an old config, which loading reports as an incomplete checkpoint by name rather than
// mixing them (readPinnedFile does the same for the extra files). Loading refuses anything truncated, corrupt, mismatched or
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

/** The key of config.json that pins the files of a save: { "<file name>": { bytes, sha256 } }. */
export const INTEGRITY_KEY = 'files';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Saves `model` (and `extra` files, e.g. { 'optimizer.safetensors': bytes }, written first) so that the set is
 * consistent or detectably not: every file is pinned by length and SHA-256 in config.json, written last.
 */
export async function saveCheckpoint(
  dir: string,
  model: Transformer,
  meta: CheckpointMeta = {},
  extra: Record<string, Uint8Array> = {},
): Promise<void> {
  const files: Record<string, Uint8Array> = {
    ...extra,
    [WEIGHTS_FILE]: encodeSafetensors(await toSafeTensors(model.params), { format: 'pt', producer: 'tinyseek' }),
  };
  const pins: Record<string, { bytes: number; sha256: string }> = {};
  for (const [name, bytes] of Object.entries(files)) {
    if (name === CONFIG_FILE || name.includes('/') || name.includes('\\'))
      throw new InputError(`saveCheckpoint: bad extra file name '${name}'`);
    writeFileAtomic(join(dir, name), bytes);
    pins[name] = { bytes: bytes.length, sha256: sha256(bytes) };
  }
  writeJsonAtomic(join(dir, CONFIG_FILE), { model: model.config, ...meta, [INTEGRITY_KEY]: pins });
}

/** The parsed config.json of a checkpoint directory (either layout). */
function readConfigJson(dir: string): { path: string; raw: unknown } {
  const path = join(dir, CONFIG_FILE);
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new InputError(`${dir}: is a file, expected a checkpoint directory`);
  if (!existsSync(path)) {
    if (existsSync(join(dir, WEIGHTS_FILE)))
      throw new InputError(
        `${dir}: incomplete checkpoint: ${WEIGHTS_FILE} without ${CONFIG_FILE} (an interrupted first save?)`,
      );
    throw new InputError(`${path}: not found (is ${dir} a tinyseek checkpoint directory?)`);
  }
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
  const { model, [INTEGRITY_KEY]: _pin, ...meta } = raw as { model: unknown; [INTEGRITY_KEY]?: unknown };
  return { config: validateConfig(model, path), meta };
}

/** A file of a save, checked against the length and SHA-256 that config.json pins (when it has pins). */
function readPinned(dir: string, raw: unknown, name: string): Uint8Array {
  const path = join(dir, name);
  if (!existsSync(path)) throw new InputError(`${path}: not found`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(
      `${path}: cannot read safetensors file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const pins = (raw as Record<string, unknown>)[INTEGRITY_KEY];
  if (pins === undefined) return bytes; // written before pins existed, or by hand
  const pin =
    typeof pins === 'object' && pins !== null
      ? (pins as Record<string, { bytes?: unknown; sha256?: unknown }>)[name]
      : undefined;
  if (typeof pin !== 'object' || pin === null || typeof pin.bytes !== 'number' || typeof pin.sha256 !== 'string') {
    throw new InputError(
      `${join(dir, CONFIG_FILE)}: "${INTEGRITY_KEY}" must map "${name}" to {"bytes": number, "sha256": string}`,
    );
  }
  if (pin.bytes !== bytes.length || pin.sha256 !== sha256(bytes)) {
    throw new InputError(
      `${dir}: incomplete checkpoint: ${name} does not match ${CONFIG_FILE} (an interrupted save?); re-run or restore the directory`,
    );
  }
  return bytes;
}

/** The bytes of an extra file saved with the checkpoint (e.g. optimizer moments), checked like the weights. */
export function readPinnedFile(dir: string, name: string): Uint8Array {
  return Uint8Array.from(readPinned(dir, readConfigJson(dir).raw, name));
}

export function loadCheckpoint(dir: string, opts: LoadOptions = {}): { model: Transformer; meta: CheckpointMeta } {
  const { raw } = readConfigJson(dir);
  if (isHf(raw)) return loadHfCheckpoint(dir, raw, opts);
  const { config, meta } = readCheckpointConfig(dir);
  const path = join(dir, WEIGHTS_FILE);
  const { tensors } = decodeSafetensors(readPinned(dir, raw, WEIGHTS_FILE), path);
  return { model: new Transformer(config, paramsFromTensors(tensors, config, path, opts)), meta };
}
