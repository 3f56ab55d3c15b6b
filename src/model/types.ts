/**
 * The plain-data MLP every part of the library shares: layer sizes, float32 weights in PyTorch layout [out][in]
 * (row-major, one Float32Array per layer), biases, and the gate each output computes.
 * (The forward pass, act(W x + b) with LeakyReLU(0.01) after every layer, is in forward.ts.)
 */
import { Dataset } from "../tasks";
import { InputError } from "../errors";

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
  if (!Array.isArray(s) || s.length < 2) throw new InputError(`${where}: layer_sizes must list at least the input and output sizes, e.g. [2, 3, 3, 1].`);
  s.forEach((v, i) => {
    if (!Number.isInteger(v) || v <= 0) throw new InputError(`${where}: layer_sizes[${i}] = ${v}; every size must be a positive integer.`);
  });
  if (opts.sizesOnly) return m;
  if (m.weights.length !== s.length - 1 || m.biases.length !== s.length - 1)
    throw new InputError(`${where}: layer_sizes ${JSON.stringify(s)} needs ${s.length - 1} weight matrices and bias vectors, got ${m.weights.length} and ${m.biases.length}.`);
  for (let i = 0; i < s.length - 1; i++) {
    if (m.weights[i].length !== s[i + 1] * s[i])
      throw new InputError(`${where}: weights[${i}] must be ${s[i + 1]}×${s[i]} ([out][in]) for layer_sizes ${JSON.stringify(s)}, got ${m.weights[i].length} values.`);
    if (m.biases[i].length !== s[i + 1])
      throw new InputError(`${where}: biases[${i}] must have ${s[i + 1]} value${s[i + 1] === 1 ? "" : "s"} for layer_sizes ${JSON.stringify(s)}, got ${m.biases[i].length}.`);
    const bad = [...m.weights[i]].findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new InputError(`${where}: weights[${i}][${Math.floor(bad / s[i])}][${bad % s[i]}] is ${m.weights[i][bad]}; weights must be finite numbers (a diverged training run?).`);
    const badB = [...m.biases[i]].findIndex((v) => !Number.isFinite(v));
    if (badB >= 0) throw new InputError(`${where}: biases[${i}][${badB}] is ${m.biases[i][badB]}; biases must be finite numbers.`);
  }
  if (m.gates.length !== 0 && m.gates.length !== s[s.length - 1])
    throw new InputError(`${where}: ${m.gates.length} gates for ${s[s.length - 1]} outputs; give one gate per output.`);
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
  if (!Array.isArray(weights) || !Array.isArray(biases)) throw new InputError(`${where}: "weights" and "biases" must be arrays (one per layer).`);
  // Sizes first, so a bad size gets its own message rather than a row-length complaint.
  validateMLP({ layerSizes, weights: [], biases: [], gates: [] }, where, { sizesOnly: true });
  // JSON writes NaN as null: a null must not silently load as 0.
  const numbers = (v: unknown, at: string): number => {
    if (typeof v !== "number") throw new InputError(`${where}: ${at} is ${JSON.stringify(v)}; weights and biases must be numbers (null usually means a NaN saved by a diverged run).`);
    return v;
  };
  const m: MLP = {
    layerSizes: [...layerSizes],
    weights: weights.map((W, i) => {
      if (!Array.isArray(W)) throw new InputError(`${where}: weights[${i}] must be a matrix [out][in].`);
      W.forEach((row, o) => {
        if (!Array.isArray(row) || row.length !== layerSizes[i])
          throw new InputError(`${where}: weights[${i}][${o}] must have ${layerSizes[i]} values (layer_sizes ${JSON.stringify(layerSizes)}), got ${Array.isArray(row) ? row.length : typeof row}.`);
      });
      return Float32Array.from(W.flatMap((row, o) => row.map((v, j) => numbers(v, `weights[${i}][${o}][${j}]`))));
    }),
    biases: biases.map((b, i) => {
      if (!Array.isArray(b)) throw new InputError(`${where}: biases[${i}] must be a vector [out].`);
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

/**
 * A circuit's masks (SPEC 4.1-4.2). nodeMasks[l] for activation layers 0…L (inputs always on; the output mask is
 * never applied); edgeMasks[i] for weight matrix i, same row-major shape as weights[i].
 */
export interface CircuitMasks {
  nodeMasks: Uint8Array[];
  edgeMasks: Uint8Array[];
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
