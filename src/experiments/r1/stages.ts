// The five stages of the R1 pipeline as functions: each reads the checkpoint it starts from, writes its run
// directory (a checkpoint: config.json + model.safetensors, plus what the stage made: metrics.jsonl, the SFT
// data it curated) and charges what it spent to a ComputeLedger (cost/ledger.ts):
//   rollout / sample   generation FLOPs and tokens of RL groups and of data sampling
//   train              policy update (3× forward) and reference forward (rlStepCost), or SFT's training FLOPs
//   eval               RL's own held-out checks (the stage table's scoring is not charged)
// Sources: config.ts (the stage recipes), curate.ts (the filters), reference/r1-story-beyond-zero.md §4.1.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../core/rng.ts';
import { writeFileAtomic } from '../../core/fsio.ts';
import { forwardFlops, trainingFlops, type ComputeLedger } from '../../cost/ledger.ts';
import { rlStepCost } from '../../cost/rl-step.ts';
import { loadCheckpoint, saveCheckpoint } from '../../model/checkpoint.ts';
import type { ModelConfig } from '../../model/config.ts';
import { freeze, transformerPolicy, type PolicyModel } from '../../model/policy.ts';
import { resolveRlConfig, type RlConfig } from '../../rl/config.ts';
import { metricsLine } from '../../rl/step-metrics.ts';
import { trainRl } from '../../rl/trainer.ts';
import { rollout, type Rollout } from '../../train/rollout.ts';
import { writeSftFile, type SftRecord } from '../../train/sft-data.ts';
import { defaultSft, sft, stepsForEpochs } from '../../train/sft.ts';
import {
  heldOutKeys,
  LANGUAGES,
  makeProblemSet,
  languageReward,
  tokenLength,
  type Problem,
} from '../../world/index.ts';
import type { R1Config, StageName } from './config.ts';
import { coldStartRecords, easyRecords, rejectionRecords } from './curate.ts';
import { poolMixing } from './measure.ts';

export interface StageHooks {
  /** Steps done of the stage's main loop, with a short note (for a progress line). */
  onProgress?: (done: number, total: number, note: string, rl?: { accuracy: number; mixing: number }) => void;
  /** Polled between steps: true stops the stage unfinished (it is redone on resume). */
  shouldStop?: () => boolean;
  signal?: AbortSignal;
}

export interface StageContext {
  stage: StageName;
  config: R1Config;
  /** This stage's run directory. */
  dir: string;
  /** The checkpoint the stage starts from (the base for the SFT stages). */
  from: string;
  /** The checkpoint sampled for data (SFT stages: the previous stage). */
  source?: string;
  ledger: ComputeLedger;
  hooks: StageHooks;
}

/** What a stage reports besides its checkpoint: the data it made (SFT stages) and whether it finished. */
export interface StageOutcome {
  finished: boolean;
  data?: { candidates: number; kept: number; records: number; easy?: number };
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** The RL held-out split is inside the stage table's, so excluding the larger one keeps every eval problem out. */
function trainingProblems(c: R1Config, stage: StageName, n: number): Problem[] {
  const exclude = heldOutKeys('add', c.difficulty, Math.max(c.evalSize, c.rl.evalSize ?? 0), c.rl.heldOutSeed);
  const base = makeProblemSet('add', n, new Rng(c.seed).child('r1').child(stage).child('prompts'), c.difficulty, {
    exclude,
    unique: true,
  });
  return LANGUAGES.flatMap((language) => base.map((p) => ({ ...p, language })));
}

function chargeRollouts(ledger: ComputeLedger, phase: string, model: ModelConfig, rs: readonly Rollout[]) {
  ledger.chargeGeneration(
    phase,
    model,
    rs.map((r) => r.prompt.length),
    rs.map((r) => r.length),
  );
}

export function stageRlConfig(c: R1Config, over: Partial<RlConfig>): RlConfig {
  return resolveRlConfig(
    {
      ...c.rl,
      seed: c.seed,
      maxNewTokens: c.maxNewTokens,
      tasks: LANGUAGES.map((language) => ({ kind: 'add' as const, difficulty: c.difficulty, language })),
      ...over,
    },
    'r1 rl config',
  );
}

/** An RL stage: GRPO from ctx.from with the stage's reward; metrics.jsonl gets the mixing of every step. */
export async function runRlStage(ctx: StageContext, over: Partial<RlConfig>): Promise<StageOutcome> {
  const rl = stageRlConfig(ctx.config, over);
  const policy = transformerPolicy(loadCheckpoint(ctx.from, { requiresGrad: true }).model);
  const reference = transformerPolicy(loadCheckpoint(ctx.from, { requiresGrad: false }).model);
  freeze(reference);
  const model = policy.model.config;
  mkdirSync(ctx.dir, { recursive: true });
  const lines: string[] = [];
  let done = 0;
  await trainRl({ policy, reference }, rl, {
    shouldStop: ctx.hooks.shouldStop,
    onStep: (report) => {
      const rs = report.rollouts;
      const extra: Record<string, number | null> = {};
      if (rs.length > 0) {
        extra.mixing = poolMixing(rs);
        extra.mixingWords = poolMixing(rs.filter((r) => r.problem.language === 'words'));
        extra.languageReward = mean(rs.map((r) => languageReward(r.problem, r.text)));
        chargeRollouts(ctx.ledger, 'rollout', model, rs);
        const cost = rlStepCost(model, rl.algorithm, {
          sequences: rs.length,
          promptLen: mean(rs.map((r) => r.prompt.length)),
          completionLen: mean(rs.map((r) => r.length)),
          mu: rl.mu,
          reference: rl.klCoef > 0,
        });
        ctx.ledger.charge('train', cost.totalFlops - cost.rolloutFlops);
      }
      if (report.eval) {
        extra.evalMixing = poolMixing(report.eval.greedyRollouts);
        chargeRollouts(ctx.ledger, 'eval', model, [...report.eval.greedyRollouts, ...report.eval.sampledRollouts]);
      }
      lines.push(JSON.stringify({ ...JSON.parse(metricsLine(report.metrics)), ...extra }));
      writeFileAtomic(join(ctx.dir, 'metrics.jsonl'), lines.join('\n') + '\n');
      if (rs.length > 0) {
        done++;
        const m = report.metrics;
        const now = { accuracy: m.accuracy ?? 0, mixing: extra.mixing ?? 0 };
        ctx.hooks.onProgress?.(done, rl.steps, `acc ${pct(now.accuracy)} mixing ${pct(now.mixing)}`, now);
      }
    },
  });
  if (done < rl.steps) return { finished: false };
  await saveCheckpoint(ctx.dir, policy.model, { r1: { stage: ctx.stage, from: ctx.from }, rl });
  return { finished: true };
}

/** Samples of `source` on training prompts (both languages), charged as 'sample'. */
async function sampleFrom(ctx: StageContext, problems: Problem[], samples: number): Promise<Rollout[]> {
  const policy: PolicyModel & { model: { config: ModelConfig } } = transformerPolicy(
    loadCheckpoint(ctx.source!, { requiresGrad: false }).model,
  );
  const rng = new Rng(ctx.config.seed).child('r1').child(ctx.stage).child('sample');
  const out: Rollout[] = [];
  const chunk = 32; // problems per call, so progress shows and Ctrl-C is heard
  for (let from = 0; from < problems.length; from += chunk) {
    if (ctx.hooks.shouldStop?.()) break;
    const part = problems.slice(from, from + chunk);
    const rs = await rollout(policy, part, {
      groupSize: samples,
      temperature: 1,
      maxNewTokens: ctx.config.maxNewTokens,
      rngFor: (j, k) => rng.child(`p${from + j}`).child(`k${k}`),
      batchSize: 128,
    });
    out.push(...rs.map((r) => ({ ...r, problemIndex: r.problemIndex + from })));
    ctx.hooks.onProgress?.(Math.min(from + chunk, problems.length), problems.length, 'sampling');
  }
  chargeRollouts(ctx.ledger, 'sample', policy.model.config, out);
  return out;
}

/** SFT of ctx.from (the base) on records; the stage directory becomes the checkpoint. With no record at all
 * (a tiny or badly failing run: no sample passed the filter) there is nothing to learn, and the checkpoint is
 * ctx.from unchanged; the stage row says so (data.records = 0). */
async function sftStage(ctx: StageContext, records: SftRecord[], epochs: number, lr: number): Promise<boolean> {
  const data = join(ctx.dir, 'data.jsonl');
  writeSftFile(data, records);
  if (records.length === 0) {
    await saveCheckpoint(ctx.dir, loadCheckpoint(ctx.from).model, {
      r1: { stage: ctx.stage, from: ctx.from, records: 0 },
    });
    return true;
  }
  const batchSize = defaultSft.batchSize;
  const steps = stepsForEpochs(records.length, batchSize, epochs);
  const cfg = {
    ...defaultSft,
    base: ctx.from,
    data,
    seed: ctx.config.seed,
    lr,
    steps,
    eval: {
      every: steps,
      kind: 'add' as const,
      difficulty: ctx.config.difficulty,
      n: 16,
      maxNewTokens: ctx.config.maxNewTokens,
    },
  };
  const { model, metrics } = await sft(cfg, {
    out: ctx.dir,
    signal: ctx.hooks.signal,
    onStep: (m) => ctx.hooks.onProgress?.(m.step + 1, steps, `sft loss ${m.loss.toFixed(3)}`),
  });
  const tokens = metrics.at(-1)?.tokens ?? 0;
  const seqLen = mean(records.map((r) => tokenLength(r.prompt + r.completion)));
  ctx.ledger.charge('train', trainingFlops(model.config, tokens, seqLen));
  // The SFT run's own held-out checks (before and after), 16 greedy problems each.
  ctx.ledger.charge('eval', 2 * forwardFlops(model.config, 16 * ctx.config.maxNewTokens, seqLen));
  return metrics.length >= steps;
}

/** Cold start: curated zero traces, rewritten into the prompt's language, SFT from the base. */
export async function runColdStart(ctx: StageContext): Promise<StageOutcome> {
  const c = ctx.config.coldStart;
  mkdirSync(ctx.dir, { recursive: true });
  const samples = await sampleFrom(ctx, trainingProblems(ctx.config, 'cold-start', c.size), 1);
  if (ctx.hooks.shouldStop?.()) return { finished: false };
  const records = coldStartRecords(samples, c.size);
  const finished = await sftStage(ctx, records, c.epochs, c.lr);
  return { finished, data: { candidates: samples.length, kept: records.length, records: records.length } };
}

/** Rejection sampling: K samples per training prompt, correct and unmixed ones kept, easy direct answers
 * added, SFT from the base. */
export async function runRejectionSft(ctx: StageContext): Promise<StageOutcome> {
  const c = ctx.config.rejection;
  mkdirSync(ctx.dir, { recursive: true });
  const samples = await sampleFrom(ctx, trainingProblems(ctx.config, 'rejection-sft', c.prompts), c.samples);
  if (ctx.hooks.shouldStop?.()) return { finished: false };
  const kept = rejectionRecords(samples);
  const nEasy = Math.round((kept.length * c.easyFrac) / (1 - c.easyFrac));
  const easy = easyRecords(nEasy, new Rng(ctx.config.seed).child('r1').child('easy'));
  const finished = await sftStage(ctx, [...kept, ...easy], c.epochs, c.lr);
  return {
    finished,
    data: { candidates: samples.length, kept: kept.length, records: kept.length + nEasy, easy: nEasy },
  };
}
