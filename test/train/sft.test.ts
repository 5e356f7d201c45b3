// Supervised fine-tuning: the loss sees completion tokens only, bad data is refused line by line before
// anything is written, and runs are deterministic and resumable like every run of the one training loop.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backward } from '../../src/core/autograd.ts';
import { crossEntropy } from '../../src/core/ops/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { tensor } from '../../src/core/tensor.ts';
import { saveCheckpoint } from '../../src/model/checkpoint.ts';
import { defaultConfig } from '../../src/model/config.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { main } from '../../src/cli/main.ts';
import { readSftFile, solvedRecords, writeSftFile } from '../../src/train/sft-data.ts';
import { defaultSft, sft, sftBatch, sftOrder, type SftConfig } from '../../src/train/sft.ts';
import { encode, vocabSize } from '../../src/world/index.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'tinyseek-sft-'));
const io = () => {
  const o = { out: '', err: '', isTTY: false };
  return {
    ...o,
    io: { out: (s: string) => void (o.out += s), err: (s: string) => void (o.err += s), isTTY: false },
    get text() {
      return o;
    },
  };
};

/** A tiny random base checkpoint and 24 worked-solution records. */
async function setup(): Promise<{ base: string; data: string; cfg: SftConfig }> {
  const dir = tmp();
  const base = join(dir, 'base');
  const model = Transformer.init(
    { ...defaultConfig, vocabSize, dModel: 16, nLayers: 1, nHeads: 2, nKvHeads: 2, dFF: 32, maxSeqLen: 64 },
    new Rng(5).child('init'),
  );
  await saveCheckpoint(base, model, {});
  const data = join(dir, 'data.jsonl');
  writeSftFile(data, solvedRecords('add', [1, 2], 24, 'worked', new Rng(1), new Set()));
  const cfg: SftConfig = {
    ...defaultSft,
    base,
    data,
    steps: 6,
    batchSize: 4,
    warmup: 1,
    eval: { every: 3, kind: 'add', difficulty: 1, n: 4, maxNewTokens: 8 },
  };
  return { base, data, cfg };
}

describe('the SFT batch', () => {
  const exArb = fc.array(
    fc.record({
      prompt: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 6 }),
      completion: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 8 }),
    }),
    { minLength: 1, maxLength: 5 },
  );

  it('has a target exactly at each completion token, and −1 on prompt and padding', () => {
    fc.assert(
      fc.property(exArb, (exs) => {
        const b = sftBatch(exs);
        const [B, T] = b.targets.shape as [number, number];
        const tg = [...b.targets.dataSync()];
        exs.forEach((e, r) => {
          const want = Array.from({ length: T }, (_, t) =>
            t + 1 >= e.prompt.length && t + 1 < e.prompt.length + e.completion.length
              ? [...e.prompt, ...e.completion][t + 1]!
              : -1,
          );
          expect(tg.slice(r * T, (r + 1) * T)).toEqual(want);
        });
        expect(b.tokens).toBe(exs.reduce((s, e) => s + e.completion.length, 0));
        expect(B).toBe(exs.length);
      }),
    );
  });

  it('lets no gradient flow from prompt tokens: the loss gradient is zero at every prompt and padding position', () => {
    fc.assert(
      fc.property(exArb, fc.integer({ min: 0, max: 1000 }), (exs, seed) => {
        const b = sftBatch(exs);
        const [B, T] = b.targets.shape as [number, number];
        const V = 51,
          rng = new Rng(seed);
        const logits = tensor(
          Array.from({ length: B * T * V }, () => rng.normal()),
          [B, T, V],
          { requiresGrad: true },
        );
        backward(crossEntropy(logits, b.targets));
        const g = logits.grad!.dataSync(),
          tg = b.targets.dataSync();
        for (let i = 0; i < B * T; i++) {
          const norm = Math.hypot(...g.subarray(i * V, (i + 1) * V));
          if (tg[i]! < 0) expect(norm).toBe(0);
          else expect(norm).toBeGreaterThan(0);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('visits every record once per epoch, in a seeded order', () => {
    const n = 10,
      B = 4,
      steps = 5; // 20 positions: two epochs
    const seen = Array.from({ length: steps }, (_, s) => sftOrder(n, B, 3, s)).flat();
    expect([...seen.slice(0, 10)].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect([...seen.slice(10, 20)].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(seen.slice(0, 10)).not.toEqual([...Array(10).keys()]);
    expect(sftOrder(n, B, 3, 2)).toEqual(sftOrder(n, B, 3, 2));
  });
});

describe('SFT data files', () => {
  it('reports every bad line as FILE:LINE: what is wrong', () => {
    const f = join(tmp(), 'bad.jsonl');
    const long = 'a'.repeat(100);
    writeFileSync(
      f,
      [
        JSON.stringify({ prompt: '<bos>q:1+1=?\na:<think>', completion: '2</think><answer>2</answer><eos>' }),
        'not json',
        JSON.stringify({ prompt: 'x' }),
        JSON.stringify({ prompt: 'q', completion: 'é' }),
        JSON.stringify({ prompt: 'q', completion: long }),
        JSON.stringify({ prompt: 3, completion: 'x' }),
        '',
      ].join('\n'),
    );
    let msg = '';
    try {
      readSftFile(f, 64);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${f}:2: not valid JSON`)),
      `${f}:3: missing field "completion"`,
      expect.stringMatching(new RegExp(`^${f}:4: "completion": .*U\\+00E9`)),
      `${f}:5: prompt + completion is 101 tokens, longer than the model's context of 64`,
      `${f}:6: "prompt" must be a string, got 3`,
    ]);
  });

  it('round-trips records written by solvedRecords', () => {
    const f = join(tmp(), 'ok.jsonl');
    const recs = solvedRecords('add', [2], 5, 'worked', new Rng(2), new Set());
    writeSftFile(f, recs);
    const { records, examples } = readSftFile(f, 128);
    expect(records).toEqual(recs);
    expect(examples[0]!.prompt).toEqual(encode(recs[0]!.prompt));
  });
});

describe('sft runs', () => {
  it('the same seed twice writes byte-identical metrics and weights', async () => {
    const { cfg } = await setup();
    const a = tmp(),
      b = tmp();
    await sft(cfg, { out: a });
    await sft(cfg, { out: b });
    for (const f of ['metrics.jsonl', 'model.safetensors', 'config.json'])
      expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);
  });

  it('an interrupted run resumed from its checkpoint ends exactly where an uninterrupted one does', async () => {
    const { cfg } = await setup();
    const whole = tmp(),
      parts = tmp();
    await sft(cfg, { out: whole });
    const stop = new AbortController();
    await sft(cfg, {
      out: parts,
      onStep: (m) => {
        if (m.step === 2) stop.abort();
      },
      signal: stop.signal,
    });
    expect(JSON.parse(readFileSync(join(parts, 'config.json'), 'utf8')).step).toBe(2);
    await sft(cfg, { out: parts, resume: true });
    for (const f of ['metrics.jsonl', 'model.safetensors', 'config.json'])
      expect(readFileSync(join(parts, f)).equals(readFileSync(join(whole, f)))).toBe(true);
  });

  it('the CLI refuses a malformed file by line, exit 1, one message, nothing written', async () => {
    const { base } = await setup();
    const data = join(tmp(), 'bad.jsonl'),
      out = join(tmp(), 'run');
    writeFileSync(data, '{"prompt": "q", "completion": "a"}\n{"prompt": "q"}\n');
    const r = io();
    expect(await main(['sft', '--model', base, '--data', data, '--out', out], r.io)).toBe(1);
    expect(r.text.err).toBe(`tinyseek: ${data}:2: missing field "completion"\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('the CLI trains from traces written by tinyseek traces', async () => {
    const { base } = await setup();
    const dir = tmp(),
      data = join(dir, 'w.jsonl'),
      out = join(dir, 'run');
    const r = io();
    expect(await main(['traces', '--out', data, '--n', '16'], r.io)).toBe(0);
    expect(
      await main(
        [
          'sft',
          '--model',
          base,
          '--data',
          data,
          '--out',
          out,
          '--steps',
          '2',
          '--batch-size',
          '4',
          '--eval-n',
          '4',
          '--eval-difficulty',
          '1',
        ],
        r.io,
      ),
    ).toBe(0);
    expect(r.text.out).toMatch(/held-out 1-digit add, greedy, 4 problems: \d+\.\d% before → \d+\.\d% at step 2/);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
