// User GPUs: a JSON file holding one GPU object or an array of them, with the same fields as the catalogue
// (hardware.ts). Every field is checked; a bad file is rejected whole with an InputError that names the file,
// the entry and the field, so a typo never becomes a silent default.
// Example: fixtures/cost/gpus/example.json.
import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import type { GpuSpec } from './hardware.ts';

type FieldKind = 'id' | 'text' | 'positive' | 'positive|null' | 'count';

const FIELDS: Record<keyof GpuSpec, { kind: FieldKind; required: boolean }> = {
  id: { kind: 'id', required: true },
  name: { kind: 'text', required: true },
  bf16Tflops: { kind: 'positive', required: true },
  fp8Tflops: { kind: 'positive|null', required: false },
  hbmGB: { kind: 'positive', required: true },
  hbmTBps: { kind: 'positive', required: true },
  nvlinkGBps: { kind: 'positive', required: true },
  nvlinkMeasuredGBps: { kind: 'positive', required: false },
  ibGBps: { kind: 'positive', required: true },
  ibMeasuredGBps: { kind: 'positive', required: false },
  gpusPerNode: { kind: 'count', required: true },
  source: { kind: 'text', required: false },
};

function checkField(where: string, key: string, kind: FieldKind, v: unknown): void {
  const bad = (what: string) => new InputError(`${where}: field '${key}' ${what}, got ${JSON.stringify(v)}`);
  switch (kind) {
    case 'id':
      if (typeof v !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(v))
        throw bad('must be a lower-case id of letters, digits, . _ - (e.g. "h800-mycluster")');
      return;
    case 'text':
      if (typeof v !== 'string' || v.trim() === '') throw bad('must be a non-empty string');
      return;
    case 'positive|null':
      if (v === null) return;
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw bad('must be a positive number or null');
      return;
    case 'positive':
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw bad('must be a positive number');
      return;
    case 'count':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw bad('must be a whole number ≥ 1');
      return;
  }
}

function toGpu(raw: unknown, where: string, file: string): GpuSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InputError(`${where}: expected a GPU object {"id": ..., "bf16Tflops": ...}`);
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj))
    if (!(key in FIELDS))
      throw new InputError(`${where}: unknown field '${key}' (known: ${Object.keys(FIELDS).join(', ')})`);
  for (const [key, f] of Object.entries(FIELDS)) {
    if (obj[key] === undefined) {
      if (f.required) throw new InputError(`${where}: missing field '${key}'`);
      continue;
    }
    checkField(where, key, f.kind, obj[key]);
  }
  const g = obj as unknown as GpuSpec;
  const measuredAbove = (m: number | undefined, nominal: number) => m !== undefined && m > nominal;
  if (measuredAbove(g.nvlinkMeasuredGBps, g.nvlinkGBps))
    throw new InputError(
      `${where}: field 'nvlinkMeasuredGBps' (${g.nvlinkMeasuredGBps}) exceeds nvlinkGBps (${g.nvlinkGBps})`,
    );
  if (measuredAbove(g.ibMeasuredGBps, g.ibGBps))
    throw new InputError(`${where}: field 'ibMeasuredGBps' (${g.ibMeasuredGBps}) exceeds ibGBps (${g.ibGBps})`);
  return { fp8Tflops: null, source: `user file ${file}`, ...(obj as Partial<GpuSpec>) } as GpuSpec;
}

/** Parses the text of a GPU file; `file` names it in errors. */
export function parseGpuFile(text: string, file: string): GpuSpec[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const list = Array.isArray(json) ? json : [json];
  if (list.length === 0) throw new InputError(`${file}: the GPU list is empty`);
  const gpus = list.map((raw, i) => toGpu(raw, Array.isArray(json) ? `${file} entry ${i}` : file, file));
  const ids = gpus.map((g) => g.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined) throw new InputError(`${file}: GPU id '${dup}' appears twice`);
  return gpus;
}

/** Reads and validates a user GPU file. */
export function loadGpuFile(file: string): GpuSpec[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(
      `${file}: cannot read GPU file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return parseGpuFile(text, file);
}
