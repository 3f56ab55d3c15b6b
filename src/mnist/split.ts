/**
 * Head/tail split of any MLP at any hidden layer: the head maps the inputs to that layer's activations (its
 * LeakyReLU included), the tail maps those activations to the output. Both are ordinary MLPs sharing the original's
 * weights, so tail(head(x)) performs the same float32 operations as the full pass: the check asks for bit equality.
 */
import { MLP, cloneMLP, runWithCache, validateMLP } from "../model";
import { InputError } from "../errors";

export interface MlpSplit {
  /** Index of the split activation layer (1 … L−1): the head's output and the tail's input. */
  at: number;
  head: MLP;
  tail: MLP;
}

/** Splits `model` after activation layer `at` (for [784,128,128,3,3,3,1], at = 3 gives the 3 → 3 → 3 → 1 tail). */
export function splitMLP(model: MLP, at: number): MlpSplit {
  validateMLP(model, "splitMLP: model");
  const L = model.layerSizes.length - 1;
  if (!Number.isInteger(at) || at < 1 || at > L - 1)
    throw new InputError(`splitMLP: at must be a hidden layer index from 1 to ${L - 1} for layer_sizes [${model.layerSizes.join(",")}] (the layer whose activations the tail reads), got ${at}.`);
  const m = cloneMLP(model);
  return {
    at,
    head: { layerSizes: m.layerSizes.slice(0, at + 1), weights: m.weights.slice(0, at), biases: m.biases.slice(0, at), gates: [] },
    tail: { layerSizes: m.layerSizes.slice(at), weights: m.weights.slice(at), biases: m.biases.slice(at), gates: [...m.gates] },
  };
}

export interface SplitCheck {
  n: number;
  /** Rows whose composed output differs (bitwise) from the original's. */
  mismatches: number;
  maxAbsDiff: number;
  /** Every output bit-identical. */
  exact: boolean;
}

/** Runs the original and head-then-tail on `x` (n rows) and compares every output. */
export function checkSplit(model: MLP, split: MlpSplit, x: Float32Array, n: number): SplitCheck {
  if (x.length !== n * model.layerSizes[0])
    throw new InputError(`checkSplit: x has ${x.length} values; ${n} rows of the model's ${model.layerSizes[0]} inputs need ${n * model.layerSizes[0]}.`);
  const full = runWithCache(model, x, n, { names: [] }).output;
  const mid = runWithCache(split.head, x, n, { names: [] }).output;
  const composed = runWithCache(split.tail, mid, n, { names: [] }).output;
  const nOut = model.layerSizes[model.layerSizes.length - 1];
  let mismatches = 0;
  let maxAbsDiff = 0;
  for (let r = 0; r < n; r++) {
    let bad = false;
    for (let o = 0; o < nOut; o++) {
      const a = full[r * nOut + o];
      const b = composed[r * nOut + o];
      if (!Object.is(a, b)) bad = true;
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a - b));
    }
    if (bad) mismatches++;
  }
  return { n, mismatches, maxAbsDiff, exact: mismatches === 0 };
}
