/**
 * Transformer files as JSON: `{ format: "mi-transformer", config, weights: { name: values }, ...meta }` with the
 * weight names of `transformerWeights` (`wE`, `blocks.0.wQ`, `ln_final.w`, …), each a flat row-major array in
 * TransformerLens layout. Values are numbers (the shortest decimal that reads back as the same float32) or, with
 * `{ encoding: "base64" }`, the little-endian float32 bytes in base64 (a third of the size; exact too).
 * `transformerFromJson` validates everything and names the first bad field.
 */
import { InputError } from "../errors";
import { Transformer, TransformerConfig, blockShapes, numel, transformerWeights, validateTransformer, validateTransformerConfig } from "./types";

export const TRANSFORMER_FORMAT = "mi-transformer";

export interface TransformerFile {
  model: Transformer;
  /** Everything else the JSON carried (program, correspondence, training settings and scores). */
  meta: Record<string, unknown>;
}

/** The shortest decimal that reads back as the same float32. */
function shortFloat32(x: number): number {
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

function toBase64(a: Float32Array): string {
  const bytes = new Uint8Array(a.length * 4);
  const view = new DataView(bytes.buffer);
  a.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return Buffer.from(bytes).toString("base64");
}

function fromBase64(s: string, name: string): Float32Array {
  const bytes = Buffer.from(s, "base64");
  if (bytes.length % 4 !== 0) throw new InputError(`transformer file: weights["${name}"] is base64 of ${bytes.length} bytes, not a whole number of float32s.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function transformerToJson(model: Transformer | TransformerFile, opts: { encoding?: "numbers" | "base64"; meta?: Record<string, unknown> } = {}): Record<string, unknown> {
  const file: TransformerFile = "model" in model ? model : { model, meta: {} };
  validateTransformer(file.model);
  const weights: Record<string, number[] | string> = {};
  for (const w of transformerWeights(file.model)) weights[w.name] = opts.encoding === "base64" ? toBase64(w.data) : Array.from(w.data, shortFloat32);
  const json: Record<string, unknown> = { format: TRANSFORMER_FORMAT, config: { ...file.model.config }, weights };
  for (const [k, v] of Object.entries({ ...file.meta, ...opts.meta })) if (!(k in json)) json[k] = v;
  return json;
}

export function transformerFromJson(json: any): TransformerFile {
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new InputError(`transformer file: expected a JSON object { format: "${TRANSFORMER_FORMAT}", config, weights }.`);
  if (json.format !== TRANSFORMER_FORMAT)
    throw new InputError(`transformer file: format must be "${TRANSFORMER_FORMAT}", got ${JSON.stringify(json.format)} (an MLP file is read with modelFromJson).`);
  const config = validateTransformerConfig(json.config as TransformerConfig, "transformer file: config");
  const w = json.weights;
  if (!w || typeof w !== "object") throw new InputError('transformer file: missing "weights" (an object of named weight arrays).');
  const read = (name: string, shape: number[]): Float32Array => {
    const v = w[name];
    if (v === undefined) throw new InputError(`transformer file: weights["${name}"] is missing (${shape.join("×")} values).`);
    if (Array.isArray(v)) {
      const bad = v.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
      if (bad >= 0) throw new InputError(`transformer file: ${name}[${bad}] is not finite (${JSON.stringify(v[bad])}).`);
    }
    const a = typeof v === "string" ? fromBase64(v, name) : Array.isArray(v) ? Float32Array.from(v as number[]) : null;
    if (!a) throw new InputError(`transformer file: weights["${name}"] must be an array of numbers or a base64 string.`);
    if (a.length !== numel(shape)) throw new InputError(`transformer file: weights["${name}"] holds ${a.length} values; the config needs ${shape.join("×")} = ${numel(shape)}.`);
    return a;
  };
  const D = config.dModel;
  const ln = (p: string) => (config.layerNorm ? { w: read(`${p}.w`, [D]), b: read(`${p}.b`, [D]) } : undefined);
  const model: Transformer = {
    config: { ...config },
    wE: read("wE", [config.dVocab, D]),
    wPos: read("wPos", [config.nCtx, D]),
    blocks: Array.from({ length: config.nLayers }, (_, l) => {
      const b: any = {};
      for (const [k, shape] of blockShapes(config)) b[k] = read(`blocks.${l}.${k}`, shape);
      if (config.layerNorm) {
        b.ln1 = ln(`blocks.${l}.ln1`);
        b.ln2 = ln(`blocks.${l}.ln2`);
      }
      return b;
    }),
    lnFinal: ln("ln_final"),
    wU: read("wU", [D, config.dVocabOut]),
    bU: read("bU", [config.dVocabOut]),
  };
  const known = new Set(transformerWeights(model).map((x) => x.name));
  const extra = Object.keys(w).filter((k) => !known.has(k));
  if (extra.length) throw new InputError(`transformer file: unknown weight${extra.length > 1 ? "s" : ""} ${extra.map((e) => `"${e}"`).join(", ")} for this config (layerNorm ${config.layerNorm}, ${config.nLayers} layers).`);
  validateTransformer(model, "transformer file");
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) if (!["format", "config", "weights"].includes(k)) meta[k] = v;
  return { model, meta };
}
