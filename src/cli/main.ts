// `tinyseek`: the command-line entry. Each subcommand lives in its own file and is a thin wrapper over
// the library; this file only dispatches and turns every failure into one line and an exit code (failure.ts).
import { closest, UsageError } from './args.ts';
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
  outTTY: Boolean(process.stdout.isTTY),
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
      "Run 'tinyseek <command> --help' (or 'tinyseek help <command>') for a command's options.",
      'Every command takes --backend cpu|webgpu (default $TINYSEEK_BACKEND, else cpu).',
      'CPU matmuls sum float32 in float32; TINYSEEK_GEMM=f64 keeps float64 sums (the shipped fixtures were made so).',
      'TINYSEEK_SIMD=fma fuses their multiply-adds (about 15% faster where the CPU has FMA; other bits, opt-in).',
      'CPU threads: 2 (fewer on a 1-core machine); TINYSEEK_THREADS=N sets them.',
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

/**
 * `--backend cpu|webgpu` (or `--backend=…`), accepted by every command: it picks where tensors live before the
 * command runs ($TINYSEEK_BACKEND when absent). Taken out here so each command sees only its own flags.
 */
export function takeBackendFlag(argv: string[]): { backend: string | undefined; args: string[] } {
  const args: string[] = [];
  let backend: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--backend') {
      backend = argv[++i];
      if (backend === undefined) throw new UsageError('--backend needs a value (cpu or webgpu)');
    } else if (a.startsWith('--backend=')) backend = a.slice('--backend='.length);
    else args.push(a);
  }
  return { backend, args };
}

export async function main(argv: string[], io: IO = processIO): Promise<number> {
  let [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) [name, rest] = [rest[0], ['--help']]; // `help <command>`
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.out(topHelp(commands));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`tinyseek ${version()}\n`);
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  // loaded here, so --help and --version stay light
  const { openBackend, closeBackends, BACKEND_NAMES } = await import('../backend/choose.ts');
  try {
    if (!cmd) {
      const guess = closest(
        name,
        commands.map((c) => c.name),
      );
      throw new UsageError(
        `unknown command '${name}'${guess ? `; did you mean '${guess}'?` : ''} (run 'tinyseek --help' for the list)`,
      );
    }
    const { backend, args } = takeBackendFlag(rest);
    if (backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(backend))
      throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got '${backend}'`);
    await openBackend(backend);
    return await cmd.run(args, io);
  } catch (e) {
    const f = describeFailure(e);
    io.err(`tinyseek: ${f.line}\n`);
    return f.code;
  } finally {
    closeBackends();
  }
}
