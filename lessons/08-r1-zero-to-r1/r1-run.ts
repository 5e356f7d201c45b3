// Lesson 08's live run: the whole R1 pipeline (experiments/r1/) into a temporary directory, the stage table
// built row by row as each stage finishes, with the language-consistency weight as a knob.
//   full budget: `tinyseek r1 --budget small` (about 2–3 minutes on 2 cores); small (lessons check): a handful
//   of steps per stage, seconds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Budget, RunContext, RunResult } from '../../src/tui/manifest.ts';

export const SERIES = { acc: 'training accuracy %', mixing: 'mixing %' } as const;

async function configFor(budget: Budget, weight: number) {
  const { R1_SMALL } = await import('../../src/experiments/r1/config.ts');
  const c = structuredClone(R1_SMALL);
  c.reasoningRl.languageWeight = weight;
  c.finalRl.languageWeight = weight;
  if (budget === 'small') {
    Object.assign(c, { evalSize: 2, evalSamples: 2, maxNewTokens: 80 });
    c.rl = { ...c.rl, promptsPerStep: 2, groupSize: 4, evalSize: 2, evalEvery: 2 };
    c.zero = { steps: 2 };
    c.coldStart = { ...c.coldStart, size: 24, epochs: 1 };
    c.reasoningRl.steps = 2;
    c.rejection = { ...c.rejection, prompts: 6, samples: 4, epochs: 1 };
    c.finalRl.steps = 1;
  }
  return c;
}

export async function runR1Lesson(ctx: RunContext): Promise<RunResult> {
  const { runR1 } = await import('../../src/experiments/r1/pipeline.ts');
  const { tableLines } = await import('../../src/experiments/r1/table.ts');
  const weight = Number(ctx.knobs['languageWeight']);
  const c = await configFor(ctx.budget, weight);
  const out = mkdtempSync(join(tmpdir(), 'tinyseek-lesson08-'));
  const total = c.zero.steps + c.reasoningRl.steps + c.finalRl.steps;
  let rlDone = 0;
  try {
    ctx.report({
      kind: 'log',
      text: `language weight w = ${weight}; stages: zero → cold-start → reasoning-rl → rejection-sft → final-rl`,
    });
    const summary = await runR1(c, {
      out,
      signal: ctx.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.rl) {
          rlDone++;
          const metrics = { [SERIES.acc]: 100 * e.rl.accuracy, [SERIES.mixing]: 100 * e.rl.mixing };
          ctx.report({ kind: 'progress', step: rlDone, total, metrics });
        } else if (e.type === 'stage-done') {
          const r = e.row;
          ctx.report({
            kind: 'log',
            text: `${r.stage.padEnd(14)} greedy ${(100 * r.greedy).toFixed(0)}%  mixing ${(100 * r.mixing).toFixed(0)}%  readability ${(100 * r.readability).toFixed(0)}%`,
          });
        }
        void ctx.tick();
      },
    });
    const rows = [summary.base, ...summary.stages];
    const metrics: Record<string, number> = {};
    for (const r of rows) {
      metrics[`${r.stage}.greedy`] = r.greedy;
      metrics[`${r.stage}.mixing`] = r.mixing;
      metrics[`${r.stage}.mixingWords`] = r.byLanguage.words.mixing;
      metrics[`${r.stage}.readability`] = r.readability;
    }
    return { metrics, lines: tableLines(rows) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
