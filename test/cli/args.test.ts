// The flag parser's conventions: `--` ends the options, unknown names get a did-you-mean, and the help's
// columns line up with choice flags showing their choices.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closest, editDistance, formatHelp, parseArgs, type CommandSpec } from '../../src/cli/args.ts';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'a demo command',
  usage: 'tinyseek demo [--steps N] [--budget small|default] [--verbose] FILE',
  positionals: ['FILE'],
  flags: {
    steps: { type: 'int', help: 'steps', default: 3, min: 1 },
    budget: { type: 'string', help: 'how much', default: 'default', choices: ['small', 'default'] },
    'learning-rate-warmup-fraction': { type: 'float', help: 'a long name', meta: 'F' },
    verbose: { type: 'bool', help: 'say more' },
  },
};

const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '-'), maxLength: 8 });

describe('editDistance', () => {
  it('is a metric: zero only between equal strings, symmetric, and obeys the triangle inequality', () => {
    fc.assert(
      fc.property(word, word, word, (a, b, c) => {
        expect(editDistance(a, b) === 0).toBe(a === b);
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, c)).toBeLessThanOrEqual(editDistance(a, b) + editDistance(b, c));
      }),
    );
  });

  it('counts one edit per inserted, deleted or changed character, never more than the longer length', () => {
    fc.assert(
      fc.property(word, word, fc.constantFrom('a', 'z'), (a, b, ch) => {
        expect(editDistance(a, a + ch)).toBe(1);
        expect(editDistance(a + ch + b, a + b)).toBe(1);
        expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('parseArgs and formatHelp', () => {
  it('suggests the nearest name for a typo and none for a word far from every name', () => {
    expect(closest('step', ['steps', 'seed'])).toBe('steps');
    expect(closest('pretran', ['pretrain', 'sample'])).toBe('pretrain');
    expect(closest('frobnicate', ['pretrain', 'sample'])).toBeUndefined();
    expect(closest('trian', ['train', 'serve'])).toBe('train'); // a swap is two edits, allowed from 5 letters
    expect(closest('sl', ['steps', 'seed'])).toBeUndefined();
    expect(() => parseArgs(['--step', '2'], spec)).toThrow(/unknown flag --step for 'demo'; did you mean --steps\?/);
    expect(() => parseArgs(['--zzzzzz'], spec)).toThrow(/\(known: --steps --budget/);
  });

  it('reads the short forms of the shared options where the command has the long one, and shows them in help', () => {
    expect(parseArgs(['-s', '7', 'f.txt'], spec)).toMatchObject({ flags: { steps: 7 }, positionals: ['f.txt'] });
    expect(parseArgs(['-s', '7'], spec)).toEqual(parseArgs(['--steps', '7'], spec));
    expect(() => parseArgs(['-o', 'dir'], spec)).toThrow(/unknown flag -o for 'demo'/);
    expect(() => parseArgs(['-q'], spec)).toThrow(/unknown flag -q for 'demo'/);
    expect(formatHelp(spec)).toContain('  -s, --steps INT');
  });

  it('takes everything after -- as positional, flags included', () => {
    expect(parseArgs(['--steps', '4', '--', '--verbose'], spec)).toMatchObject({
      flags: { steps: 4, verbose: undefined },
      positionals: ['--verbose'],
    });
    expect(() => parseArgs(['--', 'a', 'b'], spec)).toThrow(/unexpected argument 'b'/);
  });

  it('shows a choice flag with its choices, and starts every option help, the help row included, in one column', () => {
    const start = (l: string) => / {2}\S+(?: \S+)*? {2,}/.exec(l)![0].length;
    const short: CommandSpec = { ...spec, flags: { n: { type: 'int', help: 'a short flag' } } };
    for (const s of [spec, short]) {
      const rows = formatHelp(s)
        .split('\n')
        .filter((l) => l.startsWith('  -'));
      expect(rows).toHaveLength(Object.keys(s.flags).length + 1);
      expect(new Set(rows.map(start)).size).toBe(1);
    }
    expect(formatHelp(spec)).toContain('--budget small|default');
    expect(formatHelp(spec)).not.toContain('STRING');
  });
});
