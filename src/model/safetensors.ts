// The safetensors checkpoint format (huggingface/safetensors), byte for byte:
//   [u64 little-endian N] [N bytes of UTF-8 JSON header] [tensor data, little-endian, C order]
//   header = { "__metadata__"?: {string: string}, "<name>": {"dtype", "shape", "data_offsets": [begin, end]} }
// Offsets count from the first byte after the header; tensors tile the data section with no gaps or
// overlaps; the header is padded with spaces to a multiple of 8 bytes so the data starts aligned.
// Writing follows the reference serializer so that equal tensors give equal bytes: tensors ordered by dtype
// (widest first, which keeps every tensor aligned), then by name (byte order of the UTF-8); header keys
// in that order after "__metadata__" (whose keys we sort, where the reference's hash map does not).
// Reading validates everything before returning anything: a bad file is an InputError naming the file.
import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/fsio.ts';
import { decodeBF16Array, encodeBF16Array } from '../numerics/bf16.ts';

export type SafeDtype = 'F64' | 'I64' | 'F32' | 'I32' | 'BF16' | 'F16' | 'F8_E4M3' | 'F8_E5M2' | 'U8';
export type SafeData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint16Array | Uint8Array;

/**
 * A tensor as stored. Decoded data: F64→Float64Array, F32/BF16/F16→Float32Array, I64→BigInt64Array,
 * I32→Int32Array, U8/F8_E4M3/F8_E5M2→Uint8Array (raw FP8 codes). To encode, BF16 and F16 also accept a
 * Uint16Array of raw bits; a Float32Array is rounded to nearest, ties to even (a BF16 NaN is written as the
 * canonical 0x7FC0, as PyTorch does; an F16 NaN keeps its payload's top bits).
 */
export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  data: SafeData;
}

export interface SafetensorsContents {
  tensors: Record<string, SafeTensor>;
  metadata: Record<string, string>;
}

// Rank in the reference's dtype enum (declared by increasing size): the writer orders by it, descending.
const DTYPES: Record<SafeDtype, { size: number; rank: number }> = {
  U8: { size: 1, rank: 1 },
  F8_E5M2: { size: 1, rank: 3 },
  F8_E4M3: { size: 1, rank: 4 },
  F16: { size: 2, rank: 7 },
  BF16: { size: 2, rank: 8 },
  I32: { size: 4, rank: 9 },
  F32: { size: 4, rank: 11 },
  F64: { size: 8, rank: 12 },
  I64: { size: 8, rank: 13 },
};
const isDtype = (d: unknown): d is SafeDtype => typeof d === 'string' && Object.hasOwn(DTYPES, d);
const MAX_HEADER = 100_000_000; // the reference refuses larger headers too
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---- binary16 (F16), by bit manipulation on the float32 pattern; BF16 lives in numerics/bf16.ts ----

/** float32 bits → IEEE binary16 bits, round to nearest, ties to even (subnormals and overflow to ±inf). */
export function f16FromF32Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const man = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? man >>> 13 || 0x200 : 0);
  const e = exp - 127 + 15; // rebias
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: ±0
    const m = man | 0x800000; // implicit leading one
    const shift = 14 - e; // 14..24
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let q = m >>> shift;
    if (rest > half || (rest === half && q & 1)) q++;
    return sign | q; // q may carry into the exponent field: that is the correct smallest normal
  }
  let q = (e << 10) | (man >>> 13);
  const rest = man & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && q & 1)) q++; // a carry may round up to inf: correct too
  return sign | q;
}

/** IEEE binary16 bits → float32 bits (exact). */
export function f32BitsFromF16(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const man = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (man << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp - 15 + 127) << 23) | (man << 13)) >>> 0;
  if (man === 0) return sign >>> 0;
  // Subnormal: value = man · 2^-24; normalise it.
  let e = -14;
  let m = man;
  while ((m & 0x400) === 0) {
    m <<= 1;
    e--;
  }
  return (sign | ((e + 127) << 23) | ((m & 0x3ff) << 13)) >>> 0;
}

// ---- encoding ----

/** The typed arrays each dtype can be written from. */
const ARRAYS: Record<SafeDtype, string[]> = {
  F64: ['Float64Array'],
  F32: ['Float32Array'],
  I64: ['BigInt64Array'],
  I32: ['Int32Array'],
  BF16: ['Float32Array', 'Uint16Array'],
  F16: ['Float32Array', 'Uint16Array'],
  U8: ['Uint8Array'],
  F8_E4M3: ['Uint8Array'],
  F8_E5M2: ['Uint8Array'],
};

/** Raw little-endian bytes of one tensor's elements, converting 16-bit floats from Float32Array. */
function tensorBytes(name: string, t: SafeTensor): Uint8Array {
  const { data } = t;
  const kind = Object.prototype.toString.call(data).slice(8, -1); // 'Float32Array', …, also for a Buffer's 'Uint8Array'
  if (!ARRAYS[t.dtype].includes(kind)) {
    throw new InputError(
      `safetensors: tensor '${name}': dtype ${t.dtype} needs ${ARRAYS[t.dtype].join(' or ')}, got ${kind}`,
    );
  }
  let typed: SafeData = data;
  if (t.dtype === 'BF16' && data instanceof Float32Array) typed = encodeBF16Array(data);
  if (t.dtype === 'F16' && data instanceof Float32Array) {
    // Work on the exact bit patterns so NaN payloads survive (float32 → binary16 keeps the top ten bits).
    typed = Uint16Array.from(new Uint32Array(data.buffer, data.byteOffset, data.length), f16FromF32Bits);
  }
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength).slice();
  if (!LITTLE_ENDIAN) swapInPlace(bytes, DTYPES[t.dtype].size);
  return bytes;
}

function swapInPlace(bytes: Uint8Array, size: number): void {
  if (size > 1) for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

const utf8 = new TextEncoder();
/** Byte-wise comparison of UTF-8 encodings, as the reference (Rust String order) sorts names. */
function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkText(what: string, s: string): void {
  if (LONE_SURROGATE.test(s)) throw new InputError(`safetensors: ${what} is not valid Unicode (a lone surrogate)`);
}

/** The bytes of a safetensors file holding `tensors` (and `metadata` when non-empty). */
export function encodeSafetensors(
  tensors: Record<string, SafeTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = Object.keys(tensors);
  for (const name of names) {
    checkText(`tensor name '${name}'`, name);
    const t = tensors[name];
    if (name === '__metadata__')
      throw new InputError(`safetensors: '__metadata__' is reserved and cannot name a tensor`);
    if (!isDtype(t.dtype))
      throw new InputError(`safetensors: tensor '${name}': unsupported dtype '${String(t.dtype)}'`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new InputError(`safetensors: tensor '${name}': shape must be a list of non-negative integers`);
    }
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) {
      throw new InputError(
        `safetensors: tensor '${name}': shape [${t.shape.join(', ')}] holds ${n} elements, data has ${t.data.length}`,
      );
    }
  }
  names.sort((a, b) => DTYPES[tensors[b].dtype].rank - DTYPES[tensors[a].dtype].rank || compareUtf8(a, b));

  const parts: string[] = [];
  const metaKeys = Object.keys(metadata).sort(compareUtf8);
  if (metaKeys.length > 0) {
    for (const k of metaKeys) {
      checkText(`metadata key '${k}'`, k);
      const v = metadata[k];
      if (typeof v !== 'string') throw new InputError(`safetensors: metadata '${k}' must be a string, got ${typeof v}`);
      checkText(`metadata '${k}'`, v);
    }
    parts.push(
      `"__metadata__":{${metaKeys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`,
    );
  }
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const bytes = tensorBytes(name, t);
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${offset + bytes.length}]}`,
    );
    blobs.push(bytes);
    offset += bytes.length;
  }
  let header = utf8.encode(`{${parts.join(',')}}`);
  const pad = (8 - (header.length % 8)) % 8;
  if (pad) header = Uint8Array.from([...header, ...new Array<number>(pad).fill(0x20)]);

  const out = new Uint8Array(8 + header.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  let at = 8 + header.length;
  for (const b of blobs) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

// ---- decoding ----

/**
 * The first key that repeats within one JSON object of `text` (already known to be valid JSON), or undefined.
 * JSON.parse keeps the last of two equal keys silently; the reference reader refuses them, and so do we.
 */
export function duplicateJsonKey(text: string): string | undefined {
  const stack: (Set<string> | null)[] = []; // one entry per open object (its keys) or array (null)
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const keys = stack[stack.length - 1];
      let k = j + 1;
      while (text[k] === ' ' || text[k] === '\n' || text[k] === '\r' || text[k] === '\t') k++;
      if (keys && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = j;
    }
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

interface Entry {
  name: string;
  dtype: SafeDtype;
  shape: number[];
  begin: number;
  end: number;
}

/** Parses and fully validates a safetensors file's bytes; `fileName` names it in error messages. */
export function decodeSafetensors(bytes: Uint8Array, fileName: string): SafetensorsContents {
  const fail = (what: string): never => {
    throw new InputError(`${fileName}: not a valid safetensors file: ${what}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes, shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) fail(`header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  if (n > BigInt(bytes.length - 8)) fail(`header length ${n} runs past the end of the ${bytes.length}-byte file`);
  const headerEnd = 8 + Number(n);

  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, headerEnd));
  } catch {
    fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`header does not start with '{'`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) fail('header is not a JSON object');
  const dup = duplicateJsonKey(text);
  if (dup !== undefined) fail(`header names ${JSON.stringify(dup)} twice`);
  const head = header as Record<string, unknown>;

  const metadata: [string, string][] = [];
  if (Object.hasOwn(head, '__metadata__')) {
    const m = head.__metadata__;
    if (!isObject(m)) fail('__metadata__ is not an object');
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      if (typeof v !== 'string') fail(`__metadata__ value '${k}' is not a string`);
      metadata.push([k, v as string]);
    }
  }

  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(head)) {
    if (name === '__metadata__') continue;
    const where = `tensor '${name}'`;
    if (!isObject(info)) fail(`${where}: entry is not an object`);
    const { dtype, shape, data_offsets: off } = info as Record<string, unknown>;
    if (!isDtype(dtype)) fail(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every(isIndex)) fail(`${where}: shape is not a list of non-negative integers`);
    if (!Array.isArray(off) || off.length !== 2 || !off.every(isIndex))
      fail(`${where}: data_offsets is not [begin, end]`);
    const [begin, end] = off as [number, number];
    if (begin > end) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    // Element count, capped once it cannot fit the file anyway (keeps the product a safe integer).
    let count = (shape as number[]).includes(0) ? 0 : 1;
    for (const d of shape as number[]) if (count <= bytes.length) count *= d;
    const size = DTYPES[dtype as SafeDtype].size;
    if (count * size !== end - begin) {
      fail(
        `${where}: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${count * size} bytes, data_offsets give ${end - begin}`,
      );
    }
    entries.push({ name, dtype: dtype as SafeDtype, shape: shape as number[], begin, end });
  }

  // The tensors must tile the data section exactly: sorted by offset, each starts where the last ended.
  const dataLen = bytes.length - headerEnd;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of entries) {
    if (e.begin > at) fail(`tensor '${e.name}': a hole of ${e.begin - at} bytes before it in the data section`);
    if (e.begin < at) fail(`tensor '${e.name}': overlaps the tensor before it in the data section`);
    if (e.end > dataLen)
      fail(`tensor '${e.name}': data_offsets end at ${e.end}, beyond the ${dataLen}-byte data section`);
    at = e.end;
  }
  if (at !== dataLen) fail(`${dataLen - at} trailing bytes after the last tensor`);

  const tensors = entries.map((e): [string, SafeTensor] => {
    // A fresh, aligned copy (not bytes.slice: on a Node Buffer that is a view into a shared pool).
    const raw = new Uint8Array(bytes.subarray(headerEnd + e.begin, headerEnd + e.end));
    if (!LITTLE_ENDIAN) swapInPlace(raw, DTYPES[e.dtype].size);
    return [e.name, { dtype: e.dtype, shape: e.shape, data: fromBytes(e.dtype, raw) }];
  });
  tensors.sort((a, b) => compareUtf8(a[0], b[0]));
  return { tensors: record(tensors), metadata: record(metadata) };
}

// Null-prototype maps: a tensor named "__proto__" stays an ordinary key, and `'toString' in tensors` is false.
function record<T>(entries: [string, T][]): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, Object.fromEntries(entries));
}

function fromBytes(dtype: SafeDtype, raw: Uint8Array): SafeData {
  const buf = raw.buffer;
  switch (dtype) {
    case 'F64':
      return new Float64Array(buf, 0, raw.length / 8);
    case 'I64':
      return new BigInt64Array(buf, 0, raw.length / 8);
    case 'F32':
      return new Float32Array(buf, 0, raw.length / 4);
    case 'I32':
      return new Int32Array(buf, 0, raw.length / 4);
    case 'BF16':
      return decodeBF16Array(new Uint16Array(buf, 0, raw.length / 2));
    case 'F16': {
      const h = new Uint16Array(buf, 0, raw.length / 2);
      return new Float32Array(Uint32Array.from(h, f32BitsFromF16).buffer);
    }
    case 'U8':
    case 'F8_E4M3':
    case 'F8_E5M2':
      return raw;
  }
}

/** Writes a safetensors file atomically (temp file + rename). */
export function saveSafetensors(
  path: string,
  tensors: Record<string, SafeTensor>,
  metadata: Record<string, string> = {},
): void {
  let bytes: Uint8Array;
  try {
    bytes = encodeSafetensors(tensors, metadata);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${path}: ${e.message.replace(/^safetensors: /, '')}`);
    throw e;
  }
  writeFileAtomic(path, bytes);
}

/** Reads and validates a safetensors file; a missing or unreadable file is an InputError too. */
export function loadSafetensors(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(
      `${path}: cannot read safetensors file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return decodeSafetensors(bytes, path);
}
