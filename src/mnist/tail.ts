/**
 * The tail of a trained MNIST network as a circuit-search problem (the paper's closing experiment): the head's
 * activations on held-out digits are the tail's inputs, its circuits are searched with the usual rules (accuracy >
 * 0.99 against the digits' labels, every input kept), and the candidate count of the whole network is set next to
 * the tail's. Ours, beyond the paper: the tail with binarised inputs, whose circuits can be interpreted as logic.
 */
import { MLP, cloneMLP, roundHalfEven, runWithCache } from "../model";
import { Dataset, cleanInputs } from "../tasks";
import { CircuitSearchOptions, CircuitSearchResult, PerfectCircuit, countCandidatesExact, findCircuits } from "../circuits";
import { countGroundings, groundingProblem } from "../interpretations";
import { InputError } from "../errors";
import { MlpSplit, splitMLP } from "./split";
import { countCandidatesUnfiltered } from "./count";

export interface TailCircuitsOptions extends CircuitSearchOptions {
  /** Split layer (default: the first layer at most 16 wide after which every layer is, e.g. 3 for the MNIST network). */
  at?: number;
}

export interface TailCircuits {
  split: MlpSplit;
  /** The tail's inputs (the head's activations) with the digits' labels. */
  tailData: Dataset;
  search: CircuitSearchResult;
  /** The tail's candidate count (the search's rule) and the whole network's (same rule without a sparsity filter). */
  tailCandidates: bigint;
  wholeCandidates: bigint;
  /** The full network's accuracy on the data (= the unablated tail's). */
  accuracy: number;
  timeMs: number;
}

/** The default split: the earliest layer from which every layer is at most 16 wide (the circuit search's limit). */
export function defaultSplitAt(sizes: readonly number[]): number {
  let at = sizes.length - 2;
  while (at > 1 && sizes[at - 1] <= 16) at--;
  return at;
}

/** The tail's inputs on `data`: the head's activations, labels unchanged. */
export function tailDataset(split: MlpSplit, data: Dataset): Dataset {
  const x = runWithCache(split.head, data.x, data.n, { names: [] }).output;
  return { x, y: data.y.slice(), n: data.n, nInputs: split.tail.layerSizes[0], nOutputs: data.nOutputs };
}

function checkData(model: MLP, data: Dataset, where: string): void {
  if (!data || !(data.x instanceof Float32Array) || !(data.y instanceof Float32Array))
    throw new InputError(`${where}: data must be a Dataset { x, y, n, nInputs, nOutputs } (e.g. loadMnist().test).`);
  if (data.nInputs !== model.layerSizes[0] || data.x.length !== data.n * model.layerSizes[0])
    throw new InputError(`${where}: the data rows have ${data.nInputs} values but the network [${model.layerSizes.join(",")}] takes ${model.layerSizes[0]} inputs (MNIST rows: 784 pixels).`);
}

/** Circuits of the tail of `model` on `data` (held-out digits), with the search's options. */
export function tailCircuits(model: MLP, data: Dataset, opts: TailCircuitsOptions = {}): TailCircuits {
  checkData(model, data, "tailCircuits");
  const start = Date.now();
  const split = splitMLP(model, opts.at ?? defaultSplitAt(model.layerSizes));
  const tailData = tailDataset(split, data);
  const search = findCircuits(split.tail, tailData, opts);
  const full = runWithCache(split.tail, tailData.x, tailData.n, { names: [] }).output;
  let correct = 0;
  for (let r = 0; r < data.n; r++) if (roundHalfEven(full[r]) === data.y[r]) correct++;
  return {
    split,
    tailData,
    search,
    tailCandidates: countCandidatesExact(split.tail.layerSizes, opts),
    wholeCandidates: countCandidatesUnfiltered(model.layerSizes),
    accuracy: correct / data.n,
    timeMs: Date.now() - start,
  };
}

/** A circuit as text that is the same across models of one architecture ("n:111.101.111.1|e:…"), for stability. */
export function circuitKey(c: PerfectCircuit): string {
  return `n:${c.masks.nodeMasks.map((m) => m.join("")).join(".")}|e:${c.masks.edgeMasks.map((m) => m.join("")).join(".")}`;
}

export interface BinarisedTail {
  /** Per input unit: the two class means, the threshold (their midpoint) and which class lies above it. */
  units: { mean0: number; mean1: number; threshold: number; highClass: 0 | 1 }[];
  /** The tail rewritten for 0/1 inputs: input b stands for the class mean on its side of the threshold. */
  tail: MLP;
  /** The held-out rows as 0/1 codes with their labels. */
  codes: Dataset;
  /** Accuracy of the binarised tail on the codes (vs labels). */
  accuracy: number;
  /** Rows per code (index = code read MSB first) and how many of them are label 1. */
  codeCounts: { rows: number; ones: number }[];
  search: CircuitSearchResult;
  /** Interpretations of each circuit (groundings on the 2^k codes, SPEC 5's count). */
  interpretations: number[];
}

/**
 * Ours: binarise the tail's inputs with one threshold per unit, the midpoint of the unit's means on the two classes
 * of `fitData` (training digits): the decision boundary of two equal-spread classes, the natural cut when the head
 * has learnt to separate them. Code 1 means "on the side of the higher class mean"; the tail's first layer is
 * rewritten so that input b feeds the mean of that side (x = lo + b·(hi − lo)), which makes it an ordinary MLP on
 * Boolean inputs: circuits and interpretations then follow the Boolean pipeline (groundings on the clean codes).
 */
export function binariseTail(split: MlpSplit, fitData: Dataset, evalData: Dataset, opts: CircuitSearchOptions = {}): BinarisedTail {
  const fit = tailDataset(split, fitData);
  const ev = tailDataset(split, evalData);
  const k = split.tail.layerSizes[0];
  const units: BinarisedTail["units"] = [];
  for (let i = 0; i < k; i++) {
    const sum = [0, 0];
    const cnt = [0, 0];
    for (let r = 0; r < fit.n; r++) {
      const c = fit.y[r] > 0.5 ? 1 : 0;
      sum[c] += fit.x[r * k + i];
      cnt[c]++;
    }
    if (!cnt[0] || !cnt[1]) throw new InputError("binariseTail: the fitting data must hold both classes (label 0 and label 1).");
    const mean0 = sum[0] / cnt[0];
    const mean1 = sum[1] / cnt[1];
    units.push({ mean0, mean1, threshold: (mean0 + mean1) / 2, highClass: mean1 > mean0 ? 1 : 0 });
  }
  const tail = cloneMLP(split.tail);
  const n1 = tail.layerSizes[1];
  for (let o = 0; o < n1; o++) {
    let shift = 0;
    for (let i = 0; i < k; i++) {
      const lo = Math.min(units[i].mean0, units[i].mean1);
      const hi = Math.max(units[i].mean0, units[i].mean1);
      const w = tail.weights[0][o * k + i];
      shift += w * lo;
      tail.weights[0][o * k + i] = w * (hi - lo);
    }
    tail.biases[0][o] = tail.biases[0][o] + shift;
  }
  const x = new Float32Array(ev.n * k);
  const codeCounts = Array.from({ length: 1 << k }, () => ({ rows: 0, ones: 0 }));
  for (let r = 0; r < ev.n; r++) {
    let code = 0;
    for (let i = 0; i < k; i++) {
      const bit = ev.x[r * k + i] > units[i].threshold ? 1 : 0; // 1: the side of the higher class mean
      x[r * k + i] = bit;
      code = code * 2 + bit;
    }
    codeCounts[code].rows++;
    if (ev.y[r] > 0.5) codeCounts[code].ones++;
  }
  const codes: Dataset = { x, y: ev.y.slice(), n: ev.n, nInputs: k, nOutputs: ev.nOutputs };
  const out = runWithCache(tail, x, ev.n, { names: [] }).output;
  let correct = 0;
  for (let r = 0; r < ev.n; r++) if (roundHalfEven(out[r]) === ev.y[r]) correct++;
  const search = findCircuits(tail, codes, opts);
  const clean = cleanInputs(k);
  const interpretations = search.circuits.map((c) => countGroundings(groundingProblem(tail, c.masks, clean, 1 << k, "compat")));
  return { units, tail, codes, accuracy: correct / ev.n, codeCounts, search, interpretations };
}
