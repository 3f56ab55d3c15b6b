/**
 * The plain-data MLP every part of the library shares: layer sizes, float32 weights in PyTorch layout [out][in]
 * (row-major, one Float32Array per layer), biases, and the gate each output computes.
 * Forward pass: act(W x + b) with LeakyReLU(0.01) after EVERY layer, the output included (SPEC 3.1), in float32.
 */
import { Dataset } from "./tasks";

export const LEAKY_SLOPE = Math.fround(0.01);

export interface MLP {
  /** [inputs, hidden…, outputs]. */
  layerSizes: number[];
  /** weights[i]: layerSizes[i+1] × layerSizes[i], row-major (PyTorch `Linear.weight`). */
  weights: Float32Array[];
  /** biases[i]: layerSizes[i+1]. */
  biases: Float32Array[];
  /** Gate name of each output (may be empty for a model of unknown task). */
  gates: string[];
}

/** A model file: the MLP plus the data sets it was trained and analysed with (optional). */
export interface ModelFile {
  model: MLP;
  /** Validation set (circuit acceptance). */
  val?: Dataset;
  /** Truth-table set (grounding inputs; labels not needed). */
  xTt?: { x: Float32Array; n: number };
  /** Anything else the JSON carried (training metadata). */
  meta?: Record<string, unknown>;
}

/** Number of weight matrices (L). Activations are numbered 0 (inputs) … L (output). */
export function nLayers(m: MLP): number {
  return m.layerSizes.length - 1;
}

/** Checks sizes, shapes and finiteness; throws an error that names the offending part and the fix. */
export function validateMLP(m: MLP, where = "model", opts: { sizesOnly?: boolean } = {}): MLP {
  const s = m.layerSizes;
  if (!Array.isArray(s) || s.length < 2) throw new Error(`${where}: layer_sizes must list at least the input and output sizes, e.g. [2, 3, 3, 1].`);
  s.forEach((v, i) => {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${where}: layer_sizes[${i}] = ${v}; every size must be a positive integer.`);
  });
  if (opts.sizesOnly) return m;
  if (m.weights.length !== s.length - 1 || m.biases.length !== s.length - 1)
    throw new Error(`${where}: layer_sizes ${JSON.stringify(s)} needs ${s.length - 1} weight matrices and bias vectors, got ${m.weights.length} and ${m.biases.length}.`);
  for (let i = 0; i < s.length - 1; i++) {
    if (m.weights[i].length !== s[i + 1] * s[i])
      throw new Error(`${where}: weights[${i}] must be ${s[i + 1]}×${s[i]} ([out][in]) for layer_sizes ${JSON.stringify(s)}, got ${m.weights[i].length} values.`);
    if (m.biases[i].length !== s[i + 1])
      throw new Error(`${where}: biases[${i}] must have ${s[i + 1]} values for layer_sizes ${JSON.stringify(s)}, got ${m.biases[i].length}.`);
    const bad = [...m.weights[i]].findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${where}: weights[${i}][${Math.floor(bad / s[i])}][${bad % s[i]}] is ${m.weights[i][bad]}; weights must be finite numbers (a diverged training run?).`);
    const badB = [...m.biases[i]].findIndex((v) => !Number.isFinite(v));
    if (badB >= 0) throw new Error(`${where}: biases[${i}][${badB}] is ${m.biases[i][badB]}; biases must be finite numbers.`);
  }
  if (m.gates.length !== 0 && m.gates.length !== s[s.length - 1])
    throw new Error(`${where}: ${m.gates.length} gates for ${s[s.length - 1]} outputs; give one gate per output.`);
  return m;
}

/** A zero-weight MLP of the given sizes. */
export function zeroMLP(layerSizes: number[], gates: string[] = []): MLP {
  const m: MLP = {
    layerSizes: [...layerSizes],
    weights: layerSizes.slice(1).map((out, i) => new Float32Array(out * layerSizes[i])),
    biases: layerSizes.slice(1).map((out) => new Float32Array(out)),
    gates: [...gates],
  };
  return validateMLP(m);
}

/** Builds an MLP from nested arrays in PyTorch layout (weights[i][out][in]). */
export function mlpFromArrays(layerSizes: number[], weights: number[][][], biases: number[][], gates: string[] = []): MLP {
  const where = "model";
  if (!Array.isArray(weights) || !Array.isArray(biases)) throw new Error(`${where}: "weights" and "biases" must be arrays (one per layer).`);
  // Sizes first, so a bad size gets its own message rather than a row-length complaint.
  validateMLP({ layerSizes, weights: [], biases: [], gates: [] }, where, { sizesOnly: true });
  // JSON writes NaN as null: a null must not silently load as 0.
  const numbers = (v: unknown, at: string): number => {
    if (typeof v !== "number") throw new Error(`${where}: ${at} is ${JSON.stringify(v)}; weights and biases must be numbers (null usually means a NaN saved by a diverged run).`);
    return v;
  };
  const m: MLP = {
    layerSizes: [...layerSizes],
    weights: weights.map((W, i) => {
      if (!Array.isArray(W)) throw new Error(`${where}: weights[${i}] must be a matrix [out][in].`);
      W.forEach((row, o) => {
        if (!Array.isArray(row) || row.length !== layerSizes[i])
          throw new Error(`${where}: weights[${i}][${o}] must have ${layerSizes[i]} values (layer_sizes ${JSON.stringify(layerSizes)}), got ${Array.isArray(row) ? row.length : typeof row}.`);
      });
      return Float32Array.from(W.flatMap((row, o) => row.map((v, j) => numbers(v, `weights[${i}][${o}][${j}]`))));
    }),
    biases: biases.map((b, i) => {
      if (!Array.isArray(b)) throw new Error(`${where}: biases[${i}] must be a vector [out].`);
      return Float32Array.from(b.map((v, o) => numbers(v, `biases[${i}][${o}]`)));
    }),
    gates: [...gates],
  };
  return validateMLP(m);
}

export function cloneMLP(m: MLP): MLP {
  return { layerSizes: [...m.layerSizes], weights: m.weights.map((w) => w.slice()), biases: m.biases.map((b) => b.slice()), gates: [...m.gates] };
}

/** Weights as nested arrays [layer][out][in]. */
export function weightsAsArrays(m: MLP): number[][][] {
  return m.weights.map((w, i) => {
    const nin = m.layerSizes[i];
    const rows: number[][] = [];
    for (let o = 0; o < m.layerSizes[i + 1]; o++) rows.push(Array.from(w.subarray(o * nin, (o + 1) * nin)));
    return rows;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

function rows2(x: Float32Array, n: number, width: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < n; r++) out.push(Array.from(x.subarray(r * width, (r + 1) * width)));
  return out;
}

function matrixFromJson(v: unknown, width: number | undefined, name: string): { x: Float32Array; n: number; width: number } {
  if (!Array.isArray(v) || v.length === 0) throw new Error(`model file: "${name}" must be a non-empty array of rows.`);
  const rows = v.map((r) => (Array.isArray(r) ? r : [r])) as number[][];
  const w = width ?? rows[0].length;
  rows.forEach((r, i) => {
    if (r.length !== w) throw new Error(`model file: "${name}"[${i}] has ${r.length} values; expected ${w}.`);
  });
  const x = Float32Array.from(rows.flat());
  const bad = x.findIndex((t) => !Number.isFinite(t));
  if (bad >= 0) throw new Error(`model file: "${name}" row ${Math.floor(bad / w)} is not finite.`);
  return { x, n: rows.length, width: w };
}

/**
 * Reads a model from parsed JSON. Two formats:
 * - ours: `{ layer_sizes, weights ([out][in] per layer), biases, gates, x_val?, y_val?, x_tt?, ... }`;
 * - the paper's released file (`xor_mlp_meloux2025.json`: `layer_sizes` and `layers[i].weight/bias`). It has no
 *   gates; pass `gates`, else a file whose source names the XOR model is taken as XOR.
 */
export function modelFromJson(json: any, opts: { gates?: string[] } = {}): ModelFile {
  if (json === null || typeof json !== "object") throw new Error("model file: expected a JSON object with layer_sizes, weights, biases and gates.");
  const sizes = json.layer_sizes;
  if (!Array.isArray(sizes)) throw new Error('model file: missing "layer_sizes" (e.g. [2, 3, 3, 1]).');
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
    else throw new Error('model file: no "gates" (one gate name per output, e.g. ["XOR"]); add it to the file or pass it explicitly.');
  }
  if (!Array.isArray(gates)) throw new Error('model file: "gates" must be an array of gate names, e.g. ["XOR"].');
  const model = mlpFromArrays(sizes, weights, biases, gates.map(String));
  const file: ModelFile = { model };
  const nIn = sizes[0];
  const nOut = sizes[sizes.length - 1];
  if (json.x_val !== undefined || json.y_val !== undefined) {
    if (json.x_val === undefined || json.y_val === undefined) throw new Error('model file: "x_val" and "y_val" go together; give both or neither.');
    const xv = matrixFromJson(json.x_val, nIn, "x_val");
    const yv = matrixFromJson(json.y_val, nOut, "y_val");
    if (xv.n !== yv.n) throw new Error(`model file: x_val has ${xv.n} rows but y_val has ${yv.n}.`);
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

// ---------------------------------------------------------------------------------------------------------------
// Forward pass

/**
 * A circuit's masks (SPEC 4.1-4.2). nodeMasks[l] for activation layers 0…L (inputs always on; the output mask is
 * never applied); edgeMasks[i] for weight matrix i, same row-major shape as weights[i].
 */
export interface CircuitMasks {
  nodeMasks: Uint8Array[];
  edgeMasks: Uint8Array[];
}

/**
 * Overwrite neurons of hidden layer `layer` (1 … L−1) right after its activation: with `values` (one per neuron,
 * the same on every row: interchange interventions) or `rowValues` (n × neurons.length, row-major: patching each
 * row from its own counterfactual input).
 */
export interface Intervention {
  layer: number;
  neurons: readonly number[];
  values?: readonly number[];
  rowValues?: ArrayLike<number>;
}

export interface ForwardOptions {
  circuit?: CircuitMasks;
  interventions?: readonly Intervention[];
  /** Return each layer's values before the activation (W·h + b; an intervened neuron keeps its own). */
  preActivations?: boolean;
}

/**
 * Runs the network on n rows of inputs (row-major n × inputs) and returns every layer's activations
 * (index 0 = the inputs, L = the output), each row-major n × size. Float32 arithmetic in index order:
 * Σ_j W[o][j]·x[j] (j ascending), then + bias, then LeakyReLU(0.01). With a circuit, a layer's input vector is
 * multiplied by its node mask and the weights by the edge mask (zero ablation); masked nodes read 0 in the
 * returned activations, as in the reference.
 */
export function forwardAll(m: MLP, x: ArrayLike<number>, n: number, opts: ForwardOptions = {}): Float32Array[] {
  const sizes = m.layerSizes;
  const L = sizes.length - 1;
  if (x.length !== n * sizes[0]) throw new Error(`forward: expected ${n}×${sizes[0]} inputs, got ${x.length} values.`);
  const acts: Float32Array[] = [Float32Array.from(x as ArrayLike<number>)];
  const pres: Float32Array[] = [acts[0]];
  const circuit = opts.circuit;
  for (let i = 0; i < L; i++) {
    const nin = sizes[i];
    const nout = sizes[i + 1];
    const input = acts[i];
    if (circuit) {
      const nm = circuit.nodeMasks[i];
      for (let r = 0; r < n; r++) for (let j = 0; j < nin; j++) if (!nm[j]) input[r * nin + j] = 0;
    }
    const W = m.weights[i];
    const b = m.biases[i];
    const em = circuit ? circuit.edgeMasks[i] : undefined;
    const out = new Float32Array(n * nout);
    const pre = opts.preActivations ? new Float32Array(n * nout) : undefined;
    for (let r = 0; r < n; r++) {
      const base = r * nin;
      for (let o = 0; o < nout; o++) {
        let acc = 0;
        const wo = o * nin;
        for (let j = 0; j < nin; j++) {
          if (em && !em[wo + j]) continue;
          acc = Math.fround(acc + Math.fround(W[wo + j] * input[base + j]));
        }
        acc = Math.fround(acc + b[o]);
        if (pre) pre[r * nout + o] = acc;
        out[r * nout + o] = acc >= 0 ? acc : Math.fround(acc * LEAKY_SLOPE);
      }
    }
    if (opts.interventions)
      for (const iv of opts.interventions) {
        if (iv.layer !== i + 1) continue;
        if (iv.layer < 1 || iv.layer >= L) throw new Error(`forward: interventions apply to hidden layers 1…${L - 1}, got layer ${iv.layer}.`);
        const k = iv.neurons.length;
        if (iv.rowValues) {
          if (iv.rowValues.length !== n * k) throw new Error(`forward: rowValues must hold ${n}×${k} values (rows × neurons), got ${iv.rowValues.length}.`);
          for (let r = 0; r < n; r++) iv.neurons.forEach((j, q) => (out[r * nout + j] = iv.rowValues![r * k + q]));
        } else {
          if (!iv.values || iv.values.length !== k) throw new Error(`forward: an intervention needs one value per neuron (values) or rows × neurons values (rowValues).`);
          for (let r = 0; r < n; r++) iv.neurons.forEach((j, q) => (out[r * nout + j] = iv.values![q]));
        }
      }
    acts.push(out);
    if (pre) pres.push(pre);
  }
  return opts.preActivations ? pres : acts;
}

/** The output layer only (n × outputs). */
export function forward(m: MLP, x: ArrayLike<number>, n: number, opts: ForwardOptions = {}): Float32Array {
  const acts = forwardAll(m, x, n, opts);
  return acts[acts.length - 1];
}

/** Outputs on nested-array inputs, as nested arrays (a convenience for notebooks and the CLI). */
export function predict(m: MLP, rows: number[][]): number[][] {
  const nIn = m.layerSizes[0];
  const out = forward(m, Float32Array.from(rows.flat()), rows.length);
  const nOut = m.layerSizes[m.layerSizes.length - 1];
  return rows.map((_, r) => Array.from(out.subarray(r * nOut, (r + 1) * nOut))).map((row, r) => {
    if (rows[r].length !== nIn) throw new Error(`predict: row ${r} has ${rows[r].length} inputs; the model takes ${nIn}.`);
    return row;
  });
}

/** Round half to even (torch.round), used for every accuracy. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Fraction of rows whose rounded outputs equal the labels on every output (the reference's `do_eval`). */
export function accuracy(m: MLP, data: Dataset): number {
  const out = forward(m, data.x, data.n);
  const k = data.nOutputs;
  let ok = 0;
  for (let r = 0; r < data.n; r++) {
    let all = true;
    for (let o = 0; o < k; o++) if (roundHalfEven(out[r * k + o]) !== data.y[r * k + o]) all = false;
    if (all) ok++;
  }
  return ok / data.n;
}

/**
 * One single-output sub-network per output (SPEC 3.4): shared hidden layers, the last layer reduced to row i of
 * the output weights and bias i (its LeakyReLU kept).
 */
export function splitOutputs(m: MLP): MLP[] {
  const L = nLayers(m);
  const nOut = m.layerSizes[L];
  const nin = m.layerSizes[L - 1];
  const subs: MLP[] = [];
  for (let o = 0; o < nOut; o++) {
    subs.push({
      layerSizes: [...m.layerSizes.slice(0, L), 1],
      weights: [...m.weights.slice(0, L - 1).map((w) => w.slice()), m.weights[L - 1].slice(o * nin, (o + 1) * nin)],
      biases: [...m.biases.slice(0, L - 1).map((b) => b.slice()), m.biases[L - 1].slice(o, o + 1)],
      gates: m.gates.length ? [m.gates[o]] : [],
    });
  }
  return subs;
}
