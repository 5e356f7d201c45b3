// Stopping and resuming an aha run. A seed stopped by Ctrl-C saves, beside its policy, what continuing needs:
// the AdamW moments (and PPO's critic with its moments, and the reference when it is reset during the run), all
// pinned in config.json under "stopped". Resuming loads them, keeps the files' lines from before the stopped
// step (the stop's own last evaluation is redone by the next step), and continues; every random draw is keyed
// by step, so the result is byte for byte the uninterrupted run's.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad } from '../core/autograd.ts';
import { InputError } from '../core/errors.ts';
import { tensor, type Tensor } from '../core/tensor.ts';
import { loadCheckpoint, readCheckpointConfig, readPinnedFile, saveCheckpoint } from '../model/checkpoint.ts';
import { freeze, transformerPolicy } from '../model/policy.ts';
import { decodeSafetensors, encodeSafetensors } from '../model/safetensors.ts';
import type { Transformer } from '../model/transformer.ts';
import { toSafeTensors } from '../model/weights.ts';
import type { RlConfig } from '../rl/config.ts';
import { ValueModel } from '../rl/ppo.ts';
import { parseMetrics, type RlStepMetrics } from '../rl/step-metrics.ts';
import type { RlResumeState, TrainerParts } from '../rl/trainer.ts';
import { decodeMoments, encodeMoments } from '../train/moments.ts';

const OPT = 'optimizer.safetensors',
  REF = 'reference.safetensors',
  CRITIC = 'critic.safetensors',
  CRITIC_OPT = 'critic-optimizer.safetensors';

interface Stopped {
  step: number;
  optStep: number;
  criticOptStep?: number;
}

const weights = async (ps: readonly Tensor[]) =>
  encodeSafetensors(await toSafeTensors(ps.map((p) => [p.name, p] as [string, Tensor])));

/** Overwrite parameters in place with the same-named tensors of a saved file. */
function restore(ps: readonly Tensor[], bytes: Uint8Array, file: string): void {
  const { tensors } = decodeSafetensors(bytes, file);
  noGrad(() => {
    for (const p of ps) {
      const t = p.name === undefined ? undefined : tensors[p.name];
      if (!t || t.shape.join() !== p.shape.join()) throw new InputError(`${file}: missing or misshaped ${p.name}`);
      p.backend.unary(
        'copy',
        tensor(t.data as Float32Array, p.shape, { backend: p.backend, dtype: p.dtype }).storage,
        p.storage,
      );
    }
  });
}

/** Save a stopped seed: the policy as the directory's checkpoint, plus everything resuming needs. */
export async function saveStoppedRun(
  dir: string,
  parts: TrainerParts & { policy: { model: Transformer } },
  meta: object,
  end: RlResumeState,
): Promise<void> {
  const extra: Record<string, Uint8Array> = {
    [OPT]: await encodeMoments(parts.policy.parameters(), end.opt),
    [REF]: await weights(parts.reference.parameters()),
  };
  if (parts.critic && end.criticOpt) {
    extra[CRITIC] = await weights(parts.critic.parameters());
    extra[CRITIC_OPT] = await encodeMoments(parts.critic.parameters(), end.criticOpt);
  }
  const stopped: Stopped = {
    step: end.step,
    optStep: end.opt.step,
    ...(end.criticOpt ? { criticOptStep: end.criticOpt.step } : {}),
  };
  await saveCheckpoint(dir, parts.policy.model, { ...meta, step: end.step, stopped }, extra);
}

/** After a seed finishes: the files only a stopped run needs go (the finished checkpoint no longer pins them). */
export function removeStoppedFiles(dir: string): void {
  for (const f of [OPT, REF, CRITIC, CRITIC_OPT]) rmSync(join(dir, f), { force: true });
}

/** The saved state of a stopped seed in `dir`, or undefined when there is none. */
export function stoppedRun(dir: string): Stopped | undefined {
  if (!existsSync(join(dir, 'config.json'))) return undefined;
  const s = readCheckpointConfig(dir).meta.stopped as Stopped | undefined;
  if (s === undefined) return undefined;
  if (!Number.isInteger(s.step) || !Number.isInteger(s.optStep))
    throw new InputError(`${join(dir, 'config.json')}: a malformed "stopped" section`);
  return s;
}

/** Policy, reference and critic of a stopped seed, with the optimizer state to continue from. */
export function resumeParts(
  base: string,
  dir: string,
  rl: RlConfig,
  s: Stopped,
): TrainerParts & { policy: ReturnType<typeof transformerPolicy>; state: RlResumeState } {
  const policy = transformerPolicy(loadCheckpoint(dir, { requiresGrad: true }).model);
  const reference = transformerPolicy(loadCheckpoint(base, { requiresGrad: false }).model);
  restore(reference.parameters(), readPinnedFile(dir, REF), join(dir, REF));
  freeze(reference);
  const state: RlResumeState = {
    step: s.step,
    opt: decodeMoments(readPinnedFile(dir, OPT), policy.parameters(), s.optStep, join(dir, OPT)),
  };
  let critic: ValueModel | undefined;
  if (rl.algorithm === 'ppo') {
    critic = new ValueModel(loadCheckpoint(base, { requiresGrad: true }).model);
    restore(critic.parameters(), readPinnedFile(dir, CRITIC), join(dir, CRITIC));
    state.criticOpt = decodeMoments(
      readPinnedFile(dir, CRITIC_OPT),
      critic.parameters(),
      s.criticOptStep ?? 0,
      join(dir, CRITIC_OPT),
    );
  }
  return { policy, reference, ...(critic ? { critic } : {}), state };
}

/** The lines of a JSONL file written before step `step` (every line has a "step"). */
export function keptLines(path: string, step: number): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l, i) => {
      let o: { step?: unknown };
      try {
        o = JSON.parse(l) as { step?: unknown };
      } catch {
        throw new InputError(`${path}: line ${i + 1} is not JSON; cannot resume`);
      }
      return typeof o.step === 'number' && o.step < step;
    });
}

/** The metrics of a seed that finished (a final checkpoint and summary, nothing stopped), or undefined. */
export function finishedRun(dir: string): RlStepMetrics[] | undefined {
  if (!existsSync(join(dir, 'summary.json')) || !existsSync(join(dir, 'config.json'))) return undefined;
  const { meta } = readCheckpointConfig(dir);
  if (meta.stopped !== undefined || typeof meta.step !== 'number') return undefined;
  return parseMetrics(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'), join(dir, 'metrics.jsonl'));
}
