// `tinyseek sample`: complete a prompt (or an arithmetic problem in the R1-Zero template) with a checkpoint.
import { Rng } from '../core/rng.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { generate } from '../model/generate.ts';
import {
  ANSWER_END_ID,
  EOS_ID,
  PAD_ID,
  decode,
  encode,
  evaluateArithmetic,
  fractionText,
  promptFor,
  rewardBreakdown,
  TokenizerError,
  type Problem,
} from '../world/index.ts';
import { UsageError, bool, num, optStr, str } from './args.ts';
import { defineCommand } from './command.ts';
import { checkpointFlag } from './flags.ts';
import { toJson } from './output.ts';

export const sampleCommand = defineCommand(
  {
    name: 'sample',
    summary: 'generate completions from a checkpoint',
    usage: "tinyseek sample --model DIR (--problem '37+85' | --prompt TEXT) [--n 4] [--temperature 1]",
    flags: {
      model: checkpointFlag,
      problem: { type: 'string', help: "a question, wrapped in the R1-Zero template (e.g. '37+85')", meta: 'Q' },
      language: {
        type: 'string',
        default: 'symbols',
        choices: ['symbols', 'words'],
        help: 'with --problem: the language the prompt asks the thinking to use (words: "... in words", tinyseek r1)',
      },
      prompt: { type: 'string', help: 'raw prompt text (special tokens written as <think> etc.)', meta: 'TEXT' },
      n: { type: 'int', default: 1, min: 1, max: 256, help: 'number of samples' },
      temperature: { type: 'float', default: 0, min: 0, help: '0 = greedy' },
      'top-k': { type: 'int', default: 0, min: 0, help: 'keep the k most likely tokens (0 = all)' },
      'top-p': { type: 'float', default: 1, min: 0, max: 1, help: 'nucleus mass' },
      'max-tokens': { type: 'int', default: 100, min: 1, help: 'longest completion' },
      seed: { type: 'int', default: 0, min: 0, help: 'sampling seed' },
      json: {
        type: 'bool',
        help: 'print one {"prompt", "completion", …} JSON line per sample: the JSONL that tinyseek sft reads',
      },
      'allow-nonfinite': { type: 'bool', help: 'load a checkpoint with NaN/Inf weights (to inspect a diverged run)' },
    },
    examples: [
      "tinyseek sample --model fixtures/base --problem '37+85'",
      "tinyseek sample --model fixtures/aha-base --problem '37+85' --n 8 --temperature 1 --json > traces.jsonl",
      "tinyseek sample --model runs/base --problem '123+456' --n 8 --temperature 1",
      "tinyseek sample --model runs/r1/final-rl --problem '37+45' --language words",
    ],
  },
  async (a, io) => {
    const dir = optStr(a, 'model');
    if (!dir) throw new UsageError('--model DIR is required');
    const problem = optStr(a, 'problem'),
      prompt = optStr(a, 'prompt');
    if ((problem === undefined) === (prompt === undefined))
      throw new UsageError('give exactly one of --problem or --prompt');
    const language = str(a, 'language') as 'symbols' | 'words';
    const text = problem !== undefined ? promptFor({ prompt: problem, language }) : prompt!;
    let ids: number[];
    try {
      ids = encode(text.startsWith('<bos>') ? text : problem !== undefined ? text : `<bos>${text}`);
    } catch (e) {
      if (e instanceof TokenizerError) throw new UsageError(`prompt: ${e.message}`);
      throw e;
    }
    const { model } = loadCheckpoint(dir, { requiresGrad: false, allowNonfinite: bool(a, 'allow-nonfinite') });
    const n = num(a, 'n');
    const rng = new Rng(num(a, 'seed')).child('sample');
    const gens = await generate(
      model,
      Array.from({ length: n }, () => ids),
      {
        maxNewTokens: num(a, 'max-tokens'),
        temperature: num(a, 'temperature'),
        topK: num(a, 'top-k'),
        topP: num(a, 'top-p'),
        stopIds: [EOS_ID, ANSWER_END_ID],
        padId: PAD_ID,
        rng: Array.from({ length: n }, (_, i) => rng.child(`s${i}`)),
      },
    );
    // A --problem with a plain arithmetic value can be scored, so the JSON lines say which samples are right.
    const value = problem !== undefined ? evaluateArithmetic(problem) : undefined;
    const asked: Problem | undefined =
      value?.ok && value.value.d === 1n && value.value.s >= 0n
        ? { kind: 'expr', prompt: problem!, answer: fractionText(value.value), difficulty: 1 }
        : undefined;
    if (bool(a, 'json')) {
      for (const g of gens) {
        const completion = decode(g.tokens);
        const scored = asked
          ? { correct: rewardBreakdown(asked, completion, { truncated: g.finish === 'length' }).accuracy === 1 }
          : {};
        io.out(toJson({ prompt: decode(ids), completion, finish: g.finish, ...scored }) + '\n');
      }
      return 0;
    }
    io.out(`${decode(ids)}\n`);
    gens.forEach((g, i) => io.out(`[${i}] ${decode(g.tokens)}${g.finish === 'length' ? '  (truncated)' : ''}\n`));
    return 0;
  },
);
