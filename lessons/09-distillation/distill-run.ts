// Lesson 09's run: distillation and RL side by side on the shipped 15k student, at equal compute. The shipped
// 104k teacher (fixtures/distill/teacher-104k, the aha recipe) answers `traces` training problems G = 4 times;
// its right answers (rejection sampling) fine-tune the student; then the same student base gets GRPO until it
// has spent the same FLOPs as the distillation did (trace generation + SFT; the teacher's own cost is left out,
// which favours distillation — the prose says by how much). The same code as `tinyseek experiment
// distill-vs-rl` (src/experiments/distill-arms.ts), without the run directory.
// Budget 'small' (lessons check, CI): 8 problems × 2 answers, 4 held-out problems, a few RL steps at most.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KnobValue, RunContext, RunResult } from '../../src/tui/manifest.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/distill/', import.meta.url));
const STUDENT = join(FIXTURES, 'student-15k');
const TEACHER = join(FIXTURES, 'teacher-104k');

export const SERIES = {
  distill: 'distilled student, held-out greedy (%)',
  rl: 'RL student at equal FLOPs, held-out greedy (%)',
} as const;

function plan(budget: 'small' | 'full', knobs: Record<string, KnobValue>) {
  return budget === 'small'
    ? { problems: 8, samples: 2, evalProblems: 4, epochs: 1, every: 2, maxRl: 3 }
    : { problems: Number(knobs['traces']), samples: 4, evalProblems: 32, epochs: 10, every: 16, maxRl: 400 };
}

export async function runDistillLesson(ctx: RunContext): Promise<RunResult> {
  const { ComputeLedger } = await import('../../src/cost/ledger.ts');
  const { chargePretrain } = await import('../../src/experiments/distill-ledger.ts');
  const { distillStage, RlStage, sampleTeacher } = await import('../../src/experiments/distill-arms.ts');
  const { resolveRlConfig } = await import('../../src/rl/config.ts');
  const p = plan(ctx.budget, ctx.knobs);
  const task = { kind: 'add' as const, difficulty: 2 };
  const dir = mkdtempSync(join(tmpdir(), 'tinyseek-lesson09-'));
  try {
    const ledger = chargePretrain(new ComputeLedger(), STUDENT, 'student/pretrain');
    const base = ledger.total().flops;
    ctx.report({ kind: 'log', text: `the 104k teacher answers ${p.problems} problems ${p.samples} times each…` });
    const rollouts = await sampleTeacher(
      TEACHER,
      task,
      { problems: p.problems, samples: p.samples, temperature: 1, maxNewTokens: 100 },
      p.evalProblems,
      0,
      ledger,
    );
    await ctx.tick();
    const right = rollouts.filter((r) => r.reward.accuracy === 1).length;
    ctx.report({ kind: 'log', text: `${right} of ${rollouts.length} teacher answers are right; SFT of the student…` });
    const d = await distillStage(
      STUDENT,
      rollouts,
      p.samples,
      'first',
      { epochs: p.epochs, batchSize: 16, lr: 1e-2, warmup: 2, curveEvery: p.every },
      { task, problems: p.evalProblems, maxNewTokens: 100 },
      0,
      dir,
      ledger,
      { signal: ctx.signal, onStep: () => ctx.tick() },
    );
    const sftSteps = d.steps;
    const total = sftSteps + p.maxRl;
    d.curve.forEach(([, acc], i) =>
      ctx.report({
        kind: 'progress',
        step: Math.round((i * sftSteps) / Math.max(1, d.curve.length - 1)),
        total,
        metrics: { [SERIES.distill]: 100 * acc },
      }),
    );
    const spent = ledger.total().flops - base;

    // RL from the same base until it has spent `spent` FLOPs.
    const rlLedger = chargePretrain(new ComputeLedger(), STUDENT, 'student/pretrain');
    const rl = resolveRlConfig(
      { seed: 0, steps: p.maxRl, evalEvery: p.every, evalSize: p.evalProblems, evalSamples: 0 },
      'lesson 09',
    );
    const stage = new RlStage(STUDENT, rl, rlLedger);
    await stage.run(
      { steps: p.maxRl, flops: base + spent },
      async (s) => {
        const acc = stage.curve.at(-1)?.[1];
        ctx.report({
          kind: 'progress',
          step: sftSteps + s,
          total,
          metrics: acc === undefined ? {} : { [SERIES.rl]: 100 * acc },
        });
        await ctx.tick();
      },
      ctx.signal,
    );
    const distilled = d.curve.at(-1)![1],
      before = d.curve[0]![1],
      rlAcc = stage.curve.at(-1)![1];
    const rlSpent = rlLedger.total().flops - base;
    return {
      metrics: {
        records: d.records,
        before: 100 * before,
        distilled: 100 * distilled,
        rl: 100 * rlAcc,
        rlSteps: stage.steps,
        flops: spent,
        rlFlops: rlSpent,
      },
      lines: [
        `held-out 2-digit greedy accuracy of the 15k student: ${(100 * before).toFixed(0)}% at the start`,
        `distilled (${d.records} right teacher answers, ${sftSteps} SFT steps, ${spent.toExponential(2)} FLOPs): ${(100 * distilled).toFixed(0)}%`,
        `RL from the same base, ${stage.steps} GRPO steps, ${rlSpent.toExponential(2)} FLOPs: ${(100 * rlAcc).toFixed(0)}%`,
        `(${p.evalProblems} held-out problems: roughly ±${(100 / Math.sqrt(p.evalProblems)).toFixed(0)} points of noise)`,
        ...(ctx.budget === 'small' ? ['(small budget: proves the plumbing, not the comparison)'] : []),
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
