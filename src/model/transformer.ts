// The decoder-only transformer (Llama skeleton, the dense base DeepSeek-V3 builds on):
//   x₀ = E[ids];  for each layer: x += Attn(RMSNorm(x));  x += FFN(RMSNorm(x));  logits = RMSNorm(x) · Wₒᵤₜᵀ
// Attention is causal with RoPE and grouped-query heads; the FFN is SwiGLU. Linear weights are stored [out, in]
// (HF layout) and applied as x·Wᵀ by a transposed matmul, never copied. Activations flow as [B·T, d].
// DeepSeek-V3's parts plug into the same skeleton when the config has them: MLA for attention (mla.ts), DeepSeekMoE
// after the first nDenseLayers FFNs (moe.ts), YaRN RoPE tables (yarn.ts); the MTP modules (mtp.ts) reuse `block`.
import {
  causalAttention,
  causalAttentionHeads,
  causalAttentionInPlace,
  embedding,
  linearT,
  permute,
  reshape,
  rmsNorm,
  rope,
  ropeInvFreq,
  ropeTables,
  swiglu,
  add,
  type RopeTables,
} from '../core/ops/index.ts';
import type { Rng } from '../core/rng.ts';
import { Tensor, intTensor, randn, ones, tensor, zeros } from '../core/tensor.ts';
import { headDim, isMoeLayer, parameterShapes, type ModelConfig } from './config.ts';
import type { KVCache } from './kvcache.ts';
import { mlaAttention, type MlaImpl } from './mla.ts';
import { moeFfn, type MoeImpl, type MoeLayerLog } from './moe.ts';
import { expertName, isStackedExperts } from './weights.ts';
import { yarnAttentionFactor, yarnInvFreq } from './yarn.ts';

export interface ForwardOptions {
  /** Incremental decoding: reads and extends the cache; positions continue from cache.length. */
  cache?: KVCache;
  /** Explicit positions (int32 [B·T]); default offset + t for every row. Left-padded batches pass their own. */
  positions?: Tensor;
  /** Additive attention bias broadcastable to [B, Hkv, G·T, S] (−∞ hides padding keys). */
  bias?: Tensor;
  /** MLA only: expand K and V per head ('naive') or attend over the latent ('absorbed', the default, as model.py). */
  mlaImpl?: MlaImpl;
  /** MoE only: each MoE layer appends its expert loads (and balance loss, when seqAuxAlpha > 0) here. */
  routing?: MoeLayerLog[];
}

export class Transformer {
  readonly rope: RopeTables;
  /** The attention and FFN projections (numerics/precision.ts swaps in FP8); embedding and LM head stay linearT (V3 §3.3). */
  linear: (x: Tensor, w: Tensor) => Tensor = linearT;
  /** How MoE layers run their routed experts (moe.ts; default: sparse on the CPU); a run-time choice, not saved. */
  moeImpl: MoeImpl | undefined = undefined;

  constructor(
    readonly config: ModelConfig,
    readonly params: Map<string, Tensor>,
  ) {
    const expected = parameterShapes(config);
    for (const [name, shape] of expected) {
      const p = params.get(name);
      if (!p) throw new Error(`missing parameter ${name}`);
      if (p.shape.join() !== shape.join())
        throw new Error(`parameter ${name} has shape [${p.shape}], expected [${shape}]`);
    }
    const anyParam = params.values().next().value as Tensor;
    // MLA rotates only its qkRopeHeadDim channels; YaRN rescales the frequencies and (HF) cos/sin.
    const dim = config.mla ? config.mla.qkRopeHeadDim : headDim(config);
    const y = config.ropeScaling;
    this.rope = y
      ? ropeTables(yarnInvFreq(dim, config.ropeTheta, y), config.maxSeqLen, {
          backend: anyParam.backend,
          dtype: anyParam.dtype,
          scale: yarnAttentionFactor(y),
        })
      : ropeTables(ropeInvFreq(dim, config.ropeTheta), config.maxSeqLen, {
          backend: anyParam.backend,
          dtype: anyParam.dtype,
        });
  }

  /**
   * Fresh weights: N(0, initStd²) for matrices (output projections scaled by 1/√(2L), GPT-2 style), ones for norms,
   * zeros for the MoE balancing bias (a buffer: no gradient).
   */
  static init(config: ModelConfig, rng: Rng, dtype: 'float32' | 'float64' = 'float32'): Transformer {
    const params = new Map<string, Tensor>();
    for (const [name, shape] of parameterShapes(config)) {
      // Each parameter draws from its own named stream: adding a parameter never changes another's values.
      const p = name.endsWith('norm.weight')
        ? ones(shape, { dtype, requiresGrad: true })
        : name.endsWith('e_score_correction_bias')
          ? zeros(shape, { dtype })
          : initNormal(
              name,
              shape,
              rng,
              name.endsWith('o_proj.weight') || name.endsWith('down_proj.weight')
                ? config.initStd / Math.sqrt(2 * config.nLayers)
                : config.initStd,
              dtype,
            );
      p.name = name;
      params.set(name, p);
    }
    return new Transformer(config, params);
  }

  p(name: string): Tensor {
    const t = this.params.get(name);
    if (!t) throw new Error(`no parameter ${name}`);
    return t;
  }

  /** Parameters in a stable (checkpoint) order. */
  parameters(): Tensor[] {
    return [...this.params.values()];
  }

  /** ids int32 [B, T] → final hidden states [B·T, d] (before the final norm). */
  hidden(ids: Tensor, opts: ForwardOptions = {}): Tensor {
    const [B, T] = ids.shape as [number, number];
    const offset = opts.cache?.length ?? 0;
    if (offset + T > this.config.maxSeqLen)
      throw new Error(`sequence of ${offset + T} tokens exceeds maxSeqLen ${this.config.maxSeqLen}`);
    const positions = opts.positions ?? defaultPositions(B, T, offset, ids);
    let x = reshape(embedding(this.p('model.embed_tokens.weight'), ids), [B * T, this.config.dModel]);
    for (let l = 0; l < this.config.nLayers; l++) x = this.block(l, x, B, T, positions, opts);
    opts.cache?.advance(T);
    return x;
  }

  /** One pre-norm decoder block (layer l; MTP module k is block nLayers+k−1): x [B·T, d] → [B·T, d]. */
  block(l: number, x: Tensor, B: number, T: number, positions: Tensor, opts: ForwardOptions): Tensor {
    const pre = `model.layers.${l}.`;
    x = add(
      x,
      this.attention(l, rmsNorm(x, this.p(pre + 'input_layernorm.weight'), this.config.normEps), B, T, positions, opts),
    );
    return add(
      x,
      this.ffn(l, rmsNorm(x, this.p(pre + 'post_attention_layernorm.weight'), this.config.normEps), B, T, opts),
    );
  }

  /** The output projection (the embedding when tied), shared by the MTP modules. */
  head(): Tensor {
    return this.config.tieEmbeddings ? this.p('model.embed_tokens.weight') : this.p('lm_head.weight');
  }

  /** ids int32 [B, T] → logits [B, T, V]. */
  forward(ids: Tensor, opts: ForwardOptions = {}): Tensor {
    const [B, T] = ids.shape as [number, number];
    return reshape(this.logits(this.hidden(ids, opts)), [B, T, this.config.vocabSize]);
  }

  /** Final norm and LM head: hidden [N, d] → logits [N, V]. */
  logits(h: Tensor): Tensor {
    return linearT(rmsNorm(h, this.p('model.norm.weight'), this.config.normEps), this.head());
  }

  /** Causal self-attention of layer l over h [B·T, d] → [B·T, d]. */
  attention(l: number, h: Tensor, B: number, T: number, positions: Tensor, opts: ForwardOptions): Tensor {
    const c = this.config,
      hd = headDim(c),
      pre = `model.layers.${l}.self_attn.`;
    if (c.mla)
      return mlaAttention((n) => this.p(n), pre, c, h, B, T, positions, this.rope, {
        layer: l,
        impl: opts.mlaImpl ?? 'absorbed',
        cache: opts.cache,
        bias: opts.bias,
        linear: this.linear,
      });
    // h [B·T, d] → n heads [B, T, n, hd] through a projection; RoPE turns q and k by position; heads go first.
    const heads = (w: string, n: number) => reshape(this.linear(h, this.p(pre + w)), [B, T, n, hd]);
    const turned = (x: Tensor) => rope(x, positions, this.rope, c.ropeStyle);
    const out = (a: Tensor) => this.linear(reshape(a, [B * T, c.nHeads * hd]), this.p(pre + 'o_proj.weight'));
    if (!opts.cache && c.nKvHeads === c.nHeads)
      // Training and whole-sequence forwards: the heads stay where the projections put them ([B, T, H, hd]).
      return out(
        causalAttentionHeads(
          heads('q_proj.weight', c.nHeads),
          heads('k_proj.weight', c.nKvHeads),
          heads('v_proj.weight', c.nKvHeads),
          { bias: opts.bias, rope: { pos: positions, tables: this.rope, style: c.ropeStyle } },
        ),
      );
    const q = permute(turned(heads('q_proj.weight', c.nHeads)), [0, 2, 1, 3]); // [B, H, T, hd]
    let k = permute(turned(heads('k_proj.weight', c.nKvHeads)), [0, 2, 1, 3]); // [B, Hkv, T, hd]
    let v = permute(heads('v_proj.weight', c.nKvHeads), [0, 2, 1, 3]); // [B, Hkv, T, hd]
    let a: Tensor; // [B, H, T, hd]: each query's softmax-weighted values (GQA: H/Hkv query heads share a K, V head)
    if (opts.cache && !(q.requiresGrad || k.requiresGrad || v.requiresGrad)) {
      // Decoding: K and V stay in the cache's buffers, appended in place (no copy of the past positions).
      const { buffers, length } = opts.cache.append(l, [k, v], 2);
      a = causalAttentionInPlace(q, buffers[0]!, buffers[1]!, length, { bias: opts.bias });
    } else {
      if (opts.cache) [k, v] = opts.cache.extend(l, [k, v], 2) as [Tensor, Tensor];
      a = causalAttention(q, k, v, { bias: opts.bias });
    }
    // heads back beside each other, [B·T, H·hd], and the output projection to [B·T, d]
    return out(permute(a, [0, 2, 1, 3]));
  }

  /**
   * FFN of layer l over h [B·T, d]: SwiGLU W_down · (SiLU(W_gate·h) ⊙ W_up·h), or DeepSeekMoE in an MoE layer
   * (B and T matter only there, for the sequence-wise balance loss).
   */
  ffn(l: number, h: Tensor, B = 1, T = h.dim(0), opts: ForwardOptions = {}): Tensor {
    const pre = `model.layers.${l}.mlp.`;
    if (isMoeLayer(this.config, l))
      return moeFfn((n) => this.p(n), pre, h, this.config.moe!, {
        B,
        T,
        layer: l,
        log: opts.routing,
        linear: this.linear,
        impl: this.moeImpl,
      });
    return this.linear(
      swiglu(this.linear(h, this.p(pre + 'gate_proj.weight')), this.linear(h, this.p(pre + 'up_proj.weight'))),
      this.p(pre + 'down_proj.weight'),
    );
  }
}

/**
 * N(0, std²) weights from the parameter's own stream; a stacked expert tensor draws each expert from the stream
 * of its per-expert name, so the values do not depend on the stacking.
 */
function initNormal(name: string, shape: number[], rng: Rng, std: number, dtype: 'float32' | 'float64'): Tensor {
  if (!isStackedExperts(name)) return randn(shape, rng.child(name), std, { dtype, requiresGrad: true });
  const n = shape.slice(1).reduce((a, b) => a * b, 1);
  const host = new Float64Array(shape[0]! * n);
  for (let e = 0; e < shape[0]!; e++) {
    const r = rng.child(expertName(name, e));
    for (let i = 0; i < n; i++) host[e * n + i] = r.normal() * std;
  }
  return tensor(host, shape, { dtype, requiresGrad: true });
}

/** offset, offset+1, … for every row of the batch. */
export function defaultPositions(B: number, T: number, offset: number, like: Tensor): Tensor {
  const pos = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) pos[b * T + t] = offset + t;
  return intTensor(pos, [B * T], like.backend);
}
