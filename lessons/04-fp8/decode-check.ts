// The check for lesson 04's exercise: the learner's `decodeE4M3` against tinyseek's bit-exact decoder
// (src/numerics/fp8.ts) on all 256 codes. On a failure it shows the first wrong code with its bits split
// into sign, exponent and mantissa, what came back, what was expected, and which kind of code it is
// (normal, subnormal, zero, NaN), plus how many codes are wrong in all.
import { missingExport, type CheckOutcome } from '../../src/tui/manifest.ts';

const bits = (code: number): string => {
  const b = code.toString(2).padStart(8, '0');
  return `${b[0]} ${b.slice(1, 5)} ${b.slice(5)}`;
};

const hex = (code: number): string => `0x${code.toString(16).toUpperCase().padStart(2, '0')}`;

/** A number as the learner needs to see it: −0 and NaN spelled out, exact binary fractions in full. */
const show = (v: unknown): string => {
  if (typeof v !== 'number') return v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v));
  if (Object.is(v, -0)) return '-0';
  return String(v);
};

function kindOf(code: number): string {
  const e = (code >> 3) & 0x0f;
  const m = code & 0x07;
  if (e === 0x0f && m === 0x07) return 'NaN (S.1111.111): E4M3 has no infinity, this code is its only NaN';
  if (e === 0 && m === 0) return code & 0x80 ? 'negative zero' : 'zero';
  if (e === 0) return `a subnormal: exponent field 0 means no hidden 1, value = (m/8)·2^(1−7) = ${m}/8 · 2^-6`;
  return `a normal number: (1 + m/8)·2^(e−7) with e = ${e}, m = ${m}`;
}

const same = (a: unknown, b: number): boolean =>
  typeof a === 'number' && (Number.isNaN(b) ? Number.isNaN(a) : Object.is(a, b));

export async function checkDecodeE4M3(mod: Record<string, unknown>): Promise<CheckOutcome> {
  const f = mod['decodeE4M3'];
  if (typeof f !== 'function') return missingExport(mod, 'decodeE4M3');
  const { decodeE4M3 } = await import('../../src/numerics/fp8.ts');
  const wrong: number[] = [];
  let first = '';
  for (let code = 0; code < 256; code++) {
    const want = decodeE4M3(code);
    let got: unknown;
    try {
      got = (f as (b: number) => unknown)(code);
    } catch (e) {
      return {
        pass: false,
        message: `decodeE4M3(${hex(code)}) threw: ${e instanceof Error ? e.message : String(e)}\nbits ${bits(code)} (sign exponent mantissa) — ${kindOf(code)}`,
      };
    }
    if (same(got, want)) continue;
    wrong.push(code);
    if (!first)
      first = `decodeE4M3(${hex(code)}) returned ${show(got)}, expected ${show(want)}\nbits ${bits(code)} (sign exponent mantissa) — ${kindOf(code)}`;
  }
  if (wrong.length === 0)
    return {
      pass: true,
      message: 'all 256 codes decode exactly as tinyseek does, from ±0 and the subnormals to ±448 and NaN',
    };
  const list = wrong.slice(0, 8).map(hex).join(', ') + (wrong.length > 8 ? ', …' : '');
  return { pass: false, message: `${first}\n${wrong.length} of 256 codes are wrong: ${list}` };
}
