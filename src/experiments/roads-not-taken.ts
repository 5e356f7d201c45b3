// The roads not taken (R1 §4.2 "Unsuccessful attempts"; reference/r1-story-beyond-zero.md §1–2, §7): process
// reward models and MCTS against GRPO with an outcome check, on the aha run's task (2-digit addition) and base
// (fixtures/aha-base), every method's FLOPs and generated tokens counted by cost/ledger.ts. In order:
//   1. GRPO with the outcome reward (the aha run, shorter), one run per seed: the baseline, and seed 0's
//      policy is the "RL-trained completer";
//   2. Math-Shepherd labels on base-policy traces of training problems, completer = base and RL policy,
//      N = 1, 2, 4, 8 (nested), against the exact step oracle;
//   3. a PRM (hard labels, base completer, N = 4: the paper's shipped choice of hard labels) and an ORM
//      (the same head, outcome labels) on the base trunk;
//   4. best-of-N on the held-out problems with every selector;
//   5. step-level and token-level MCTS with the PRM as value and terminal judge, and a sweep over K;
//   6. GRPO with PRM rewards (sum, min-form, mix with the outcome) per seed: the hacking curves and onset;
//   7. self-improvement rounds (MCTS → SFT + value targets) from the base and the PRM;
//   8. the compute table: accuracy on the same held-out problems vs FLOPs.
// Held-out evaluations inside RL are measurements, not counted as any method's compute.
import { Rng } from '../core/rng.ts';
import { trainingFlops, forwardFlops, ComputeLedger, type Spend } from '../cost/ledger.ts';
import { loadCheckpoint, saveCheckpoint } from '../model/checkpoint.ts';
import { freeze, transformerPolicy } from '../model/policy.ts';
import type { Transformer } from '../model/transformer.ts';
import { resolveRlConfig, type RlConfig } from '../rl/config.ts';
import type { RewardModel } from '../search/reward-model.ts';
import { trainRl, type StepReport } from '../rl/trainer.ts';
import { RunInterrupted } from '../train/trainer.ts';
import { bestOfN, candidatesOf, type BestOfNRow } from '../search/best-of-n.ts';
import { MCTS_DEFAULTS, mctsSolve, drawTree, type MctsOptions } from '../search/mcts.ts';
import {
  hackingOnset,
  prmReward,
  stepCredit,
  stepHabits,
  type PrmRewardForm,
  type StepHabits,
} from '../search/prm-reward.ts';
import { processAdvantages, type StepRewards } from '../rl/advantages.ts';
import { loadRewardModel, rewardModelFrom, saveRewardModel, trainRewardModel } from '../search/reward-model.ts';
import { rmExamples, scoreTraces } from '../search/rm-data.ts';
import { scoreSteps, type ScoredTrace } from '../search/scored-steps.ts';
import { selfImprove, type RoundRow } from '../search/self-improve.ts';
import { labelQuality, shepherdLabels, type LabelQuality } from '../search/shepherd.ts';
import { evaluate } from '../train/eval.ts';
import { rollout, type Rollout } from '../train/rollout.ts';
import { generateProblem, heldOutKeys, heldOutSet, problemKey, type Problem } from '../world/index.ts';
import { DEFAULT_BASE } from './aha.ts';
import { ledgerFromJson, stageStore } from './roads-stages.ts';

export type RoadsBudget = 'small' | 'default';

export interface RoadsConfig {
  base: string;
  seed: number;
  /** Held-out 2-digit addition problems every method is scored on. */
  heldOut: number;
  maxNewTokens: number;
  rl: { seeds: number[]; steps: number; evalEvery: number; promptsPerStep: number; groupSize: number };
  label: { problems: number; tracesPerProblem: number; n: number; trainN: number };
  rm: { steps: number; batchSize: number; lr: number };
  bestOfN: { ns: number[]; rerankN: number[] };
  mcts: { k: number; kSweep: number[]; simsPerMove: number; tokenSimsPerMove: number };
  prmRl: { forms: PrmRewardForm[] };
  rounds: {
    rounds: number;
    problems: number;
    sftSteps: number;
    rmSteps: number;
    calibStates: number;
    mcSamples: number;
    exactStates: number;
    exactThreshold: number;
  };
}

export const ROADS_BUDGETS: Record<RoadsBudget, Omit<RoadsConfig, 'base' | 'seed'>> = {
  // Sized for ~10 minutes on 2 cores. The run measured in the README used 30 RL steps, 60 labelled problems,
  // RM 150 steps, 8 simulations per move and 48 round problems: 18 CPU-minutes on a loaded machine, too long.
  default: {
    heldOut: 64,
    maxNewTokens: 60,
    rl: { seeds: [0, 1], steps: 16, evalEvery: 4, promptsPerStep: 8, groupSize: 8 },
    label: { problems: 32, tracesPerProblem: 4, n: 8, trainN: 4 },
    rm: { steps: 100, batchSize: 16, lr: 1e-3 },
    bestOfN: { ns: [1, 2, 4, 8, 16, 32], rerankN: [4, 32] },
    mcts: { k: 4, kSweep: [2, 4, 8], simsPerMove: 6, tokenSimsPerMove: 4 },
    prmRl: { forms: ['sum', 'min', 'mix'] },
    rounds: {
      rounds: 3,
      problems: 24,
      sftSteps: 40,
      rmSteps: 60,
      calibStates: 48,
      mcSamples: 8,
      exactStates: 48,
      exactThreshold: 1e-3,
    },
  },
  small: {
    heldOut: 24,
    maxNewTokens: 60,
    rl: { seeds: [0], steps: 4, evalEvery: 2, promptsPerStep: 8, groupSize: 8 },
    label: { problems: 16, tracesPerProblem: 2, n: 4, trainN: 4 },
    rm: { steps: 25, batchSize: 16, lr: 1e-3 },
    bestOfN: { ns: [1, 2, 4, 8], rerankN: [8] },
    mcts: { k: 4, kSweep: [2, 4], simsPerMove: 4, tokenSimsPerMove: 2 },
    prmRl: { forms: ['sum', 'min', 'mix'] },
    rounds: {
      rounds: 3,
      problems: 6,
      sftSteps: 8,
      rmSteps: 10,
      calibStates: 12,
      mcSamples: 4,
      exactStates: 12,
      exactThreshold: 3e-3,
    },
  },
};

export interface ComputeRow {
  method: string;
  flops: number;
  tokens: number;
  accuracy: number;
}

export interface PrmRlRun {
  form: PrmRewardForm;
  seed: number;
  /** Per evaluation: step, held-out greedy accuracy, mean PRM reward (sum form) since the last evaluation. */
  evals: { step: number; accuracy: number; prm: number }[];
  onset: number | null;
  /** Per RL step, over that step's training answers: mean PRM reward (sum of step scores), oracle accuracy
   * (the verifier's), steps per answer, and the shares of repeated and trivially-true steps. */
  curve: {
    step: number;
    prm: number;
    accuracy: number;
    stepsPerAnswer: number;
    repeatedFrac: number;
    trivialFrac: number;
  }[];
  first: { accuracy: number; stepsPerAnswer: number };
  last: { accuracy: number } & StepHabits;
}

export interface RoadsSummary {
  experiment: 'roads-not-taken';
  config: RoadsConfig;
  labels: (LabelQuality & { completer: 'base' | 'rl' })[];
  bestOfN: BestOfNRow[];
  mcts: { level: 'step' | 'token'; k: number; accuracy: number; tokensPerProblem: number; flops: number }[];
  prmRl: PrmRlRun[];
  rounds: RoundRow[];
  compute: ComputeRow[];
  /** The step-MCTS tree of the first held-out problem (for the lesson and the CLI). */
  tree: { problem: string; lines: string[] };
}

export type RoadsEvent =
  | { type: 'phase'; name: string; done: number; total: number }
  | { type: 'resumed'; name: string }
  | { type: 'rl-step'; arm: string; seed: number; step: number; steps: number; metrics: Record<string, unknown> };

export interface RoadsHooks {
  onEvent?: (e: RoadsEvent) => void | Promise<void>;
  /** Polled between RL steps and stages: true stops the run (RunInterrupted), keeping every finished stage. */
  shouldStop?: () => boolean;
  /** Run directory where finished stages persist (roads-stages.ts); none: nothing is kept. */
  dir?: string;
  /** Read finished stages back from `dir` instead of running them again. */
  resume?: boolean;
}

/** `n` training problems (never held out), drawn from `<seed>/roads/train/q<i>`. */
export function trainingProblems(n: number, seed: number, heldOut: number): Problem[] {
  const held = heldOutKeys('add', 2, Math.max(heldOut, 64));
  const rng = new Rng(seed).child('roads').child('train');
  const out: Problem[] = [];
  for (let i = 0; out.length < n; i++) {
    const p = generateProblem('add', rng.child(`q${i}`), 2);
    if (!held.has(problemKey(p))) out.push(p);
  }
  return out;
}

const load = (dir: string, grad = false) => loadCheckpoint(dir, { requiresGrad: grad }).model;
const traceOf = (r: Rollout) => scoreSteps(r.problem, r.completion, r.finish === 'length');

/** Policy-update FLOPs of one GRPO step on these rollouts: reference forward + one training pass (μ = 1). */
function chargeRlStep(book: ComputeLedger, cfg: Transformer['config'], rollouts: Rollout[], klCoef: number) {
  book.chargeGeneration(
    'generation',
    cfg,
    rollouts.map((r) => r.prompt.length),
    rollouts.map((r) => r.completion.length),
  );
  for (const r of rollouts) {
    const T = r.prompt.length + r.completion.length;
    book.charge('policy-update', trainingFlops(cfg, T, T) + (klCoef > 0 ? forwardFlops(cfg, T, T) : 0));
  }
}

/** Greedy answers of a policy on the held-out problems, charged as generation. */
async function greedyAccuracy(model: Transformer, problems: Problem[], maxNewTokens: number, book?: ComputeLedger) {
  const ev = await evaluate(transformerPolicy(model), problems, {
    samples: 0,
    temperature: 0,
    maxNewTokens,
    rng: new Rng(0).child('roads-eval'),
  });
  book?.chargeGeneration(
    'inference',
    model.config,
    ev.greedyRollouts.map((r) => r.prompt.length),
    ev.greedyRollouts.map((r) => r.length),
  );
  return ev.greedyAccuracy;
}

interface ArmResult {
  /** The trained policy (null once read back from a finished stage that did not keep it). */
  policy: Transformer | null;
  book: ComputeLedger;
  /** Held-out greedy accuracy at each evaluation step. */
  evalAt: { step: number; accuracy: number }[];
  /** Each training step's answers, and their mean PRM reward (sum form; NaN until a PRM has read them). */
  stepTraces: ScoredTrace[][];
  stepPrm: number[];
  metrics: Record<string, unknown>[];
}

/** Per evaluation: the mean PRM reward of the steps since the previous one (the first: step 0's). */
function prmAtEvals(a: ArmResult): PrmRlRun['evals'] {
  let from = 0;
  return a.evalAt.map((e) => {
    const part = e.step === 0 ? a.stepPrm.slice(0, 1) : a.stepPrm.slice(from, e.step);
    if (e.step > 0) from = e.step;
    return { ...e, prm: mean(part) };
  });
}

/** Score an arm's logged answers with a PRM after the fact (the outcome arm ran before the PRM existed). */
async function readWithPrm(a: ArmResult, prm: RewardModel): Promise<void> {
  for (const [i, traces] of a.stepTraces.entries()) {
    const s = await scoreTraces(prm, traces);
    a.stepPrm[i] = mean(s.map((x) => x.reduce((p, q) => p + q, 0)));
    a.metrics[i]!.prmReward = a.stepPrm[i];
  }
}

/** One GRPO run from the base with the given reward form (the PRM scores answers unless form = outcome). */
async function runArm(
  c: RoadsConfig,
  form: PrmRewardForm,
  seed: number,
  prm: RewardModel | null,
  hooks: RoadsHooks,
): Promise<ArmResult> {
  const rl: RlConfig = resolveRlConfig(
    {
      seed,
      steps: c.rl.steps,
      promptsPerStep: c.rl.promptsPerStep,
      groupSize: c.rl.groupSize,
      maxNewTokens: c.maxNewTokens,
      evalEvery: c.rl.evalEvery,
      evalSize: c.heldOut,
      evalSamples: 0,
    },
    'roads rl config',
  );
  const policy = transformerPolicy(load(c.base, true));
  const reference = transformerPolicy(load(c.base));
  freeze(reference);
  const book = new ComputeLedger();
  const cfg = policy.model.config;
  const a: ArmResult = { policy: policy.model, book, evalAt: [], stepTraces: [], stepPrm: [], metrics: [] };
  let scored: number[] = [];
  let credit: StepRewards[] = [];
  const reward = async (rollouts: Rollout[]) => {
    const traces = rollouts.map(traceOf);
    const scores = await scoreTraces(prm!, traces, { book, phase: 'prm-reward' });
    scored = scores.map((x) => x.reduce((p, q) => p + q, 0));
    credit = rollouts.flatMap((r, i) => stepCredit(form, traces[i]!, scores[i]!, r.reward.total) ?? []);
    return rollouts.map((r, i) => prmReward(form, scores[i]!, r.reward.total));
  };
  // sum and mix: per-step credit (process supervision) in place of one advantage per answer.
  const tokenAdvantages = async (rollouts: Rollout[]) =>
    processAdvantages(
      credit,
      rollouts.map((r) => r.completion.length),
      rl.groupSize,
    );
  const learned =
    prm && form !== 'outcome' ? { reward, ...(form === 'sum' || form === 'mix' ? { tokenAdvantages } : {}) } : {};
  await trainRl({ policy, reference, ...learned }, rl, {
    shouldStop: hooks.shouldStop,
    onStep: async (rep: StepReport) => {
      const m = rep.metrics;
      if (rep.rollouts.length) {
        chargeRlStep(book, cfg, rep.rollouts, rl.klCoef);
        const traces = rep.rollouts.map(traceOf);
        a.stepTraces.push(traces);
        a.stepPrm.push(scored.length ? mean(scored) : NaN);
        scored = [];
        a.metrics.push({
          arm: form,
          seed,
          step: m.step,
          reward: m.reward,
          accuracy: m.accuracy,
          prmReward: a.stepPrm.at(-1),
          ...stepHabits(traces),
          reflectionRate: m.reflectionRate,
          evalGreedyAcc: m.evalGreedyAcc,
        });
      }
      if (m.evalGreedyAcc !== null) a.evalAt.push({ step: m.step, accuracy: m.evalGreedyAcc });
      await hooks.onEvent?.({
        type: 'rl-step',
        arm: form,
        seed,
        step: m.step,
        steps: rl.steps,
        metrics: a.metrics.at(-1) ?? {},
      });
    },
  });
  // Stopped before its last step: the arm is unfinished (its stage is redone on --resume).
  if (a.stepTraces.length < rl.steps) throw new RunInterrupted();
  return a;
}

export async function runRoadsNotTaken(
  partial: Partial<RoadsConfig> & { budget?: RoadsBudget },
  hooks: RoadsHooks = {},
): Promise<{ summary: RoadsSummary; metrics: Record<string, unknown>[] }> {
  const c: RoadsConfig = { base: DEFAULT_BASE, seed: 0, ...ROADS_BUDGETS[partial.budget ?? 'default'], ...partial };
  const phases = 8;
  let phase = 0;
  const say = async (name: string) => hooks.onEvent?.({ type: 'phase', name, done: phase++, total: phases });
  const stages = stageStore(hooks.dir, c, {
    resume: hooks.resume,
    stopped: hooks.shouldStop,
    onResumed: (name) => hooks.onEvent?.({ type: 'resumed', name }),
  });
  const root = new Rng(c.seed).child('roads');
  const held = heldOutSet('add', 2, c.heldOut);
  const metrics: Record<string, unknown>[] = [];
  const base = transformerPolicy(load(c.base));
  const cfg = base.model.config;
  const compute: ComputeRow[] = [];
  const row = (method: string, book: ComputeLedger, accuracy: number) =>
    compute.push({ method, ...book.total(), accuracy });
  /** A stage that trains a model: in memory when there is no run directory, else saved and read back. */
  const withModel = async <T, M>(
    name: string,
    make: () => Promise<{ result: T; model: M }>,
    save: (dir: string, m: M) => Promise<void>,
    reload: (dir: string) => M,
  ): Promise<{ result: T; model: M }> => {
    let model: M | undefined;
    const result = await stages.run(name, async (dir) => {
      const r = await make();
      if (dir) await save(dir, r.model);
      model = r.model;
      return r.result;
    });
    return { result, model: model ?? reload(stages.modelDir(name)!) };
  };

  // 0. The base, answering greedily: the floor every road starts from.
  const baseBook = new ComputeLedger();
  row('base greedy', baseBook, await greedyAccuracy(base.model, held, c.maxNewTokens, baseBook));

  // 1. GRPO, outcome reward. Only seed 0's policy is kept (the "RL-trained completer").
  await say('GRPO (outcome reward)');
  const grpo: ArmResult[] = [];
  for (const [i, s] of c.rl.seeds.entries()) {
    const name = `grpo-outcome-s${c.seed + s}`;
    if (i > 0)
      grpo.push(
        armFromJson(await stages.run(name, async () => armJson(await runArm(c, 'outcome', c.seed + s, null, hooks)))),
      );
    else {
      const r = await withModel(
        name,
        async () => {
          const a = await runArm(c, 'outcome', c.seed + s, null, hooks);
          return { result: armJson(a), model: a.policy! };
        },
        (dir, m) => saveCheckpoint(dir, m),
        (dir) => load(dir),
      );
      grpo.push({ ...armFromJson(r.result), policy: r.model });
    }
  }
  const grpoAcc = grpo.map((g) => g.evalAt.at(-1)?.accuracy ?? 0);
  {
    const b = new ComputeLedger().absorb(grpo[0]!.book);
    await greedyAccuracy(grpo[0]!.policy!, held, c.maxNewTokens, b);
    compute.push({ method: 'GRPO (outcome)', ...b.total(), accuracy: mean(grpoAcc) });
  }

  // 2. Math-Shepherd labels.
  await say('Math-Shepherd labels');
  const lab = await stages.run('labels', async () => {
    const train = trainingProblems(c.label.problems, c.seed, c.heldOut);
    const lr = root.child('label');
    const gens = await rollout(base, train, {
      groupSize: c.label.tracesPerProblem,
      temperature: 1,
      maxNewTokens: c.maxNewTokens,
      rngFor: (j, k) => lr.child('traces').child(`p${j}`).child(`g${k}`),
    });
    const book = new ComputeLedger();
    const lens = { prompt: gens.map((r) => r.prompt.length), completion: gens.map((r) => r.length) };
    book.chargeGeneration('label-traces', cfg, lens.prompt, lens.completion);
    const traces = gens.map(traceOf);
    const shep = { temperature: 1, maxNewTokens: c.maxNewTokens, n: c.label.n };
    const byBase = await shepherdLabels(base, traces, {
      ...shep,
      rng: lr.child('base'),
      ledger: { book, phase: 'label', config: cfg },
    });
    const byRl = await shepherdLabels(transformerPolicy(grpo[0]!.policy!), traces, { ...shep, rng: lr.child('rl') });
    return { byBase, byRl, lens, book: book.toJSON() };
  });
  const ns = [1, 2, 4, 8].filter((n) => n <= c.label.n);
  const labels = [
    ...ns.map((n) => ({ completer: 'base' as const, ...labelQuality(lab.byBase, n) })),
    ...ns.map((n) => ({ completer: 'rl' as const, ...labelQuality(lab.byRl, n) })),
  ];

  // 3. PRM and ORM.
  await say('reward models');
  const rmOpts = { ...c.rm, seed: c.seed };
  const saveRm = (dir: string, m: RewardModel) => saveRewardModel(dir, m, {});
  const loadRm = (dir: string) => loadRewardModel(dir).rm;
  const prmStage = await withModel(
    'prm',
    async () => {
      const book = ledgerFromJson(lab.book);
      const m = rewardModelFrom(c.base);
      await trainRewardModel(m, rmExamples(lab.byBase, 'hard', c.label.trainN), {
        ...rmOpts,
        ledger: { book, phase: 'prm-train' },
      });
      return { result: book.toJSON(), model: m };
    },
    saveRm,
    loadRm,
  );
  const prm = prmStage.model;
  const prmBook = ledgerFromJson(prmStage.result);
  const ormStage = await withModel(
    'orm',
    async () => {
      const book = new ComputeLedger().chargeGeneration('label-traces', cfg, lab.lens.prompt, lab.lens.completion);
      const m = rewardModelFrom(c.base);
      await trainRewardModel(m, rmExamples(lab.byBase, 'outcome'), {
        ...rmOpts,
        ledger: { book, phase: 'orm-train' },
      });
      return { result: book.toJSON(), model: m };
    },
    saveRm,
    loadRm,
  );
  const orm = ormStage.model;

  // 4. Best-of-N.
  await say('best-of-N');
  const bonStage = await stages.run('best-of-n', async () => {
    const N = Math.max(...c.bestOfN.ns);
    const br = root.child('best-of-n');
    const samples = await rollout(base, held, {
      groupSize: N,
      temperature: 1,
      maxNewTokens: c.maxNewTokens,
      rngFor: (j, k) => br.child(`p${j}`).child(`g${k}`),
    });
    const st = samples.map(traceOf);
    const ps = await scoreTraces(prm, st),
      os = await scoreTraces(orm, st);
    const cands = candidatesOf(st, ps, os, N);
    const bon = bestOfN(cands, c.bestOfN.ns, br.child('select'));
    const rows: ComputeRow[] = [];
    for (const n of c.bestOfN.rerankN) {
      const b = new ComputeLedger().absorb(prmBook);
      const first = samples.filter((r) => r.sample < n);
      b.chargeGeneration(
        'generation',
        cfg,
        first.map((r) => r.prompt.length),
        first.map((r) => r.length),
      );
      for (const r of first)
        b.charge('prm-score', 2 * forwardFlops(cfg, r.prompt.length + r.length, r.prompt.length + r.length));
      rows.push({
        method: `best-of-${n} (PRM-min)`,
        ...b.total(),
        accuracy: bon.find((x) => x.selector === 'prm-min' && x.n === n)!.accuracy,
      });
    }
    return { bon, rows };
  });
  compute.push(...bonStage.rows);

  // 5. MCTS, step and token level, and the K sweep.
  await say('MCTS');
  const mctsStage = await stages.run('mcts', async () => {
    const mctsRows: RoadsSummary['mcts'] = [];
    const rows: ComputeRow[] = [];
    let tree: RoadsSummary['tree'] = { problem: held[0]!.prompt, lines: [] };
    const search = async (level: 'step' | 'token', k: number) => {
      const b = new ComputeLedger().absorb(prmBook);
      let right = 0,
        tokens = 0;
      for (const [j, p] of held.entries()) {
        const o: MctsOptions = {
          ...MCTS_DEFAULTS,
          level,
          k,
          simsPerMove: level === 'step' ? c.mcts.simsPerMove : c.mcts.tokenSimsPerMove,
          maxNewTokens: c.maxNewTokens,
          rng: root.child('mcts').child(`${level}-k${k}`).child(`p${j}`),
          ledger: { book: b, phase: 'search' },
        };
        const r = await mctsSolve(base, prm, p, o);
        if (j === 0 && level === 'step' && k === c.mcts.k) tree = { problem: p.prompt, lines: drawTree(r.root, 4) };
        right += r.correct ? 1 : 0;
        tokens += r.tokens;
      }
      const accuracy = right / held.length;
      mctsRows.push({ level, k, accuracy, tokensPerProblem: tokens / held.length, flops: b.get('search').flops });
      return { b, accuracy };
    };
    for (const k of c.mcts.kSweep) {
      const r = await search('step', k);
      if (k === c.mcts.k) rows.push({ method: `step MCTS (K=${k})`, ...r.b.total(), accuracy: r.accuracy });
    }
    {
      const r = await search('token', c.mcts.k);
      rows.push({ method: `token MCTS (K=${c.mcts.k})`, ...r.b.total(), accuracy: r.accuracy });
    }
    return { mctsRows, rows, tree };
  });
  compute.push(...mctsStage.rows);

  // 6. PRM as the RL reward.
  await say('PRM as the RL reward');
  const prmRl: PrmRlRun[] = [];
  // The outcome arm ran before the PRM existed: the PRM reads its logged answers now (a measurement, uncharged).
  for (const [i, s] of c.rl.seeds.entries()) {
    await readWithPrm(grpo[i]!, prm);
    prmRl.push(summarizeArm('outcome', c.seed + s, grpo[i]!));
  }
  for (const form of c.prmRl.forms) {
    const accs: number[] = [];
    let first: ComputeRow | null = null;
    for (const [i, s] of c.rl.seeds.entries()) {
      const r = await stages.run(`prm-rl-${form}-s${c.seed + s}`, async () => {
        const a = await runArm(c, form, c.seed + s, prm, hooks);
        let row: ComputeRow | null = null;
        if (i === 0) {
          // The table charges one seed's run, with the PRM's labels and training, and its held-out answers.
          const book = new ComputeLedger().absorb(prmBook).absorb(a.book);
          await greedyAccuracy(a.policy!, held, c.maxNewTokens, book);
          row = { method: `PRM-as-reward RL (${form})`, ...book.total(), accuracy: 0 };
        }
        return {
          run: summarizeArm(form, c.seed + s, a),
          metrics: a.metrics,
          accuracy: a.evalAt.at(-1)?.accuracy ?? 0,
          row,
        };
      });
      metrics.push(...r.metrics);
      prmRl.push(r.run);
      accs.push(r.accuracy);
      first ??= r.row;
    }
    compute.push({ ...first!, accuracy: mean(accs) });
  }

  metrics.unshift(...grpo.flatMap((g) => g.metrics));

  // 7. Self-improvement rounds.
  await say('self-improvement rounds');
  const roundsStage = await stages.run('rounds', async () => {
    const roundsBook = new ComputeLedger().absorb(prmBook);
    const value = rewardModelFrom(c.base);
    copyInto(prm, value);
    const rounds = await selfImprove(
      load(c.base, true),
      value,
      trainingProblems(c.rounds.problems, c.seed + 1, c.heldOut),
      held,
      {
        ...c.rounds,
        mcts: { ...MCTS_DEFAULTS, k: c.mcts.k, simsPerMove: c.mcts.simsPerMove, maxNewTokens: c.maxNewTokens },
        sftLr: 1e-3,
        seed: c.seed,
      },
      roundsBook,
    );
    const row: ComputeRow = {
      method: `self-improvement (${c.rounds.rounds} rounds, greedy)`,
      ...roundsBook.total(),
      accuracy: rounds.at(-1)!.greedyAccuracy,
    };
    return { rounds, row };
  });
  compute.push(roundsStage.row);

  await say('compute table');
  const summary: RoadsSummary = {
    experiment: 'roads-not-taken',
    config: c,
    labels,
    bestOfN: bonStage.bon,
    mcts: mctsStage.mctsRows,
    prmRl,
    rounds: roundsStage.rounds,
    compute,
    tree: mctsStage.tree,
  };
  return { summary, metrics };
}

/** One arm's result as JSON (its policy aside). */
interface ArmJson {
  book: Record<string, Spend>;
  evalAt: ArmResult['evalAt'];
  stepTraces: ScoredTrace[][];
  stepPrm: (number | null)[];
  metrics: Record<string, unknown>[];
}

const armJson = (a: ArmResult): ArmJson => ({
  book: a.book.toJSON(),
  evalAt: a.evalAt,
  stepTraces: a.stepTraces,
  stepPrm: a.stepPrm.map((x) => (Number.isNaN(x) ? null : x)),
  metrics: a.metrics,
});

const armFromJson = (j: ArmJson): ArmResult => ({
  policy: null,
  book: ledgerFromJson(j.book),
  evalAt: j.evalAt,
  stepTraces: j.stepTraces,
  stepPrm: j.stepPrm.map((x) => x ?? NaN),
  metrics: j.metrics,
});

function summarizeArm(form: PrmRewardForm, seed: number, a: ArmResult): PrmRlRun {
  const evals = prmAtEvals(a);
  const first = stepHabits(a.stepTraces[0] ?? []),
    last = stepHabits(a.stepTraces.at(-1) ?? []);
  return {
    form,
    seed,
    evals,
    onset: hackingOnset(evals),
    curve: a.stepTraces.map((t, i) => {
      const h = stepHabits(t);
      return {
        step: i,
        prm: a.stepPrm[i]!,
        accuracy: t.length ? t.filter((x) => x.correct).length / t.length : 0,
        stepsPerAnswer: h.stepsPerAnswer,
        repeatedFrac: h.repeatedFrac,
        trivialFrac: h.trivialFrac,
      };
    }),
    first: { accuracy: evals[0]?.accuracy ?? 0, stepsPerAnswer: first.stepsPerAnswer },
    last: { accuracy: evals.at(-1)?.accuracy ?? 0, ...last },
  };
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Overwrite `to`'s trunk and head with `from`'s (a working copy of the PRM for the rounds to retrain). */
function copyInto(from: RewardModel, to: RewardModel): void {
  const a = from.parameters(),
    b = to.parameters();
  a.forEach((p, i) => b[i]!.backend.unary('copy', p.storage, b[i]!.storage));
}
