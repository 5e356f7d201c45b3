// The terminal Markdown renderer and the colour modes it degrades through.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markdownProblems, renderMarkdown } from '../../src/tui/markdown.ts';
import { colorFor, detectStyleMode, stripAnsi, styler, visibleWidth } from '../../src/tui/style.ts';

const none = styler('none');
const color = styler('color');
const mono = styler('mono');
const md = (text: string, width = 40, st = none) => renderMarkdown(text, width, st);

describe('colour modes', () => {
  it('use no escapes off a terminal, attributes only under NO_COLOR or TERM=dumb, colour otherwise', () => {
    expect(detectStyleMode({}, false)).toBe('none');
    expect(detectStyleMode({ NO_COLOR: '1' }, false)).toBe('none');
    expect(detectStyleMode({ NO_COLOR: '1' }, true)).toBe('mono');
    expect(detectStyleMode({ TERM: 'dumb' }, true)).toBe('mono');
    expect(detectStyleMode({ NO_COLOR: '' }, true)).toBe('color');
    expect(detectStyleMode({}, true)).toBe('color');
  });

  it('FORCE_COLOR turns colour on off a terminal and over NO_COLOR, and 0 or false turns it off; colorFor says which', () => {
    for (const v of ['1', '2', '3', 'true']) {
      expect(detectStyleMode({ FORCE_COLOR: v }, false)).toBe('color');
      expect(detectStyleMode({ FORCE_COLOR: v, NO_COLOR: '1' }, true)).toBe('color');
    }
    for (const v of ['0', 'false']) {
      expect(detectStyleMode({ FORCE_COLOR: v }, true)).toBe('mono');
      expect(detectStyleMode({ FORCE_COLOR: v }, false)).toBe('none');
    }
    expect(detectStyleMode({ FORCE_COLOR: '' }, true)).toBe('color');
    expect([colorFor({}, true), colorFor({}, false), colorFor({ NO_COLOR: '1' }, true)]).toEqual([true, false, false]);
    expect(colorFor({ FORCE_COLOR: '1' }, false)).toBe(true);
  });

  it('never colour in mono mode', () => {
    expect(mono.fg('red', 'x')).toBe('x');
    expect(mono.bold('x')).toBe('\x1b[1mx\x1b[22m');
    expect(color.fg('red', 'x')).toBe('\x1b[31mx\x1b[39m');
  });
});

describe('renderMarkdown', () => {
  it('underlines headings with = and - when there are no escapes', () => {
    expect(md('# Title\n\n## Part\n\n### Small')).toEqual(['Title', '=====', '', 'Part', '----', '', 'Small']);
  });

  it('styles headings, bold, italic and code with escapes in colour mode', () => {
    const out = md('# Title\n\nSome **bold**, *italic* and `code`.', 40, color).join('\n');
    expect(out).toContain('\x1b[1mTitle');
    expect(out).toContain('\x1b[1mbold\x1b[22m');
    expect(out).toContain('\x1b[3mitalic\x1b[23m');
    expect(out).toContain('\x1b[33mcode\x1b[39m');
    expect(stripAnsi(out)).toBe('Title\n\nSome bold, italic and code.');
  });

  it('keeps backticks around inline code when it cannot colour it', () => {
    expect(md('run `npm start` now')).toEqual(['run `npm start` now']);
  });

  it('leaves snake_case and unclosed markers alone', () => {
    expect(md('kv_lora_rank and 2 * 3 and **open')).toEqual(['kv_lora_rank and 2 * 3 and **open']);
  });

  it('joins paragraph lines and wraps them at the width', () => {
    expect(md('one two three\nfour five six seven', 14)).toEqual(['one two three', 'four five six', 'seven']);
  });

  it('renders lists with bullets and hanging indents, nested by two spaces', () => {
    expect(md('- first item is long\n- second\n  - inner\n1. numbered', 14)).toEqual([
      '- first item',
      '  is long',
      '- second',
      '  - inner',
      '1. numbered',
    ]);
    expect(md('- a\n- b', 20, color)).toEqual(['• a', '• b']);
  });

  it('keeps code blocks as written, indented, and cuts long lines', () => {
    expect(md('```ts\nconst x = 1;\n  indented\n```\nafter', 40)).toEqual([
      '    const x = 1;',
      '      indented',
      '',
      'after',
    ]);
    expect(md('```\n' + 'x'.repeat(50) + '\n```', 20)[0]).toBe('    ' + 'x'.repeat(15) + '…');
  });

  it('shows links with their address, quotes with a bar and rules as a line', () => {
    expect(md('see [the paper](https://arxiv.org/abs/2501.12948)', 80)).toEqual([
      'see the paper (https://arxiv.org/abs/2501.12948)',
    ]);
    expect(md('> quoted text', 40)).toEqual(['> quoted text']);
    expect(md('---', 10)).toEqual(['─'.repeat(10)]);
  });

  it('never makes a line wider than the width (code aside)', () => {
    const word = fc.stringMatching(/^[a-z]{1,12}$/);
    const para = fc.array(word, { minLength: 1, maxLength: 40 }).map((ws) => ws.join(' '));
    fc.assert(
      fc.property(
        fc.array(para, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 12, max: 100 }),
        fc.constantFrom(none, color),
        (ps, width, st) => {
          const text = ps.map((p, i) => (i % 2 ? `- **${p}**` : p)).join('\n\n');
          for (const line of renderMarkdown(text, width, st)) expect(visibleWidth(line)).toBeLessThanOrEqual(width);
        },
      ),
      { seed: 7, numRuns: 100 },
    );
  });
});

describe('markdownProblems', () => {
  it('reports an unclosed code block with its line and empty text', () => {
    expect(markdownProblems('a\n```\ncode')).toEqual(['a code block opened with ``` on line 2 is never closed']);
    expect(markdownProblems('  ')).toEqual(['the text is empty']);
    expect(markdownProblems('```\nok\n```')).toEqual([]);
  });
});
