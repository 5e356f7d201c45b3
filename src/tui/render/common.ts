// Small text pieces shared by the player's screens and plain mode: a progress bar, a metrics line, knob
// values, wrapping of plain multi-line text. Pure string functions of their inputs and a Styler.
import type { Knob, KnobValue } from '../manifest.ts';
import { formatValue } from '../../plot/scale.ts';
import type { Styler } from '../style.ts';
import { wrapPieces } from '../markdown.ts';

/** `[██████░░░░]  60%  step 30/50`; with no total yet, `starting…`. */
export function progressBar(step: number, total: number, width: number, st: Styler): string {
  if (!(total > 0)) return st.dim('starting…');
  const frac = Math.min(1, Math.max(0, step / total));
  const cells = Math.max(5, Math.min(30, width - 30));
  const full = Math.round(frac * cells);
  const bar =
    st.mode === 'none'
      ? '#'.repeat(full) + '.'.repeat(cells - full)
      : st.fg('cyan', '█'.repeat(full)) + st.dim('░'.repeat(cells - full));
  return `[${bar}] ${String(Math.floor(frac * 100)).padStart(3)}%  step ${step}/${total}`;
}

/** `name 1.234 · other 5e-4` */
export const metricsText = (metrics: Record<string, number>): string =>
  Object.entries(metrics)
    .map(([k, v]) => `${k} ${formatValue(v)}`)
    .join(' · ');

/** The metrics line, wrapped to the width (none when there are no metrics). */
export function metricsLines(metrics: Record<string, number>, width: number, st: Styler, indent = ''): string[] {
  const text = metricsText(metrics);
  return text ? wrapPieces([{ text, kind: 'plain' }], width, st, indent, indent) : [];
}

/** Knob values exactly as the lesson wrote them. */
export const knobValueText = (v: KnobValue): string => String(v);

/** `samples=100000, seed=1` */
export const knobsText = (knobs: Record<string, KnobValue>): string =>
  Object.entries(knobs)
    .map(([k, v]) => `${k}=${knobValueText(v)}`)
    .join(', ');

/** One line per knob: the focus marker, the label, and all values with the chosen one marked. */
export function knobLines(knobs: Knob[], values: Record<string, KnobValue>, focus: number, st: Styler): string[] {
  const labelWidth = Math.max(...knobs.map((k) => [...k.label].length));
  return knobs.map((k, i) => {
    const marker = knobs.length > 1 && i === focus ? st.fg('cyan', '›') : ' ';
    const choices = k.values
      .map((v) =>
        v === values[k.name]
          ? st.bold(st.mode === 'color' ? st.fg('yellow', knobValueText(v)) : `[${knobValueText(v)}]`)
          : st.dim(knobValueText(v)),
      )
      .join(st.dim(' · '));
    return `${marker} ${k.label.padEnd(labelWidth)}  ${choices}`;
  });
}

/** Plain text (possibly several lines) wrapped to the width with an indent; blank lines kept. */
export function wrapText(text: string, width: number, st: Styler, indent = ''): string[] {
  return text
    .split('\n')
    .flatMap((line) =>
      line.trim() === '' ? [''] : wrapPieces([{ text: line, kind: 'plain' }], width, st, indent, indent),
    );
}

/** Text kept as written (code, checker output), indented; a line wider than the screen continues below. */
export function verbatim(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  const room = Math.max(8, width - [...indent].length);
  for (const line of text.replace(/\t/g, '  ').split('\n')) {
    let chars = [...line];
    let prefix = indent;
    let avail = room;
    while (chars.length > avail) {
      // Break at the last space in the second half of the line when there is one.
      const space = chars.lastIndexOf(' ', avail);
      const cut = space > avail / 2 ? space + 1 : avail;
      out.push(prefix + chars.slice(0, cut).join('').trimEnd());
      chars = chars.slice(cut);
      prefix = indent + '  ';
      avail = room - 2;
    }
    out.push(prefix + chars.join(''));
  }
  return out;
}
