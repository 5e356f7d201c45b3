// The pretraining presets and the base checkpoints shipped in fixtures/: each fixture is its preset run with
// its defaults (the fixture's README gives the command), and the aha base never read RL's held-out problems.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RL } from '../../src/rl/config.ts';
import { COUNTDOWN_SEARCH_PRESETS } from '../../src/train/countdown-presets.ts';
import { PRESET_NAMES, PRETRAIN_PRESETS } from '../../src/train/presets.ts';
import { heldOutSet } from '../../src/world/index.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const shipped = {
  base: 'base',
  aha: 'aha-base',
  r1: 'r1-base',
  'countdown-compare-drill': 'countdown-search/drill',
  'countdown-search': 'countdown-search/base',
  'countdown-search-kept': 'countdown-search/kept',
} as const;
const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

describe('pretraining presets', () => {
  it.each(Object.keys(shipped) as (keyof typeof shipped)[])(
    'fixtures/ holds the %s preset run to its last step',
    (name) => {
      const cfg = JSON.parse(readFileSync(join(FIXTURES, shipped[name], 'config.json'), 'utf8'));
      const preset = PRETRAIN_PRESETS[name];
      expect({ model: cfg.model, ...cfg.pretrain }).toEqual(plain(preset));
      expect(cfg.step).toBe(preset.steps);
    },
  );

  it("keeps RL's held-out problems out of the aha corpus: they open the preset's held-out set", () => {
    const { eval: e } = PRETRAIN_PRESETS.aha;
    const [task] = DEFAULT_RL.tasks;
    expect({ kind: task!.kind, difficulty: task!.difficulty }).toEqual({ kind: e.kind, difficulty: e.difficulty });
    expect(DEFAULT_RL.evalSize).toBeLessThanOrEqual(e.n);
    const rl = heldOutSet(task!.kind, task!.difficulty, DEFAULT_RL.evalSize, DEFAULT_RL.heldOutSeed);
    expect(heldOutSet(e.kind, e.difficulty, e.n).slice(0, rl.length)).toEqual(rl);
  });

  it('offers every primed Countdown base as a preset, identical but for the corpus', () => {
    const cd = PRESET_NAMES.filter((n) => n.startsWith('countdown-') && !(n in COUNTDOWN_SEARCH_PRESETS));
    expect(cd).toHaveLength(9);
    const strip = (n: (typeof PRESET_NAMES)[number]) => plain({ ...PRETRAIN_PRESETS[n], mix: undefined });
    for (const n of cd) expect(strip(n)).toEqual(strip(cd[0]!));
  });
});
