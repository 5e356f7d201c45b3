// What each road of the distillation experiment spends, charged by phase to a ComputeLedger (cost/ledger.ts):
//   pretraining          trainingFlops(c, steps·B·T, T)                  (the steps and batch in the run's config.json)
//   an RL step           Σ_i rlStepCost(c, alg, sequence i)              (rollout, reference forward, μ × training)
//   a shipped RL run     rlStepCost(c, alg, P·G sequences of the step's mean length)   (its metrics.jsonl)
//   trace generation     Σ generationFlops over every sampled teacher answer, kept or rejected
//   an SFT step          trainingFlops(c, B·T, T) of the right-padded batch (padding is computed, so it counts)
// Held-out evaluations are measurement, not training: no arm is charged for them. Sources: cost/rl-step.ts,
// reference/cost-model.md §1.1 (6·N FLOPs per trained token).
import { join, isAbsolute } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors.ts';
import { ComputeLedger, trainingFlops } from '../cost/ledger.ts';
import { rlStepCost } from '../cost/rl-step.ts';
import { readCheckpointConfig } from '../model/checkpoint.ts';
import type { ModelConfig } from '../model/config.ts';
import type { RlConfig } from '../rl/config.ts';
import { parseMetrics } from '../rl/step-metrics.ts';
import type { PretrainConfig } from '../train/pretrain.ts';
import { sftOrder } from '../train/sft.ts';
import type { SftExample } from '../train/sft-data.ts';
import { encode, heldOutSet, promptFor } from '../world/index.ts';

/** Paths stored in a run's config.json are relative to the repository root (where the CLI ran). */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const resolveStored = (p: string) => (isAbsolute(p) || existsSync(p) ? p : join(REPO_ROOT, p));

/** The pretraining of the checkpoint in `dir`, charged as `phase`. */
export function chargePretrain(ledger: ComputeLedger, dir: string, phase = 'pretrain'): ComputeLedger {
  const { config, meta } = readCheckpointConfig(dir);
  const p = meta.pretrain as Pick<PretrainConfig, 'steps' | 'batchSize' | 'seqLen'> | undefined;
  if (!p) throw new InputError(`${join(dir, 'config.json')}: not a pretraining run (no "pretrain" section)`);
  return ledger.charge(phase, trainingFlops(config, p.steps * p.batchSize * p.seqLen, p.seqLen));
}

/** One RL step's rollouts (prompt ids and completion length each), charged sequence by sequence. */
export function chargeRlStep(
  ledger: ComputeLedger,
  c: ModelConfig,
  rl: Pick<RlConfig, 'algorithm' | 'mu'>,
  seqs: readonly { prompt: readonly number[]; length: number }[],
  prefix = 'rl/',
): ComputeLedger {
  for (const s of seqs) {
    const cost = rlStepCost(c, rl.algorithm, {
      sequences: 1,
      promptLen: s.prompt.length,
      completionLen: s.length,
      mu: rl.mu,
      reference: true, // the trainer always scores the reference (the KL is logged even at β = 0)
    });
    ledger.charge(prefix + 'rollout', cost.rolloutFlops, s.length);
    ledger.charge(prefix + 'reference', cost.referenceFlops);
    ledger.charge(prefix + 'train', cost.trainFlops + cost.criticFlops);
  }
  return ledger;
}

/** A teacher made by `tinyseek aha` (a run directory whose config.json names its base): pretraining + RL. */
export function teacherLedger(dir: string): ComputeLedger {
  const { config, meta } = readCheckpointConfig(dir);
  const rl = meta.rl as RlConfig | undefined;
  if (typeof meta.base !== 'string' || !rl)
    throw new InputError(`${join(dir, 'config.json')}: not an RL run (no "base" and "rl" sections)`);
  const ledger = chargePretrain(new ComputeLedger(), resolveStored(meta.base));
  const metricsPath = join(dir, 'metrics.jsonl');
  if (!existsSync(metricsPath)) throw new InputError(`${metricsPath}: not found (the RL run's cost is read from it)`);
  const task = rl.tasks[0]!;
  const promptLen = encode(promptFor(heldOutSet(task.kind, task.difficulty, 1, rl.heldOutSeed)[0]!)).length;
  for (const m of parseMetrics(readFileSync(metricsPath, 'utf8'), metricsPath)) {
    if (m.step >= rl.steps || m.lenAll === null) continue; // the final line is an evaluation only
    const cost = rlStepCost(config, rl.algorithm, {
      sequences: rl.promptsPerStep * rl.groupSize,
      promptLen,
      completionLen: m.lenAll,
      mu: rl.mu,
      reference: true,
    });
    ledger.charge('rl/rollout', cost.rolloutFlops, rl.promptsPerStep * rl.groupSize * m.lenAll);
    ledger.charge('rl/reference', cost.referenceFlops);
    ledger.charge('rl/train', cost.trainFlops + cost.criticFlops);
  }
  return ledger;
}

/** FLOPs of SFT step `step`: training on the padded [B, T] batch that sft.ts builds for it. */
export function sftStepFlops(
  c: ModelConfig,
  examples: readonly SftExample[],
  batchSize: number,
  seed: number,
  step: number,
): number {
  const rows = sftOrder(examples.length, batchSize, seed, step).map((i) => examples[i]!);
  const T = Math.max(...rows.map((e) => e.prompt.length + e.completion.length)) - 1;
  return trainingFlops(c, batchSize * T, T);
}
