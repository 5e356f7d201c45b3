// Golden RL runs: short seeded runs whose every metric is pinned in fixtures/golden/rl-*.json. A change in
// sampling, advantages, the loss, the optimizer or the metrics shows up here as an exact diff.
// Regenerate deliberately with TINYSEEK_UPDATE_GOLDEN=1 npx vitest run test/rl/golden.test.ts
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../src/core/fsio.ts';
import { metricsLine } from '../../src/rl/step-metrics.ts';
import { trainRl } from '../../src/rl/trainer.ts';
import type { Variant } from '../../src/rl/config.ts';
import { dummyConfig, dummyParts, tinyConfig, tinyParts } from './setups.ts';

const DIR = join(import.meta.dirname, '../../fixtures/golden');
const update = process.env.TINYSEEK_UPDATE_GOLDEN === '1';

async function runs(): Promise<Record<string, Record<string, unknown[]>>> {
  const dummy: Record<string, unknown[]> = {};
  for (const v of ['grpo', 'dr_grpo', 'dapo', 'reinforce'] as Variant[]) {
    const lines = await trainRl(dummyParts(), dummyConfig({ variant: v, steps: 4, seed: 3 }));
    dummy[v] = lines.map((l) => JSON.parse(metricsLine(l)));
  }
  const tiny: Record<string, unknown[]> = {};
  tiny.grpo = (await trainRl(tinyParts(), tinyConfig({ seed: 3, mu: 2, minibatches: 2 }))).map((l) =>
    JSON.parse(metricsLine(l)),
  );
  tiny.ppo = (await trainRl(tinyParts(true), tinyConfig({ variant: 'ppo', seed: 3, steps: 1 }))).map((l) =>
    JSON.parse(metricsLine(l)),
  );
  return { 'rl-dummy.json': dummy, 'rl-tiny.json': tiny };
}

describe('golden RL runs', () => {
  it('reproduce the stored metrics exactly', async () => {
    const got = await runs();
    for (const [file, value] of Object.entries(got)) {
      const path = join(DIR, file);
      if (update) writeJsonAtomic(path, value);
      expect(existsSync(path), `${path} is missing: run with TINYSEEK_UPDATE_GOLDEN=1 once`).toBe(true);
      expect(value).toEqual(JSON.parse(readFileSync(path, 'utf8')));
    }
  });
});
