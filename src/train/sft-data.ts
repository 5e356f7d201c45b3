// Supervised fine-tuning data: prompt–completion JSONL, the record format TRL's SFTTrainer and most SFT tools
// read — one object per line, {"prompt": "...", "completion": "..."} (other keys are kept as metadata). Traces
// flow between stages in this format: `tinyseek traces` writes solved problems, `tinyseek sample --json` a
// model's own answers, and `tinyseek sft` trains on either. Every line is checked before any training starts
// (JSON, both fields strings, every character in the vocabulary, prompt + completion within the context), and
// all problems are reported as `FILE:LINE: what is wrong`.
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import { writeFileAtomic } from '../core/fsio.ts';
import type { Rng } from '../core/rng.ts';
import {
  encode,
  generateProblem,
  problemKey,
  promptFor,
  reflectiveSolution,
  TokenizerError,
  workedSolution,
  completionFrom,
  type Problem,
  type ProblemKind,
} from '../world/index.ts';

export interface SftRecord {
  prompt: string;
  completion: string;
  [meta: string]: unknown;
}

/** A record as token ids: what a training row is made of. */
export interface SftExample {
  prompt: number[];
  completion: number[];
}

/** At most this many problems are listed before the rest are counted. */
const MAX_LISTED = 10;

/** Read and validate a JSONL file; `maxTokens` is the model's context (prompt + completion must fit). */
export function readSftFile(path: string, maxTokens: number): { records: SftRecord[]; examples: SftExample[] } {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new InputError(`${path}: is a directory, not a JSONL file`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const records: SftRecord[] = [],
    examples: SftExample[] = [],
    errors: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${path}:${i + 1}`;
    const r = parseRecord(line, maxTokens);
    if (typeof r === 'string') errors.push(`${where}: ${r}`);
    else {
      records.push(r.record);
      examples.push(r.example);
    }
  });
  if (errors.length) {
    const more = errors.length > MAX_LISTED ? [`… and ${errors.length - MAX_LISTED} more bad lines`] : [];
    throw new InputError([...errors.slice(0, MAX_LISTED), ...more].join('\n'));
  }
  if (records.length === 0)
    throw new InputError(`${path}: no records (expected one {"prompt": …, "completion": …} per line)`);
  return { records, examples };
}

/** One line → a record and its ids, or what is wrong with it. */
export function parseRecord(line: string, maxTokens: number): { record: SftRecord; example: SftExample } | string {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (e) {
    return `not valid JSON (${(e as Error).message})`;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    return 'expected a JSON object {"prompt": …, "completion": …}';
  const rec = o as Record<string, unknown>;
  for (const k of ['prompt', 'completion'] as const) {
    if (!(k in rec)) return `missing field "${k}"`;
    if (typeof rec[k] !== 'string') return `"${k}" must be a string, got ${JSON.stringify(rec[k])}`;
    if ((rec[k] as string).length === 0) return `"${k}" is empty`;
  }
  const ids = (k: 'prompt' | 'completion'): number[] | string => {
    try {
      return encode(rec[k] as string);
    } catch (e) {
      if (e instanceof TokenizerError) return `"${k}": ${e.message}`;
      throw e;
    }
  };
  const prompt = ids('prompt'),
    completion = ids('completion');
  if (typeof prompt === 'string') return prompt;
  if (typeof completion === 'string') return completion;
  if (prompt.length + completion.length > maxTokens) {
    return `prompt + completion is ${prompt.length + completion.length} tokens, longer than the model's context of ${maxTokens}`;
  }
  return { record: rec as SftRecord, example: { prompt, completion } };
}

/** Write records as JSONL, atomically. */
export function writeSftFile(path: string, records: readonly SftRecord[]): void {
  writeFileAtomic(path, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

export type TraceStyle = 'worked' | 'reflective' | 'direct';

/** The completion of a solved problem in one of the world's styles (world/solutions/). */
export function solvedCompletion(problem: Problem, style: TraceStyle, rng: Rng): string {
  return style === 'worked'
    ? workedSolution(problem)
    : style === 'reflective'
      ? reflectiveSolution(problem, rng)
      : completionFrom('', problem.answer);
}

/**
 * `n` records of solved problems: record i draws its difficulty and problem from stream <rng>/r<i>, skipping the
 * `exclude`d keys (the held-out split an evaluation will use: heldOutKeys(kind, difficulty, n)).
 */
export function solvedRecords(
  kind: ProblemKind,
  difficulties: readonly number[],
  n: number,
  style: TraceStyle,
  rng: Rng,
  exclude: ReadonlySet<string>,
): SftRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const r = rng.child(`r${i}`);
    const d = r.choice(difficulties);
    for (let k = 0; k < 1000; k++) {
      const p = generateProblem(kind, r, d);
      if (!exclude.has(problemKey(p)))
        return { prompt: promptFor(p), completion: solvedCompletion(p, style, r), answer: p.answer };
    }
    throw new RangeError(`no ${kind} problem at difficulty ${d} outside the excluded set`);
  });
}
