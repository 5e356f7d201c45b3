// Fuzzing the safetensors reader: valid files, cut, corrupted and rewritten in every structural way the format
// can go wrong (truncation, header lengths, offsets that overlap or run past the end, wrong dtype or shape,
// duplicate names, huge headers). Each damaged file is refused with an InputError naming the file; none
// crashes with any other error, and random byte flips either decode to tensors of the declared shapes or are refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import {
  decodeSafetensors,
  duplicateJsonKey,
  encodeSafetensors,
  type SafeTensor,
} from '../../src/model/safetensors.ts';

const NAME = 'fuzz.safetensors';

/** A valid file of 1–4 small F32/F16/I32/U8 tensors. */
const validFile = fc
  .array(
    fc.tuple(
      fc.constantFrom('F32', 'F16', 'I32', 'U8', 'BF16', 'F64') as fc.Arbitrary<SafeTensor['dtype']>,
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((specs) => {
    const tensors: Record<string, SafeTensor> = {};
    specs.forEach(([dtype, shape], i) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const data =
        dtype === 'I32'
          ? new Int32Array(n).map((_, j) => j - 3)
          : dtype === 'U8'
            ? new Uint8Array(n).map((_, j) => j)
            : dtype === 'F64'
              ? new Float64Array(n).map((_, j) => j / 7)
              : new Float32Array(n).map((_, j) => j / 8);
      tensors[`layer.${i}.w`] = { dtype, shape, data };
    });
    return encodeSafetensors(tensors, { format: 'pt' });
  });

/** Header text, header end and the parsed header of a file. */
function split(bytes: Uint8Array): {
  header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  data: Uint8Array;
} {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), data: bytes.subarray(8 + n) };
}

function join(headerText: string, data: Uint8Array, declaredLength?: bigint): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** Every mutation must be refused: returns the error, failing the test if decoding succeeded or threw anything else. */
function refused(bytes: Uint8Array): InputError {
  try {
    decodeSafetensors(bytes, NAME);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toContain(NAME);
    expect((e as Error).message.split('\n')).toHaveLength(1);
    return e as InputError;
  }
  throw new Error('a damaged file was accepted');
}

type Mutation = (bytes: Uint8Array, pick: number) => Uint8Array;
const tensorNames = (b: Uint8Array) => Object.keys(split(b).header).filter((k) => k !== '__metadata__');
const rewrite = (
  b: Uint8Array,
  pick: number,
  f: (e: { dtype: string; shape: number[]; data_offsets: [number, number] }, h: Record<string, unknown>) => void,
) => {
  const { header, data } = split(b);
  const names = tensorNames(b);
  f(header[names[pick % names.length]!]!, header);
  return join(JSON.stringify(header), data);
};

/** Structural damage, each of which makes the file invalid. */
const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, p) => b.subarray(0, p % b.length),
  'header length past the end': (b, p) => {
    const c = b.slice();
    new DataView(c.buffer).setBigUint64(0, BigInt(b.length - 8 + 1 + (p % 1000)), true);
    return c;
  },
  'header length huge': (b, p) => {
    const c = b.slice();
    new DataView(c.buffer).setBigUint64(0, 2n ** 63n + BigInt(p), true);
    return c;
  },
  'header length short': (b, p) => {
    const c = b.slice();
    const n = new DataView(c.buffer).getBigUint64(0, true);
    new DataView(c.buffer).setBigUint64(0, n - 1n - BigInt(p % Number(n - 1n)), true);
    return c;
  },
  'huge header': (b) => join('{"a":' + ' '.repeat(200_000) + '1}', new Uint8Array(0), 100_000_001n),
  'offsets overlap': (b, p) =>
    rewrite(b, p, (e) => {
      if (e.data_offsets[0] > 0) e.data_offsets = [e.data_offsets[0] - 1, e.data_offsets[1] - 1];
      else e.data_offsets = [e.data_offsets[0] + 1, e.data_offsets[1] + 1];
    }),
  'offsets out of range': (b, p) =>
    rewrite(b, p, (e) => {
      e.data_offsets = [e.data_offsets[0] + 1e6, e.data_offsets[1] + 1e6];
    }),
  'offsets reversed': (b, p) =>
    rewrite(b, p, (e) => {
      e.data_offsets = [e.data_offsets[1] + 1, e.data_offsets[0]];
    }),
  'offsets not integers': (b, p) =>
    rewrite(b, p, (e) => {
      (e as { data_offsets: unknown }).data_offsets = [0.5, e.data_offsets[1]];
    }),
  'wrong dtype size': (b, p) =>
    rewrite(b, p, (e) => {
      e.dtype = e.dtype === 'U8' ? 'F32' : 'U8';
    }),
  'unknown dtype': (b, p) =>
    rewrite(b, p, (e) => {
      e.dtype = ['F128', 'f32', 'BOOL', ''][p % 4]!;
    }),
  'wrong shape': (b, p) =>
    rewrite(b, p, (e) => {
      e.shape = [...e.shape, 2 + (p % 5)];
    }),
  'negative shape': (b, p) =>
    rewrite(b, p, (e) => {
      e.shape = [-1, ...e.shape];
    }),
  'huge shape': (b, p) =>
    rewrite(b, p, (e) => {
      e.shape = [2 ** 40, 2 ** 40, 1 + (p % 3)];
    }),
  'entry not an object': (b, p) =>
    rewrite(b, p, (_e, h) => {
      h[tensorNames(b)[p % tensorNames(b).length]!] = [1, 2];
    }),
  'metadata not strings': (b, p) =>
    rewrite(b, p, (_e, h) => {
      h.__metadata__ = { format: p };
    }),
  'duplicate name': (b, p) => {
    const { header, data } = split(b);
    const names = tensorNames(b),
      name = names[p % names.length]!;
    const text = JSON.stringify(header);
    return join(text.slice(0, -1) + `,${JSON.stringify(name)}:${JSON.stringify(header[name])}}`, data);
  },
  'header not JSON': (b, p) => {
    const c = b.slice();
    c[8 + (p % 4)] = 0x7b + 1;
    return c;
  },
  'header not UTF-8': (b, p) => {
    const c = b.slice();
    c[9 + (p % 4)] = 0xff;
    return c;
  },
  'trailing bytes': (b, p) => {
    const c = new Uint8Array(b.length + 1 + (p % 9));
    c.set(b);
    return c;
  },
  'hole in data': (b, p) =>
    rewrite(b, p, (e, h) => {
      const names = tensorNames(b);
      if (names.length === 1) e.shape = [...e.shape, 1];
      else {
        delete h[names[p % names.length]!];
        h.__extra__ = { dtype: 'U8', shape: [0], data_offsets: [0, 0] };
      }
    }),
};

describe('safetensors reader under fuzzing', () => {
  it.each(Object.keys(MUTATIONS))('refuses: %s', (kind) => {
    fc.assert(
      fc.property(validFile, fc.nat(), (bytes, pick) => {
        const bad = MUTATIONS[kind]!(bytes, pick);
        if (kind === 'hole in data' && tensorNames(bytes).length === 1) return; // covered by "wrong shape" then
        refused(bad);
      }),
      { numRuns: 40 },
    );
  });

  it('random byte flips decode to the declared shapes or are refused, never crash', () => {
    fc.assert(
      fc.property(
        validFile,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (bytes, flips) => {
          const c = bytes.slice();
          for (const [at, v] of flips) c[at % c.length] = v;
          try {
            const { tensors } = decodeSafetensors(c, NAME);
            for (const t of Object.values(tensors)) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
          } catch (e) {
            expect(e).toBeInstanceOf(InputError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds repeated keys at any depth, and none in valid headers', () => {
    expect(duplicateJsonKey('{"a":1,"b":{"a":2}}')).toBeUndefined();
    expect(duplicateJsonKey('{"a":1,"a":2}')).toBe('a');
    expect(duplicateJsonKey('{"x":{"dtype":"F32","dtype":"U8"}}')).toBe('dtype');
    expect(duplicateJsonKey('{"a\\"b":["a","a"],"c":"a\\\\"}')).toBeUndefined();
    expect(duplicateJsonKey('{"\\u0061":1,"a":2}')).toBe('a');
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => {
        expect(duplicateJsonKey(JSON.stringify(o))).toBeUndefined();
      }),
    );
  });
});
