// Errors for bad input at the edges (files, configs, checkpoints). The CLI prints their message as one line.

/** A file, config or checkpoint that cannot be used; the message names it and says what is wrong. */
export class InputError extends Error {
  override name = 'InputError';
}
