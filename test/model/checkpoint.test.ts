// Checkpoints: save → load is the identity; anything truncated, corrupt or mismatched is refused by name.
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { Rng } from '../../src/core/rng.ts';
import { tensor } from '../../src/core/tensor.ts';
import { INTEGRITY_KEY, loadCheckpoint, readPinnedFile, saveCheckpoint } from '../../src/model/checkpoint.ts';
import { defaultConfig, validateConfig } from '../../src/model/config.ts';
import { Transformer } from '../../src/model/transformer.ts';

const cfg = validateConfig({
  ...defaultConfig,
  dModel: 16,
  nHeads: 2,
  nKvHeads: 2,
  dFF: 32,
  nLayers: 1,
  maxSeqLen: 16,
});
const tmp = () => mkdtempSync(join(tmpdir(), 'tinyseek-ckpt-'));

describe('checkpoints', () => {
  it('save then load gives identical parameters and config', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1000 }), fc.boolean(), async (seed, tie) => {
        const c = { ...cfg, tieEmbeddings: tie };
        const m = Transformer.init(c, new Rng(seed));
        const dir = tmp();
        await saveCheckpoint(dir, m, { step: 3 });
        const { model, meta } = loadCheckpoint(dir);
        expect(model.config).toEqual(c);
        expect(meta.step).toBe(3);
        for (const [name, p] of m.params) expect(model.p(name).dataSync()).toEqual(p.dataSync());
      }),
      { numRuns: 10 },
    );
  });

  it('refuses a truncated weights file, naming it', async () => {
    const dir = tmp();
    await saveCheckpoint(dir, Transformer.init(cfg, new Rng(1)));
    const path = join(dir, 'model.safetensors');
    const bytes = readFileSync(path);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), (cut) => {
        writeFileSync(path, bytes.subarray(0, cut));
        expect(() => loadCheckpoint(dir)).toThrow(InputError);
        expect(() => loadCheckpoint(dir)).toThrow(/model\.safetensors/);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses weights that do not match the config', async () => {
    const dir = tmp();
    await saveCheckpoint(dir, Transformer.init(cfg, new Rng(1)));
    const other = tmp();
    await saveCheckpoint(other, Transformer.init({ ...cfg, dModel: 32, dFF: 64 }, new Rng(1)));
    writeFileSync(join(dir, 'model.safetensors'), readFileSync(join(other, 'model.safetensors')));
    expect(() => loadCheckpoint(dir)).toThrow(
      new RegExp(`^${dir}: incomplete checkpoint: model.safetensors does not match config.json`),
    );
    // Without the pin (a hand-made directory), the shapes are still checked.
    const path = join(dir, 'config.json');
    const { [INTEGRITY_KEY]: _pin, ...raw } = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify(raw));
    expect(() => loadCheckpoint(dir)).toThrow(/has shape/);
  });

  it('pins extra files of a save (optimizer moments) the same way', async () => {
    const dir = tmp();
    const moments = new Uint8Array([1, 2, 3, 4, 5]);
    await saveCheckpoint(dir, Transformer.init(cfg, new Rng(1)), { step: 2 }, { 'optimizer.safetensors': moments });
    expect(readPinnedFile(dir, 'optimizer.safetensors')).toEqual(moments);
    writeFileSync(join(dir, 'optimizer.safetensors'), new Uint8Array([1, 2, 3, 4, 6]));
    expect(() => readPinnedFile(dir, 'optimizer.safetensors')).toThrow(
      `${dir}: incomplete checkpoint: optimizer.safetensors does not match config.json`,
    );
    expect(loadCheckpoint(dir).meta.step).toBe(2); // the weights themselves are intact
    expect(() => readPinnedFile(dir, 'other.bin')).toThrow(/not found/);
  });

  it('reports a directory with weights but no config as incomplete, and a file given as the directory', async () => {
    const dir = tmp();
    await saveCheckpoint(dir, Transformer.init(cfg, new Rng(1)));
    rmSync(join(dir, 'config.json'));
    expect(() => loadCheckpoint(dir)).toThrow(`${dir}: incomplete checkpoint: model.safetensors without config.json`);
    expect(() => loadCheckpoint(join(dir, 'model.safetensors'))).toThrow(/is a file, expected a checkpoint directory/);
  });

  it('refuses NaN and ±Inf weights by tensor name, unless allowNonfinite', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(NaN, Infinity, -Infinity), fc.nat(), fc.nat(), async (bad, which, at) => {
        const init = Transformer.init(cfg, new Rng(2));
        const names = [...init.params.keys()];
        const name = names[which % names.length]!;
        const data = Float32Array.from(init.p(name).dataSync());
        data[at % data.length] = bad;
        const m = new Transformer(
          cfg,
          new Map([...init.params].map(([k, p]) => [k, k === name ? tensor(data, p.shape) : p])),
        );
        const dir = tmp();
        await saveCheckpoint(dir, m);
        expect(() => loadCheckpoint(dir)).toThrow(InputError);
        expect(() => loadCheckpoint(dir)).toThrow(
          `tensor ${name} holds 1 non-finite value(s), first ${bad} at index ${at % data.length}`,
        );
        const { model } = loadCheckpoint(dir, { allowNonfinite: true });
        expect(Object.is(model.p(name).dataSync()[at % data.length], bad)).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  it('refuses a bad config with a message naming the file and the key', async () => {
    const dir = tmp();
    await saveCheckpoint(dir, Transformer.init(cfg, new Rng(1)));
    const path = join(dir, 'config.json');
    const raw = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...raw, model: { ...raw.model, nHeads: 3 } }));
    expect(() => loadCheckpoint(dir)).toThrow(/config\.json.*not divisible/);
    writeFileSync(path, '{"model": ');
    expect(() => loadCheckpoint(dir)).toThrow(/not valid JSON/);
    expect(() => loadCheckpoint(join(dir, 'nope'))).toThrow(/not found/);
  });
});
