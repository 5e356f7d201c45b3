// Our casts against PyTorch's, bit for bit, on the reference vectors that fixtures/make/fp8_casts.py writes.
// While fixtures/fp8/casts.json is absent the check is skipped with a message saying how to make it.
// PyTorch's E4M3 overflow rule changed in April 2026 (pytorch#178817): older releases give NaN (our plain
// cast), newer ones saturate (our saturating cast). The fixture says which one it recorded; either way
// `.to(float8_e4m3fn)` must equal one of our two casts bit for bit. The optional ml_dtypes columns check
// the OCP non-saturating casts (our plain casts) against a second, independent implementation.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeBF16Array } from '../../src/numerics/bf16.ts';
import { encodeFp8, isNaNCode } from '../../src/numerics/fp8.ts';
import { encodeFp8Array } from '../../src/numerics/fp8-array.ts';
import { fp8Format, type Fp8FormatName } from '../../src/numerics/formats.ts';

const FIXTURE = 'fixtures/fp8/casts.json';
const FIXTURE_PATH = fileURLToPath(new URL('../../fixtures/fp8/casts.json', import.meta.url));

interface CastColumns {
  kind: string[];
  e4m3fn: number[];
  e5m2: number[];
  e4m3fn_sat?: number[];
  e5m2_sat?: number[];
  bf16?: number[];
  ocp_e4m3fn?: number[];
  ocp_e5m2?: number[];
}
interface CastsFixture {
  torch_version: string;
  /** How this PyTorch treats E4M3 overflow; absent in fixtures from before the field existed ('nan'). */
  e4m3fn_overflow?: 'nan' | 'saturate';
  ml_dtypes_version?: string | null;
  f32: CastColumns & { bits: number[] };
  f64: CastColumns & { bits_hex: string[] };
}

type Column = 'e4m3fn' | 'e5m2' | 'e4m3fn_sat' | 'e5m2_sat' | 'ocp_e4m3fn' | 'ocp_e5m2';

function columns(doc: CastsFixture): { col: Column; format: Fp8FormatName; saturate: boolean; what: string }[] {
  const torchSaturates = doc.e4m3fn_overflow === 'saturate';
  const cols: { col: Column; format: Fp8FormatName; saturate: boolean; what: string }[] = [
    {
      col: 'e4m3fn',
      format: 'e4m3',
      saturate: torchSaturates,
      what: `x.to(float8_e4m3fn), overflow → ${torchSaturates ? '±448' : 'NaN'}`,
    },
    { col: 'e4m3fn_sat', format: 'e4m3', saturate: true, what: 'x.clamp(-448, 448).to(float8_e4m3fn)' },
    { col: 'e5m2', format: 'e5m2', saturate: false, what: 'x.to(float8_e5m2), overflow → ±Inf' },
    { col: 'e5m2_sat', format: 'e5m2', saturate: true, what: 'x.clamp(-57344, 57344).to(float8_e5m2)' },
  ];
  if (doc.f32.ocp_e4m3fn && doc.f32.ocp_e5m2) {
    cols.push({
      col: 'ocp_e4m3fn',
      format: 'e4m3',
      saturate: false,
      what: `ml_dtypes ${doc.ml_dtypes_version} float8_e4m3fn (OCP non-saturating)`,
    });
    cols.push({
      col: 'ocp_e5m2',
      format: 'e5m2',
      saturate: false,
      what: `ml_dtypes ${doc.ml_dtypes_version} float8_e5m2 (OCP non-saturating)`,
    });
  }
  return cols;
}

function load(): CastsFixture {
  const doc = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as CastsFixture;
  const n = doc.f32?.bits?.length;
  for (const col of ['kind', 'e4m3fn', 'e4m3fn_sat', 'e5m2', 'e5m2_sat', 'bf16'] as const)
    if (doc.f32[col]?.length !== n) throw new Error(`${FIXTURE}: f32.${col} should have ${n} entries`);
  for (const col of ['kind', 'e4m3fn', 'e5m2'] as const)
    if (doc.f64?.[col]?.length !== doc.f64?.bits_hex?.length)
      throw new Error(`${FIXTURE}: f64.${col} should match f64.bits_hex`);
  return doc;
}

const hex = (v: number, digits: number) => '0x' + v.toString(16).padStart(digits, '0');

if (!existsSync(FIXTURE_PATH)) {
  describe('FP8 casts against PyTorch', () => {
    it.skip(`SKIPPED: ${FIXTURE} is absent; make it with \`python fixtures/make/fp8_casts.py\` (needs PyTorch)`, () => {});
  });
} else {
  const doc = load();
  const src = new Float32Array(Uint32Array.from(doc.f32.bits).buffer);
  const f64View = new DataView(new ArrayBuffer(8));
  const f64Inputs = doc.f64.bits_hex.map((h) => {
    f64View.setBigUint64(0, BigInt('0x' + h));
    return f64View.getFloat64(0);
  });

  describe(`FP8 casts against PyTorch ${doc.torch_version} (${FIXTURE})`, () => {
    it('covers every code of both formats, every tie, overflow, subnormals, signed zeros, infinities and NaNs', () => {
      const kinds = new Set(doc.f32.kind);
      for (const k of [
        'e4m3fn-code',
        'e4m3fn-mid',
        'e4m3fn-mid+1ulp',
        'e4m3fn-mid-1ulp',
        'e5m2-code',
        'e5m2-mid',
        'e4m3fn-overflow',
        'e5m2-overflow',
        'f32-subnormal',
        'random-log-uniform',
      ])
        expect(kinds).toContain(k);
      for (const bits of [0x00000000, 0x7f800000, 0xff800000]) expect(doc.f32.bits).toContain(bits); // +0, ±Inf
      for (const col of ['e4m3fn', 'e5m2'] as const)
        expect(new Set(doc.f32[col]).size).toBeGreaterThanOrEqual(col === 'e4m3fn' ? 254 : 250);
      expect(doc.f32.bits).toContain(0xffc00000); // -NaN
      expect(doc.f32.bits).toContain(0x80000000); // -0
    });

    for (const { col, format, saturate, what } of columns(doc)) {
      it(`${col}: every float32 input gives the reference code — ${what} = our ${saturate ? 'saturating' : 'plain'} cast`, () => {
        const ours = encodeFp8Array(src, format, { saturate });
        const theirs = doc.f32[col]!;
        const fmt = fp8Format(format);
        const bad: string[] = [];
        // A NaN through clamp() or another library only has to stay a NaN: which NaN code is not the cast's
        // business (ml_dtypes writes 0x7E for an E5M2 NaN). Plain PyTorch casts must match NaN signs too.
        const anyNaN = saturate || col.startsWith('ocp_');
        for (let i = 0; i < src.length; i++) {
          const nanIn = src[i] !== src[i];
          const same = anyNaN && nanIn ? isNaNCode(ours[i]!, fmt) && isNaNCode(theirs[i]!, fmt) : ours[i] === theirs[i];
          if (!same)
            bad.push(
              `${doc.f32.kind[i]} bits ${hex(doc.f32.bits[i]!, 8)} (${src[i]}): ours ${hex(ours[i]!, 2)}, torch ${hex(theirs[i]!, 2)}`,
            );
        }
        expect(bad.slice(0, 10), `${bad.length} mismatches`).toEqual([]);
      });
    }

    it("bf16: every non-NaN float32 input gives PyTorch's code (NaN: any NaN; torch CPU writes 0xFFFF, c10 scalar 0x7FC0)", () => {
      const ours = encodeBF16Array(src);
      const bad: string[] = [];
      for (let i = 0; i < src.length; i++) {
        const theirs = doc.f32.bf16![i]!;
        const same =
          src[i] !== src[i] ? (ours[i]! & 0x7fff) > 0x7f80 && (theirs & 0x7fff) > 0x7f80 : ours[i] === theirs;
        if (!same)
          bad.push(
            `${doc.f32.kind[i]} bits ${hex(doc.f32.bits[i]!, 8)}: ours ${hex(ours[i]!, 4)}, torch ${hex(theirs, 4)}`,
          );
      }
      expect(bad.slice(0, 10), `${bad.length} mismatches`).toEqual([]);
    });

    for (const { col, format, saturate } of columns(doc).filter((c) => c.col === 'e4m3fn' || c.col === 'e5m2')) {
      it(`${col}: float64 inputs just off the ties round through float32 exactly as a float64 tensor does`, () => {
        const bad: string[] = [];
        f64Inputs.forEach((x, i) => {
          const ours = encodeFp8(x, format, saturate);
          const theirs = doc.f64[col as 'e4m3fn' | 'e5m2'][i]!;
          if (ours !== theirs) bad.push(`${doc.f64.kind[i]} ${x}: ours ${hex(ours, 2)}, torch ${hex(theirs, 2)}`);
        });
        expect(bad.slice(0, 10), `${bad.length} mismatches`).toEqual([]);
      });
    }
  });
}
