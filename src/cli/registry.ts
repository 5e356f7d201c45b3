// Every `tinyseek` subcommand, in the order `tinyseek --help` lists them.
import type { Command } from './command.ts';

export const commands: Command[] = [];
