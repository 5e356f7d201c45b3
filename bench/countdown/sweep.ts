// Device sweep for issue 16 (not library code: it reads the clock). One job per process: pretrain a primed
// Countdown base, measure what RL can amplify (greedy verification tests: pass@1, step and check accuracy,
// intervention catch rate; sampled pass@1/pass@8 at τ = 1 on the RL held-out split), then run R1-Zero RL
// (runAha) from it for at most `rlSeconds` and print both as JSON lines.
//   node sweep.mjs '<job JSON>' <outDir> <jobSeconds>   (RL stops 30 s before the job's budget)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseBackend } from '../../src/backend/choose.ts';
import { Rng } from '../../src/core/rng.ts';
import { defaultConfig } from '../../src/model/config.ts';
import { transformerPolicy } from '../../src/model/policy.ts';
import { DEFAULT_RL } from '../../src/rl/config.ts';
import { evaluate } from '../../src/train/eval.ts';
import { pretrain } from '../../src/train/pretrain.ts';
import { countdownPreset } from '../../src/train/countdown-presets.ts';
import { heldOutSet, vocabSize } from '../../src/world/index.ts';
import { countdownVerify } from '../../src/experiments/countdown-verify.ts';
import { runAha } from '../../src/experiments/aha.ts';
import type { PrimingCondition } from '../../src/world/countdown/priming.ts';

interface Job {
  name: string;
  condition: PrimingCondition;
  steps: number;
  dModel: number;
  nLayers: number;
  dFF: number;
  batch: number;
  seqLen: number;
  lr: number;
  lo: number;
  hi: number;
  seed: number;
  rlSteps: number;
  maxNew: number;
  /** Wall-clock seconds of pretraining: the run is stopped (and saved) at the first step past it. The learning
   * rate is constant after warmup (minLrRatio 1), so a base stopped at step N is the base of `--steps N`. */
  preSeconds: number;
}

chooseBackend('cpu');
const job = JSON.parse(process.argv[2]!) as Job;
const out = process.argv[3]!;
const t0 = Date.now();
const jobSeconds = Number(process.argv[4] ?? 0);
const log = (o: object) =>
  console.log(JSON.stringify({ job: job.name, t: Math.round((Date.now() - t0) / 1000), ...o }));
mkdirSync(out, { recursive: true });
const base = join(out, 'base');
const cfg = countdownPreset(job.condition, {
  seed: job.seed,
  steps: job.steps,
  batchSize: job.batch,
  seqLen: job.seqLen,
  lr: job.lr,
  model: { ...defaultConfig, vocabSize, maxSeqLen: 256, dModel: job.dModel, nLayers: job.nLayers, dFF: job.dFF },
});
cfg.mix = { ...(cfg.mix as object), difficulty: { countdown: [job.lo, job.hi] } } as typeof cfg.mix;
cfg.eval = { ...cfg.eval, every: 400, n: 32, maxNewTokens: job.maxNew };
cfg.minLrRatio = 1;
const stop = new AbortController();
let reached = 0;
const { model } = await pretrain(cfg, {
  out: base,
  signal: stop.signal,
  onStep: (m) => {
    reached = m.step;
    if (m.step % 100 === 0 || m.eval) log({ step: m.step, loss: m.loss, acc: m.eval?.accuracy });
    if (Date.now() - t0 > job.preSeconds * 1000) stop.abort();
  },
});
log({ pretrained: reached });
const problems = heldOutSet('countdown', 3, 64, DEFAULT_RL.heldOutSeed);
const v = await countdownVerify(model, problems, {
  maxNewTokens: job.maxNew,
  budgets: [job.maxNew],
  seed: 0,
  batchSize: 64,
});
const ev = await evaluate(transformerPolicy(model), problems, {
  samples: 8,
  temperature: 1,
  passAtK: [8],
  rng: new Rng(0).child('sweep-eval'),
  maxNewTokens: job.maxNew,
  batchSize: 64,
});
const baseRow = {
  greedyPass1: v.evalPass1,
  format: v.evalFormatRate,
  think: v.evalThinkLen,
  stepAccuracy: v.stepAccuracy,
  checkAccuracy: v.checkAccuracy,
  catch: v.interventionCatchRate,
  pCont: v.pContinueGivenNo,
  beh: v.behaviours,
  pass1T1: ev.pass1,
  pass8T1: ev.passAtK[8],
  sample: v.samples.slice(0, 3),
};
writeFileSync(join(out, 'base-eval.json'), JSON.stringify(baseRow, null, 1));
log({ base: baseRow });
if (job.rlSteps > 0 && jobSeconds > 0) {
  const deadline = t0 + (jobSeconds - 30) * 1000;
  const { summary } = await runAha(
    {
      base,
      seeds: [0],
      rl: { tasks: [{ kind: 'countdown', difficulty: 3 }], maxNewTokens: job.maxNew, steps: job.rlSteps },
    },
    {
      out: join(out, 'rl'),
      shouldStop: () => Date.now() > deadline,
      onEvent: (e) => {
        if (e.type === 'rl-step' && e.report.metrics.evalPass1 !== null)
          log({
            rlStep: e.report.metrics.step,
            evalPass1: e.report.metrics.evalPass1,
            think: e.report.metrics.evalThinkLen,
            cd: e.countdown,
          });
      },
    },
  );
  log({ rl: summary });
}
log({ done: true });
