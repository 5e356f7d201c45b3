// The RL loop: sample G answers per question, score them by rule, turn rewards into advantages, and take μ
// passes of clipped policy-gradient updates against a frozen reference (DeepSeekMath Alg. 1 without the
// reward-model retraining; R1-Zero §2.2). One step:
//   problems q_1..q_P (never the held-out split) → rollouts o_{j,1..G} → rewards r → Â (advantages.ts / ppo.ts)
//   → log π_ref, log π_old (no grad) → for μ passes × minibatches: loss (grpo.ts / reinforce.ts) → AdamW
//   → every refResetEvery steps π_ref ← π_θ.
// Evaluation on the held-out split runs before step 0, every evalEvery steps, and after the last step.
// Every random draw comes from `<seed>/rl/...` streams keyed by (step, prompt, sample): bit-identical reruns.
import { AdamW, warmupCosine, type AdamWState } from '../core/optim.ts';
import { yieldToEventLoop } from '../core/yield.ts';
import { Rng } from '../core/rng.ts';
import { generateProblem, heldOutKeys, heldOutSet, problemKey, type Problem } from '../world/index.ts';
import {
  batchBaselineAdvantages,
  groupAdvantages,
  shuffleWithinGroups,
  zeroVarianceFraction,
  zeroVarianceGroups,
} from './advantages.ts';
import type { RlConfig } from './config.ts';
import { evaluate, type Evaluation } from '../train/eval.ts';
import { summarizeRollouts } from '../train/rollout.ts';
import { softOverlongPenalty } from './overlong.ts';
import { copyParameters, type PolicyModel } from '../model/policy.ts';
import type { ValueModel } from './ppo.ts';
import { rollout, type Rollout } from '../train/rollout.ts';
import { emptyMetrics, evalMetrics, type RlStepMetrics } from './step-metrics.ts';
import { rlUpdate, type UpdateStats } from './update.ts';

/** A task's problem with the task's prompt language (issue 14); a task without one leaves the problem as it is. */
function inTaskLanguage(p: Problem, task: RlConfig['tasks'][number]): Problem {
  return task.language === undefined ? p : { ...p, language: task.language };
}

export interface TrainerParts {
  policy: PolicyModel;
  /** The frozen reference (a second copy of the starting checkpoint). */
  reference: PolicyModel;
  /** PPO only: the critic. */
  critic?: ValueModel;
  /** A learned reward in place of the rule-based one (search/prm-reward.ts: a PRM as the RL reward). */
  reward?: (rollouts: Rollout[], step: number) => Promise<number[]>;
  /** Per-token advantages in place of the per-answer Â (process supervision, advantages.ts processAdvantages);
   * called after `reward` in the same step. */
  tokenAdvantages?: (rollouts: Rollout[], step: number) => Promise<Float64Array[]>;
}

export interface StepReport {
  metrics: RlStepMetrics;
  /** This step's training rollouts (none on the final evaluation-only report). */
  rollouts: Rollout[];
  eval?: Evaluation;
  /** What TrainOptions.afterEval returned at this evaluation. */
  evalExtra?: unknown;
  /** Wall-clock milliseconds by phase, only when the caller passed a clock. */
  timing?: { rolloutMs: number; updateMs: number; evalMs: number };
}

/** Everything a stopped run needs to continue exactly, besides the models' weights: the next step and the
 * optimizers' moments (every random draw is keyed by step, so there is no generator state to keep). */
export interface RlResumeState {
  step: number;
  opt: AdamWState;
  criticOpt?: AdamWState;
}

export class RlTrainer {
  readonly config: RlConfig;
  readonly evalProblems: Problem[];
  /** The next step to run. */
  step = 0;
  /** TrainOptions.afterEval. */
  afterEval?: () => Promise<unknown>;
  private readonly heldOut: Set<string>;
  private readonly rng: Rng;
  private readonly opt: AdamW;
  private readonly criticOpt: AdamW | undefined;

  constructor(
    readonly parts: TrainerParts,
    config: RlConfig,
    private readonly now?: () => number,
    start?: RlResumeState,
  ) {
    this.config = config;
    if (config.algorithm === 'ppo' && !parts.critic) throw new Error('RlTrainer: PPO needs a critic');
    this.rng = new Rng(config.seed).child('rl');
    this.heldOut = new Set(
      config.tasks.flatMap((t) => [...heldOutKeys(t.kind, t.difficulty, config.evalSize, config.heldOutSeed)]),
    );
    this.evalProblems = config.tasks.flatMap((t) =>
      heldOutSet(t.kind, t.difficulty, config.evalSize, config.heldOutSeed).map((p) => inTaskLanguage(p, t)),
    );
    const adam = {
      lr: config.lr,
      beta1: config.beta1,
      beta2: config.beta2,
      eps: 1e-8,
      weightDecay: config.weightDecay,
    };
    this.opt = new AdamW(parts.policy.parameters(), adam, start?.opt);
    this.criticOpt = parts.critic
      ? new AdamW(parts.critic.parameters(), { ...adam, lr: config.valueLr }, start?.criticOpt)
      : undefined;
    if (start) this.step = start.step;
  }

  /** The state to save when the run stops early (see RlResumeState). */
  resumeState(): RlResumeState {
    return { step: this.step, opt: this.opt.state, ...(this.criticOpt ? { criticOpt: this.criticOpt.state } : {}) };
  }

  /** The P training questions of a step: task and problem drawn from `<seed>/rl/problems/s<step>/p<j>`. */
  sampleProblems(step: number): Problem[] {
    const r = this.rng.child('problems').child(`s${step}`);
    return Array.from({ length: this.config.promptsPerStep }, (_, j) => {
      const pr = r.child(`p${j}`);
      const task = pr.choice(this.config.tasks);
      for (let k = 0; k < 1000; k++) {
        const p = generateProblem(task.kind, pr, task.difficulty);
        if (!this.heldOut.has(problemKey(p))) return inTaskLanguage(p, task);
      }
      throw new RangeError(`no ${task.kind} problem at difficulty ${task.difficulty} outside the held-out split`);
    });
  }

  async evaluate(): Promise<Evaluation> {
    const c = this.config;
    return evaluate(this.parts.policy, this.evalProblems, {
      samples: c.evalSamples,
      temperature: c.evalTemperature,
      topK: c.topK,
      topP: c.topP,
      maxNewTokens: c.maxNewTokens,
      rng: this.rng.child('eval'),
      batchSize: c.genBatch,
    });
  }

  lrAt(step: number): number {
    const c = this.config;
    return warmupCosine({ lr: c.lr, warmup: c.warmupSteps, total: c.steps, minRatio: c.minLrRatio }, step);
  }

  /** One step: evaluation when due, rollouts, update. */
  async trainStep(): Promise<StepReport> {
    const c = this.config,
      step = this.step;
    const t0 = this.now?.() ?? 0;
    const ev = step % c.evalEvery === 0 ? await this.evaluate() : undefined;
    const extra = ev && this.afterEval ? await this.afterEval() : undefined;
    const t1 = this.now?.() ?? 0;
    const problems = this.sampleProblems(step);
    const rolloutRng = this.rng.child('rollout').child(`s${step}`);
    const rollouts = await rollout(this.parts.policy, problems, {
      groupSize: c.groupSize,
      temperature: c.temperature,
      topK: c.topK,
      topP: c.topP,
      maxNewTokens: c.maxNewTokens,
      rngFor: (j, k) => rolloutRng.child(`p${j}`).child(`g${k}`),
      batchSize: c.genBatch,
      languageWeight: c.languageWeight,
      repetitionWeight: c.repetitionWeight,
    });
    const t2 = this.now?.() ?? 0;
    const lr = this.lrAt(step);
    const stats = await this.update(rollouts, lr, step);
    if (c.refResetEvery > 0 && (step + 1) % c.refResetEvery === 0)
      copyParameters(this.parts.policy, this.parts.reference);
    const t3 = this.now?.() ?? 0;
    this.step++;
    const s = summarizeRollouts(rollouts);
    const metrics: RlStepMetrics = {
      ...emptyMetrics(step),
      lr,
      reward: s.reward,
      accuracy: s.accuracy,
      formatRate: s.formatRate,
      truncationRate: s.truncationRate,
      lenAll: s.lenAll,
      lenCorrect: s.lenCorrect,
      lenIncorrect: s.lenIncorrect,
      thinkLen: s.thinkLen,
      reflectionRate: s.reflectionRate,
      reflectiveFrac: s.reflectiveFrac,
      zeroVarFrac: zeroVarianceFraction(
        rollouts.map((r) => r.reward.total),
        c.groupSize,
      ),
      ...stats,
      ...(ev ? evalMetrics(ev) : {}),
    };
    const report: StepReport = { metrics, rollouts };
    if (ev) report.eval = ev;
    if (extra !== undefined) report.evalExtra = extra;
    if (this.now) report.timing = { evalMs: t1 - t0, rolloutMs: t2 - t1, updateMs: t3 - t2 };
    return report;
  }

  /** The evaluation after the last step, as a report with only the eval fields set. */
  async finalEval(): Promise<StepReport> {
    const t0 = this.now?.() ?? 0;
    const ev = await this.evaluate();
    const report: StepReport = { metrics: { ...emptyMetrics(this.step), ...evalMetrics(ev) }, rollouts: [], eval: ev };
    if (this.afterEval) report.evalExtra = await this.afterEval();
    if (this.now) report.timing = { evalMs: (this.now() ?? 0) - t0, rolloutMs: 0, updateMs: 0 };
    return report;
  }

  /** Rewards as the loss sees them: shuffled for the ablation, with DAPO's soft overlong penalty if asked. */
  private async lossRewards(rollouts: Rollout[], step: number): Promise<number[]> {
    const c = this.config;
    let r = this.parts.reward ? await this.parts.reward(rollouts, step) : rollouts.map((x) => x.reward.total);
    if (c.overlong === 'soft')
      r = r.map((v, i) => v + softOverlongPenalty(rollouts[i]!.length, c.maxNewTokens, c.overlongBuffer));
    if (c.rewardShuffle) r = shuffleWithinGroups(r, c.groupSize, this.rng.child('shuffle').child(`s${step}`));
    return r;
  }

  private async update(rollouts: Rollout[], lr: number, step: number): Promise<UpdateStats> {
    const c = this.config;
    const rewards = await this.lossRewards(rollouts, step);
    const zero = zeroVarianceGroups(rewards, c.groupSize);
    const include = rollouts.map(
      (r, i) =>
        !(c.dropZeroVariance && zero[Math.floor(i / c.groupSize)]) && !(c.overlong === 'mask' && r.reward.truncated),
    );
    const seqAdv =
      c.algorithm === 'reinforce' && c.baseline === 'batch'
        ? batchBaselineAdvantages(rewards)
        : groupAdvantages(rewards, c.groupSize, c.algorithm === 'reinforce' ? 'none' : c.scaleRewards);
    const tokenAdv = await this.parts.tokenAdvantages?.(rollouts, step);
    return rlUpdate({ ...this.parts, opt: this.opt, criticOpt: this.criticOpt }, c, {
      seqs: rollouts.map((r) => ({ prompt: r.prompt, completion: r.completion })),
      rewards,
      include,
      seqAdv,
      ...(tokenAdv ? { tokenAdv } : {}),
      lr,
    });
  }
}

export interface TrainOptions {
  onStep?: (report: StepReport) => void | Promise<void>;
  /** Checked between steps; true ends the run early (after a final evaluation). */
  shouldStop?: () => boolean;
  /** A clock for the timing field of reports (the CLI passes one; library code never reads time). */
  now?: () => number;
  /** Continue a stopped run: its saved state (the parts must hold its saved weights). */
  start?: RlResumeState;
  /** Called once the steps end (all done or stopped), before the final evaluation, with the state to save. */
  onEnd?: (state: RlResumeState) => void | Promise<void>;
  /** More measures of the policy at every evaluation, taken right after it, before the step's update (so they
   * see the policy the evaluation saw); the result rides in the report as `evalExtra`. */
  afterEval?: () => Promise<unknown>;
}

/** Run config.steps steps plus the final evaluation; returns every metrics line. */
export async function trainRl(
  parts: TrainerParts,
  config: RlConfig,
  opts: TrainOptions = {},
): Promise<RlStepMetrics[]> {
  const trainer = new RlTrainer(parts, config, opts.now, opts.start);
  trainer.afterEval = opts.afterEval;
  const lines: RlStepMetrics[] = [];
  while (trainer.step < config.steps && !opts.shouldStop?.()) {
    const r = await trainer.trainStep();
    lines.push(r.metrics);
    await opts.onStep?.(r);
    await yieldToEventLoop(); // lets a Ctrl-C handler run between steps
  }
  await opts.onEnd?.(trainer.resumeState());
  const last = await trainer.finalEval();
  lines.push(last.metrics);
  await opts.onStep?.(last);
  return lines;
}
