// `tinyseek export --hf`: the exported directory loads back through tinyseek's own HF reader with the same
// weights and logits, and (pinned by fixtures/hf-export/*.check.json, recorded with transformers) loads in
// transformers with AutoModelForCausalLM / AutoTokenizer, giving tinyseek's logits and token ids.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../../src/cli/export.ts';
import { compareLogits } from '../../src/cli/logits.ts';
import { main } from '../../src/cli/main.ts';
import { noGrad } from '../../src/core/autograd.ts';
import { intTensor } from '../../src/core/tensor.ts';
import { loadModelConfig } from '../../src/cost/hf-config.ts';
import { countParams } from '../../src/cost/params.ts';
import { sameArchitecture } from '../../src/cost/shape.ts';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import type { Transformer } from '../../src/model/transformer.ts';
import { BOS_ID, decode, encode, EOS_ID, PAD_ID } from '../../src/world/index.ts';
import { IDS, SOURCE_DIRS, TOKENIZER_TEXTS } from '../../fixtures/make/hf-export.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tinyseek-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A recording IO: `text` collects what the command wrote. */
const io = () => {
  const text = { out: '', err: '' };
  return {
    text,
    io: { out: (s: string) => void (text.out += s), err: (s: string) => void (text.err += s), isTTY: false },
  };
};
const logitsOf = (m: Transformer, ids: number[]) => noGrad(() => m.forward(intTensor(ids, [1, ids.length])).dataSync());
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function exported(name: string): Promise<string> {
  const out = join(tmp, name);
  if (!existsSync(out)) {
    const r = io();
    expect(await exportCommand.run(['--hf', '--model', SOURCE_DIRS[name]!, '--out', out], r.io)).toBe(0);
  }
  return out;
}

describe('tinyseek export --hf', () => {
  it.each(Object.keys(SOURCE_DIRS))(
    '%s: reads back through the HF reader with identical weights and logits',
    async (name) => {
      const out = await exported(name);
      expect(readdirSync(out).sort()).toEqual([
        'config.json',
        'generation_config.json',
        'model.safetensors',
        'tokenizer.json',
        'tokenizer_config.json',
      ]);
      const src = loadCheckpoint(SOURCE_DIRS[name]!, { requiresGrad: false });
      const back = loadCheckpoint(out, { requiresGrad: false });
      expect(back.meta.format).toBe('hf');
      expect(back.meta.modelType).toBe(name === 'base' ? 'llama' : 'deepseek_v3');
      expect(back.model.config).toEqual(src.model.config);
      for (const [k, p] of src.model.params) expect(back.model.p(k).dataSync()).toEqual(p.dataSync());
      expect(logitsOf(back.model, IDS)).toEqual(logitsOf(src.model, IDS));
    },
  );

  it.each(Object.keys(SOURCE_DIRS))(
    '%s: transformers loaded these exact bytes and gave our logits and token ids',
    async (name) => {
      const check = JSON.parse(readFileSync(join('fixtures/hf-export', `${name}.check.json`), 'utf8'));
      const out = await exported(name);
      for (const [file, hash] of Object.entries(check.files))
        expect([file, sha256(join(out, file))]).toEqual([file, hash]);
      expect(check.model_class).toBe(name === 'base' ? 'LlamaForCausalLM' : 'DeepseekV3ForCausalLM');
      expect(check.loading).toEqual({ missing_keys: [], unexpected_keys: [], mismatched_keys: [], error_msgs: [] });
      expect(check.ids).toEqual(IDS);
      const { model } = loadCheckpoint(SOURCE_DIRS[name]!, { requiresGrad: false });
      expect(compareLogits(logitsOf(model, IDS), check.logits).maxRel).toBeLessThan(1e-4);
      // The same through `tinyseek logits --expected` on the exported directory.
      const expected = join(tmp, `${name}.expected.json`);
      writeFileSync(expected, JSON.stringify({ ids: check.ids, logits: check.logits }));
      const r = io();
      expect(await main(['logits', '--model', out, '--expected', expected], r.io)).toBe(0);
      expect(r.text.out).toMatch(/match: max \|Δ\| .* \(tolerance 0\.0001\)/);
      expect(check.special_ids).toEqual({ bos: BOS_ID, eos: EOS_ID, pad: PAD_ID });
      expect(check.tokenizer.map((c: { text: string }) => c.text)).toEqual(TOKENIZER_TEXTS);
      for (const c of check.tokenizer as { text: string; ids: number[]; decoded: string }[]) {
        expect(c.ids).toEqual(encode(c.text));
        expect(c.decoded).toBe(decode(encode(c.text)));
      }
    },
  );

  it('writes no tokenizer for a model with another vocabulary, and says so', async () => {
    const r = io();
    const out = join(tmp, 'q-lora');
    expect(await exportCommand.run(['--hf', '--model', 'fixtures/deepseek-v3/q-lora', '--out', out], r.io)).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors']);
    expect(r.text.err).toMatch(/no tokenizer written: the model's vocabulary \(64\)/);
  });

  it('refuses bad requests before writing anything', async () => {
    const run = async (...argv: string[]) => {
      const r = io();
      return { code: await main(['export', ...argv], r.io), err: r.text.err };
    };
    expect(await run('--model', 'fixtures/base', '--out', join(tmp, 'x'))).toMatchObject({
      code: 2,
      err: expect.stringMatching(/give --hf/),
    });
    expect(await run('--hf', '--model', 'fixtures/base', '--out', 'fixtures/base')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/--out must differ/),
    });
    expect(await run('--hf', '--model', 'fixtures/base/config.json', '--out', join(tmp, 'y'))).toMatchObject({
      code: 1,
      err: expect.stringMatching(/is a file, expected a directory/),
    });
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    expect(await run('--hf', '--model', 'fixtures/base', '--out', file)).toMatchObject({
      code: 1,
      err: expect.stringMatching(/exists and is a file/),
    });
    expect(existsSync(join(tmp, 'x')) || existsSync(join(tmp, 'y'))).toBe(false);
  });
});

describe('tinyseek cost model --config on a run directory', () => {
  it("counts the parameters a run's config.json describes, and matches its HF export's shape", async () => {
    const base = loadModelConfig('fixtures/base/config.json');
    const { model } = loadCheckpoint('fixtures/base', { requiresGrad: false });
    expect(countParams(base).total).toBe([...model.params.values()].reduce((n, p) => n + p.size, 0));
    for (const name of ['base', 'v3-tiny', 'v3-yarn']) {
      const run = loadModelConfig(join(SOURCE_DIRS[name]!, 'config.json'));
      const hf = loadModelConfig(join(await exported(name), 'config.json'));
      expect([name, sameArchitecture(run, hf)]).toEqual([name, true]);
    }
  });
});
