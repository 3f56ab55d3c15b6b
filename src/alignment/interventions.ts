/**
 * The intervention table (SPEC 7): the low-level outcome of the interchange intervention "neuron set S takes its
 * values from the run on source s, the network runs on base b" depends only on (S, s, b), not on any formula, so it
 * is computed once per model for every single-layer neuron set and every ordered pair of clean inputs, through the
 * model's hook core (`interchange` interventions at `layers.{l}.hook_post`). Each (node, set) test is then a lookup.
 */
import { formulaRowValues } from "../formulas";
import { MLP, runWithCache, unitSetName, validateMLP } from "../model";

/** A neuron set inside one hidden layer; `layer` is the activation index (1 … L−1). Written `unitSetName(layer, neurons)`. */
export interface NeuronSet {
  layer: number;
  neurons: number[];
}

/** Largest hidden layer the exhaustive set enumeration accepts (2^16 − 1 sets per layer). */
export const MAX_ALIGN_LAYER_WIDTH = 16;

/** Low-level interchange outcomes of one model: for every single-layer neuron set, output bits per ordered pair. */
export interface InterventionTable {
  nVars: number;
  /** Number of clean input rows (2^nVars). */
  nRows: number;
  sets: NeuronSet[];
  /** Bitmask of each set's neurons within its layer. */
  masks: number[];
  /** low[k][source * nRows + base] = 1 iff the intervened network's output is > 0.5. */
  low: Uint8Array[];
}

/** Checks that the model can be aligned (a hidden layer, the output exists, layers small enough to enumerate). */
export function checkAlignable(model: MLP, output: number, where: string): void {
  validateMLP(model, where);
  const s = model.layerSizes;
  if (s.length < 3) throw new Error(`${where}: the model has no hidden layer (layer_sizes ${JSON.stringify(s)}); alignment maps formula nodes to hidden neurons.`);
  const nOut = s[s.length - 1];
  if (!Number.isInteger(output) || output < 0 || output >= nOut) throw new Error(`${where}: output ${output} does not exist; the model has ${nOut} output(s) (0…${nOut - 1}).`);
  for (let l = 1; l < s.length - 1; l++)
    if (s[l] > MAX_ALIGN_LAYER_WIDTH)
      throw new Error(`${where}: hidden layer ${l} has ${s[l]} neurons; the exhaustive set search is limited to ${MAX_ALIGN_LAYER_WIDTH} per layer.`);
}

/** Every non-empty single-layer neuron set, largest first, then by layer, then by ascending neuron lists. */
export function neuronSets(layerSizes: readonly number[]): { sets: NeuronSet[]; masks: number[] } {
  const all: { set: NeuronSet; mask: number }[] = [];
  for (let l = 1; l < layerSizes.length - 1; l++)
    for (let mask = 1; mask < 1 << layerSizes[l]; mask++) {
      const neurons: number[] = [];
      for (let j = 0; j < layerSizes[l]; j++) if ((mask >> j) & 1) neurons.push(j);
      all.push({ set: { layer: l, neurons }, mask });
    }
  const lex = (a: number[], b: number[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
  };
  all.sort((a, b) => b.set.neurons.length - a.set.neurons.length || a.set.layer - b.set.layer || lex(a.set.neurons, b.set.neurons));
  return { sets: all.map((a) => a.set), masks: all.map((a) => a.mask) };
}

/** "L1.{0,2}": a neuron set's canonical label. */
export function neuronSetName(s: NeuronSet): string {
  return unitSetName(s.layer, s.neurons);
}

/**
 * Runs every interchange intervention of the model once: for each single-layer set S, one batch of all
 * (source, base) pairs of clean inputs, row source * nRows + base, S patched from the run on its source (SPEC 7).
 */
export function interventionTable(model: MLP, nVars: number, output = 0): InterventionTable {
  checkAlignable(model, output, "alignment");
  if (model.layerSizes[0] !== nVars) throw new Error(`alignment: the gate takes ${nVars} inputs but the model takes ${model.layerSizes[0]}.`);
  const nRows = 1 << nVars;
  const nPairs = nRows * nRows;
  const bases = new Float32Array(nPairs * nVars);
  const sources = new Float32Array(nPairs * nVars);
  for (let s = 0; s < nRows; s++)
    for (let b = 0; b < nRows; b++) {
      bases.set(formulaRowValues(b, nVars), (s * nRows + b) * nVars);
      sources.set(formulaRowValues(s, nVars), (s * nRows + b) * nVars);
    }
  const nOut = model.layerSizes[model.layerSizes.length - 1];
  const { sets, masks } = neuronSets(model.layerSizes);
  const low = sets.map((S) => {
    const site = { hook: `layers.${S.layer}.hook_post`, units: S.neurons };
    const y = runWithCache(model, bases, nPairs, { interventions: [{ kind: "interchange", site, source: { x: sources, n: nPairs } }], names: [] }).output;
    const out = new Uint8Array(nPairs);
    for (let k = 0; k < nPairs; k++) out[k] = y[k * nOut + output] > 0.5 ? 1 : 0;
    return out;
  });
  return { nVars, nRows, sets, masks, low };
}
