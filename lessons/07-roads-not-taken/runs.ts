// The live runs of lesson 7, each small enough for a laptop: Math-Shepherd labelling of a few base-model traces,
// best-of-N with a reward model, and one step-level MCTS tree. Modules are imported inside the runs so the
// lesson registry loads without them (manifest.ts `requires`).
import type { RunContext, RunResult } from '../../src/tui/manifest.ts';

const BASE = new URL('../../fixtures/aha-base', import.meta.url).pathname;

async function load() {
  const [{ loadCheckpoint }, { transformerPolicy }, { Rng }] = await Promise.all([
    import('../../src/model/checkpoint.ts'),
    import('../../src/model/policy.ts'),
    import('../../src/core/rng.ts'),
  ]);
  return { policy: transformerPolicy(loadCheckpoint(BASE).model), Rng };
}

/** Math-Shepherd on base traces of a few training problems: each step's hard/soft label beside the oracle. */
export async function runShepherd(ctx: RunContext): Promise<RunResult> {
  const { policy, Rng } = await load();
  const { trainingProblems } = await import('../../src/experiments/roads-not-taken.ts');
  const { rollout } = await import('../../src/train/rollout.ts');
  const { scoreSteps } = await import('../../src/search/scored-steps.ts');
  const { shepherdLabels, labelQuality, hardLabel, softLabel } = await import('../../src/search/shepherd.ts');
  const N = Number(ctx.knobs.n);
  const problems = trainingProblems(ctx.budget === 'small' ? 4 : 16, 7, 64);
  const rng = new Rng(7).child('lesson7');
  const gens = await rollout(policy, problems, {
    groupSize: 4,
    temperature: 1,
    maxNewTokens: 60,
    rngFor: (j, k) => rng.child(`p${j}`).child(`g${k}`),
  });
  // Traces with at least one step are the interesting ones (most base answers are direct guesses).
  const traces = gens
    .map((r) => scoreSteps(r.problem, r.completion, r.finish === 'length'))
    .filter((t) => t.steps.length > 1);
  ctx.report({ kind: 'log', text: `${traces.length} traces with steps; rolling out every step prefix ${N} times…` });
  const lab = await shepherdLabels(policy, traces, {
    n: N,
    temperature: 1,
    maxNewTokens: 60,
    rng: rng.child('label'),
    onProgress: async (done, total) => {
      ctx.report({ kind: 'progress', step: done, total });
      await ctx.tick();
    },
  });
  const lines: string[] = [];
  for (const { trace, hits } of lab.slice(0, 3)) {
    lines.push(`${trace.problem.prompt}:`);
    trace.steps.forEach((s, i) => {
      if (s.answer) return;
      lines.push(
        `  ${s.text.padEnd(10)} oracle ${s.oracle ? 'good' : 'bad '}  hard ${hardLabel(hits[i]!, N)}  soft ${softLabel(hits[i]!, N).toFixed(2)}`,
      );
    });
  }
  const ns = [1, 2, 4, 8].filter((n) => n <= N);
  const q = ns.map((n) => labelQuality(lab, n));
  for (const r of q)
    lines.push(
      `N=${r.n}: hard labels ${(100 * r.hardAccuracy).toFixed(0)}% right, ${r.hard.fp} bad steps called good, ${r.hard.fn} good steps called bad`,
    );
  return {
    metrics: {
      steps: q[0]?.steps ?? 0,
      fpFirst: q[0]?.hard.fp ?? 0,
      fpLast: q.at(-1)?.hard.fp ?? 0,
      fnFirst: q[0]?.hard.fn ?? 0,
      fnLast: q.at(-1)?.hard.fn ?? 0,
    },
    lines,
  };
}

/** Best-of-N on held-out problems: random, majority vote, the PRM (min) and the oracle. */
export async function runBestOfN(ctx: RunContext): Promise<RunResult> {
  const { policy, Rng } = await load();
  const { heldOutSet } = await import('../../src/world/index.ts');
  const { rollout } = await import('../../src/train/rollout.ts');
  const { scoreSteps } = await import('../../src/search/scored-steps.ts');
  const { rewardModelFrom } = await import('../../src/search/reward-model.ts');
  const { scoreTraces } = await import('../../src/search/rm-data.ts');
  const { bestOfN, candidatesOf } = await import('../../src/search/best-of-n.ts');
  const N = Number(ctx.knobs.n);
  const held = heldOutSet('add', 2, ctx.budget === 'small' ? 8 : 48);
  const rng = new Rng(0).child('lesson7-bon');
  const samples = await rollout(policy, held, {
    groupSize: N,
    temperature: 1,
    maxNewTokens: 60,
    rngFor: (j, k) => rng.child(`p${j}`).child(`g${k}`),
  });
  await ctx.tick();
  const traces = samples.map((r) => scoreSteps(r.problem, r.completion, r.finish === 'length'));
  // An untrained reward model on the base: a zero head, so each step scores σ(ℓ), the base LM's own confidence
  // in the value it wrote — the implicit PRM. (The experiment trains one on Math-Shepherd labels.)
  const prm = rewardModelFrom(BASE);
  const scores = await scoreTraces(prm, traces);
  const cands = candidatesOf(traces, scores, scores, N);
  const rows = bestOfN(cands, [N], rng.child('select'));
  const acc = (s: string) => rows.find((r) => r.selector === s)!.accuracy;
  const lines = ['random', 'majority', 'prm-min', 'prm-product', 'oracle'].map(
    (s) => `${s.padEnd(12)} ${(100 * acc(s)).toFixed(1)}%`,
  );
  return {
    metrics: { random: acc('random'), majority: acc('majority'), prmMin: acc('prm-min'), oracle: acc('oracle'), n: N },
    lines: [`best-of-${N} on ${held.length} held-out problems:`, ...lines],
  };
}

/** Step-level MCTS on one problem, its tree drawn, then on a few more problems. */
export async function runMcts(ctx: RunContext): Promise<RunResult> {
  const { policy, Rng } = await load();
  const { heldOutSet } = await import('../../src/world/index.ts');
  const { rewardModelFrom } = await import('../../src/search/reward-model.ts');
  const { mctsSolve, drawTree, MCTS_DEFAULTS } = await import('../../src/search/mcts.ts');
  const K = Number(ctx.knobs.k);
  const value = rewardModelFrom(BASE);
  const held = heldOutSet('add', 2, ctx.budget === 'small' ? 2 : 12);
  let right = 0,
    tokens = 0;
  const lines: string[] = [];
  for (const [j, p] of held.entries()) {
    const r = await mctsSolve(policy, value, p, {
      ...MCTS_DEFAULTS,
      k: K,
      simsPerMove: ctx.budget === 'small' ? 2 : 6,
      rng: new Rng(0).child('lesson7-mcts').child(`p${j}`),
    });
    if (j === 0) lines.push(`${p.prompt} (answer ${p.answer}):`, ...drawTree(r.root, 4), '');
    right += r.correct ? 1 : 0;
    tokens += r.tokens;
    ctx.report({ kind: 'progress', step: j + 1, total: held.length, metrics: { accuracy: right / (j + 1) } });
    await ctx.tick();
  }
  lines.push(
    `K=${K}: ${right}/${held.length} right, ${(tokens / held.length).toFixed(0)} tokens generated per problem`,
  );
  return { metrics: { accuracy: right / held.length, tokensPerProblem: tokens / held.length }, lines };
}
