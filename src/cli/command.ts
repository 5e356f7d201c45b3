// The shape of a `tinyseek` subcommand and the one place where parsing, help and usage errors meet.
import { closest, formatHelp, parseArgs, UsageError, type CommandSpec, type Parsed } from './args.ts';

/** Where a command writes. Tests pass a recorder; the real CLI passes the process streams. */
export interface IO {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is an interactive terminal (progress bars redraw in place only then). */
  isTTY: boolean;
  /** True when stdout is an interactive terminal (charts written there are coloured only then). */
  outTTY?: boolean;
}

export interface Command {
  name: string;
  summary: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: string[], io: IO): Promise<number>;
  /** The flag spec of a leaf command (tests generate invocations from it). */
  spec?: CommandSpec;
  /** The subcommands of a group. */
  subs?: Command[];
}

/** A command with flags: parses argv against `spec`, prints help for -h/--help, then calls `handler`. */
export function defineCommand(spec: CommandSpec, handler: (args: Parsed, io: IO) => Promise<number>): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    spec,
    async run(argv, io) {
      const args = parseArgs(argv, spec);
      if (args.help) {
        io.out(formatHelp(spec) + '\n');
        return 0;
      }
      return handler(args, io);
    },
  };
}

/** A command made of subcommands (`tinyseek cost train|serve|model`). */
export function defineGroup(name: string, summary: string, subs: Command[]): Command {
  const help = () =>
    [
      summary,
      '',
      `Usage: tinyseek ${name} <subcommand> [options]`,
      '',
      'Subcommands:',
      ...subs.map((s) => `  ${s.name.padEnd(10)} ${s.summary}`),
      '',
      `Run 'tinyseek ${name} <subcommand> --help' for its options.`,
    ].join('\n') + '\n';
  return {
    name,
    summary,
    subs,
    async run(argv, io) {
      const [first, ...rest] = argv;
      if (first === undefined || first === '-h' || first === '--help') {
        io.out(help());
        return first === undefined ? 2 : 0;
      }
      const sub = subs.find((s) => s.name === first);
      if (!sub) {
        const guess = closest(
          first,
          subs.map((s) => s.name),
        );
        throw new UsageError(
          `unknown subcommand '${first}' for '${name}'${guess ? `; did you mean '${guess}'?` : ''} (known: ${subs.map((s) => s.name).join(', ')})`,
        );
      }
      return sub.run(rest, io);
    },
  };
}
