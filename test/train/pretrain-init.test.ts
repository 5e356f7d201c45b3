// Continued pretraining (PretrainConfig.init, the r1 preset): the run starts from the checkpoint's weights,
// and a checkpoint of another shape is refused by name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { saveCheckpoint } from '../../src/model/checkpoint.ts';
import { defaultConfig } from '../../src/model/config.ts';
import { Transformer } from '../../src/model/transformer.ts';
import { defaultPretrain, pretrain, type PretrainConfig } from '../../src/train/pretrain.ts';
import { vocabSize } from '../../src/world/index.ts';

const model = { ...defaultConfig, vocabSize, dModel: 16, nHeads: 2, nKvHeads: 2, dFF: 32, nLayers: 1, maxSeqLen: 64 };
const tiny: PretrainConfig = {
  ...defaultPretrain,
  model,
  steps: 1,
  batchSize: 2,
  seqLen: 32,
  eval: { ...defaultPretrain.eval, every: 100, n: 2, maxNewTokens: 4 },
};
const dir = mkdtempSync(join(tmpdir(), 'tinyseek-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('continued pretraining', () => {
  it('starts from the checkpoint (its first loss is not a fresh model’s) and refuses another shape', async () => {
    const start = Transformer.init(model, new Rng(42).child('init'));
    await saveCheckpoint(dir, start);
    const fresh = await pretrain(tiny);
    const continued = await pretrain({ ...tiny, init: dir });
    const again = await pretrain({ ...tiny, init: dir });
    expect(continued.metrics[0]!.loss).not.toBe(fresh.metrics[0]!.loss);
    expect(again.metrics).toEqual(continued.metrics);
    await expect(pretrain({ ...tiny, model: { ...model, dFF: 48 }, init: dir })).rejects.toThrow(
      /another model config/,
    );
  });
});
