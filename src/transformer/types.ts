/**
 * The plain-data transformer: a configuration and float32 weights in TransformerLens layout (row-major Float32Arrays),
 * its seeded initialisation and its JSON form (validated on load, like the MLP files).
 *
 * Architecture (TransformerLens names): token and position embeddings, `nLayers` blocks of multi-head attention
 * (bidirectional, as tracr compiles RASP programs: every position attends to every position; scores scaled by
 * 1/√dHead) and a GELU MLP (exact GELU, x·Φ(x)), each added to the residual stream, optional LayerNorm before
 * attention, MLP and unembedding (eps 1e-5), and the unembedding to `dVocabOut` logits per position.
 */
import { Rng } from "../rng";
import { InputError } from "../errors";

export interface TransformerConfig {
  nLayers: number;
  dModel: number;
  nHeads: number;
  dHead: number;
  dMlp: number;
  /** Positions (sequence length, BOS included). */
  nCtx: number;
  /** Input tokens. */
  dVocab: number;
  /** Output classes (logits per position). */
  dVocabOut: number;
  act: "gelu";
  layerNorm: boolean;
}

export interface LayerNormWeights {
  /** dModel scale and shift. */
  w: Float32Array;
  b: Float32Array;
}

/** One block; shapes in brackets, row-major. */
export interface TransformerBlock {
  ln1?: LayerNormWeights;
  /** W_Q, W_K, W_V [nHeads][dModel][dHead]; b_Q, b_K, b_V [nHeads][dHead]. */
  wQ: Float32Array;
  bQ: Float32Array;
  wK: Float32Array;
  bK: Float32Array;
  wV: Float32Array;
  bV: Float32Array;
  /** W_O [nHeads][dHead][dModel]; b_O [dModel]. */
  wO: Float32Array;
  bO: Float32Array;
  ln2?: LayerNormWeights;
  /** W_in [dModel][dMlp]; b_in [dMlp]; W_out [dMlp][dModel]; b_out [dModel]. */
  wIn: Float32Array;
  bIn: Float32Array;
  wOut: Float32Array;
  bOut: Float32Array;
}

export interface Transformer {
  config: TransformerConfig;
  /** W_E [dVocab][dModel]. */
  wE: Float32Array;
  /** W_pos [nCtx][dModel]. */
  wPos: Float32Array;
  blocks: TransformerBlock[];
  lnFinal?: LayerNormWeights;
  /** W_U [dModel][dVocabOut]; b_U [dVocabOut]. */
  wU: Float32Array;
  bU: Float32Array;
}

/** Every weight of a block with its shape: the one list that init, JSON, validation and training walk. */
export function blockShapes(c: TransformerConfig): [keyof TransformerBlock, number[]][] {
  const { nHeads: H, dModel: D, dHead: E, dMlp: M } = c;
  return [
    ["wQ", [H, D, E]],
    ["bQ", [H, E]],
    ["wK", [H, D, E]],
    ["bK", [H, E]],
    ["wV", [H, D, E]],
    ["bV", [H, E]],
    ["wO", [H, E, D]],
    ["bO", [D]],
    ["wIn", [D, M]],
    ["bIn", [M]],
    ["wOut", [M, D]],
    ["bOut", [D]],
  ];
}

const CONFIG_KEYS = ["nLayers", "dModel", "nHeads", "dHead", "dMlp", "nCtx", "dVocab", "dVocabOut"] as const;

/** Checks a configuration; the error names the field and what it must be. */
export function validateTransformerConfig(c: TransformerConfig, where = "transformer config"): TransformerConfig {
  if (!c || typeof c !== "object") throw new InputError(`${where}: expected { ${CONFIG_KEYS.join(", ")}, act, layerNorm }.`);
  for (const k of CONFIG_KEYS) {
    const v = c[k];
    if (!Number.isInteger(v) || v < 1) throw new InputError(`${where}: ${k} must be a positive integer, got ${JSON.stringify(v)}.`);
  }
  if (c.act !== "gelu") throw new InputError(`${where}: act must be "gelu" (the only activation), got ${JSON.stringify(c.act)}.`);
  if (typeof c.layerNorm !== "boolean") throw new InputError(`${where}: layerNorm must be true or false, got ${JSON.stringify(c.layerNorm)}.`);
  return c;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Number of trainable parameters. */
export function transformerParameterCount(c: TransformerConfig): number {
  const ln = c.layerNorm ? 2 * c.dModel : 0;
  const block = blockShapes(c).reduce((s, [, sh]) => s + numel(sh), 0) + 2 * ln;
  return c.dVocab * c.dModel + c.nCtx * c.dModel + c.nLayers * block + ln + c.dModel * c.dVocabOut + c.dVocabOut;
}

/**
 * A transformer with TransformerLens's default initialisation: weights N(0, (0.8/√dModel)²), biases 0, LayerNorm
 * scales 1 and shifts 0. Seeded: the same seed gives the same weights everywhere.
 */
export function initTransformer(config: TransformerConfig, seed: number): Transformer {
  const c = validateTransformerConfig({ ...config });
  const rng = new Rng(seed);
  const std = 0.8 / Math.sqrt(c.dModel);
  const normal = (n: number) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = std * rng.normal();
    return a;
  };
  const ln = (): LayerNormWeights | undefined => (c.layerNorm ? { w: new Float32Array(c.dModel).fill(1), b: new Float32Array(c.dModel) } : undefined);
  const blocks: TransformerBlock[] = [];
  for (let l = 0; l < c.nLayers; l++) {
    const b: Partial<TransformerBlock> = {};
    for (const [name, shape] of blockShapes(c)) b[name] = (name.startsWith("w") ? normal(numel(shape)) : new Float32Array(numel(shape))) as any;
    if (c.layerNorm) {
      b.ln1 = ln();
      b.ln2 = ln();
    }
    blocks.push(b as TransformerBlock);
  }
  return { config: c, wE: normal(c.dVocab * c.dModel), wPos: normal(c.nCtx * c.dModel), blocks, lnFinal: ln(), wU: normal(c.dModel * c.dVocabOut), bU: new Float32Array(c.dVocabOut) };
}

export function cloneTransformer(m: Transformer): Transformer {
  const cl = (l?: LayerNormWeights) => (l ? { w: l.w.slice(), b: l.b.slice() } : undefined);
  return {
    config: { ...m.config },
    wE: m.wE.slice(),
    wPos: m.wPos.slice(),
    blocks: m.blocks.map((b) => {
      const out: any = {};
      for (const [k, v] of Object.entries(b)) out[k] = v instanceof Float32Array ? v.slice() : cl(v as LayerNormWeights);
      return out as TransformerBlock;
    }),
    lnFinal: cl(m.lnFinal),
    wU: m.wU.slice(),
    bU: m.bU.slice(),
  };
}

/** Every weight array with its name (`blocks.0.wQ`, `ln_final.w`, …) and shape, in a fixed order. */
export function transformerWeights(m: Transformer): { name: string; shape: number[]; data: Float32Array }[] {
  const c = m.config;
  const D = c.dModel;
  const out = [
    { name: "wE", shape: [c.dVocab, D], data: m.wE },
    { name: "wPos", shape: [c.nCtx, D], data: m.wPos },
  ];
  m.blocks.forEach((b, l) => {
    if (b.ln1) out.push({ name: `blocks.${l}.ln1.w`, shape: [D], data: b.ln1.w }, { name: `blocks.${l}.ln1.b`, shape: [D], data: b.ln1.b });
    for (const [k, shape] of blockShapes(c)) out.push({ name: `blocks.${l}.${k}`, shape, data: b[k] as Float32Array });
    if (b.ln2) out.push({ name: `blocks.${l}.ln2.w`, shape: [D], data: b.ln2.w }, { name: `blocks.${l}.ln2.b`, shape: [D], data: b.ln2.b });
  });
  if (m.lnFinal) out.push({ name: "ln_final.w", shape: [D], data: m.lnFinal.w }, { name: "ln_final.b", shape: [D], data: m.lnFinal.b });
  out.push({ name: "wU", shape: [D, c.dVocabOut], data: m.wU }, { name: "bU", shape: [c.dVocabOut], data: m.bU });
  return out;
}

/** Checks that every weight exists with its configured length and is finite; the error names the weight. */
export function validateTransformer(m: Transformer, where = "transformer"): Transformer {
  if (!m || typeof m !== "object") throw new InputError(`${where}: expected a transformer { config, wE, wPos, blocks, wU, bU }.`);
  const c = validateTransformerConfig(m.config, `${where}: config`);
  if (!Array.isArray(m.blocks) || m.blocks.length !== c.nLayers) throw new InputError(`${where}: blocks must hold nLayers = ${c.nLayers} blocks, got ${Array.isArray(m.blocks) ? m.blocks.length : typeof m.blocks}.`);
  for (let l = 0; l < c.nLayers; l++) {
    const b = m.blocks[l];
    if (!!b?.ln1 !== c.layerNorm || !!b?.ln2 !== c.layerNorm)
      throw new InputError(`${where}: blocks.${l} ${c.layerNorm ? "lacks" : "has"} LayerNorm weights (ln1, ln2) but config.layerNorm is ${c.layerNorm}.`);
    for (const [k, shape] of blockShapes(c)) if (!(b[k] instanceof Float32Array)) throw new InputError(`${where}: blocks.${l}.${k} is missing (expected ${shape.join("×")} values).`);
  }
  if (!!m.lnFinal !== c.layerNorm) throw new InputError(`${where}: ln_final ${c.layerNorm ? "is missing" : "is present"} but config.layerNorm is ${c.layerNorm}.`);
  for (const w of transformerWeights(m)) {
    if (!(w.data instanceof Float32Array) || w.data.length !== numel(w.shape))
      throw new InputError(`${where}: ${w.name} must hold ${w.shape.join("×")} = ${numel(w.shape)} values, got ${w.data?.length}.`);
    const bad = w.data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new InputError(`${where}: ${w.name}[${bad}] is not finite.`);
  }
  return m;
}
