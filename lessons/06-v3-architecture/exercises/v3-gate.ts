// Exercise: DeepSeek-V3's gate for one token (V3 §2.1.2, without the expert groups).
//
//   s_i = σ(logits_i) = 1 / (1 + e^(−logits_i))        affinity of the token to expert i
//   chosen = the k experts with the largest s_i + bias_i
//   g_i = s_i / Σ_{j chosen} s_j · routeScale           for i chosen (the bias is NOT in here)
//
// The bias is the auxiliary-loss-free balancing term: it decides WHO gets the token, never HOW MUCH.
// Return the chosen experts (any order) and their weights in the same order.
//
// This starter chooses by the logits alone and returns softmax weights (V2's style). Fix it.

export interface GateChoice {
  experts: number[];
  weights: number[];
}

export function v3Gate(logits: number[], bias: number[], k: number, routeScale: number): GateChoice {
  const order = logits.map((_, i) => i).sort((a, b) => logits[b]! - logits[a]!);
  const experts = order.slice(0, k);
  const exps = logits.map((x) => Math.exp(x));
  const total = exps.reduce((a, b) => a + b, 0);
  return { experts, weights: experts.map((i) => (exps[i]! / total) * routeScale) };
}
