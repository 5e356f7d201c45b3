// RL throughput: steps/s and rollout tokens/s of GRPO, Dr. GRPO, REINFORCE and PPO on the base model, beside
// the analytic memory and FLOPs per step (src/rl/cost.ts) — what GRPO saves by dropping PPO's critic.
// Uses the given base (default fixtures/aha-base, where RL starts) when it exists, else a randomly initialised model of the default
// size (its completions are random, so its numbers only bound the cost). Run: npx tsx bench/rl.ts [BASE_DIR]
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Rng } from '../src/core/rng.ts';
import { loadCheckpoint } from '../src/model/checkpoint.ts';
import { defaultConfig } from '../src/model/config.ts';
import { Transformer } from '../src/model/transformer.ts';
import { resolveRlConfig, type Variant } from '../src/rl/config.ts';
import { rlStepCost } from '../src/rl/cost.ts';
import { freeze, transformerPolicy } from '../src/rl/policy.ts';
import { ValueModel } from '../src/rl/ppo.ts';
import { RlTrainer } from '../src/rl/trainer.ts';
import { encode, promptFor, vocabSize } from '../src/world/index.ts';
import { table } from './util.ts';

const BASE = 'fixtures/aha-base';

function load(base: string): { make: () => Transformer; source: string } {
  if (existsSync(`${base}/config.json`)) return { make: () => loadCheckpoint(base).model, source: base };
  const cfg = { ...defaultConfig, vocabSize };
  return { make: () => Transformer.init(cfg, new Rng(0).child('bench')), source: `random init (no checkpoint in ${base})` };
}

export async function benchRl(base = BASE, steps = 4, variants: Variant[] = ['grpo', 'dr_grpo', 'reinforce', 'ppo']): Promise<string> {
  const { make, source } = load(base);
  const rows: (string | number)[][] = [];
  for (const variant of variants) {
    const config = resolveRlConfig({ variant, steps, evalSize: 1, evalSamples: 0, evalEvery: 1000 });
    const policy = transformerPolicy(make());
    const reference = transformerPolicy(make());
    freeze(reference);
    const critic = variant === 'ppo' ? new ValueModel(make()) : undefined;
    const trainer = new RlTrainer({ policy, reference, critic }, config, () => performance.now());
    let rolloutMs = 0, updateMs = 0, tokens = 0, promptLen = 0;
    for (let s = 0; s < steps; s++) {
      const r = await trainer.trainStep();
      if (s === 0) continue; // warm-up (and the step-0 evaluation)
      rolloutMs += r.timing!.rolloutMs;
      updateMs += r.timing!.updateMs;
      tokens += r.rollouts.reduce((n, x) => n + x.length, 0);
      promptLen += r.rollouts.reduce((n, x) => n + encode(promptFor(x.problem)).length, 0) / r.rollouts.length;
    }
    const n = steps - 1;
    const stepS = (rolloutMs + updateMs) / 1000 / n;
    const cost = rlStepCost(policy.model.config, config.algorithm, {
      sequences: config.promptsPerStep * config.groupSize, promptLen: promptLen / n,
      completionLen: tokens / n / (config.promptsPerStep * config.groupSize), mu: config.mu, reference: true,
    });
    const mb = (b: number) => b / 2 ** 20;
    rows.push([
      variant, stepS, 1 / stepS, tokens / (rolloutMs / 1000), rolloutMs / 1000 / n, updateMs / 1000 / n,
      mb(cost.weightBytes), mb(cost.optimizerBytes), mb(cost.activationBytes), cost.totalFlops / 1e9,
    ]);
  }
  const header = ['variant', 's/step', 'steps/s', 'rollout tok/s', 'rollout s', 'update s', 'weights MB', 'grad+Adam MB', 'activ. MB', 'GFLOP/step'];
  const c = resolveRlConfig();
  return `RL step on ${source}: ${c.promptsPerStep} prompts × G=${c.groupSize}, ≤${c.maxNewTokens} new tokens, μ=${c.mu}; mean of ${steps - 1} steps after a warm-up\n` +
    table(header, rows) + '\n';
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(await benchRl(process.argv[2]));
  process.exit(0);
}
