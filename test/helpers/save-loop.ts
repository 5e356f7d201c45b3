// A child process for the crash-safe save test: saves checkpoints to argv[2] forever, every parameter of the
// checkpoint for step s equal to s, and an extra file (standing for optimizer moments) of 64K float32 values
// all equal to s; prints "ready" after the first complete save. The parent kills it (SIGKILL).
import { chooseBackend } from '../../src/backend/choose.ts';
import { Rng } from '../../src/core/rng.ts';
import { tensor } from '../../src/core/tensor.ts';
import { saveCheckpoint } from '../../src/model/checkpoint.ts';
import { defaultConfig, validateConfig } from '../../src/model/config.ts';
import { Transformer } from '../../src/model/transformer.ts';

chooseBackend();
const dir = process.argv[2]!;
const cfg = validateConfig({
  ...defaultConfig,
  dModel: 64,
  nHeads: 4,
  nKvHeads: 4,
  dFF: 128,
  nLayers: 2,
  maxSeqLen: 16,
});
const shapes = [...Transformer.init(cfg, new Rng(0)).params].map(([name, p]) => [name, p.shape] as const);
for (let step = 1; ; step++) {
  const params = new Map(
    shapes.map(([name, shape]) => [name, tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(step), shape)]),
  );
  const extra = new Uint8Array(new Float32Array(65536).fill(step).buffer);
  await saveCheckpoint(dir, new Transformer(cfg, params), { step }, { 'optimizer.bin': extra });
  if (step === 1) process.stdout.write('ready\n');
}
