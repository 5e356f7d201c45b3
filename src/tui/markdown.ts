// A tiny Markdown renderer for the terminal: lesson prose in, wrapped and styled lines out.
// Blocks: #/##/### headings, paragraphs, - * + and 1. lists (nested by two spaces), > quotes, ``` code
// blocks, --- rules. Inline: **bold**, *italic* / _italic_, `code`, [text](url), backslash escapes.
// Everything else is shown as written. Lines are wrapped to `width` columns on word boundaries and
// styled through a Styler, so NO_COLOR and non-terminals get the same layout with fewer (or no)
// escapes; without escapes, structure that colour would carry is kept in text (heading underlines,
// `code` backticks). `markdownProblems` reports what the renderer cannot show, for lesson validation.
import { clipPlain, type Styler } from './style.ts';

type Kind = 'plain' | 'bold' | 'italic' | 'code' | 'link' | 'url';
interface Piece {
  text: string;
  kind: Kind;
}

const FENCE = /^\s*```/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;
const ITEM = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
const QUOTE = /^\s*>\s?(.*)$/;

/** Splits inline markup into styled pieces. Unclosed markers are kept as literal text. */
export function parseInline(text: string, style: Styler): Piece[] {
  const out: Piece[] = [];
  let plain = '';
  const flush = () => {
    if (plain) out.push({ text: plain, kind: 'plain' });
    plain = '';
  };
  const keepTicks = style.mode !== 'color';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const rest = text.slice(i);
    if (c === '\\' && i + 1 < text.length && /[\\`*_[\]()#>-]/.test(text[i + 1]!)) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end > i) {
        flush();
        const code = text.slice(i + 1, end);
        out.push({ text: keepTicks ? '`' + code + '`' : code, kind: 'code' });
        i = end + 1;
        continue;
      }
    }
    if (rest.startsWith('**') || rest.startsWith('__')) {
      const mark = rest.slice(0, 2);
      const end = text.indexOf(mark, i + 2);
      if (end > i + 2) {
        flush();
        out.push({ text: text.slice(i + 2, end), kind: 'bold' });
        i = end + 2;
        continue;
      }
    }
    // Single * or _ italics; an underscore only counts at a word start (snake_case stays as written).
    if ((c === '*' || (c === '_' && (i === 0 || /\W/.test(text[i - 1]!)))) && text[i + 1] !== ' ') {
      const end = text.indexOf(c, i + 1);
      if (end > i + 1 && text[end - 1] !== ' ') {
        flush();
        out.push({ text: text.slice(i + 1, end), kind: 'italic' });
        i = end + 1;
        continue;
      }
    }
    const link = /^\[([^\]]+)\]\(([^)\s]+)\)/.exec(rest);
    if (link) {
      flush();
      out.push({ text: link[1]!, kind: 'link' }, { text: ` (${link[2]})`, kind: 'url' });
      i += link[0].length;
      continue;
    }
    plain += c;
    i++;
  }
  flush();
  return out;
}

function paint(p: Piece, st: Styler): string {
  switch (p.kind) {
    case 'plain':
      return p.text;
    case 'bold':
      return st.bold(p.text);
    case 'italic':
      return st.italic(p.text);
    case 'code':
      return st.fg('yellow', p.text);
    case 'link':
      return st.underline(p.text);
    case 'url':
      return st.dim(p.text);
  }
}

/**
 * Greedy word wrap of styled pieces. `first` prefixes the first line, `rest` the others (hanging
 * indents for list items and quotes); both are already styled and count toward the width.
 */
export function wrapPieces(
  pieces: Piece[],
  width: number,
  st: Styler,
  first = '',
  rest = first,
  prefixWidth = [...first].length,
): string[] {
  // Words are runs of pieces with no space between them ("**bold**," is one word of two pieces).
  const words: Piece[][] = [];
  let cur: Piece[] = [];
  for (const p of pieces) {
    p.text.split(/\s+/).forEach((part, k) => {
      if (k > 0 && cur.length) {
        words.push(cur);
        cur = [];
      }
      if (part) cur.push({ text: part, kind: p.kind });
    });
  }
  if (cur.length) words.push(cur);
  const avail = Math.max(4, width - prefixWidth);
  const lines: string[] = [];
  let line = '';
  let used = 0;
  const newline = () => {
    lines.push((lines.length === 0 ? first : rest) + line);
    line = '';
    used = 0;
  };
  for (const word of words) {
    const len = word.reduce((n, p) => n + [...p.text].length, 0);
    if (used > 0 && used + 1 + len > avail) newline();
    if (used > 0) {
      line += ' ';
      used += 1;
    }
    // A word longer than a whole line is broken by characters.
    for (const p of word) {
      let chars = [...p.text];
      while (used + chars.length > avail) {
        const take = avail - used;
        line += paint({ text: chars.slice(0, take).join(''), kind: p.kind }, st);
        chars = chars.slice(take);
        newline();
      }
      line += paint({ text: chars.join(''), kind: p.kind }, st);
      used += chars.length;
    }
  }
  if (used > 0 || lines.length === 0) newline();
  return lines;
}

function heading(level: number, text: string, width: number, st: Styler): string[] {
  const pieces = parseInline(text, st);
  if (st.mode === 'none') {
    const lines = wrapPieces(pieces, width, st);
    const longest = Math.max(...lines.map((l) => [...l].length));
    if (level === 1) lines.push('='.repeat(longest));
    else if (level === 2) lines.push('-'.repeat(longest));
    return lines;
  }
  const strong = pieces.map((p) => ({ ...p, kind: p.kind === 'code' ? p.kind : ('bold' as Kind) }));
  const lines = wrapPieces(strong, width, st);
  if (level === 1) return lines.map((l) => st.fg('cyan', st.underline(l)));
  return level === 2 ? lines.map((l) => st.fg('cyan', l)) : lines;
}

function codeBlock(lines: string[], width: number, st: Styler): string[] {
  const indent = st.mode === 'none' ? '    ' : '  ';
  return lines.map((l) => st.fg('green', indent + clipPlain(l.replace(/\t/g, '  '), width - indent.length)));
}

/** Renders Markdown to terminal lines of at most `width` columns (code lines are cut with '…'). */
export function renderMarkdown(md: string, width: number, st: Styler): string[] {
  const src = md.replace(/\r\n?/g, '\n').split('\n');
  // `joined`: a list item right after another one, with no blank line between (a tight list).
  const blocks: { lines: string[]; item: boolean; joined: boolean }[] = [];
  const push = (lines: string[], joined?: boolean) =>
    blocks.push({ lines, item: joined !== undefined, joined: joined ?? false });
  let i = 0;
  const isBlockStart = (l: string) => FENCE.test(l) || HEADING.test(l) || RULE.test(l) || ITEM.test(l) || QUOTE.test(l);
  while (i < src.length) {
    const line = src[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    if (FENCE.test(line)) {
      const body: string[] = [];
      i++;
      while (i < src.length && !FENCE.test(src[i]!)) body.push(src[i++]!);
      i++; // the closing fence (an unclosed block runs to the end; markdownProblems reports it)
      push(codeBlock(body, width, st));
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      push(heading(h[1]!.length, h[2]!, width, st));
      i++;
      continue;
    }
    if (RULE.test(line)) {
      push([st.dim('─'.repeat(Math.max(1, Math.min(width, 60))))]);
      i++;
      continue;
    }
    const item = ITEM.exec(line);
    if (item) {
      const gap = i === 0 || src[i - 1]!.trim() === '';
      let text = item[3]!;
      i++;
      while (i < src.length && src[i]!.trim() !== '' && !isBlockStart(src[i]!) && /^\s/.test(src[i]!))
        text += ' ' + src[i++]!.trim();
      const depth = Math.floor(item[1]!.replace(/\t/g, '  ').length / 2);
      const bullet = /\d/.test(item[2]!) ? item[2]! : st.mode === 'none' ? '-' : '•';
      const first = '  '.repeat(depth) + bullet + ' ';
      push(wrapPieces(parseInline(text, st), width, st, first, ' '.repeat([...first].length)), !gap);
      continue;
    }
    const q = QUOTE.exec(line);
    if (q) {
      const parts: string[] = [];
      while (i < src.length && QUOTE.test(src[i]!)) parts.push(QUOTE.exec(src[i++]!)![1]!);
      const bar = st.mode === 'none' ? '> ' : st.dim('│ ');
      push(wrapPieces(parseInline(parts.join(' '), st), width, st, bar, bar, 2));
      continue;
    }
    const para: string[] = [];
    while (i < src.length && src[i]!.trim() !== '' && (para.length === 0 || !isBlockStart(src[i]!)))
      para.push(src[i++]!.trim());
    push(wrapPieces(parseInline(para.join(' '), st), width, st));
  }
  // One blank line between blocks; consecutive list items stay together (a tight list).
  const out: string[] = [];
  blocks.forEach((b, k) => {
    if (k > 0 && !(b.joined && blocks[k - 1]!.item)) out.push('');
    out.push(...b.lines);
  });
  return out;
}

/** What the renderer cannot show faithfully; lesson validation turns these into errors. */
export function markdownProblems(md: string): string[] {
  const lines = md.replace(/\r\n?/g, '\n').split('\n');
  const problems: string[] = [];
  let open = -1;
  lines.forEach((l, k) => {
    if (FENCE.test(l)) open = open < 0 ? k : -1;
  });
  if (open >= 0) problems.push(`a code block opened with \`\`\` on line ${open + 1} is never closed`);
  if (md.trim() === '') problems.push('the text is empty');
  return problems;
}
