// --json output: non-finite numbers keep their name (JSON has no literal for them; JSON.stringify writes null).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toJson } from '../../src/cli/output.ts';

describe('toJson', () => {
  it('writes NaN and ±Infinity as strings, anywhere in the value, and everything else as JSON.stringify does', () => {
    expect(toJson({ a: NaN, b: [Infinity, -Infinity, 1.5, -0], c: { d: null, e: 'x' } })).toBe(
      '{"a":"NaN","b":["Infinity","-Infinity",1.5,0],"c":{"d":null,"e":"x"}}',
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(toJson(v)).toBe(JSON.stringify(v));
        expect(toJson(v, 2)).toBe(JSON.stringify(v, null, 2));
      }),
    );
  });

  it('reads back with every finite number unchanged and the others by name', () => {
    fc.assert(
      fc.property(fc.array(fc.double()), (xs) => {
        const back = JSON.parse(toJson(xs)) as (number | string)[];
        back.forEach((y, i) => {
          const x = xs[i]!;
          if (Number.isFinite(x)) expect(y).toBe(x === 0 ? 0 : x);
          else expect(y).toBe(String(x));
        });
      }),
    );
  });
});
