// Flag parsing for every `tinyseek` subcommand: one declarative spec per command gives the parser,
// the validation and the help text, so they never disagree. Bad input raises UsageError, which
// main.ts turns into a one-line message and exit code 2.

export class UsageError extends Error {
  override name = 'UsageError';
}

export type FlagType = 'int' | 'float' | 'string' | 'bool' | 'list' | 'intlist';

export interface FlagSpec {
  type: FlagType;
  help: string;
  default?: number | string | boolean | number[] | string[];
  /** Allowed values for a string flag. */
  choices?: readonly string[];
  min?: number;
  max?: number;
  /** Value name shown in help, e.g. DIR. */
  meta?: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Names of positional arguments (shown in help); extra positionals are an error. */
  positionals?: string[];
  examples?: string[];
}

export type FlagValue = number | string | boolean | number[] | string[] | undefined;
export interface Parsed {
  flags: Record<string, FlagValue>;
  positionals: string[];
  help: boolean;
}

function parseNumber(flag: string, raw: string, spec: FlagSpec, integer: boolean): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${flag} expects a number, got '${raw}'`);
  if (integer && !Number.isInteger(v)) throw new UsageError(`--${flag} expects an integer, got '${raw}'`);
  if (spec.min !== undefined && v < spec.min) throw new UsageError(`--${flag} must be ≥ ${spec.min}, got ${raw}`);
  if (spec.max !== undefined && v > spec.max) throw new UsageError(`--${flag} must be ≤ ${spec.max}, got ${raw}`);
  return v;
}

function convert(flag: string, raw: string, spec: FlagSpec): FlagValue {
  switch (spec.type) {
    case 'int':
      return parseNumber(flag, raw, spec, true);
    case 'float':
      return parseNumber(flag, raw, spec, false);
    case 'intlist':
      return raw.split(',').map((s) => parseNumber(flag, s, spec, true));
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    case 'bool':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new UsageError(`--${flag} expects true or false, got '${raw}'`);
    case 'string':
      if (spec.choices && !spec.choices.includes(raw))
        throw new UsageError(`--${flag} must be one of ${spec.choices.join(', ')}; got '${raw}'`);
      return raw;
  }
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b. */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The known name closest to `name` when it is a likely typo (about a third of its length in edits, 1 to 3). */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined,
    dist = Math.min(3, Math.max(1, Math.round(name.length / 3))) + 1;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < dist) [best, dist] = [k, d];
  }
  return best;
}

/** Short forms of the options most commands share, wherever a command has the long one: `-o runs/x`. */
export const SHORT_FLAGS: Readonly<Record<string, string>> = { o: 'out', m: 'model', s: 'steps', n: 'n' };

/**
 * Parse argv against a spec. Accepts `--flag value`, `--flag=value`, `--no-flag` for booleans, `-h`/`--help`,
 * the short forms of SHORT_FLAGS (`-o DIR`), and `--` to end the options (what follows is positional).
 */
export function parseArgs(argv: string[], spec: CommandSpec): Parsed {
  const flags: Record<string, FlagValue> = {};
  for (const [k, f] of Object.entries(spec.flags)) flags[k] = f.default;
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    const short = /^-([a-zA-Z])$/.exec(arg)?.[1];
    if (short !== undefined) {
      const long = SHORT_FLAGS[short];
      if (long === undefined || !spec.flags[long]) throw new UsageError(`unknown flag -${short} for '${spec.name}'`);
      argv = [...argv.slice(0, i), `--${long}`, ...argv.slice(i + 1)];
      i--;
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    let f = spec.flags[name];
    if (!f && name.startsWith('no-') && spec.flags[name.slice(3)]?.type === 'bool' && value === undefined) {
      flags[name.slice(3)] = false;
      continue;
    }
    if (!f) {
      const guess = closest(name, Object.keys(spec.flags));
      if (guess) throw new UsageError(`unknown flag --${name} for '${spec.name}'; did you mean --${guess}?`);
      const known = Object.keys(spec.flags)
        .map((k) => `--${k}`)
        .join(' ');
      throw new UsageError(`unknown flag --${name} for '${spec.name}' (known: ${known || 'none'})`);
    }
    if (f.type === 'bool' && value === undefined) {
      flags[name] = true;
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    flags[name] = convert(name, value, f);
  }
  const maxPos = spec.positionals?.length ?? 0;
  if (!help && positionals.length > maxPos)
    throw new UsageError(`unexpected argument '${positionals[maxPos]}' for '${spec.name}'`);
  return { flags, positionals, help };
}

/** Help text generated from the spec. */
export function formatHelp(spec: CommandSpec): string {
  const lines = [`${spec.summary}`, '', `Usage: ${spec.usage}`, ''];
  const entries = Object.entries(spec.flags);
  if (entries.length) {
    lines.push('Options:');
    // a choice flag shows its choices where another shows its value's name: --budget small|default
    const meta = (f: FlagSpec) => f.meta ?? f.choices?.join('|') ?? f.type.toUpperCase();
    const shortOf = (k: string) => Object.keys(SHORT_FLAGS).find((c) => SHORT_FLAGS[c] === k);
    const left = entries.map(([k, f]) => {
      const c = shortOf(k);
      return `  ${c ? `-${c}, ` : ''}--${k}${f.type === 'bool' ? '' : ` ${meta(f)}`}`;
    });
    const helpRow = '  -h, --help';
    const width = Math.max(helpRow.length, ...left.map((l) => l.length)) + 2;
    entries.forEach(([, f], i) => {
      const extra: string[] = [];
      if (f.choices && f.meta) extra.push(`one of ${f.choices.join('|')}`);
      if (f.default !== undefined && f.default !== false) extra.push(`default ${String(f.default)}`);
      lines.push(left[i]!.padEnd(width) + f.help + (extra.length ? ` (${extra.join('; ')})` : ''));
    });
    lines.push(helpRow.padEnd(width) + 'show this help');
  }
  if (spec.examples?.length) {
    lines.push('', 'Examples:');
    for (const e of spec.examples) lines.push(`  ${e}`);
  }
  return lines.join('\n');
}

/** Typed accessors: the spec's defaults make these total for flags that have one. */
export const num = (p: Parsed, k: string): number => p.flags[k] as number;
export const str = (p: Parsed, k: string): string => p.flags[k] as string;
export const bool = (p: Parsed, k: string): boolean => Boolean(p.flags[k]);
export const optStr = (p: Parsed, k: string): string | undefined => p.flags[k] as string | undefined;
export const optNum = (p: Parsed, k: string): number | undefined => p.flags[k] as number | undefined;
