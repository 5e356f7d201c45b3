// An R1-Zero-style GRPO stage: each rollout samples G answers for a batch of questions, then the policy takes
// several update steps on them. Rollouts are decode, and a GRPO batch waits for its longest answer, so the
// stage is rollout-dominated: rollout time = max(mean length × TPOT at the full batch, length cap × TPOT of a
// lone straggler); the update costs training FLOPs (forward + backward) plus forwards of the reference model and
// of the old policy, at an MFU. R1-Zero (Nature version): 10,400 steps of 512 answers (32 questions × G = 16),
// 8,192 answers per rollout (16 steps), caps 32K then 64K from step 8.2K, on 512 H800; 101K GPU-hours reported.
// Source: ../shared/reference/grpo-and-r1-zero.md §2; serve.ts for decode.
import { trainFlopsPerToken } from './flops.ts';
import { bf16FlopsPerSec } from './hardware.ts';
import { decode, type ServeSetup } from './serve.ts';

export interface RlSpec {
  steps: number;
  /** Answers per update step (questions × group size G). */
  answersPerStep: number;
  /** Update steps per rollout: one rollout feeds this many minibatches. */
  stepsPerRollout: number;
  promptLen: number;
  /** Mean answer length, rising linearly from start to end over the run (read off R1-Zero's Fig. 3). */
  meanAnswerLen: { start: number; end: number };
  /** Length caps by phase: a rollout starting before `untilStep` uses `maxLen`; the longest answer hits it. */
  caps: Array<{ untilStep: number; maxLen: number }>;
  /** MFU of the update steps, on the model-FLOP basis. */
  updateMfu: number;
  /** Forward passes besides the policy's own (reference model, old-policy log-probs). */
  extraForwards: number;
  /** Decode deployment of the rollout engine (shape, GPU, links, EP width). */
  decode: ServeSetup;
}

export interface RlResult {
  rollouts: number;
  answers: number;
  /** Answer and prompt tokens trained on. */
  trainTokens: number;
  rolloutSeconds: number;
  updateSeconds: number;
  /** Share of wall time spent generating. */
  rolloutShare: number;
  /** Decode speed of one answer: in a full batch and when it is the last one left. */
  tokPerSecFullBatch: number;
  tokPerSecStraggler: number;
  batchPerGpu: number;
  gpuHours: number;
}

export function projectRl(spec: RlSpec, nGpus: number): RlResult {
  const answersPerRollout = spec.answersPerStep * spec.stepsPerRollout;
  const batchPerGpu = answersPerRollout / nGpus;
  const rollouts = Math.ceil(spec.steps / spec.stepsPerRollout);
  const peak = bf16FlopsPerSec(spec.decode.gpu);
  let rolloutSeconds = 0;
  let updateSeconds = 0;
  let trainTokens = 0;
  let full = 0;
  let straggler = 0;
  for (let i = 0; i < rollouts; i++) {
    const step = i * spec.stepsPerRollout;
    const t = rollouts > 1 ? i / (rollouts - 1) : 0;
    const mean = spec.meanAnswerLen.start + t * (spec.meanAnswerLen.end - spec.meanAnswerLen.start);
    const cap = (spec.caps.find((c) => step < c.untilStep) ?? spec.caps[spec.caps.length - 1]!).maxLen;
    const tpotFull = decode(
      { ...spec.decode, decode: { ...spec.decode.decode, batch: batchPerGpu } },
      spec.promptLen + mean / 2,
    ).tpotSeconds;
    const tpotTail = decode(
      { ...spec.decode, decode: { ...spec.decode.decode, batch: 1 } },
      spec.promptLen + cap / 2,
    ).tpotSeconds;
    rolloutSeconds += Math.max(mean * tpotFull, cap * tpotTail);
    full += 1 / tpotFull / rollouts;
    straggler += 1 / tpotTail / rollouts;
    const seq = spec.promptLen + mean;
    const tokens = answersPerRollout * seq;
    const f = trainFlopsPerToken(spec.decode.shape, seq).model * (1 + spec.extraForwards / 3);
    updateSeconds += (tokens * f) / (spec.updateMfu * peak * nGpus);
    trainTokens += tokens;
  }
  const wall = rolloutSeconds + updateSeconds;
  return {
    rollouts,
    answers: rollouts * answersPerRollout,
    trainTokens,
    rolloutSeconds,
    updateSeconds,
    rolloutShare: rolloutSeconds / wall,
    tokPerSecFullBatch: full,
    tokPerSecStraggler: straggler,
    batchPerGpu,
    gpuHours: (wall * nGpus) / 3600,
  };
}
