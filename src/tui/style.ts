// Terminal styling that degrades gracefully. Three modes:
//   'color' — ANSI colours and attributes (an interactive terminal),
//   'mono'  — attributes only: bold, dim, underline, inverse (NO_COLOR is set, or TERM=dumb),
//   'none'  — no escape codes at all (not a terminal: pipes, CI logs, screen readers, --plain).
// Every coloured thing the player draws goes through a Styler, so one decision covers the whole screen.
// Widths are counted in code points with escapes removed (the player's text has no wide characters).

export type StyleMode = 'none' | 'mono' | 'color';

/**
 * FORCE_COLOR (https://force-color.org): a non-empty value other than 0 or false turns colour on, even when
 * the stream is not a terminal; 0 or false turns it off. Undefined when the variable does not decide.
 */
function forcedColor(env: Record<string, string | undefined>): boolean | undefined {
  const v = env['FORCE_COLOR'];
  if (v === undefined || v === '') return undefined;
  return v !== '0' && v !== 'false';
}

/** NO_COLOR (https://no-color.org): any non-empty value turns colour off; FORCE_COLOR overrides both ways. */
export function detectStyleMode(env: Record<string, string | undefined>, isTTY: boolean): StyleMode {
  const forced = forcedColor(env);
  if (forced === true) return 'color';
  if (!isTTY) return 'none';
  if (forced === false || (env['NO_COLOR'] ?? '') !== '' || env['TERM'] === 'dumb') return 'mono';
  return 'color';
}

/** Whether text written to a stream (a terminal or not: `isTTY`) should carry colours: detectStyleMode's rule. */
export const colorFor = (env: Record<string, string | undefined>, isTTY: boolean): boolean =>
  detectStyleMode(env, isTTY) === 'color';

export type Colour = 'cyan' | 'yellow' | 'green' | 'red' | 'magenta' | 'blue' | 'gray';
const FG: Record<Colour, number> = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90 };

export interface Styler {
  mode: StyleMode;
  bold(s: string): string;
  dim(s: string): string;
  italic(s: string): string;
  underline(s: string): string;
  inverse(s: string): string;
  /** A colour in 'color' mode; plain text otherwise. */
  fg(c: Colour, s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => (s === '' ? s : `\x1b[${open}m${s}\x1b[${close}m`);
const id = (s: string) => s;

export function styler(mode: StyleMode): Styler {
  if (mode === 'none') return { mode, bold: id, dim: id, italic: id, underline: id, inverse: id, fg: (_c, s) => s };
  return {
    mode,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    italic: wrap(3, 23),
    underline: wrap(4, 24),
    inverse: wrap(7, 27),
    fg: mode === 'color' ? (c, s) => wrap(FG[c], 39)(s) : (_c, s) => s,
  };
}

// CSI sequences (colours, attributes) — the only escapes the player writes.
const ANSI_RE = /\x1b\[[0-9;]*[A-Za-z]/g;

export const stripAnsi = (s: string): string => s.replace(ANSI_RE, '');

/** Columns a string takes on screen. */
export const visibleWidth = (s: string): number => [...stripAnsi(s)].length;

/** Cuts plain (unstyled) text to `width` columns, ending with '…' when cut. */
export function clipPlain(s: string, width: number): string {
  const chars = [...s];
  if (chars.length <= width) return s;
  return width <= 0 ? '' : chars.slice(0, width - 1).join('') + '…';
}

/** Pads styled text with spaces to `width` columns (never cuts). */
export const padEnd = (s: string, width: number): string => s + ' '.repeat(Math.max(0, width - visibleWidth(s)));
