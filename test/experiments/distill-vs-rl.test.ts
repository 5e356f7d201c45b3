// The distillation experiment on the shipped student and teacher, at a micro budget: every arm's FLOPs are the
// sum of its phases (the teacher's inside the distilled arms), the distillation data holds only verified-right
// teacher answers, pass@k is monotone in k, A is stopped at B's and C's spend, and the same seed gives the same
// summary.json.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { distillCommand } from '../../src/cli/distill.ts';
import type { IO } from '../../src/cli/command.ts';
import {
  DISTILL_BUDGETS,
  runDistillVsRl,
  SHIPPED,
  type ArmResult,
  type DistillVsRlConfig,
} from '../../src/experiments/distill-vs-rl.ts';
import { readCheckpointConfig } from '../../src/model/checkpoint.ts';
import { parameterCount } from '../../src/model/config.ts';
import { RunInterrupted } from '../../src/train/trainer.ts';
import { formatReward, verify } from '../../src/world/index.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tinyseek-distill-'));
  dirs.push(d);
  return d;
};

const MICRO: DistillVsRlConfig = {
  ...DISTILL_BUDGETS.small,
  traces: { problems: 8, samples: 2, temperature: 1, maxNewTokens: 48 },
  sft: { epochs: 1, batchSize: 4, lr: 3e-3, warmup: 0, curveEvery: 1 },
  rlSteps: 1,
  rlMaxSteps: 3,
  rl: { promptsPerStep: 2, groupSize: 2, maxNewTokens: 48 },
  curveEvery: 1,
  eval: { problems: 2, samples: 4, temperature: 0.6, maxNewTokens: 48 },
};

const params = (dir: string) => parameterCount(readCheckpointConfig(dir).config);

describe('the shipped student and teachers', () => {
  it('are a student ≤ 1/4 of the 104k aha model and teachers 4–8× its size', () => {
    const s = params(SHIPPED.student);
    expect(s).toBeLessThanOrEqual(104128 / 4);
    for (const t of SHIPPED.teachers) {
      expect(params(t) / s).toBeGreaterThanOrEqual(4);
      expect(params(t) / s).toBeLessThanOrEqual(8);
    }
    expect(new Set(SHIPPED.teachers.map(params)).size).toBe(SHIPPED.teachers.length);
  });
});

describe('tinyseek experiment distill-vs-rl (micro budget)', () => {
  let out: string;
  let arms: ArmResult[];
  beforeAll(async () => {
    out = tmp();
    await runDistillVsRl(MICRO, out);
    arms = (JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { arms: ArmResult[] }).arms;
  }, 120_000);

  it('has every arm, the teachers and the base, and the plots', () => {
    expect(arms.map((a) => a.arm)).toEqual([
      'teacher-104k',
      'teacher-72k',
      'student',
      'A-rl-at-B',
      'A-rl',
      'B-distill',
      'C-distill-rl',
      'D-short',
      'D-long',
      'E-teacher-72k',
    ]);
    for (const f of ['pass-at-k.svg', 'pass-at-k-harder.svg']) expect(existsSync(join(out, f))).toBe(true);
  });

  it("counts every arm's FLOPs as the sum of its phases, the teacher's own cost inside the distilled arms", () => {
    const by = (n: string) => arms.find((a) => a.arm === n)!;
    for (const a of arms) {
      const phases = Object.entries(a.ledger);
      expect(a.flops).toBeCloseTo(
        phases.reduce((s, [, p]) => s + p.flops, 0),
        -1,
      );
      const teacher = phases.filter(([p]) => p.startsWith('teacher/')).reduce((s, [, p]) => s + p.flops, 0);
      if (!a.arm.startsWith('teacher')) expect(a.flopsWithoutTeacher).toBeCloseTo(a.flops - teacher, -1);
    }
    const B = by('B-distill'),
      C = by('C-distill-rl');
    expect(Object.keys(B.ledger)).toEqual([
      'student/pretrain',
      'traces',
      'sft',
      'teacher/pretrain',
      'teacher/rl/rollout',
      'teacher/rl/reference',
      'teacher/rl/train',
    ]);
    // The teacher's cost inside B is the teacher arm's whole cost; C is B plus its RL.
    expect(B.flops - B.flopsWithoutTeacher).toBeCloseTo(by('teacher-104k').flops, -1);
    const rl = Object.entries(C.ledger).filter(([p]) => p.startsWith('rl/'));
    expect(C.flops).toBeCloseTo(B.flops + rl.reduce((s, [, p]) => s + p.flops, 0), -1);
    // A is RL only, stopped once it has spent what B (A-rl-at-B) and C (A-rl) spent without the teacher.
    const A1 = by('A-rl-at-B'),
      A2 = by('A-rl');
    expect(Object.keys(A1.ledger)).toEqual(['student/pretrain', 'rl/rollout', 'rl/reference', 'rl/train']);
    expect(A1.flops === A1.flopsWithoutTeacher).toBe(true);
    expect(A1.flops >= B.flopsWithoutTeacher || A1.steps === MICRO.rlMaxSteps).toBe(true);
    expect(A2.flops >= C.flopsWithoutTeacher || A2.steps === MICRO.rlMaxSteps).toBe(true);
    expect(A2.steps!).toBeGreaterThanOrEqual(A1.steps!);
  });

  it('distils only verified-right teacher answers', () => {
    for (const arm of ['B-distill', 'D-short', 'D-long', 'E-teacher-72k']) {
      const lines = readFileSync(join(out, arm, 'traces.jsonl'), 'utf8')
        .trim()
        .split('\n');
      for (const line of lines) {
        const r = JSON.parse(line) as { completion: string; problem: string; answer: string };
        expect(verify({ kind: 'add', difficulty: 2, prompt: r.problem, answer: r.answer }, r.completion).correct).toBe(
          true,
        );
        expect(formatReward(r.completion)).toBe(1);
      }
    }
    const len = (arm: string) =>
      readFileSync(join(out, arm, 'traces.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { tokens: number }).tokens);
    const [short, long] = [len('D-short'), len('D-long')];
    expect(short.length).toBe(long.length);
    short.forEach((s, i) => expect(s).toBeLessThanOrEqual(long[i]!));
  });

  it('reports pass@k monotone in k, from pass@1 up to the sample count, on both splits', () => {
    for (const a of arms)
      for (const p of [a.passAtK, a.harder.passAtK]) {
        const ks = Object.keys(p).map(Number);
        expect(ks).toEqual([1, 2, 4]);
        for (let i = 1; i < ks.length; i++) expect(p[String(ks[i])]!).toBeGreaterThanOrEqual(p[String(ks[i - 1])]!);
        expect(p['1']).toBeCloseTo(p === a.passAtK ? a.pass1 : a.harder.pass1, 12);
      }
  });

  it('stops at Ctrl-C between stages, and --resume ends with the uninterrupted summary.json', async () => {
    const parts = tmp();
    const ctl = new AbortController();
    const hooks = {
      signal: ctl.signal,
      onProgress: (_d: number, _t: number, info: string) => void (info.startsWith('B-distill') && ctl.abort()),
    };
    await expect(runDistillVsRl(MICRO, parts, hooks)).rejects.toThrow(RunInterrupted);
    expect(existsSync(join(parts, 'summary.json'))).toBe(false);
    await runDistillVsRl(MICRO, parts, { resume: true });
    expect(readFileSync(join(parts, 'summary.json'), 'utf8')).toBe(readFileSync(join(out, 'summary.json'), 'utf8'));
  }, 120_000);

  it('gives the same summary.json for the same seed', async () => {
    const again = tmp();
    await runDistillVsRl(MICRO, again);
    expect(readFileSync(join(again, 'summary.json'), 'utf8')).toBe(readFileSync(join(out, 'summary.json'), 'utf8'));
  }, 120_000);
});

describe('tinyseek distill', () => {
  const io: IO = { isTTY: false, out: () => {}, err: () => {} };
  it('refuses a teacher directory without a checkpoint, before writing anything', async () => {
    const out = join(tmp(), 'run');
    await expect(distillCommand.run(['--teacher', tmp(), '--out', out], io)).rejects.toThrow(InputError);
    expect(existsSync(out)).toBe(false);
  });
});
