/** Model files as JSON: our format and the paper's released file. */
import { MLP, ModelFile, mlpFromArrays, weightsAsArrays } from "./types";
import { InputError } from "../errors";

function rows2(x: Float32Array, n: number, width: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < n; r++) out.push(Array.from(x.subarray(r * width, (r + 1) * width)));
  return out;
}

function matrixFromJson(v: unknown, width: number | undefined, name: string): { x: Float32Array; n: number; width: number } {
  if (!Array.isArray(v) || v.length === 0) throw new InputError(`model file: "${name}" must be a non-empty array of rows.`);
  const rows = v.map((r) => (Array.isArray(r) ? r : [r])) as number[][];
  const w = width ?? rows[0].length;
  rows.forEach((r, i) => {
    if (r.length !== w) throw new InputError(`model file: "${name}"[${i}] has ${r.length} value${r.length === 1 ? "" : "s"}; expected ${w}.`);
  });
  const x = Float32Array.from(rows.flat());
  const bad = x.findIndex((t) => !Number.isFinite(t));
  if (bad >= 0) throw new InputError(`model file: "${name}" row ${Math.floor(bad / w)} is not finite.`);
  return { x, n: rows.length, width: w };
}

/**
 * Reads a model from parsed JSON. Two formats:
 * - ours: `{ layer_sizes, weights ([out][in] per layer), biases, gates, x_val?, y_val?, x_tt?, ... }`;
 * - the paper's released file (`xor_mlp_meloux2025.json`: `layer_sizes` and `layers[i].weight/bias`). It has no
 *   gates; pass `gates`, else a file whose source names the XOR model is taken as XOR.
 */
export function modelFromJson(json: any, opts: { gates?: string[] } = {}): ModelFile {
  if (json === null || typeof json !== "object") throw new InputError("model file: expected a JSON object with layer_sizes, weights, biases and gates.");
  const sizes = json.layer_sizes;
  if (!Array.isArray(sizes)) throw new InputError('model file: missing "layer_sizes" (e.g. [2, 3, 3, 1]).');
  let weights: number[][][];
  let biases: number[][];
  if (Array.isArray(json.layers) && !json.weights) {
    weights = json.layers.map((l: any) => l.weight);
    biases = json.layers.map((l: any) => l.bias);
  } else {
    weights = json.weights;
    biases = json.biases;
  }
  let gates: string[] | undefined = opts.gates ?? json.gates;
  if (!gates) {
    const released = typeof json.source === "string" && /xor_mlp/i.test(json.source);
    if (released) gates = ["XOR"];
    else throw new InputError('model file: no "gates" (one gate name per output, e.g. ["XOR"]); add it to the file or pass it explicitly.');
  }
  if (!Array.isArray(gates)) throw new InputError('model file: "gates" must be an array of gate names, e.g. ["XOR"].');
  const model = mlpFromArrays(sizes, weights, biases, gates.map(String));
  const file: ModelFile = { model };
  const nIn = sizes[0];
  const nOut = sizes[sizes.length - 1];
  if (json.x_val !== undefined || json.y_val !== undefined) {
    if (json.x_val === undefined || json.y_val === undefined) throw new InputError('model file: "x_val" and "y_val" go together; give both or neither.');
    const xv = matrixFromJson(json.x_val, nIn, "x_val");
    const yv = matrixFromJson(json.y_val, nOut, "y_val");
    if (xv.n !== yv.n) throw new InputError(`model file: x_val has ${xv.n} rows but y_val has ${yv.n}.`);
    file.val = { x: xv.x, y: yv.x, n: xv.n, nInputs: nIn, nOutputs: nOut };
  }
  if (json.x_tt !== undefined) {
    const xt = matrixFromJson(json.x_tt, nIn, "x_tt");
    file.xTt = { x: xt.x, n: xt.n };
  }
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) if (!["layer_sizes", "weights", "biases", "gates", "layers", "x_val", "y_val", "x_tt"].includes(k)) meta[k] = v;
  if (Object.keys(meta).length) file.meta = meta;
  return file;
}

/** Our JSON format (numbers are the exact float32 values). */
export function modelToJson(file: ModelFile | MLP): Record<string, unknown> {
  const f: ModelFile = "model" in file ? file : { model: file };
  const m = f.model;
  const json: Record<string, unknown> = {
    layer_sizes: m.layerSizes,
    weights: weightsAsArrays(m),
    biases: m.biases.map((b) => Array.from(b)),
    gates: m.gates,
  };
  if (f.val) {
    json.x_val = rows2(f.val.x, f.val.n, f.val.nInputs);
    json.y_val = rows2(f.val.y, f.val.n, f.val.nOutputs);
  }
  if (f.xTt) json.x_tt = rows2(f.xTt.x, f.xTt.n, m.layerSizes[0]);
  if (f.meta) for (const [k, v] of Object.entries(f.meta)) if (!(k in json)) json[k] = v;
  return json;
}
