/**
 * The transformer in TensorFlow.js, for training: the same pass as forward.ts written with plain tf ops (tfjs 4.22
 * has no MultiHeadAttention). Embeddings are one-hot × matrix (the gradient of `gather` is slow on the JS backends);
 * activations keep forward.ts's layouts ([rows, T, H, dHead] for q/k/v/z, [rows, H, T, T] for the pattern), so a
 * patch built for one reads the same in the other.
 *
 * A patch replaces selected elements of a hook by given values: x ← x·(1 − mask) + values·mask, with `mask` of the
 * hook's per-row shape (1 where patched) broadcast over rows and `values` a rows × per-row tensor (typically the
 * hook on a source run). Gradients flow through the unpatched part only, as in activation patching during IIT.
 * `TfTransformer.step(loss)` is one optimizer step (torch.optim.Adam, no weight decay) after global-norm gradient
 * clipping (torch.nn.utils.clip_grad_norm_).
 */
import { Transformer, cloneTransformer, transformerWeights } from "./types";
import { parseTransformerHook } from "./hooks";

export interface TfPatch {
  hook: string;
  /** Per-row shape of the hook, 1 where the values replace the activation. */
  mask: Float32Array;
  /** Tensor of shape [rows, ...per-row shape]. */
  values: any;
}

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Global gradient-norm clip (0 or Infinity: none). */
  clip: number;
}

export interface TfTransformer {
  tf: any;
  config: Transformer["config"];
  /** Variables by weight name (transformerWeights' names). */
  vars: Map<string, any>;
  /**
   * Forward pass on int tokens (rows × T). Returns logits [rows, T, dVocabOut] and the kept hooks' tensors.
   * Call inside tf.tidy or dispose the results.
   */
  forward(tokens: readonly (readonly number[])[], opts?: { patches?: readonly TfPatch[]; keep?: readonly string[] }): { logits: any; hooks: Record<string, any> };
  /** One clipped Adam step on the scalar loss `f()`; returns the loss value (before the step) and the pre-clip gradient norm. */
  step(f: () => any): { loss: number; gradNorm: number };
  /** Reads the variables back into a plain Transformer. */
  model(): Transformer;
  dispose(): void;
}

let variableCount = 0;

export function tfTransformer(tf: any, init: Transformer, hyper: AdamHyper): TfTransformer {
  const c = init.config;
  const { dModel: D, nHeads: H, dHead: E, dMlp: M, dVocab: V, dVocabOut: VO } = c;
  const vars = new Map<string, any>();
  for (const w of transformerWeights(init)) vars.set(w.name, tf.tidy(() => tf.variable(tf.tensor(w.data, w.shape, "float32"), true, `transformer${variableCount++}.${w.name}`)));
  const list = [...vars.values()];
  const mState = list.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
  const vState = list.map((p) => tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
  let t = 0;
  const P = (name: string) => vars.get(name);

  const layerNorm = (x: any, prefix: string) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), P(`${prefix}.w`)), P(`${prefix}.b`));
  };
  const gelu = (x: any) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));

  function forward(tokens: readonly (readonly number[])[], opts: { patches?: readonly TfPatch[]; keep?: readonly string[] } = {}) {
    const n = tokens.length;
    const T = tokens[0].length;
    const NT = n * T;
    const patches = new Map<string, TfPatch[]>();
    for (const p of opts.patches ?? []) {
      parseTransformerHook(c, p.hook, T);
      patches.set(p.hook, [...(patches.get(p.hook) ?? []), p]);
    }
    const keep = new Set(opts.keep ?? []);
    const hooks: Record<string, any> = {};
    // x has shape [rows, ...per-row shape].
    const at = (name: string, x: any) => {
      for (const p of patches.get(name) ?? []) {
        const mask = tf.tensor(p.mask, [1, ...x.shape.slice(1)], "float32");
        x = tf.add(tf.mul(x, tf.sub(1, mask)), tf.mul(p.values, mask));
      }
      if (keep.has(name)) hooks[name] = x;
      return x;
    };
    const flatTok = new Int32Array(NT);
    const flatPos = new Int32Array(NT);
    tokens.forEach((row, b) => row.forEach((tok, i) => ((flatTok[b * T + i] = tok), (flatPos[b * T + i] = i))));
    const oneHotTok = tf.oneHot(tf.tensor1d(flatTok, "int32"), V).toFloat();
    const oneHotPos = tf.oneHot(tf.tensor1d(flatPos, "int32"), c.nCtx).toFloat();
    const embed = at("hook_embed", tf.reshape(tf.matMul(oneHotTok, P("wE")), [n, T, D]));
    const pos = at("hook_pos_embed", tf.reshape(tf.matMul(oneHotPos, P("wPos")), [n, T, D]));
    let resid = tf.add(embed, pos);
    for (let l = 0; l < c.nLayers; l++) {
      const p = `blocks.${l}.`;
      resid = at(p + "hook_resid_pre", resid);
      const x = c.layerNorm ? layerNorm(resid, `blocks.${l}.ln1`) : resid;
      const x2d = tf.reshape(x, [NT, D]);
      // [H, D, E] → [D, H·E]: one matMul for all heads.
      const proj = (w: string, b: string) =>
        tf.reshape(tf.add(tf.matMul(x2d, tf.reshape(tf.transpose(P(p + w), [1, 0, 2]), [D, H * E])), tf.reshape(P(p + b), [H * E])), [n, T, H, E]);
      const q = at(p + "attn.hook_q", proj("wQ", "bQ"));
      const k = at(p + "attn.hook_k", proj("wK", "bK"));
      const v = at(p + "attn.hook_v", proj("wV", "bV"));
      const qh = tf.transpose(q, [0, 2, 1, 3]);
      const kh = tf.transpose(k, [0, 2, 1, 3]);
      const vh = tf.transpose(v, [0, 2, 1, 3]);
      const scores = tf.mul(tf.matMul(qh, kh, false, true), 1 / Math.sqrt(E));
      const pattern = at(p + "attn.hook_pattern", tf.softmax(scores));
      const z = at(p + "attn.hook_z", tf.transpose(tf.matMul(pattern, vh), [0, 2, 1, 3]));
      const attnOut = at(p + "hook_attn_out", tf.reshape(tf.add(tf.matMul(tf.reshape(z, [NT, H * E]), tf.reshape(P(p + "wO"), [H * E, D])), P(p + "bO")), [n, T, D]));
      const mid = at(p + "hook_resid_mid", tf.add(resid, attnOut));
      const x2 = c.layerNorm ? layerNorm(mid, `blocks.${l}.ln2`) : mid;
      const pre = at(p + "mlp.hook_pre", tf.reshape(tf.add(tf.matMul(tf.reshape(x2, [NT, D]), P(p + "wIn")), P(p + "bIn")), [n, T, M]));
      const post = at(p + "mlp.hook_post", gelu(pre));
      const mlpOut = at(p + "hook_mlp_out", tf.reshape(tf.add(tf.matMul(tf.reshape(post, [NT, M]), P(p + "wOut")), P(p + "bOut")), [n, T, D]));
      resid = at(p + "hook_resid_post", tf.add(mid, mlpOut));
    }
    const xf = c.layerNorm ? layerNorm(resid, "ln_final") : resid;
    const logits = tf.reshape(tf.add(tf.matMul(tf.reshape(xf, [NT, D]), P("wU")), P("bU")), [n, T, VO]);
    return { logits, hooks };
  }

  function step(f: () => any): { loss: number; gradNorm: number } {
    const { value, grads } = tf.variableGrads(f, list);
    t++;
    const bc1 = 1 - Math.pow(hyper.beta1, t);
    const bc2sqrt = Math.sqrt(1 - Math.pow(hyper.beta2, t));
    const gs = list.map((p) => grads[p.name]);
    const normT = tf.tidy(() => tf.sqrt(tf.addN(gs.map((g: any) => tf.sum(tf.square(g))))));
    const [loss, gradNorm] = [value.dataSync()[0] as number, normT.dataSync()[0] as number];
    const coef = hyper.clip > 0 && Number.isFinite(hyper.clip) ? Math.min(1, hyper.clip / (gradNorm + 1e-6)) : 1;
    tf.tidy(() => {
      list.forEach((p: any, i: number) => {
        const g = coef === 1 ? gs[i] : tf.mul(gs[i], coef);
        const m = tf.add(mState[i], tf.mul(tf.sub(g, mState[i]), 1 - hyper.beta1));
        const v = tf.add(tf.mul(vState[i], hyper.beta2), tf.mul(tf.square(g), 1 - hyper.beta2));
        mState[i].assign(m);
        vState[i].assign(v);
        const denom = tf.add(tf.div(tf.sqrt(v), bc2sqrt), hyper.eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), hyper.lr / bc1)));
      });
    });
    tf.dispose([value, normT, ...gs]);
    return { loss, gradNorm };
  }

  function model(): Transformer {
    const m = cloneTransformer(init);
    for (const w of transformerWeights(m)) w.data.set(vars.get(w.name).dataSync());
    return m;
  }

  return { tf, config: c, vars, forward, step, model, dispose: () => tf.dispose([...list, ...mState, ...vState]) };
}

/**
 * Mean cross-entropy of logits [rows, T, C] against class labels (rows × T; −1 = not scored), over the scored
 * positions.
 */
export function tfCrossEntropy(tf: any, logits: any, labels: readonly (readonly number[])[]): any {
  const [n, T, C] = logits.shape;
  const onehot = new Float32Array(n * T * C);
  let count = 0;
  labels.forEach((row, b) =>
    row.forEach((y, t) => {
      if (y >= 0) {
        onehot[(b * T + t) * C + y] = 1;
        count++;
      }
    }),
  );
  return tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.tensor(onehot, [n, T, C], "float32")))), Math.max(1, count));
}
