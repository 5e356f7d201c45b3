import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import {
  decodeSafetensors,
  encodeSafetensors,
  f16FromF32Bits,
  f32BitsFromF16,
  loadSafetensors,
  saveSafetensors,
  type SafeDtype,
  type SafeTensor,
} from '../../src/model/safetensors.ts';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const f32FromBits = (b: number) => new Float32Array(new Uint32Array([b]).buffer)[0];
/** The BF16 codes a file stores for float32 values (the data section of a one-tensor file). */
function bf16Codes(values: Float32Array): number[] {
  const bytes = encodeSafetensors({ t: { dtype: 'BF16', shape: [values.length], data: values } });
  const tail = bytes.slice(bytes.length - 2 * values.length);
  return [...new Uint16Array(tail.buffer)];
}
const toBf16 = (x: number) => bf16Codes(new Float32Array([x]))[0];
const bitsOfF32 = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];
const anyBits = fc.integer({ min: 0, max: 0xffffffff });
/** float32 bit patterns, often exactly halfway between two values of a format that keeps `dropped` fewer bits. */
const bitsWithTies = (dropped: number) =>
  fc.oneof(
    anyBits,
    anyBits.map((b) => ((b >>> dropped) * 2 ** dropped + 2 ** (dropped - 1)) >>> 0),
    // exponents where binary16 has normals and subnormals, ties included
    fc
      .tuple(fc.boolean(), fc.integer({ min: 97, max: 143 }), fc.integer({ min: 0, max: 0x7fffff }), fc.boolean())
      .map(([neg, e, m, tie]) => ((neg ? 0x80000000 : 0) + e * 2 ** 23 + (tie ? (m & ~0x1fff) | 0x1000 : m)) >>> 0),
  );

/** A whole file from a header string (padded to 8 with spaces, as the writer does) and data bytes. */
function file(header: string, data: number[] = [], pad = true): Uint8Array {
  const h = new TextEncoder().encode(header);
  const n = pad ? h.length + ((8 - (h.length % 8)) % 8) : h.length;
  const out = new Uint8Array(8 + n + data.length).fill(0x20, 8, 8 + n);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(h, 8);
  out.set(data, 8 + n);
  return out;
}

function decodeError(bytes: Uint8Array): string {
  try {
    decodeSafetensors(bytes, 'ckpt/model.safetensors');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toContain('ckpt/model.safetensors');
    return (e as Error).message;
  }
  throw new Error('expected the file to be refused');
}

describe('safetensors encoding', () => {
  it('writes a tiny file byte for byte (hand-computed header)', () => {
    const bytes = encodeSafetensors(
      {
        b: { dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
        a: { dtype: 'F32', shape: [2], data: new Float32Array([1, -2]) },
      },
      { format: 'pt' },
    );
    // 138 bytes of JSON, F32 before U8 (wider dtype first), padded with 6 spaces to N = 144.
    const header =
      '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}}';
    expect(header.length).toBe(138);
    const expected = [
      144,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      ...ascii(header),
      32,
      32,
      32,
      32,
      32,
      32,
      0x00,
      0x00,
      0x80,
      0x3f,
      0x00,
      0x00,
      0x00,
      0xc0, // 1.0f, -2.0f
      1,
      2,
      3,
    ];
    expect([...bytes]).toEqual(expected);
  });

  it('matches the reference serializer on its published vectors', () => {
    expect([...encodeSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    const meta = encodeSafetensors({}, { framework: 'pt' });
    expect([...meta.subarray(0, 8)]).toEqual([40, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(meta.subarray(8))).toBe('{"__metadata__":{"framework":"pt"}}     ');
    const attn = encodeSafetensors({
      'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) },
    });
    expect([...attn.subarray(0, 8)]).toEqual([64, 0, 0, 0, 0, 0, 0, 0]);
    expect(new TextDecoder().decode(attn.subarray(8, 72))).toBe(
      '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}',
    );
    expect([...attn.subarray(72, 80)]).toEqual([0, 0, 0, 0, 0, 0, 128, 63]);
  });

  it('gives the same bytes whatever order the tensors and metadata were inserted in', () => {
    const t = (v: number): SafeTensor => ({ dtype: 'F32', shape: [1], data: new Float32Array([v]) });
    const one = encodeSafetensors({ x: t(1), a: t(2), é: t(3), Z: t(4) }, { b: '1', a: '2' });
    const two = encodeSafetensors({ Z: t(4), é: t(3), a: t(2), x: t(1) }, { a: '2', b: '1' });
    expect(one).toEqual(two);
    // Names in UTF-8 byte order: 'Z' < 'a' < 'x' < 'é'.
    const header = new TextDecoder().decode(one);
    const at = (name: string) => header.indexOf(`"${name}":{"dtype"`);
    expect([at('Z'), at('a'), at('x'), at('é')].every((v, i, a) => v > 0 && (i === 0 || a[i - 1] < v))).toBe(true);
  });

  it('keeps every tensor aligned to its element size in the file', () => {
    const bytes = encodeSafetensors({
      a: { dtype: 'U8', shape: [3], data: new Uint8Array(3) },
      b: { dtype: 'F64', shape: [2], data: new Float64Array(2) },
      c: { dtype: 'BF16', shape: [1], data: new Uint16Array(1) },
      d: { dtype: 'I32', shape: [1], data: new Int32Array(1) },
    });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(n % 8).toBe(0);
    expect(Object.keys(header)).toEqual(['b', 'd', 'c', 'a']);
    expect(header.d.data_offsets[0] % 4).toBe(0);
    expect(header.c.data_offsets[0] % 2).toBe(0);
  });

  it('refuses tensors that do not match their declaration', () => {
    expect(() => encodeSafetensors({ w: { dtype: 'F32', shape: [3], data: new Float32Array(2) } })).toThrow(
      /'w'.*3 elements.*2/,
    );
    expect(() => encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float64Array(2) } })).toThrow(
      /needs Float32Array/,
    );
    expect(() => encodeSafetensors({ w: { dtype: 'F32', shape: [-1], data: new Float32Array(0) } })).toThrow(
      InputError,
    );
    expect(() => encodeSafetensors({ w: { dtype: 'Q4' as SafeDtype, shape: [0], data: new Float32Array(0) } })).toThrow(
      /unsupported dtype/,
    );
    expect(() => encodeSafetensors({ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } })).toThrow(
      /reserved/,
    );
    expect(() => encodeSafetensors({ ['\ud800']: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } })).toThrow(
      /surrogate/,
    );
  });
});

describe('16-bit floats', () => {
  it('writes float32 as bfloat16 rounded to nearest, ties to even', () => {
    expect(toBf16(1)).toBe(0x3f80);
    expect(toBf16(1 + 2 ** -8)).toBe(0x3f80); // halfway, 0x3f80 is even
    expect(toBf16(1 + 3 * 2 ** -8)).toBe(0x3f82); // halfway, 0x3f81 is odd: up
    expect(toBf16(1 + 2 ** -8 + 2 ** -20)).toBe(0x3f81); // just above halfway
    expect(toBf16(-(1 + 2 ** -8))).toBe(0xbf80);
    expect(toBf16(3.4028234663852886e38)).toBe(0x7f80); // float32 max rounds up to +inf
    expect(toBf16(-Infinity)).toBe(0xff80);
    expect(toBf16(NaN)).toBe(0x7fc0); // the canonical quiet NaN, as PyTorch writes it
  });

  it('writes the nearer bfloat16 neighbour for any finite float32 (the even one on a tie)', () => {
    fc.assert(
      fc.property(fc.array(bitsWithTies(16), { minLength: 1, maxLength: 64 }), (all) => {
        const bits = all.filter((b) => (b & 0x7fffffff) < 0x7f7f8000); // beyond, the upper neighbour is inf (above)
        const codes = bf16Codes(new Float32Array(new Uint32Array(bits).buffer));
        bits.forEach((b, i) => {
          const x = f32FromBits(b);
          const h = codes[i];
          const down = b >>> 16;
          expect([down, down + 1]).toContain(h);
          const other = h === down ? down + 1 : down;
          const err = (c: number) => Math.abs(f32FromBits((c << 16) >>> 0) - x);
          expect(err(h)).toBeLessThanOrEqual(err(other));
          if (err(h) === err(other)) expect(h & 1).toBe(0);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('decodes binary16 exactly', () => {
    const f = (h: number) => f32FromBits(f32BitsFromF16(h));
    expect(f(0x3c00)).toBe(1);
    expect(f(0xc000)).toBe(-2);
    expect(f(0x7bff)).toBe(65504);
    expect(f(0x0001)).toBe(2 ** -24);
    expect(f(0x03ff)).toBe(1023 * 2 ** -24);
    expect(f(0x0400)).toBe(2 ** -14);
    expect(f(0x7c00)).toBe(Infinity);
    expect(Object.is(f(0x8000), -0)).toBe(true);
    expect(f(0x7e00)).toBeNaN();
  });

  it('rounds float32 to binary16 to nearest, ties to even, like exact arithmetic', () => {
    // Independent reference: scale by the half-precision ulp and round half to even in doubles.
    const reference = (x: number): number => {
      const a = Math.abs(x);
      const ulp = a < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(a)) - 10);
      const q = a / ulp;
      const r = Math.floor(q);
      const k = q - r > 0.5 || (q - r === 0.5 && r % 2 === 1) ? r + 1 : r;
      const v = k * ulp;
      return Math.sign(x) * (v > 65504 ? Infinity : v);
    };
    fc.assert(
      fc.property(bitsWithTies(13), (bits) => {
        const x = f32FromBits(bits);
        fc.pre(Number.isFinite(x) && x !== 0);
        expect(f32FromBits(f32BitsFromF16(f16FromF32Bits(bits)))).toBe(reference(x));
      }),
      { numRuns: 3000 },
    );
    expect(f16FromF32Bits(bitsOfF32(1 + 2 ** -11))).toBe(0x3c00); // halfway, 0x3c00 is even
    expect(f16FromF32Bits(bitsOfF32(1 + 3 * 2 ** -11))).toBe(0x3c02); // halfway, 0x3c01 is odd: up
    expect(f16FromF32Bits(bitsOfF32(65520))).toBe(0x7c00); // halfway to the next binade: inf
    expect(f16FromF32Bits(bitsOfF32(2 ** -25))).toBe(0); // half the smallest subnormal, tie to even 0
    expect(f16FromF32Bits(bitsOfF32(3 * 2 ** -25))).toBe(2); // 1.5 ulps: tie to even 2
  });
});

// ---- random tensor maps ----

const DTYPE_LIST: SafeDtype[] = ['F64', 'I64', 'F32', 'I32', 'BF16', 'F16', 'F8_E4M3', 'F8_E5M2', 'U8'];
const SIZE: Record<SafeDtype, number> = {
  F64: 8,
  I64: 8,
  F32: 4,
  I32: 4,
  BF16: 2,
  F16: 2,
  F8_E4M3: 1,
  F8_E5M2: 1,
  U8: 1,
};

/** Any tensor, its data built from arbitrary bytes (so NaN payloads, -0 and subnormals all occur). */
const tensorArb: fc.Arbitrary<SafeTensor> = fc
  .record({ dtype: fc.constantFrom(...DTYPE_LIST), shape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }) })
  .chain(({ dtype, shape }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc.uint8Array({ minLength: n * SIZE[dtype], maxLength: n * SIZE[dtype] }).map((raw): SafeTensor => {
      const buf = raw.slice().buffer;
      const data = {
        F64: Float64Array,
        I64: BigInt64Array,
        F32: Float32Array,
        I32: Int32Array,
        BF16: Uint16Array,
        F16: Uint16Array,
        F8_E4M3: Uint8Array,
        F8_E5M2: Uint8Array,
        U8: Uint8Array,
      }[dtype];
      return { dtype, shape, data: new data(buf) };
    });
  });
const mapArb = fc
  .dictionary(fc.string({ maxLength: 6, unit: 'binary' }), tensorArb, { maxKeys: 5 })
  .filter((m) => !Object.hasOwn(m, '__metadata__'));
const metaArb = fc.dictionary(
  fc.string({ maxLength: 5, unit: 'binary' }),
  fc.string({ maxLength: 8, unit: 'binary' }),
  { maxKeys: 3 },
);

describe('safetensors round trip', () => {
  it('decodes what it encodes: same names, shapes, metadata and element bits', () => {
    fc.assert(
      fc.property(mapArb, metaArb, (tensors, metadata) => {
        const bytes = encodeSafetensors(tensors, metadata);
        const back = decodeSafetensors(bytes, 'rt.safetensors');
        expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
        expect(back.metadata).toEqual(metadata);
        for (const [name, t] of Object.entries(tensors)) {
          const got = back.tensors[name];
          expect(got.dtype).toBe(t.dtype);
          expect(got.shape).toEqual(t.shape);
          if (t.dtype === 'BF16' || t.dtype === 'F16') {
            // Raw 16-bit codes in, float32 out: writing the float32 back reproduces the codes exactly, except
            // that BF16 NaNs come back as the canonical 0x7FC0.
            expect(got.data).toBeInstanceOf(Float32Array);
            const again = encodeSafetensors({ t: got });
            const codes = [...new Uint16Array(again.slice(again.length - t.data.byteLength).buffer)];
            const canonical = [...(t.data as Uint16Array)].map((c) =>
              t.dtype === 'BF16' && (c & 0x7fff) > 0x7f80 ? 0x7fc0 : c,
            );
            expect(codes).toEqual(canonical);
          } else {
            expect(got.data.constructor).toBe(t.data.constructor);
            expect(bytesOf(got.data)).toEqual(bytesOf(t.data));
          }
        }
        // Decode → encode gives the same file (once BF16 NaNs are canonical, which one pass makes them).
        const once = encodeSafetensors(back.tensors, back.metadata);
        const twice = decodeSafetensors(once, 'rt2');
        expect(encodeSafetensors(twice.tensors, twice.metadata)).toEqual(once);
        const hasBf16NaN = Object.values(tensors).some(
          (t) => t.dtype === 'BF16' && [...(t.data as Uint16Array)].some((c) => (c & 0x7fff) > 0x7f80),
        );
        if (!hasBf16NaN) expect(once).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('reads from a view into a larger buffer and returns data that owns its memory', () => {
    const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Float32Array([3, 4]) } });
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    const got = decodeSafetensors(padded.subarray(3), 'view').tensors.w.data;
    expect([...got]).toEqual([3, 4]);
    expect(got.buffer.byteLength).toBe(8);
  });

  it('keeps a tensor named __proto__ as an ordinary entry', () => {
    const back = decodeSafetensors(
      encodeSafetensors({ ['__proto__']: { dtype: 'U8', shape: [1], data: new Uint8Array([7]) } }),
      'p',
    );
    expect(Object.keys(back.tensors)).toEqual(['__proto__']);
    expect(Object.hasOwn(back.tensors, '__proto__')).toBe(true);
    expect('toString' in back.tensors).toBe(false);
  });

  it('decodes BF16 and F16 to their float32 values', () => {
    const back = decodeSafetensors(
      encodeSafetensors({
        b: { dtype: 'BF16', shape: [3], data: new Float32Array([1.5, -2, 1 + 2 ** -8]) },
        h: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0x0001]) },
      }),
      'x',
    );
    expect([...back.tensors.b.data]).toEqual([1.5, -2, 1]);
    expect([...back.tensors.h.data]).toEqual([1, 2 ** -24]);
  });
});

describe('safetensors validation', () => {
  const valid = () => file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [0, 0, 128, 63, 0, 0, 0, 64]);

  it('reads a well-formed file, unpadded headers included', () => {
    const got = decodeSafetensors(
      file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [0, 0, 128, 63, 0, 0, 0, 64], false),
      'f',
    );
    expect([...got.tensors.w.data]).toEqual([1, 2]);
    expect(got.metadata).toEqual({});
  });

  it.each([
    ['a file shorter than 8 bytes', new Uint8Array([1, 2, 3]), /shorter than the 8-byte/],
    ['a header length beyond the file', file('{}').map((b, i) => (i === 0 ? 200 : b)), /runs past the end/],
    ['a header that is not UTF-8', file('{"\u00ff":1}').map((b) => (b === 0xc3 ? 0xff : b)), /not valid UTF-8/],
    ['a header that is not JSON', file('{"w":'), /not valid JSON/],
    ['a header that is not an object', file('[1,2]'), /start with '\{'|not a JSON object/],
    ['a header that does not start with {', file(' {}'), /start with '\{'/],
    ['metadata that is not strings', file('{"__metadata__":{"a":1}}'), /__metadata__ value 'a'/],
    ['an unknown dtype', file('{"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}', [0]), /unknown dtype "Q4"/],
    ['a negative dimension', file('{"w":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}'), /shape is not a list/],
    ['a fractional dimension', file('{"w":{"dtype":"U8","shape":[1.5],"data_offsets":[0,0]}}'), /shape is not a list/],
    [
      'offsets that are not a pair',
      file('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0]}}', [0]),
      /data_offsets is not/,
    ],
    [
      'offsets ending before they begin',
      file('{"w":{"dtype":"U8","shape":[0],"data_offsets":[1,0]}}', [0]),
      /end before/,
    ],
    [
      'a size that disagrees with the shape',
      file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', [0, 0, 0, 0]),
      /needs 8 bytes/,
    ],
    [
      'offsets beyond the data',
      file('{"w":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}', [0, 0]),
      /beyond the 2-byte data/,
    ],
    [
      'a hole between tensors',
      file(
        '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}',
        [0, 0, 0],
      ),
      /hole of 1 bytes/,
    ],
    [
      'overlapping tensors',
      file(
        '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}',
        [0, 0],
      ),
      /overlaps/,
    ],
    ['trailing bytes', file('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', [0, 9]), /1 trailing bytes/],
  ])('refuses %s', (_what, bytes, message) => {
    expect(decodeError(bytes)).toMatch(message);
  });

  it('refuses the file cut at any length', () => {
    const full = encodeSafetensors({
      a: { dtype: 'F32', shape: [2, 2], data: new Float32Array(4) },
      b: { dtype: 'U8', shape: [3], data: new Uint8Array(3) },
    });
    for (let len = 0; len < full.length; len++) decodeError(full.subarray(0, len));
  });

  it('either reads a damaged file consistently or refuses it with an InputError', () => {
    const base = encodeSafetensors(
      {
        a: { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
        b: { dtype: 'BF16', shape: [3], data: new Uint16Array(3) },
      },
      { k: 'v' },
    );
    const headerEnd = 8 + Number(new DataView(base.buffer).getBigUint64(0, true));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: headerEnd - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const bytes = base.slice();
        bytes[at] ^= mask;
        let got;
        try {
          got = decodeSafetensors(bytes, 'damaged.safetensors');
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
          return;
        }
        for (const t of Object.values(got.tensors)) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws anything but an InputError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeSafetensors(bytes, 'noise');
        } catch (e) {
          expect(e).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('accepts the valid fixture used above', () => {
    expect(Object.keys(decodeSafetensors(valid(), 'v').tensors)).toEqual(['w']);
  });
});

describe('safetensors files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tinyseek-st-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('saves atomically and loads back', () => {
    const path = join(dir, 'run', 'model.safetensors');
    saveSafetensors(path, { w: { dtype: 'I64', shape: [2], data: new BigInt64Array([1n, -5n]) } }, { step: '10' });
    const got = loadSafetensors(path);
    expect([...got.tensors.w.data]).toEqual([1n, -5n]);
    expect(got.metadata).toEqual({ step: '10' });
    expect(readFileSync(path).length).toBe(8 + 88 + 16); // an 84-byte header padded to 88
  });

  it('names the file when the tensors cannot be written, and leaves no file behind', () => {
    const path = join(dir, 'w.safetensors');
    expect(() => saveSafetensors(path, { w: { dtype: 'F32', shape: [2], data: new Float32Array(3) } })).toThrow(
      /w\.safetensors: tensor 'w'/,
    );
    expect(() => readFileSync(path)).toThrow(/ENOENT/);
  });

  it('names the file when it is missing or damaged', () => {
    expect(() => loadSafetensors(join(dir, 'nope.safetensors'))).toThrow(/nope\.safetensors.*ENOENT/);
    const bad = join(dir, 'bad.safetensors');
    writeFileSync(bad, new Uint8Array([1, 2]));
    expect(() => loadSafetensors(bad)).toThrow(InputError);
    expect(() => loadSafetensors(bad)).toThrow(/bad\.safetensors/);
  });
});
