// The DeepSeek-V3 pretraining objective for one batch [V3 eq. 17–20 and 25]:
//   L = CE(main model) + λ/D · Σ_k CE_k (MTP modules) + Σ_MoE layers α·L_Bal (sequence-wise balance loss)
// For a dense config without MTP this is exactly the cross-entropy of `forward`. The routing log it returns
// feeds the auxiliary-loss-free bias update (moe.ts updateRoutingBias) after the optimizer step, and the
// per-expert load statistics.
import { add, crossEntropy, reshape } from '../core/ops/index.ts';
import type { Tensor } from '../core/tensor.ts';
import { totalAuxLoss, type MoeLayerLog } from './moe.ts';
import { mtpLoss } from './mtp.ts';
import type { ForwardOptions, Transformer } from './transformer.ts';

export interface Objective {
  /** The scalar to backpropagate. */
  loss: Tensor;
  /** Cross-entropy of the main model's next-token prediction. */
  main: Tensor;
  /** λ/D · Σ_k CE_k, when the model has MTP modules. */
  mtp?: Tensor;
  /** CE_k of each MTP depth (before λ/D). */
  mtpPerDepth: Tensor[];
  /** Σ α·L_Bal over MoE layers, when seqAuxAlpha > 0. */
  balance?: Tensor;
  /** What every MoE layer (main and MTP) reported: expert loads and balance losses. */
  routing: MoeLayerLog[];
}

export interface ObjectiveOptions {
  ignoreIndex?: number;
  mlaImpl?: ForwardOptions['mlaImpl'];
}

/** ids, targets int32 [B, T] (targets = ids shifted by one). */
export function trainingObjective(
  model: Transformer,
  ids: Tensor,
  targets: Tensor,
  opts: ObjectiveOptions = {},
): Objective {
  const [B, T] = ids.shape as [number, number];
  const routing: MoeLayerLog[] = [];
  const h = model.hidden(ids, { routing, mlaImpl: opts.mlaImpl });
  const main = crossEntropy(model.logits(h), reshape(targets, [B * T]), { ignoreIndex: opts.ignoreIndex });
  const m = mtpLoss(model, ids, targets, h, { ignoreIndex: opts.ignoreIndex, routing });
  const balance = totalAuxLoss(routing);
  let loss = main;
  if (m) loss = add(loss, m.total);
  if (balance) loss = add(loss, balance);
  return { loss, main, mtp: m?.total, mtpPerDepth: m?.perDepth ?? [], balance, routing };
}
