import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeE4M3Array,
  decodeFp8Array,
  encodeE5M2Array,
  encodeFp8Array,
  fp8DecodeTable,
} from '../../src/numerics/fp8-array.ts';
import { decodeFp8, encodeFp8 } from '../../src/numerics/fp8.ts';
import { FP8_FORMAT_NAMES } from '../../src/numerics/formats.ts';

const f32FromBitsArray = (bits: number[]) => new Float32Array(new Uint32Array(bits).buffer);

describe('FP8 batch casts', () => {
  it('decode through a 256-entry table that agrees with the scalar decode on every code', () => {
    for (const f of FP8_FORMAT_NAMES) {
      const t = fp8DecodeTable(f);
      expect(t.length).toBe(256);
      for (let c = 0; c < 256; c++)
        expect(Object.is(t[c], decodeFp8(c, f)) || (Number.isNaN(t[c]) && Number.isNaN(decodeFp8(c, f)))).toBe(true);
      const all = Uint8Array.from({ length: 256 }, (_, c) => c);
      expect(Array.from(decodeFp8Array(all, f))).toEqual(Array.from(t));
    }
  });

  it('encode every element exactly as the scalar cast does, plain and saturating', () => {
    for (const f of FP8_FORMAT_NAMES)
      fc.assert(
        fc.property(fc.array(fc.float(), { maxLength: 64 }), fc.boolean(), (xs, saturate) => {
          const src = Float32Array.from(xs);
          const got = encodeFp8Array(src, f, { saturate });
          return xs.every((x, i) => got[i] === encodeFp8(x, f, saturate));
        }),
        { numRuns: 200 },
      );
  });

  it('keep the sign bit of a NaN, as PyTorch does (-NaN → 0xFF), which a JS number cannot carry', () => {
    const src = f32FromBitsArray([0x7fc00000, 0xffc00000, 0x7f800001, 0xff800000]);
    expect(Array.from(encodeFp8Array(src, 'e4m3'))).toEqual([0x7f, 0xff, 0x7f, 0xff]);
    expect(Array.from(encodeE5M2Array(src))).toEqual([0x7f, 0xff, 0x7f, 0xfc]);
  });

  it('write into a given output buffer and read a subarray from its own offset', () => {
    const whole = Float32Array.from([100, 1, 2, 3]);
    const out = new Uint8Array(3);
    const got = encodeFp8Array(whole.subarray(1), 'e4m3', { out });
    expect(got).toBe(out);
    expect(Array.from(out)).toEqual([0x38, 0x40, 0x44]);
    const dst = new Float32Array(3);
    expect(decodeE4M3Array(out, dst)).toBe(dst);
    expect(Array.from(dst)).toEqual([1, 2, 3]);
    expect(() => encodeFp8Array(whole, 'e4m3', { out })).toThrow(RangeError);
  });
});
