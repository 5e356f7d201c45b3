import { describe, expect, it } from 'vitest';
import { projectRl, type RlSpec } from '../../src/cost/rl.ts';
import type { StageSpec } from '../../src/cost/train.ts';
import { scenario } from './helpers.ts';

const sc = scenario('r1-zero');
const spec = (sc.stages[0] as Extract<StageSpec, { kind: 'rl' }>).rl;
const hours = (s: Partial<RlSpec>) => projectRl({ ...spec, ...s }, 512).gpuHours;

describe('R1-Zero-style RL stage', () => {
  it('runs 650 rollouts of 8,192 answers (10,400 steps × 512, 16 steps per rollout), 16 answers per GPU', () => {
    const r = projectRl(spec, 512);
    expect(r.rollouts).toBe(650);
    expect(r.answers).toBe(650 * 8192);
    expect(r.batchPerGpu).toBe(16);
  });

  it('is rollout-dominated: generating takes most of the wall time', () => {
    expect(projectRl(spec, 512).rolloutShare).toBeGreaterThan(0.5);
  });

  it('lands within a factor of three of the reported ~101K H800 GPU-hours (an illustration, not a fit)', () => {
    const h = projectRl(spec, 512).gpuHours;
    expect(h).toBeGreaterThan(101e3 / 3);
    expect(h).toBeLessThan(101e3 * 3);
  });

  it('costs more with longer caps, longer answers or a slower update', () => {
    const base = hours({});
    expect(hours({ caps: [{ untilStep: Infinity, maxLen: 65_536 }] })).toBeGreaterThan(base);
    expect(hours({ meanAnswerLen: { start: 2000, end: 20_000 } })).toBeGreaterThan(base);
    expect(hours({ updateMfu: 0.2 })).toBeGreaterThan(base);
  });
});
