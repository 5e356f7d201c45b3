// Held-out accuracy: greedy (or sampled) completions of unseen problems in the R1-Zero template, scored by the
// rule-based verifier. Also the statistics a learner watches: response and think length, format rate.
import { Rng } from '../core/rng.ts';
import { generate } from '../model/generate.ts';
import type { Transformer } from '../model/transformer.ts';
import { ANSWER_END_ID, EOS_ID, PAD_ID, decode, encode, promptFor, rewardBreakdown, thinkLength, type Problem } from '../world/index.ts';

export interface EvalResult {
  accuracy: number;
  formatRate: number;
  truncatedRate: number;
  meanLength: number;
  meanThinkLength: number;
  samples: { prompt: string; completion: string; correct: boolean; reason: string }[];
}

export interface EvalOptions {
  maxNewTokens: number;
  temperature?: number;
  seed?: number;
  batchSize?: number;
}

export async function evaluate(model: Transformer, problems: Problem[], opts: EvalOptions): Promise<EvalResult> {
  const bs = opts.batchSize ?? 64;
  const rng = new Rng(opts.seed ?? 0).child('eval');
  const samples: EvalResult['samples'] = [];
  let correct = 0, formatted = 0, truncated = 0, length = 0, think = 0;
  for (let i = 0; i < problems.length; i += bs) {
    const chunk = problems.slice(i, i + bs);
    const gens = await generate(model, chunk.map((p) => encode(promptFor(p))), {
      maxNewTokens: opts.maxNewTokens, temperature: opts.temperature ?? 0, stopIds: [EOS_ID, ANSWER_END_ID], padId: PAD_ID,
      rng: chunk.map((_, j) => rng.child(`p${i + j}`)),
    });
    gens.forEach((g, j) => {
      const text = decode(g.tokens);
      const r = rewardBreakdown(chunk[j]!, text, { truncated: g.finish === 'length' });
      correct += r.accuracy;
      formatted += r.format;
      truncated += r.truncated ? 1 : 0;
      length += g.tokens.length;
      think += thinkLength(text);
      samples.push({ prompt: chunk[j]!.prompt, completion: text, correct: r.accuracy === 1, reason: r.reason });
    });
  }
  const n = Math.max(1, problems.length);
  return { accuracy: correct / n, formatRate: formatted / n, truncatedRate: truncated / n, meanLength: length / n, meanThinkLength: think / n, samples };
}
