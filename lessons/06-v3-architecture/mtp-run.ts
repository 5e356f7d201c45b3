// Lesson 06's MTP run: src/experiments/mtp.ts, which trains the same tiny model with and without one MTP
// module (D = 1), then decodes held-out prompts greedily and speculatively (the MTP module drafts the
// token after next; the next main pass verifies it). Budget 'small': 10 training steps and one prompt per
// problem kind (seconds, an untrained model: acceptance is whatever chance gives). Budget 'full': the
// knob's steps. The experiment awaits its progress hook after every training step: there the run yields to
// the player (redraw, keys) and, once the learner cancels, throws to stop (the player keeps the last numbers).
import type { RunContext, RunResult } from '../../src/tui/manifest.ts';

interface Decoding {
  acceptanceRate: number;
  tokensPerForward: number;
  greedyForwards: number;
  mainForwards: number;
  tokens: number;
  identicalToGreedy: boolean;
}

export async function mtpRun(ctx: RunContext): Promise<RunResult> {
  const { runMtp, MTP_DEFAULTS } = await import('../../src/experiments/mtp.ts');
  const small = ctx.budget === 'small';
  const config = {
    ...MTP_DEFAULTS,
    steps: small ? 10 : Number(ctx.knobs['steps']),
    prompts: small ? 1 : 2,
    maxNewTokens: small ? 16 : 40,
  };
  let last = 0;
  const report = await runMtp(config, {
    onProgress: async (done, total, info) => {
      if (done - last >= Math.max(1, Math.floor(total / 40)) || done === total) {
        last = done;
        ctx.report({ kind: 'progress', step: done, total });
        if (done === total) ctx.report({ kind: 'log', text: info });
      }
      await ctx.tick();
      if (ctx.signal.aborted) throw new Error('cancelled');
    },
  });
  await ctx.tick();
  const summary = report.summary as {
    decoding: Decoding;
    teacherForced: { agreement: number; accuracy: number; positions: number };
    heldOut: { depth: number; loss: number }[];
  };
  const d = summary.decoding,
    tf = summary.teacherForced;
  const [without, withMtp] = [summary.heldOut.find((h) => h.depth === 0)!, summary.heldOut.find((h) => h.depth === 1)!];
  return {
    metrics: {
      steps: config.steps,
      acceptanceRate: d.acceptanceRate,
      tokensPerForward: d.tokensPerForward,
      agreement: tf.agreement,
      heldOutLossWithout: without.loss,
      heldOutLossWith: withMtp.loss,
      identical: d.identicalToGreedy ? 1 : 0,
    },
    lines: [
      `trained ${config.steps} steps each; held-out main-model loss: without MTP ${without.loss.toFixed(3)}, with MTP ${withMtp.loss.toFixed(3)}`,
      `speculative decoding: ${d.tokens} tokens, ${d.greedyForwards} → ${d.mainForwards} main forward passes, acceptance ${(100 * d.acceptanceRate).toFixed(0)}%, ${d.tokensPerForward.toFixed(2)} tokens per pass`,
      `output identical to greedy decoding: ${d.identicalToGreedy ? 'yes' : 'NO (a bug)'}`,
      `teacher-forced on held-out text: the draft equals the main model's next choice at ${(100 * tf.agreement).toFixed(0)}% of ${tf.positions} positions`,
      ...(small ? ['(small budget: 10 training steps, so these numbers say little; use the full budget)'] : []),
    ],
  };
}
