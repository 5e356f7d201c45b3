// Self-improvement rounds (Expert Iteration, Anthony et al. 2017; AlphaZero; rStar-Math §3,
// reference/r1-story-beyond-zero.md §2.1–2.2): search → distil → search.
//   round r:  MCTS with (π_r, V_r) on the training problems, terminal reward = the verifier (answers known)
//             → solved trajectories become SFT data: π_{r+1} = SFT(π_r)      (rStar: step-verified traces)
//             → visited states' Q become value targets (Q+1)/2:  V_{r+1} = BCE fit of V_r
// Measured per round, mirroring rStar Tables 2–4: the share of training problems the search solves, the
// policy's greedy held-out accuracy, and the value head's calibration (Brier score) on the round's visited
// states against (a) the exact oracle "still solvable from here", (b) the policy's success probability,
// estimated from `mcSamples` completions of each state, and (c) that probability computed exactly by exhaustive
// completion (exact-success.ts) on the first `exactStates` of them, up to the mass its pruning threshold leaves
// uncovered (so the Brier score is an interval; calibration.ts), with a reliability diagram. The calibration
// readouts are measurements: only the value head's reads are charged to the ledger.
import { Rng } from '../core/rng.ts';
import { trainingFlops, type ComputeLedger } from '../cost/ledger.ts';
import { transformerPolicy } from '../model/policy.ts';
import type { Transformer } from '../model/transformer.ts';
import type { RewardModel } from './reward-model.ts';
import { evaluate } from '../train/eval.ts';
import { STOP_IDS } from '../train/rollout.ts';
import { defaultSft, sftBatch, sftOrder } from '../train/sft.ts';
import { train } from '../train/trainer.ts';
import { PAD_ID, decode, encode, promptFor, rewardBreakdown, splitSteps, type Problem } from '../world/index.ts';
import { calibration, type Calibration } from './calibration.ts';
import { exactSuccess, type SuccessBound } from './exact-success.ts';
import { mctsSolve, type MctsNode, type MctsOptions } from './mcts.ts';
import { rmScores, trainRewardModel, type RmExample } from './reward-model.ts';

export interface RoundsConfig {
  rounds: number;
  mcts: Omit<MctsOptions, 'rng' | 'ledger' | 'terminal'>;
  sftSteps: number;
  sftLr: number;
  rmSteps: number;
  /** Visited states per round whose value is checked against the truth. */
  calibStates: number;
  mcSamples: number;
  /** Calibration states (a prefix of the calibStates) whose success probability is computed exactly. */
  exactStates: number;
  /** Completion branches below this probability are cut (their mass reported as uncovered). */
  exactThreshold: number;
  seed: number;
}

export interface RoundRow {
  round: number;
  /** Share of training problems whose searched answer verifies. */
  solved: number;
  /** Greedy held-out accuracy of π_r. */
  greedyAccuracy: number;
  /** Brier score of V_r against the oracle and against the Monte-Carlo success rate (null: no states). */
  brierOracle: number | null;
  brierMc: number | null;
  /** V_r against the exact success probability (null: no states): Brier at the interval midpoints, the interval
   * the exact Brier lies in, the mean covered mass, the reliability bins, and on those states the Brier against
   * the Monte-Carlo estimate (to compare like with like). */
  exact: (Calibration & { threshold: number; covered: number; brierMc: number; meanExact: number }) | null;
  sftRecords: number;
  valueTargets: number;
  tokens: number;
}

const READ = (seq: number[]) =>
  seq.length >= 2 && seq[seq.length - 1] === encode(' ')[0] ? seq.length - 2 : seq.length - 1;

function visited(root: MctsNode): MctsNode[] {
  const out: MctsNode[] = [];
  const walk = (n: MctsNode) => {
    if (n.visits > 0 && n.terminal === null) out.push(n);
    for (const c of n.children ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** Exact: can the problem still be solved after this partial completion (every step so far on the path)? */
function solvable(problem: Problem, ids: number[]): number {
  return splitSteps(problem, decode(ids)).every((s) => s.onTrack) ? 1 : 0;
}

export async function selfImprove(
  policy: Transformer,
  value: RewardModel,
  problems: readonly Problem[],
  heldOut: readonly Problem[],
  c: RoundsConfig,
  book: ComputeLedger,
  onRound?: (row: RoundRow) => void | Promise<void>,
): Promise<RoundRow[]> {
  const rows: RoundRow[] = [];
  const cfg = policy.config;
  const root = new Rng(c.seed).child('rounds');
  const greedy = async () =>
    (
      await evaluate(transformerPolicy(policy), heldOut, {
        samples: 0,
        temperature: 0,
        maxNewTokens: c.mcts.maxNewTokens,
        rng: root.child('eval'),
      })
    ).greedyAccuracy;
  for (let r = 0; r <= c.rounds; r++) {
    const acc = await greedy();
    if (r === c.rounds) {
      rows.push({
        round: r,
        solved: NaN,
        greedyAccuracy: acc,
        brierOracle: null,
        brierMc: null,
        exact: null,
        sftRecords: 0,
        valueTargets: 0,
        tokens: 0,
      });
      await onRound?.(rows.at(-1)!);
      break;
    }
    const rr = root.child(`r${r}`);
    const pol = transformerPolicy(policy);
    const sft: { prompt: number[]; completion: number[] }[] = [];
    const targets: RmExample[] = [];
    const states: { problem: Problem; ids: number[] }[] = [];
    let solved = 0,
      tokens = 0;
    for (const [j, p] of problems.entries()) {
      const res = await mctsSolve(pol, value, p, {
        ...c.mcts,
        terminal: 'verifier',
        rng: rr.child(`p${j}`),
        ledger: { book, phase: 'search' },
      });
      tokens += res.tokens;
      const prompt = encode(promptFor(p));
      if (res.correct) {
        solved++;
        sft.push({ prompt, completion: res.completion });
      }
      for (const n of visited(res.root)) {
        const ids = [...prompt, ...n.ids];
        targets.push({ ids, positions: [READ(ids)], labels: [(n.valueSum / n.visits + 1) / 2] });
        states.push({ problem: p, ids: n.ids });
      }
    }
    // Calibration of V_r on a seeded subset of this round's states.
    const pick = rr
      .child('calib')
      .shuffle(states.map((_, i) => i))
      .slice(0, c.calibStates);
    let brierO: number | null = null,
      brierM: number | null = null,
      exact: RoundRow['exact'] = null;
    if (pick.length) {
      const sel = pick.map((i) => states[i]!);
      const seqs = sel.map((s) => {
        const ids = [...encode(promptFor(s.problem)), ...s.ids];
        return { ids, positions: [READ(ids)] };
      });
      const v = (await rmScores(value, seqs, { book, phase: 'value' })).map((x) => x[0]!);
      const prompts = seqs.flatMap((s) => Array.from({ length: c.mcSamples }, () => s.ids));
      const gens = await pol.generate(prompts, {
        maxNewTokens: c.mcts.maxNewTokens,
        temperature: 1,
        stopIds: [...STOP_IDS],
        padId: PAD_ID,
        rng: prompts.map((_, i) => rr.child('mc').child(`r${i}`)),
      });
      let bo = 0,
        bm = 0;
      const mcRate: number[] = [];
      sel.forEach((s, i) => {
        let hits = 0;
        for (let k = 0; k < c.mcSamples; k++) {
          const g = gens[i * c.mcSamples + k]!;
          const text = decode([...s.ids, ...g.tokens]);
          hits += rewardBreakdown(s.problem, text, { truncated: g.finish === 'length' }).accuracy;
        }
        bo += (v[i]! - solvable(s.problem, s.ids)) ** 2;
        bm += (v[i]! - hits / c.mcSamples) ** 2;
        mcRate.push(hits / c.mcSamples);
      });
      brierO = bo / sel.length;
      brierM = bm / sel.length;
      const ex = sel.slice(0, c.exactStates);
      if (ex.length) {
        const truth: SuccessBound[] = [];
        for (const s of ex)
          truth.push(
            await exactSuccess(pol, s.problem, encode(promptFor(s.problem)), s.ids, {
              temperature: 1,
              maxNewTokens: c.mcts.maxNewTokens,
              threshold: c.exactThreshold,
            }),
          );
        const vs = v.slice(0, ex.length);
        const mid = truth.map((t) => (t.lower + t.upper) / 2);
        exact = {
          ...calibration(vs, truth),
          threshold: c.exactThreshold,
          covered: mean(truth.map((t) => t.covered)),
          brierMc: mean(vs.map((x, i) => (x - mcRate[i]!) ** 2)),
          meanExact: mean(mid),
        };
      }
    }
    // Distil: SFT on the solved trajectories, then refit the value head on the visited states' Q.
    if (sft.length > 0) {
      await train({
        init: () => policy,
        recipe: { ...defaultSft, steps: c.sftSteps, lr: c.sftLr, warmup: 5 },
        batch: (step) => {
          const b = sftBatch(sftOrder(sft.length, Math.min(16, sft.length), c.seed + r, step).map((i) => sft[i]!));
          const T = b.inputs.shape[1]!;
          book.charge('sft', trainingFlops(cfg, b.inputs.shape[0]! * T, T));
          return b;
        },
        meta: {},
      });
    }
    if (targets.length > 0)
      await trainRewardModel(value, targets, {
        steps: c.rmSteps,
        batchSize: 32,
        lr: 5e-4,
        seed: c.seed + r,
        ledger: { book, phase: 'value' },
      });
    const row: RoundRow = {
      round: r,
      solved: solved / problems.length,
      greedyAccuracy: acc,
      brierOracle: brierO,
      brierMc: brierM,
      exact,
      sftRecords: sft.length,
      valueTargets: targets.length,
      tokens,
    };
    rows.push(row);
    await onRound?.(row);
  }
  return rows;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
