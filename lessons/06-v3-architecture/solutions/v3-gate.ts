// Reference solution: DeepSeek-V3's gate for one token (V3 §2.1.2, without the expert groups).
//
//   s_i = σ(logits_i);  chosen = top-k of s_i + bias_i;  g_i = s_i / Σ_{j chosen} s_j · routeScale
//
// Sigmoid scores are independent per expert (softmax's would compete), so they are normalised over the
// chosen k afterwards; routeScale (2.5 in V3) sets the routed experts' total weight. The bias shifts
// which experts are chosen and nothing else: that is what lets V3 balance load without a loss term
// pulling on the gate's gradients.

export interface GateChoice {
  experts: number[];
  weights: number[];
}

export function v3Gate(logits: number[], bias: number[], k: number, routeScale: number): GateChoice {
  const s = logits.map((x) => 1 / (1 + Math.exp(-x)));
  const order = s.map((_, i) => i).sort((a, b) => s[b]! + bias[b]! - (s[a]! + bias[a]!));
  const experts = order.slice(0, k);
  const total = experts.reduce((sum, i) => sum + s[i]!, 0);
  return { experts, weights: experts.map((i) => (s[i]! / total) * routeScale) };
}
