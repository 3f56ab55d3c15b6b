/**
 * DAS for the candidate formulas of a Boolean gate (SPEC 6–7): each relevant node of a formula is one high-level
 * variable with a block of rotated coordinates of one hidden layer. Training examples are every ordered pair of
 * clean inputs with base ≠ source (the "corrected" pairs) for every node, labelled with the formula's counterfactual
 * output (highLevelOutcomes). IIA is measured per node, as the neuron-set search does, through the hook core: the
 * hidden layer is `set` to h_b + Rᵀ M R (h_s − h_b) and the outcome table goes through interchangeAccuracy on the
 * chosen pair set ("reference", as alignGate's compat default, or "corrected"/"all"). A formula is aligned when every
 * node reaches IIA 1 (or `iiaThreshold`). With two inputs the pair space is finite (16 pairs): the pairs scored are
 * among the pairs trained on, unlike the hierarchical-equality task's held-out pairs.
 */
import { CandidateFormula, Formula, PairOrder, candidateFormulas, formulaRowValues, formulaString, nodeLabel, relevantNodes, gateTable } from "../formulas";
import { MLP, runWithCache } from "../model";
import { PairSetName, highLevelOutcomes, interchangeAccuracy, pairSet } from "../alignment";
import { BudgetError, InputError } from "../errors";
import { deriveSeed } from "../rng";
import { modelTail } from "./tail";
import { DasExamples, DasFit, DasTrainOptions, defaultBlockSizes, rotatedInterchangeRows, trainDas } from "./train";

export interface FormulaDasOptions extends DasTrainOptions {
  /** Hidden layer to rotate (1 … L−1); default: every hidden layer, the best kept. */
  layer?: number;
  /** Pair set IIA is scored on (default "reference", as the cached study's compat verdicts). */
  pairSet?: PairSetName;
  pairOrder?: PairOrder;
  /** IIA a node needs for the formula to count as aligned (default 1). */
  iiaThreshold?: number;
  /** Random restarts (starting angles) per layer (default 3); the best is kept, all are reported. */
  restarts?: number;
  output?: number;
}

/** One restart at one layer. */
export interface DasRestart {
  layer: number;
  restart: number;
  seed: number;
  /** IIA of each relevant node (formula node order). */
  iiaPerNode: number[];
  /** The formula's IIA: the smallest node IIA (every node must be aligned). */
  iia: number;
  fit: DasFit;
}

export interface FormulaDasResult {
  formula: string;
  nodes: string[];
  /** Best restart (highest IIA, then lowest training loss, then lowest layer). */
  best: DasRestart;
  restarts: DasRestart[];
  aligned: boolean;
  pairSet: PairSetName;
}

/** Ordered (source, base) pairs, base ≠ source: the training pairs. */
function trainingPairs(nVars: number) {
  return pairSet("corrected", nVars);
}

/** Activations of the clean input rows at a hidden layer (nRows × width, float64). */
function layerActivations(model: MLP, layer: number, nVars: number): Float64Array {
  const nRows = 1 << nVars;
  const x = new Float32Array(nRows * nVars);
  for (let r = 0; r < nRows; r++) x.set(formulaRowValues(r, nVars), r * nVars);
  const hook = `layers.${layer}.hook_post`;
  return Float64Array.from(runWithCache(model, x, nRows, { names: [hook] }).cache[hook]);
}

/** Counterfactual examples of a formula's nodes on the given (source, base) pairs. */
export function formulaExamples(model: MLP, f: Formula, layer: number, pairs: readonly { source: number; base: number }[], nVars: number): DasExamples & { highs: Uint8Array[] } {
  const nodes = relevantNodes(f);
  const d = model.layerSizes[layer];
  const acts = layerActivations(model, layer, nVars);
  const nRows = 1 << nVars;
  const highs = nodes.map((node) => highLevelOutcomes(f, node.id, nVars));
  const n = nodes.length * pairs.length;
  const ex: DasExamples & { highs: Uint8Array[] } = { d, n, hBase: new Float64Array(n * d), hSource: new Float64Array(n * d), variable: new Int32Array(n), label: new Uint8Array(n), nVariables: nodes.length, highs };
  let e = 0;
  nodes.forEach((_, v) => {
    for (const p of pairs) {
      ex.hBase.set(acts.subarray(p.base * d, (p.base + 1) * d), e * d);
      ex.hSource.set(acts.subarray(p.source * d, (p.source + 1) * d), e * d);
      ex.variable[e] = v;
      ex.label[e] = highs[v][p.source * nRows + p.base];
      e++;
    }
  });
  return ex;
}

/**
 * IIA of each node under a fitted rotation, through runWithCache: the layer is `set` to the rotated interchange's
 * values, the output thresholded at 0.5, and the outcome table scored by interchangeAccuracy on `pairs`.
 */
export function formulaDasIia(model: MLP, f: Formula, layer: number, fit: Pick<DasFit, "rotation" | "blocks">, pairs: readonly { source: number; base: number }[], nVars: number, output = 0): number[] {
  return formulaMapIia(model, f, layer, (ex) => rotatedInterchangeRows(ex, fit.rotation, fit.blocks), pairs, nVars, output);
}

/** The same with any alignment map: `rows(examples)` gives the intervened layer values (n × d) of each example. */
export function formulaMapIia(model: MLP, f: Formula, layer: number, rows: (ex: DasExamples) => Float32Array, pairs: readonly { source: number; base: number }[], nVars: number, output = 0): number[] {
  const nRows = 1 << nVars;
  const ex = formulaExamples(model, f, layer, pairs, nVars);
  const values = rows(ex);
  const xBase = new Float32Array(ex.n * nVars);
  let e = 0;
  for (let v = 0; v < ex.nVariables; v++) for (const p of pairs) xBase.set(formulaRowValues(p.base, nVars), e++ * nVars);
  const y = runWithCache(model, xBase, ex.n, { interventions: [{ kind: "set", site: { hook: `layers.${layer}.hook_post` }, rowValues: values }], names: [] }).output;
  const nOut = model.layerSizes[model.layerSizes.length - 1];
  return ex.highs.map((high, v) => {
    const low = new Uint8Array(nRows * nRows);
    pairs.forEach((p, q) => (low[p.source * nRows + p.base] = y[(v * pairs.length + q) * nOut + output] > 0.5 ? 1 : 0));
    return interchangeAccuracy(low, high, nRows, pairs);
  });
}

function hiddenLayers(model: MLP, layer: number | undefined): number[] {
  const L = model.layerSizes.length - 1;
  if (L < 2) throw new InputError(`DAS: the model has no hidden layer (layer_sizes ${JSON.stringify(model.layerSizes)}).`);
  if (layer === undefined) return Array.from({ length: L - 1 }, (_, i) => i + 1);
  if (!Number.isInteger(layer) || layer < 1 || layer >= L) throw new InputError(`DAS: --layer must be a hidden layer 1…${L - 1}, got ${layer}.`);
  return [layer];
}

/** DAS for one formula: every requested layer × restart, the best kept (see FormulaDasResult). */
export function dasAlignFormula(model: MLP, f: Formula, opts: FormulaDasOptions = {}): FormulaDasResult {
  const nVars = model.layerSizes[0];
  const nodes = relevantNodes(f);
  const restarts = opts.restarts ?? 3;
  if (!Number.isInteger(restarts) || restarts < 1) throw new InputError(`DAS: restarts must be a positive integer, got ${opts.restarts}.`);
  const threshold = opts.iiaThreshold ?? 1;
  if (!(threshold > 0 && threshold <= 1)) throw new InputError(`DAS: iiaThreshold must be in (0, 1], got ${opts.iiaThreshold}.`);
  const name = opts.pairSet ?? "reference";
  const scored = pairSet(name, nVars, opts.pairOrder ?? "BA");
  const train = trainingPairs(nVars);
  const output = opts.output ?? 0;
  const runs: DasRestart[] = [];
  for (const layer of hiddenLayers(model, opts.layer)) {
    const d = model.layerSizes[layer];
    if (nodes.length > d) continue; // no disjoint non-empty blocks: this layer cannot hold the formula
    const tail = modelTail(model, layer, output);
    const ex = formulaExamples(model, f, layer, train, nVars);
    const blockSizes = opts.blockSizes ?? defaultBlockSizes(d, nodes.length);
    for (let restart = 0; restart < restarts; restart++) {
      const seed = deriveSeed(opts.seed ?? 0, "das", layer, restart);
      const fit = nodes.length === 0 ? emptyFit(d) : trainDas(tail, ex, { ...opts, blockSizes, seed });
      const iiaPerNode = nodes.length === 0 ? [] : formulaDasIia(model, f, layer, fit, scored, nVars, output);
      runs.push({ layer, restart, seed, iiaPerNode, iia: iiaPerNode.length ? Math.min(...iiaPerNode) : 1, fit });
    }
  }
  if (runs.length === 0) throw new InputError(`DAS: formula ${formulaString(f)} has ${nodes.length} variables; no hidden layer of layer_sizes ${JSON.stringify(model.layerSizes)} is that wide.`);
  const best = runs.reduce((a, b) => (b.iia > a.iia || (b.iia === a.iia && b.fit.loss < a.fit.loss) ? b : a));
  return { formula: formulaString(f), nodes: nodes.map(nodeLabel), best, restarts: runs, aligned: best.iia >= threshold, pairSet: name };
}

function emptyFit(d: number): DasFit {
  return { d, theta: [], rotation: [], blocks: [], loss: 0, trainAccuracy: 1, steps: 0 };
}

export interface GateDasResult {
  gate: string;
  nCandidates: number;
  /** Per candidate formula (candidate order); formulas too wide for every layer are skipped (null). */
  formulas: (FormulaDasResult | null)[];
  /** Indices of the aligned candidates. */
  aligned: number[];
  timeMs: number;
}

/**
 * DAS for every candidate formula of a gate (depth ≤ hidden depth + 1, as alignGate), or only `formulas`; formulas with
 * more variables than the layer is wide, or than `maxVariables`, are skipped (null).
 */
export function dasAlignGate(model: MLP, gate: string, opts: FormulaDasOptions & { formulas?: number[]; maxDepth?: number; maxVariables?: number } = {}): GateDasResult {
  const t0 = performance.now();
  const { nVars } = gateTable(gate);
  if (model.layerSizes[0] !== nVars) throw new InputError(`DAS: gate ${gate} takes ${nVars} inputs but the model takes ${model.layerSizes[0]}.`);
  const candidates: CandidateFormula[] = candidateFormulas(gate, opts.maxDepth ?? model.layerSizes.length - 1);
  const chosen = new Set(opts.formulas ?? candidates.map((c) => c.index));
  for (const i of chosen) if (!(i >= 0 && i < candidates.length)) throw new InputError(`DAS: formula index ${i} is outside 0…${candidates.length - 1} (the ${gate} candidates).`);
  const widest = Math.max(...model.layerSizes.slice(1, -1));
  const maxWidth = Math.min(opts.layer ? model.layerSizes[opts.layer] ?? 0 : widest, opts.maxVariables ?? Infinity);
  const formulas = candidates.map((c) => (chosen.has(c.index) && relevantNodes(c.formula).length <= maxWidth ? dasAlignFormula(model, c.formula, opts) : null));
  return { gate, nCandidates: candidates.length, formulas, aligned: formulas.flatMap((r, i) => (r?.aligned ? [i] : [])), timeMs: performance.now() - t0 };
}

export interface AcrossLayersResult {
  formula: string;
  nodes: string[];
  /** Hidden layer of each node (formula node order) in the best assignment. */
  layers: number[];
  iiaPerNode: number[];
  iia: number;
  aligned: boolean;
  /** Rotations trained: one per (layer, node subset) that some assignment needed, times restarts. */
  fits: number;
}

/**
 * DAS with a formula's nodes spread over the hidden layers, as the neuron-set search may spread them: every
 * assignment of nodes to layers (layers^nodes) whose groups fit their layers, one rotation per layer trained on its
 * group's nodes alone (nodes are intervened one at a time, so the layers' rotations are independent), fits shared
 * between assignments. The best assignment (highest smallest node IIA) is returned.
 */
export function dasAlignFormulaAcrossLayers(model: MLP, f: Formula, opts: FormulaDasOptions = {}): AcrossLayersResult {
  const nVars = model.layerSizes[0];
  const nodes = relevantNodes(f);
  const layers = hiddenLayers(model, undefined);
  const m = nodes.length;
  const restarts = opts.restarts ?? 3;
  const threshold = opts.iiaThreshold ?? 1;
  const scored = pairSet(opts.pairSet ?? "reference", nVars, opts.pairOrder ?? "BA");
  const train = trainingPairs(nVars);
  const output = opts.output ?? 0;
  const nAssign = Math.pow(layers.length, m);
  // Up to layers · 2^m rotations (one per layer and node group), about 20 ms each at these widths.
  const maxFits = layers.length * (Math.pow(2, m) - 1) * restarts;
  if (nAssign > 4096) throw new BudgetError(`DAS across layers: ${m} variables over ${layers.length} layers give ${nAssign} assignments and up to ${maxFits} rotations to train (about ${Math.round(maxFits * 0.02)} s); use one layer (dasAlignFormula) or fewer variables.`, nAssign, 4096, maxFits * 0.02);
  const cache = new Map<string, number[]>(); // "layer/mask" → IIA of each node of the mask (node order)
  let fits = 0;
  const groupIia = (layer: number, mask: number): number[] => {
    const key = `${layer}/${mask}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const members = nodes.flatMap((_, v) => ((mask >> v) & 1 ? [v] : []));
    const all = formulaExamples(model, f, layer, train, nVars);
    const keep = Array.from(all.variable.keys()).filter((e) => members.includes(all.variable[e]));
    const d = all.d;
    const ex: DasExamples = {
      d, n: keep.length, nVariables: members.length,
      hBase: Float64Array.from(keep.flatMap((e) => Array.from(all.hBase.subarray(e * d, (e + 1) * d)))),
      hSource: Float64Array.from(keep.flatMap((e) => Array.from(all.hSource.subarray(e * d, (e + 1) * d)))),
      variable: Int32Array.from(keep, (e) => members.indexOf(all.variable[e])),
      label: Uint8Array.from(keep, (e) => all.label[e]),
    };
    const blockSizes = defaultBlockSizes(d, members.length);
    const tail = modelTail(model, layer, output);
    let best: number[] = members.map(() => -1);
    for (let restart = 0; restart < restarts; restart++) {
      const fit = trainDas(tail, ex, { ...opts, blockSizes, seed: deriveSeed(opts.seed ?? 0, "das-split", layer, mask, restart) });
      fits++;
      // Nodes outside the group keep their base values (no block): their IIA is not read.
      const blocks = nodes.map((_, v) => (members.includes(v) ? fit.blocks[members.indexOf(v)] : []));
      const iia = formulaMapIia(model, f, layer, (e) => rotatedInterchangeRows(e, fit.rotation, blocks), scored, nVars, output);
      const mine = members.map((v) => iia[v]);
      if (Math.min(...mine) > Math.min(...best)) best = mine;
      if (Math.min(...best) >= 1) break;
    }
    cache.set(key, best);
    return best;
  };
  let bestResult: { layers: number[]; iiaPerNode: number[]; iia: number } | null = null;
  for (let a = 0; a < nAssign; a++) {
    const assign = nodes.map((_, v) => layers[Math.floor(a / Math.pow(layers.length, v)) % layers.length]);
    const masks = layers.map((l) => nodes.reduce((mask, _, v) => (assign[v] === l ? mask | (1 << v) : mask), 0));
    if (layers.some((l, i) => popcount(masks[i]) > model.layerSizes[l])) continue;
    const iiaPerNode = new Array(m).fill(1);
    layers.forEach((l, i) => {
      if (!masks[i]) return;
      const g = groupIia(l, masks[i]);
      nodes.forEach((_, v) => {
        if ((masks[i] >> v) & 1) iiaPerNode[v] = g[popcount(masks[i] & ((1 << v) - 1))];
      });
    });
    const iia = m ? Math.min(...iiaPerNode) : 1;
    if (!bestResult || iia > bestResult.iia) bestResult = { layers: assign, iiaPerNode, iia };
    if (bestResult.iia >= 1) break;
  }
  if (!bestResult) throw new InputError(`DAS across layers: formula ${formulaString(f)} has ${m} variables; the hidden layers of ${JSON.stringify(model.layerSizes)} cannot hold them.`);
  return { formula: formulaString(f), nodes: nodes.map(nodeLabel), ...bestResult, aligned: bestResult.iia >= threshold, fits };
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}
