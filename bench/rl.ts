// RL throughput: steps/s and rollout tokens/s of GRPO, Dr. GRPO, REINFORCE and PPO on the base model, beside
// the analytic memory and FLOPs per step (src/cost/rl-step.ts) — what GRPO saves by dropping PPO's critic.
// Uses the given base (default fixtures/aha-base, where RL starts) when it exists, else a randomly initialised
// model of the default size (its completions are random, so its numbers only bound the cost).
// Run: npx tsx bench/rl.ts [BASE_DIR]
import { chooseBackend } from '../src/backend/choose.ts';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Rng } from '../src/core/rng.ts';
import { loadCheckpoint } from '../src/model/checkpoint.ts';
import { defaultConfig } from '../src/model/config.ts';
import { Transformer } from '../src/model/transformer.ts';
import { resolveRlConfig, type Variant } from '../src/rl/config.ts';
import { rlStepCost } from '../src/cost/rl-step.ts';
import { freeze, transformerPolicy } from '../src/model/policy.ts';
import { ValueModel } from '../src/rl/ppo.ts';
import { RlTrainer } from '../src/rl/trainer.ts';
import { encode, promptFor, vocabSize } from '../src/world/index.ts';
import { median, table } from './util.ts';

const BASE = 'fixtures/aha-base';

function load(base: string): { make: () => Transformer; source: string } {
  if (existsSync(`${base}/config.json`)) return { make: () => loadCheckpoint(base).model, source: base };
  const cfg = { ...defaultConfig, vocabSize };
  return {
    make: () => Transformer.init(cfg, new Rng(0).child('bench')),
    source: `random init (no checkpoint in ${base})`,
  };
}

export async function benchRl(
  base = BASE,
  steps = 6,
  variants: Variant[] = ['grpo', 'dr_grpo', 'reinforce', 'ppo'],
): Promise<string> {
  const { make, source } = load(base);
  const rows: (string | number)[][] = [];
  let first: { stepS: number; memory: number; flops: number } | undefined;
  for (const variant of variants) {
    const config = resolveRlConfig({ variant, steps, evalSize: 1, evalSamples: 0, evalEvery: 1000 });
    const policy = transformerPolicy(make());
    const reference = transformerPolicy(make());
    freeze(reference);
    const critic = variant === 'ppo' ? new ValueModel(make()) : undefined;
    const trainer = new RlTrainer({ policy, reference, critic }, config, () => performance.now());
    const rollout: number[] = [],
      update: number[] = [],
      tokPerS: number[] = [];
    let tokens = 0,
      promptLen = 0;
    for (let s = 0; s < steps; s++) {
      const r = await trainer.trainStep();
      if (s === 0) continue; // warm-up (and the step-0 evaluation)
      const t = r.rollouts.reduce((n, x) => n + x.length, 0);
      rollout.push(r.timing!.rolloutMs / 1000);
      update.push(r.timing!.updateMs / 1000);
      tokPerS.push(t / (r.timing!.rolloutMs / 1000));
      tokens += t;
      promptLen += r.rollouts.reduce((n, x) => n + encode(promptFor(x.problem)).length, 0) / r.rollouts.length;
    }
    const n = steps - 1;
    const stepS = median(rollout.map((x, i) => x + update[i]!));
    const cost = rlStepCost(policy.model.config, config.algorithm, {
      sequences: config.promptsPerStep * config.groupSize,
      promptLen: promptLen / n,
      completionLen: tokens / n / (config.promptsPerStep * config.groupSize),
      mu: config.mu,
      reference: true,
    });
    const mb = (b: number) => b / 2 ** 20;
    const memory = cost.weightBytes + cost.optimizerBytes + cost.activationBytes;
    first ??= { stepS, memory, flops: cost.totalFlops };
    rows.push([
      variant,
      stepS,
      1 / stepS,
      median(tokPerS),
      median(rollout),
      median(update),
      mb(cost.weightBytes),
      mb(cost.optimizerBytes),
      mb(cost.activationBytes),
      cost.totalFlops / 1e9,
      `${(stepS / first.stepS).toFixed(2)}×`,
      `${(memory / first.memory).toFixed(2)}×`,
      `${(cost.totalFlops / first.flops).toFixed(2)}×`,
    ]);
  }
  const header = [
    'variant',
    's/step',
    'steps/s',
    'rollout tok/s',
    'rollout s',
    'update s',
    'weights MB',
    'grad+Adam MB',
    'activ. MB',
    'GFLOP/step',
    `time vs ${variants[0]}`,
    `memory vs ${variants[0]}`,
    `FLOPs vs ${variants[0]}`,
  ];
  const c = resolveRlConfig();
  return (
    `RL step on ${source}: ${c.promptsPerStep} prompts × G=${c.groupSize}, ≤${c.maxNewTokens} new tokens, μ=${c.mu}; medians of ${steps - 1} steps after a warm-up\n` +
    table(header, rows) +
    '\n'
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  chooseBackend();
  process.stdout.write(await benchRl(process.argv[2]));
  process.exit(0);
}
