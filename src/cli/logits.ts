// `tinyseek logits`: one forward pass of a checkpoint over given token ids, to check this implementation against
// another (transformers, the DeepSeek reference). DIR is a tinyseek checkpoint or a Hugging Face directory
// (deepseek_v3 or llama: config.json + model.safetensors). --json prints {"ids", "logits"} exactly; --expected
// compares with such a file (e.g. fixtures/deepseek-v3/*/expected.json) and fails above the tolerance, where the
// error is max |ours − theirs| over all logits divided by the largest |theirs|.
import { noGrad } from '../core/autograd.ts';
import { intTensor } from '../core/tensor.ts';
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { attentionKind } from '../model/config.ts';
import { bool, num, optStr, str, UsageError } from './args.ts';
import { checkpointFlag } from './flags.ts';
import { defineCommand, type Command } from './command.ts';
import { toJson } from './output.ts';

export interface LogitsComparison {
  maxAbs: number;
  /** maxAbs / max |expected|. */
  maxRel: number;
}

/** Our logits (flat, [T·V]) against expected rows [T][V]. */
export function compareLogits(actual: ArrayLike<number>, expected: number[][]): LogitsComparison {
  const flat = expected.flat();
  if (flat.length !== actual.length)
    throw new InputError(`expected logits have ${flat.length} numbers, the model gives ${actual.length}`);
  let maxAbs = 0,
    scale = 0;
  for (let i = 0; i < flat.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(actual[i]! - flat[i]!));
    scale = Math.max(scale, Math.abs(flat[i]!));
  }
  return { maxAbs, maxRel: scale > 0 ? maxAbs / scale : maxAbs };
}

function readExpected(file: string): { ids: number[]; logits: number[][] } {
  if (!existsSync(file)) throw new InputError(`${file}: not found`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const r = raw as { ids?: unknown; logits?: unknown };
  const okIds = Array.isArray(r.ids) && r.ids.every((x) => Number.isInteger(x));
  const okLogits =
    Array.isArray(r.logits) && r.logits.every((row) => Array.isArray(row) && row.every((x) => typeof x === 'number'));
  if (!okIds || !okLogits) throw new InputError(`${file}: expected {"ids": [int…], "logits": [[number…]…]}`);
  return r as { ids: number[]; logits: number[][] };
}

const fmt = (x: number) => (x >= 0 ? ' ' : '') + x.toFixed(4);

export const logitsCommand: Command = defineCommand(
  {
    name: 'logits',
    summary: 'print the logits of a checkpoint (tinyseek or Hugging Face deepseek_v3/llama) for given token ids',
    usage: 'tinyseek logits --model DIR --ids 1,2,3 [--json] [--expected FILE] [--impl naive|absorbed]',
    flags: {
      model: checkpointFlag,
      ids: { type: 'intlist', help: 'token ids (default: the ids of --expected)', meta: 'I,J,...' },
      json: { type: 'bool', help: 'print {"ids", "logits"} as JSON' },
      expected: {
        type: 'string',
        help: 'compare with {"ids", "logits"} from this file; exit 1 above --tolerance',
        meta: 'FILE',
      },
      tolerance: {
        type: 'float',
        help: 'largest allowed error relative to max |expected logit|',
        default: 1e-4,
        min: 0,
      },
      impl: { type: 'string', help: 'MLA form', choices: ['absorbed', 'naive'], default: 'absorbed' },
      dtype: { type: 'string', help: 'arithmetic precision', choices: ['float32', 'float64'], default: 'float32' },
      'allow-nonfinite': { type: 'bool', help: 'load a checkpoint with NaN/Inf weights (to inspect a diverged run)' },
    },
    examples: [
      'tinyseek logits --model fixtures/deepseek-v3/q-lora --expected fixtures/deepseek-v3/q-lora/expected.json',
      'tinyseek logits --model runs/pretrain --ids 1,12,15 --json',
    ],
  },
  async (args, io) => {
    const dir = optStr(args, 'model');
    if (!dir) throw new UsageError('--model DIR is required');
    const expectedFile = optStr(args, 'expected');
    const expected = expectedFile ? readExpected(expectedFile) : undefined;
    const ids = (args.flags.ids as number[] | undefined) ?? expected?.ids;
    if (!ids || ids.length === 0) throw new UsageError('--ids is required (or --expected with its ids)');
    const { model, meta } = loadCheckpoint(dir, {
      requiresGrad: false,
      dtype: str(args, 'dtype') as 'float32' | 'float64',
      allowNonfinite: bool(args, 'allow-nonfinite'),
    });
    const c = model.config;
    const badId = ids.find((i) => i < 0 || i >= c.vocabSize);
    if (badId !== undefined) throw new UsageError(`--ids: ${badId} is outside the vocabulary [0, ${c.vocabSize})`);
    if (ids.length > c.maxSeqLen) throw new UsageError(`--ids: ${ids.length} tokens exceed maxSeqLen ${c.maxSeqLen}`);
    const logits = noGrad(() =>
      model.forward(intTensor(ids, [1, ids.length]), { mlaImpl: str(args, 'impl') as 'naive' | 'absorbed' }),
    );
    const data = await logits.data();
    const V = c.vocabSize,
      rows = ids.map((_, t) => Array.from(data.subarray(t * V, (t + 1) * V)));
    if (bool(args, 'json')) io.out(toJson({ ids, logits: rows }) + '\n');
    else {
      const kind = meta.format === 'hf' ? `Hugging Face ${String(meta.modelType)}` : 'tinyseek';
      io.out(
        `${dir}: ${kind}, ${attentionKind(c).toUpperCase()}${c.moe ? ' + MoE' : ''}, ${ids.length} positions × ${V} logits\n`,
      );
      io.out('pos    id  argmax   logit   top-3\n');
      rows.forEach((row, t) => {
        const order = row
          .map((_, i) => i)
          .sort((a, b) => row[b]! - row[a]! || a - b)
          .slice(0, 3);
        io.out(
          `${String(t).padStart(3)} ${String(ids[t]).padStart(5)} ${String(order[0]).padStart(7)} ${fmt(row[order[0]!]!)}   ${order.map((i) => `${i}:${fmt(row[i]!)}`).join(' ')}\n`,
        );
      });
    }
    if (!expected) return 0;
    if (expected.ids.join() !== ids.join()) throw new UsageError(`--ids differ from the ids in ${expectedFile}`);
    const cmp = compareLogits(data, expected.logits);
    const tol = num(args, 'tolerance');
    const ok = cmp.maxRel <= tol;
    (bool(args, 'json') ? io.err : io.out)(
      `${ok ? 'match' : 'MISMATCH'}: max |Δ| ${cmp.maxAbs.toExponential(2)}, relative ${cmp.maxRel.toExponential(2)} (tolerance ${tol})\n`,
    );
    return ok ? 0 : 1;
  },
);
