// The R1 pipeline (experiments/r1/): the cold-start and rejection filters on hand-built samples, the easy
// non-reasoning data, how stages chain, and a whole tiny pipeline on the shipped base — the same seed gives the
// same summary.json byte for byte, and a run stopped inside a stage resumes from the last finished stage and
// ends where the uninterrupted one did.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.ts';
import { R1_SMALL, STAGES, type R1Config } from '../../src/experiments/r1/config.ts';
import {
  coldStartRecords,
  coldStartReject,
  easyRecords,
  rejectionKeeps,
  rejectionRecords,
  type Sample,
} from '../../src/experiments/r1/curate.ts';
import { inputStage, runR1, stageInputs } from '../../src/experiments/r1/pipeline.ts';
import { completionFrom, mixingRate, promptFor, thinkText, verify, type Problem } from '../../src/world/index.ts';

const add = (a: number, b: number, language: Problem['language']): Problem => ({
  kind: 'add',
  prompt: `${a}+${b}`,
  answer: String(a + b),
  difficulty: 2,
  numbers: [a, b],
  language,
});
const sample = (p: Problem, think: string, answer: string): Sample => {
  const text = completionFrom(think, answer);
  const accuracy = verify(p, text).correct ? 1 : 0;
  return { problem: p, text, reward: { accuracy, format: 1 } };
};
const w = add(37, 45, 'words');
const s = add(37, 45, 'symbols');

describe('the cold-start filter', () => {
  it('keeps right traces with right steps, readable once rewritten, and writes each for both languages', () => {
    const mixedRight = sample(w, 'seven plus five is twelve 3+4+1=8 so 82', '82');
    expect(coldStartReject(mixedRight)).toBeNull();
    expect(coldStartReject(sample(w, '7+5=12 3+4+1=9 so 92', '92'))).toBe('wrong');
    expect(coldStartReject(sample(w, '', '82'))).toBe('no steps');
    expect(coldStartReject(sample(s, '7+5=13 3+4+1=8 so 82', '82'))).toBe('a wrong step');
    expect(coldStartReject(sample(w, '7+5=12 7+5=12 3+4+1=8 so 82', '82'))).toBe('unreadable');
    const records = coldStartRecords([mixedRight, sample(s, '7+5=12 3+4+1=8 so 82', '82')], 10);
    expect(records.map((r) => [r.prompt, r.completion])).toEqual([
      [promptFor(s), completionFrom('7+5=12 3+4+1=8 so 82', '82')],
      [promptFor(w), completionFrom('seven plus five is twelve three plus four plus one is eight so 82', '82')],
    ]);
  });
  it('takes one trace per question and stops at the set size', () => {
    const qs = [11, 12, 13, 14].map((b) => add(20, b, 'symbols'));
    const good = (p: Problem) =>
      sample(p, `0+${p.numbers![1]! % 10}=${p.numbers![1]! % 10} 2+1=3 so ${p.answer}`, p.answer);
    const records = coldStartRecords([...qs.map(good), good({ ...qs[0]!, language: 'words' })], 6);
    expect(records.map((r) => `${r.problem} ${r.language}`)).toEqual([
      '20+11 symbols',
      '20+11 words',
      '20+12 symbols',
      '20+12 words',
      '20+13 symbols',
      '20+13 words',
    ]);
    for (const r of records) expect(mixingRate(thinkText(r.completion), r.language as 'words')).toBe(0);
  });
});

describe('the rejection filter', () => {
  it('keeps only right and consistent traces, each once', () => {
    const right = sample(w, 'seven plus five is twelve three plus four plus one is eight so 82', '82');
    const mixed = sample(w, 'seven plus five is twelve 3+4+1=8 so 82', '82');
    const wrong = sample(w, 'seven plus five is twelve three plus four is seven so 72', '72');
    const repeated = sample(s, '7+5=12 7+5=12 3+4+1=8 so 82', '82');
    const direct = sample(s, '', '82');
    expect([right, mixed, wrong, repeated, direct].map(rejectionKeeps)).toEqual([true, false, false, false, true]);
    expect(rejectionRecords([right, mixed, right, wrong, direct]).map((r) => r.completion)).toEqual([
      right.text,
      direct.text,
    ]);
  });
  it('adds right direct answers to easy questions in both languages', () => {
    const easy = easyRecords(6, new Rng(1));
    expect(easy.map((r) => r.language)).toEqual(['symbols', 'words', 'symbols', 'words', 'symbols', 'words']);
    for (const r of easy) {
      expect(r.completion).toMatch(/^<\/think><answer>\d+<\/answer><eos>$/);
      const [a, b] = (r.problem as string).split('+').map(Number);
      expect(r.completion).toContain(`<answer>${a! + b!}</answer>`);
    }
  });
});

describe('stage chaining', () => {
  it('starts each SFT stage from the base and samples the stage before; RL continues the stage before', () => {
    expect(STAGES).toEqual(['zero', 'cold-start', 'reasoning-rl', 'rejection-sft', 'final-rl']);
    expect(stageInputs('zero', 'B', 'o')).toEqual({ from: 'B' });
    expect(stageInputs('cold-start', 'B', 'o')).toEqual({ from: 'B', source: join('o', 'zero') });
    expect(stageInputs('reasoning-rl', 'B', 'o')).toEqual({ from: join('o', 'cold-start') });
    expect(stageInputs('rejection-sft', 'B', 'o')).toEqual({ from: 'B', source: join('o', 'reasoning-rl') });
    expect(stageInputs('final-rl', 'B', 'o')).toEqual({ from: join('o', 'rejection-sft') });
    expect(STAGES.map(inputStage)).toEqual([null, 'zero', 'cold-start', 'reasoning-rl', 'rejection-sft']);
  });
});

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tinyseek-r1-'));
  dirs.push(d);
  return d;
};

/** The whole pipeline in a few seconds: one or two steps per stage, a handful of problems. */
const TINY_R1: R1Config = {
  ...R1_SMALL,
  evalSize: 2,
  evalSamples: 2,
  maxNewTokens: 80,
  rl: { ...R1_SMALL.rl, promptsPerStep: 2, groupSize: 4, evalSize: 2, evalEvery: 2 },
  zero: { steps: 2 },
  coldStart: { ...R1_SMALL.coldStart, size: 24, epochs: 1 },
  reasoningRl: { steps: 2, languageWeight: 1 },
  rejection: { ...R1_SMALL.rejection, prompts: 6, samples: 4, epochs: 1 },
  finalRl: { steps: 1, temperature: 0.7, languageWeight: 1 },
};

describe('the pipeline', () => {
  it('gives the same summary.json for the same seed, and resumes a stopped run from its last finished stage', async () => {
    const a = tmp();
    const full = await runR1(TINY_R1, { out: a });
    expect(full.stages.map((r) => r.stage)).toEqual([...STAGES]);
    for (const st of STAGES) expect(existsSync(join(a, st, 'model.safetensors'))).toBe(true);
    expect(full.stages.every((r) => r.flops > 0 && r.tokens > 0)).toBe(true);

    const b = tmp();
    const stop = new AbortController();
    const events: string[] = [];
    await runR1(TINY_R1, {
      out: b,
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.stage === 'reasoning-rl') stop.abort();
        if (e.type === 'stage-done') events.push(e.row.stage);
      },
    });
    expect(events).toEqual(['base', 'zero', 'cold-start']);
    expect(existsSync(join(b, 'reasoning-rl', 'stage.json'))).toBe(false);
    const resumed: string[] = [];
    await runR1(TINY_R1, {
      out: b,
      onEvent: (e) => void (e.type === 'stage-done' && resumed.push(`${e.row.stage}${e.resumed ? ' (kept)' : ''}`)),
    });
    expect(resumed).toEqual(['zero (kept)', 'cold-start (kept)', 'reasoning-rl', 'rejection-sft', 'final-rl']);
    expect(readFileSync(join(b, 'summary.json'), 'utf8')).toBe(readFileSync(join(a, 'summary.json'), 'utf8'));
    await expect(runR1({ ...TINY_R1, seed: 5 }, { out: b })).rejects.toThrow(/another config/);
  }, 240_000);
});
