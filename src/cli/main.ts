// `tinyseek`: the command-line entry. Each subcommand lives in its own file and is a thin wrapper over
// the library; this file only dispatches and turns every failure into one line and an exit code (failure.ts).
import { UsageError } from './args.ts';
import { describeFailure } from './failure.ts';
import type { Command, IO } from './command.ts';
import { commands } from './registry.ts';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const processIO: IO = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  isTTY: Boolean(process.stderr.isTTY),
};

function topHelp(list: Command[]): string {
  const width = Math.max(...list.map((c) => c.name.length)) + 2;
  return (
    [
      'tinyseek — DeepSeek-V3 and R1 in miniature, on toy arithmetic, on a laptop CPU',
      '',
      'Usage: tinyseek <command> [options]',
      '',
      'Commands:',
      ...list.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
      '',
      "Run 'tinyseek <command> --help' for a command's options.",
    ].join('\n') + '\n'
  );
}

/** The version in package.json (found above this file, from src/cli or dist/src/cli). */
export function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'tinyseek' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

export async function main(argv: string[], io: IO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.out(topHelp(commands));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`tinyseek ${version()}\n`);
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  try {
    (await import('../backend/choose.ts')).chooseBackend(); // loaded here, so --help and --version stay light
    if (!cmd) throw new UsageError(`unknown command '${name}' (run 'tinyseek --help' for the list)`);
    return await cmd.run(rest, io);
  } catch (e) {
    const f = describeFailure(e);
    io.err(`tinyseek: ${f.line}\n`);
    return f.code;
  }
}
