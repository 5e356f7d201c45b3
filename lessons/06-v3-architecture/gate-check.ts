// The check for lesson 06's exercise: the learner's `v3Gate` for one token against route() of
// src/model/gate.ts (the gate the model runs), fed the logits through a 1-wide input (x = [1], gate
// weights = the logits). Cases: no bias; a bias that changes the choice (the weights must still be the
// unbiased scores); a large negative logit; k = 1. Laws checked on the learner's answer too: the weights
// sum to routeScale, and the chosen experts' weights do not depend on the bias.
import { missingExport, type CheckOutcome } from '../../src/tui/manifest.ts';

interface Case {
  logits: number[];
  bias: number[];
  k: number;
  routeScale: number;
  why: string;
}

const CASES: Case[] = [
  {
    logits: [0.5, -1, 2, 0.1],
    bias: [0, 0, 0, 0],
    k: 2,
    routeScale: 2.5,
    why: 'no bias: the two highest σ-scores, weights summing to 2.5',
  },
  {
    logits: [0.5, -1, 2, 0.1],
    bias: [0, 0.6, -0.5, 0],
    k: 2,
    routeScale: 2.5,
    why: 'the bias makes expert 1 beat expert 2 in the choice; the weights still come from σ(logits) alone',
  },
  {
    logits: [3, -20, 0, 1, -0.5, 0.2],
    bias: [-0.2, 0, 0.05, 0, 0.3, 0],
    k: 3,
    routeScale: 1,
    why: 'a very negative logit, k = 3, routeScale 1',
  },
  {
    logits: [1, 2, 3],
    bias: [0.8, 0, 0],
    k: 1,
    routeScale: 2.5,
    why: 'k = 1: the single chosen expert gets all of routeScale',
  },
];

const TOLERANCE = 1e-5;

const show = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(5))) : String(v);
  if (v && typeof v === 'object')
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${show(x)}`)
      .join(', ')} }`;
  return v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v));
};

/** expert → weight, or a reason the shape is wrong. */
function asMap(got: unknown, k: number): Map<number, number> | string {
  if (!got || typeof got !== 'object') return 'expected an object { experts, weights }';
  const { experts, weights } = got as { experts?: unknown; weights?: unknown };
  if (!Array.isArray(experts) || !Array.isArray(weights)) return 'experts and weights must both be arrays';
  if (experts.length !== k || weights.length !== k) return `expected ${k} experts and ${k} weights`;
  const m = new Map<number, number>();
  for (let i = 0; i < k; i++) m.set(Number(experts[i]), Number(weights[i]));
  return m.size === k ? m : 'an expert is chosen twice';
}

export async function checkV3Gate(mod: Record<string, unknown>): Promise<CheckOutcome> {
  const f = mod['v3Gate'];
  if (typeof f !== 'function') return missingExport(mod, 'v3Gate');
  const { tensor } = await import('../../src/core/tensor.ts');
  const { defaultMoe } = await import('../../src/model/config.ts');
  const { route } = await import('../../src/model/gate.ts');
  for (const c of CASES) {
    const E = c.logits.length;
    const moe = {
      ...defaultMoe,
      nRoutedExperts: E,
      nActivatedExperts: c.k,
      nGroups: 1,
      topkGroups: 1,
      scoreFunc: 'sigmoid' as const,
      normTopkProb: true,
      routeScale: c.routeScale,
    };
    const r = route(tensor([1], [1, 1]), tensor(c.logits, [E, 1]), tensor(c.bias, [E]), moe);
    const [idx, wts] = [await r.indices.data(), await r.weights.data()];
    const want = new Map<number, number>(Array.from(idx, (e, i) => [e, wts[i]!]));
    const wantShown = `experts ${show([...want.keys()])} with weights ${show([...want.values()])}`;
    const call = `v3Gate(${show(c.logits)}, ${show(c.bias)}, ${c.k}, ${c.routeScale})`;
    let got: unknown;
    try {
      got = (f as (...a: unknown[]) => unknown)([...c.logits], [...c.bias], c.k, c.routeScale);
    } catch (e) {
      return {
        pass: false,
        message: `${call} threw: ${e instanceof Error ? e.message : String(e)}\nwhy this case: ${c.why}`,
      };
    }
    const m = asMap(got, c.k);
    const fail = (what: string) => ({
      pass: false,
      message: `${call} returned ${show(got)}\n${what}\nexpected ${wantShown}\nwhy this case: ${c.why}`,
    });
    if (typeof m === 'string') return fail(m);
    for (const [e, w] of want) {
      if (!m.has(e)) return fail(`expert ${e} should be chosen (its σ-score + bias is among the ${c.k} largest)`);
      if (!(Math.abs(m.get(e)! - w) <= TOLERANCE)) return fail(`expert ${e} has the wrong weight`);
    }
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    if (Math.abs(total - c.routeScale) > TOLERANCE)
      return fail(`the weights sum to ${show(total)}, not routeScale = ${c.routeScale}`);
  }
  return {
    pass: true,
    message: `all ${CASES.length} tokens match route() in src/model/gate.ts: the bias moved the choice, never the weights, and the weights sum to routeScale`,
  };
}
