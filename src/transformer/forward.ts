/**
 * The transformer's forward pass in plain typed-array loops (float64 arithmetic on the float32 weights): the library's
 * reference implementation, used for evaluation, interventions and as the oracle of the TensorFlow.js pass (tfjs.ts).
 *
 * `runTransformerWithCache(model, tokens, { interventions, names })` returns the logits (rows × positions × dVocabOut)
 * and the cache of every hook (or only `names`), each `{ shape: [rows, ...per-row shape], data }` (hooks.ts lists the
 * shapes). Interventions (interventions.ts) apply where the pass reaches their hook, in the order given; what follows
 * reads the intervened values, and the cache holds them.
 */
import { InputError } from "../errors";
import { Transformer, LayerNormWeights } from "./types";
import { parseTransformerHook, transformerHookNames } from "./hooks";
import { ResolvedTransformerIntervention, Tokens, TransformerIntervention, applyResolved, checkTokens, resolveTransformerInterventions } from "./interventions";

export interface HookTensor {
  shape: number[];
  data: Float32Array;
}

export interface TransformerRun {
  /** rows × positions × dVocabOut. */
  logits: HookTensor;
  cache: Record<string, HookTensor>;
}

export interface TransformerRunOptions {
  interventions?: readonly TransformerIntervention[];
  /** Hooks to cache (default: all). */
  names?: readonly string[];
}

const LN_EPS = 1e-5;

/** erf in float64: its Taylor series below 3, the continued fraction of erfc above (error < 1e-13). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated from the tail.
  let f = ax;
  for (let k = 80; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}

/** Exact GELU: x·Φ(x). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

function layerNorm(x: Float64Array, rows: number, D: number, ln: LayerNormWeights): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let d = 0; d < D; d++) mean += x[r * D + d];
    mean /= D;
    let v = 0;
    for (let d = 0; d < D; d++) v += (x[r * D + d] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / D + LN_EPS);
    for (let d = 0; d < D; d++) out[r * D + d] = (x[r * D + d] - mean) * inv * ln.w[d] + ln.b[d];
  }
  return out;
}

/** The pass itself: float64 logits and the float64 values of the kept hooks. */
export function forwardCore(
  model: Transformer,
  tokens: Tokens,
  resolved: readonly ResolvedTransformerIntervention[],
  keep: ((hook: string) => boolean) | null,
): { logits: Float64Array; hooks: Map<string, Float64Array>; n: number; T: number } {
  const c = model.config;
  const n = tokens.length;
  const T = tokens[0].length;
  const { dModel: D, nHeads: H, dHead: E, dMlp: M, dVocabOut: V } = c;
  const hooks = new Map<string, Float64Array>();
  const byHook = new Map<string, ResolvedTransformerIntervention[]>();
  for (const r of resolved) byHook.set(r.hook, [...(byHook.get(r.hook) ?? []), r]);
  // Applies the interventions at a hook and caches it; `a` holds n rows of `width` values.
  const at = (name: string, a: Float64Array): Float64Array => {
    const ivs = byHook.get(name);
    if (ivs) applyResolved(a, a.length / n, n, ivs);
    if (!keep || keep(name)) hooks.set(name, a); // never written after this point
    return a;
  };
  const NT = n * T;
  const embed = new Float64Array(NT * D);
  const pos = new Float64Array(NT * D);
  for (let b = 0; b < n; b++)
    for (let t = 0; t < T; t++) {
      const tok = tokens[b][t];
      for (let d = 0; d < D; d++) {
        embed[(b * T + t) * D + d] = model.wE[tok * D + d];
        pos[(b * T + t) * D + d] = model.wPos[t * D + d];
      }
    }
  at("hook_embed", embed);
  at("hook_pos_embed", pos);
  let resid: Float64Array = new Float64Array(NT * D);
  for (let i = 0; i < resid.length; i++) resid[i] = embed[i] + pos[i];
  const scale = 1 / Math.sqrt(E);
  model.blocks.forEach((blk, l) => {
    const p = `blocks.${l}.`;
    resid = at(p + "hook_resid_pre", resid.slice());
    const x = blk.ln1 ? layerNorm(resid, NT, D, blk.ln1) : resid;
    // q, k, v: [n, T, H, E] = x·W[h] + b[h].
    const proj = (w: Float32Array, bias: Float32Array) => {
      const out = new Float64Array(NT * H * E);
      for (let r = 0; r < NT; r++)
        for (let h = 0; h < H; h++)
          for (let e = 0; e < E; e++) {
            let s = bias[h * E + e];
            for (let d = 0; d < D; d++) s += x[r * D + d] * w[(h * D + d) * E + e];
            out[(r * H + h) * E + e] = s;
          }
      return out;
    };
    const q = at(p + "attn.hook_q", proj(blk.wQ, blk.bQ));
    const k = at(p + "attn.hook_k", proj(blk.wK, blk.bK));
    const v = at(p + "attn.hook_v", proj(blk.wV, blk.bV));
    // pattern: [n, H, T(query), T(key)], softmax over keys of q·k/√E.
    const pattern = new Float64Array(n * H * T * T);
    for (let b = 0; b < n; b++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < T; i++) {
          const row = ((b * H + h) * T + i) * T;
          let max = -Infinity;
          for (let j = 0; j < T; j++) {
            let s = 0;
            for (let e = 0; e < E; e++) s += q[((b * T + i) * H + h) * E + e] * k[((b * T + j) * H + h) * E + e];
            pattern[row + j] = s * scale;
            if (pattern[row + j] > max) max = pattern[row + j];
          }
          let z = 0;
          for (let j = 0; j < T; j++) z += pattern[row + j] = Math.exp(pattern[row + j] - max);
          for (let j = 0; j < T; j++) pattern[row + j] /= z;
        }
    at(p + "attn.hook_pattern", pattern);
    const z = new Float64Array(NT * H * E);
    for (let b = 0; b < n; b++)
      for (let i = 0; i < T; i++)
        for (let h = 0; h < H; h++)
          for (let e = 0; e < E; e++) {
            let s = 0;
            for (let j = 0; j < T; j++) s += pattern[((b * H + h) * T + i) * T + j] * v[((b * T + j) * H + h) * E + e];
            z[((b * T + i) * H + h) * E + e] = s;
          }
    at(p + "attn.hook_z", z);
    const attnOut = new Float64Array(NT * D);
    for (let r = 0; r < NT; r++)
      for (let d = 0; d < D; d++) {
        let s = blk.bO[d];
        for (let h = 0; h < H; h++) for (let e = 0; e < E; e++) s += z[(r * H + h) * E + e] * blk.wO[(h * E + e) * D + d];
        attnOut[r * D + d] = s;
      }
    at(p + "hook_attn_out", attnOut);
    const mid = new Float64Array(NT * D);
    for (let i = 0; i < mid.length; i++) mid[i] = resid[i] + attnOut[i];
    at(p + "hook_resid_mid", mid);
    const x2 = blk.ln2 ? layerNorm(mid, NT, D, blk.ln2) : mid;
    const pre = new Float64Array(NT * M);
    for (let r = 0; r < NT; r++)
      for (let m = 0; m < M; m++) {
        let s = blk.bIn[m];
        for (let d = 0; d < D; d++) s += x2[r * D + d] * blk.wIn[d * M + m];
        pre[r * M + m] = s;
      }
    at(p + "mlp.hook_pre", pre);
    const post = new Float64Array(NT * M);
    for (let i = 0; i < post.length; i++) post[i] = gelu(pre[i]);
    at(p + "mlp.hook_post", post);
    const mlpOut = new Float64Array(NT * D);
    for (let r = 0; r < NT; r++)
      for (let d = 0; d < D; d++) {
        let s = blk.bOut[d];
        for (let m = 0; m < M; m++) s += post[r * M + m] * blk.wOut[m * D + d];
        mlpOut[r * D + d] = s;
      }
    at(p + "hook_mlp_out", mlpOut);
    const out = new Float64Array(NT * D);
    for (let i = 0; i < out.length; i++) out[i] = mid[i] + mlpOut[i];
    resid = at(p + "hook_resid_post", out);
  });
  const xf = model.lnFinal ? layerNorm(resid, NT, D, model.lnFinal) : resid;
  const logits = new Float64Array(NT * V);
  for (let r = 0; r < NT; r++)
    for (let o = 0; o < V; o++) {
      let s = model.bU[o];
      for (let d = 0; d < D; d++) s += xf[r * D + d] * model.wU[d * V + o];
      logits[r * V + o] = s;
    }
  return { logits, hooks, n, T };
}

function checkNames(model: Transformer, names: readonly string[] | undefined): Set<string> | null {
  if (names === undefined) return null;
  if (!Array.isArray(names)) throw new InputError("names must be an array of hook names (transformerHookNames(config) lists them).");
  for (const nm of names) parseTransformerHook(model.config, nm);
  return new Set(names);
}

/**
 * Resolves interventions (running the model on their source / reference tokens, once per distinct batch) and runs
 * the intervened pass. Shared by runTransformerWithCache and the evaluator.
 */
export function runTransformerCore(model: Transformer, tokens: Tokens, interventions: readonly TransformerIntervention[] = [], keep: ((hook: string) => boolean) | null = null) {
  const T = checkTokens(model.config, tokens);
  const runs = new Map<Tokens, Map<string, Float64Array>>();
  const hookValues = (src: Tokens, hook: string): Float64Array => {
    let r = runs.get(src);
    if (!r) runs.set(src, (r = forwardCore(model, src, [], null).hooks));
    return r.get(hook)!;
  };
  const resolved = resolveTransformerInterventions(model.config, tokens.length, T, interventions, hookValues);
  return forwardCore(model, tokens, resolved, keep);
}

export function runTransformerWithCache(model: Transformer, tokens: Tokens, opts: TransformerRunOptions = {}): TransformerRun {
  const names = checkNames(model, opts.names);
  const { logits, hooks, n, T } = runTransformerCore(model, tokens, opts.interventions ?? [], names ? (h) => names.has(h) : null);
  const cache: Record<string, HookTensor> = {};
  for (const name of transformerHookNames(model.config)) {
    const a = hooks.get(name);
    if (a) cache[name] = { shape: [n, ...parseTransformerHook(model.config, name, T).shape], data: Float32Array.from(a) };
  }
  return { logits: { shape: [n, T, model.config.dVocabOut], data: Float32Array.from(logits) }, cache };
}

/** Argmax class per row and position (rows × positions). */
export function predictTokens(logits: { shape: number[]; data: ArrayLike<number> }): number[][] {
  const [n, T, V] = logits.shape;
  const out: number[][] = [];
  for (let b = 0; b < n; b++) {
    const row: number[] = [];
    for (let t = 0; t < T; t++) {
      let best = 0;
      for (let o = 1; o < V; o++) if (logits.data[(b * T + t) * V + o] > logits.data[(b * T + t) * V + best]) best = o;
      row.push(best);
    }
    out.push(row);
  }
  return out;
}

/**
 * The residual stream before every block and after the last (TransformerLens `accumulated_resid`): shape
 * [nLayers + 1, rows, positions, dModel], with the hook each layer came from. The cache must hold those hooks
 * (run without `names`, or name them).
 */
export function accumulatedResidual(cache: Record<string, HookTensor>): { labels: string[]; shape: number[]; data: Float32Array } {
  const pre = Object.keys(cache).filter((k) => /^blocks\.\d+\.hook_resid_pre$/.test(k));
  const L = pre.length;
  const labels = [...Array.from({ length: L }, (_, l) => `blocks.${l}.hook_resid_pre`), `blocks.${L - 1}.hook_resid_post`];
  for (const h of labels)
    if (!cache[h]) throw new InputError(`accumulatedResidual: the cache lacks ${h}; run without names, or include every blocks.{l}.hook_resid_pre and the last hook_resid_post.`);
  const [n, T, D] = cache[labels[0]].shape;
  const data = new Float32Array((L + 1) * n * T * D);
  labels.forEach((h, i) => data.set(cache[h].data, i * n * T * D));
  return { labels, shape: [L + 1, n, T, D], data };
}
