/**
 * The hierarchical-equality task of Geiger et al. (DAS, 2023), our version. Inputs: four objects a, b, c, d, each a
 * vector of `dim` (default 4) values drawn uniformly in [−1, 1); the network reads them concatenated (4·dim inputs).
 * Each pair is equal with probability ½ (b is then a copy of a, likewise d of c), independently, so the label
 * (a = b) = (c = d) is balanced. The high-level model has two variables, V1 = (a = b) and V2 = (c = d), and the
 * output V1 = V2. An interchange on V1 from a source into a base gives the label V1(source) = V2(base); on V2,
 * V1(base) = V2(source). Our choices: 4-dimensional objects; the network [16, 16, 16, 1] (three weight layers, two
 * hidden layers of 16), LeakyReLU and MSE as every model of the library, trained by the library's trainer; pairs of
 * (base, source) drawn independently, the intervened variable alternating; DAS and neuron sets at hidden layer 1.
 */
import { Dataset } from "../tasks";
import { MLP, runWithCache } from "../model";
import { Rng, deriveSeed } from "../rng";
import { InputError } from "../errors";
import { sampledInterchangeAccuracy } from "../alignment";
import { Tail, modelTail, tailPre } from "./tail";
import { DasExamples, DasFit, rotatedInterchangeRows, trainDas } from "./train";
import { initMLP, trainMLPSync } from "../train";

export interface HierarchicalEqualityBatch {
  n: number;
  dim: number;
  /** n × 4·dim inputs (a, b, c, d concatenated). */
  x: Float32Array;
  v1: Uint8Array;
  v2: Uint8Array;
}

/** n inputs of the task, drawn from `rng`. */
export function sampleHierarchicalEquality(n: number, rng: Rng, dim = 4): HierarchicalEqualityBatch {
  if (!Number.isInteger(n) || n < 1) throw new InputError(`hierarchical equality: n must be a positive integer, got ${n}.`);
  if (!Number.isInteger(dim) || dim < 1) throw new InputError(`hierarchical equality: dim must be a positive integer, got ${dim}.`);
  const w = 4 * dim;
  const x = new Float32Array(n * w);
  const v1 = new Uint8Array(n);
  const v2 = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < w; j++) x[r * w + j] = rng.uniform(-1, 1);
    v1[r] = rng.double() < 0.5 ? 1 : 0;
    v2[r] = rng.double() < 0.5 ? 1 : 0;
    if (v1[r]) for (let j = 0; j < dim; j++) x[r * w + dim + j] = x[r * w + j];
    if (v2[r]) for (let j = 0; j < dim; j++) x[r * w + 3 * dim + j] = x[r * w + 2 * dim + j];
  }
  return { n, dim, x, v1, v2 };
}

/** A training or validation set of the task (label = (V1 = V2)). */
export function hierarchicalEqualityDataset(n: number, seed: number, dim = 4): Dataset {
  const b = sampleHierarchicalEquality(n, new Rng(deriveSeed(seed, "hierarchical-equality")), dim);
  return { x: b.x, y: Float32Array.from(b.v1, (v, r) => (v === b.v2[r] ? 1 : 0)), n, nInputs: 4 * dim, nOutputs: 1 };
}

/** Layer sizes of our network for the task: [4·dim, 16, 16, 1]. */
export function hierarchicalEqualitySizes(dim = 4): number[] {
  return [4 * dim, 16, 16, 1];
}

/** Counterfactual pairs: bases, sources, the intervened variable (alternating 0 = V1, 1 = V2) and the label. */
export interface HierarchicalEqualityPairs {
  base: HierarchicalEqualityBatch;
  source: HierarchicalEqualityBatch;
  variable: Int32Array;
  label: Uint8Array;
}

export function hierarchicalEqualityPairs(n: number, seed: number, dim = 4): HierarchicalEqualityPairs {
  const base = sampleHierarchicalEquality(n, new Rng(deriveSeed(seed, "base")), dim);
  const source = sampleHierarchicalEquality(n, new Rng(deriveSeed(seed, "source")), dim);
  const variable = Int32Array.from({ length: n }, (_, e) => e % 2);
  const label = Uint8Array.from({ length: n }, (_, e) => (variable[e] === 0 ? source.v1[e] === base.v2[e] : base.v1[e] === source.v2[e]) ? 1 : 0);
  return { base, source, variable, label };
}

/** The pairs as DAS examples at a hidden layer (activations through runWithCache). */
export function hierarchicalEqualityExamples(model: MLP, layer: number, pairs: HierarchicalEqualityPairs): DasExamples {
  const hook = `layers.${layer}.hook_post`;
  const acts = (b: HierarchicalEqualityBatch) => Float64Array.from(runWithCache(model, b.x, b.n, { names: [hook] }).cache[hook]);
  return { d: model.layerSizes[layer], n: pairs.base.n, hBase: acts(pairs.base), hSource: acts(pairs.source), variable: pairs.variable, label: pairs.label, nVariables: 2 };
}

/** IIA per variable [V1, V2] and over all pairs, of a fitted rotation, through runWithCache's `set` intervention. */
export function hierarchicalEqualityDasIia(model: MLP, layer: number, pairs: HierarchicalEqualityPairs, fit: Pick<DasFit, "rotation" | "blocks">): { perVariable: number[]; iia: number } {
  const ex = hierarchicalEqualityExamples(model, layer, pairs);
  const rows = rotatedInterchangeRows(ex, fit.rotation, fit.blocks);
  const y = runWithCache(model, pairs.base.x, ex.n, { interventions: [{ kind: "set", site: { hook: `layers.${layer}.hook_post` }, rowValues: rows }], names: [] }).output;
  return scoreOutcomes(Uint8Array.from(y, (v) => (v > 0.5 ? 1 : 0)), pairs);
}

function scoreOutcomes(low: Uint8Array, pairs: HierarchicalEqualityPairs): { perVariable: number[]; iia: number } {
  const perVariable = [0, 1].map((v) => {
    const idx = Array.from(pairs.variable.keys()).filter((e) => pairs.variable[e] === v);
    return sampledInterchangeAccuracy(idx.map((e) => low[e]), idx.map((e) => pairs.label[e]));
  });
  return { perVariable, iia: sampledInterchangeAccuracy(low, pairs.label) };
}

export interface NeuronSetBaseline {
  /** Best set per variable (units of the layer) and its IIA. */
  best: { units: number[]; iia: number }[];
  /** Best disjoint pair (S1 for V1, S2 for V2) by IIA over all pairs, checked through runWithCache's interchange. */
  pair: { units: number[][]; perVariable: number[]; iia: number };
  /** Sets tried per variable. */
  nSets: number;
}

/**
 * The neuron-aligned baseline: every set of at most `maxSize` units of the layer for each variable (interchange
 * intervention: the set takes the source run's values), scored quickly through the float64 tail; the best disjoint
 * pair is then scored again through runWithCache's `interchange` intervention, which is the number reported.
 */
export function hierarchicalEqualityNeuronBaseline(model: MLP, layer: number, pairs: HierarchicalEqualityPairs, maxSize = 3): NeuronSetBaseline {
  const ex = hierarchicalEqualityExamples(model, layer, pairs);
  const tail: Tail = modelTail(model, layer);
  const d = ex.d;
  const sets: number[][] = [];
  const rec = (start: number, cur: number[]) => {
    if (cur.length) sets.push([...cur]);
    if (cur.length === maxSize) return;
    for (let j = start; j < d; j++) rec(j + 1, [...cur, j]);
  };
  rec(0, []);
  const h = new Float64Array(d);
  const scores = [0, 1].map((v) => {
    const idx = Array.from(ex.variable.keys()).filter((e) => ex.variable[e] === v);
    return sets.map((S) => {
      let ok = 0;
      for (const e of idx) {
        h.set(ex.hBase.subarray(e * d, (e + 1) * d));
        for (const j of S) h[j] = ex.hSource[e * d + j];
        if (tailPre(tail, h) > 0.5 === (ex.label[e] === 1)) ok++;
      }
      return ok / idx.length;
    });
  });
  const order = scores.map((s) => Array.from(s.keys()).sort((a, b) => s[b] - s[a]));
  const best = [0, 1].map((v) => ({ units: sets[order[v][0]], iia: scores[v][order[v][0]] }));
  let pick = [order[0][0], order[1][0]];
  let top = -1;
  const K = Math.min(60, sets.length);
  for (const a of order[0].slice(0, K))
    for (const b of order[1].slice(0, K)) {
      if (sets[a].some((j) => sets[b].includes(j))) continue;
      const s = scores[0][a] + scores[1][b];
      if (s > top) {
        top = s;
        pick = [a, b];
      }
    }
  // The reported pair, through the hook core.
  const hook = `layers.${layer}.hook_post`;
  const low = new Uint8Array(ex.n);
  for (const v of [0, 1]) {
    const idx = Array.from(ex.variable.keys()).filter((e) => ex.variable[e] === v);
    const src = new Float32Array(idx.length * pairs.source.x.length / ex.n);
    const xb = new Float32Array(src.length);
    const w = pairs.base.x.length / ex.n;
    idx.forEach((e, q) => {
      src.set(pairs.source.x.subarray(e * w, (e + 1) * w), q * w);
      xb.set(pairs.base.x.subarray(e * w, (e + 1) * w), q * w);
    });
    const y = runWithCache(model, xb, idx.length, { interventions: [{ kind: "interchange", site: { hook, units: sets[pick[v]] }, source: { x: src, n: idx.length } }], names: [] }).output;
    idx.forEach((e, q) => (low[e] = y[q] > 0.5 ? 1 : 0));
  }
  const scored = scoreOutcomes(low, pairs);
  return { best, pair: { units: pick.map((k) => sets[k]), ...scored }, nSets: sets.length };
}

export interface HierarchicalEqualityTraining {
  seed?: number;
  /** Training rows (default 40 000) and validation rows (2 000). */
  nTrain?: number;
  nVal?: number;
  /** Loss target (default 0.001) and epoch limit (200). */
  lossTarget?: number;
  epochs?: number;
  dim?: number;
}

/** Trains our network for the task with the library's trainer (fast engine, AdamW, MSE, early stopping). */
export function trainHierarchicalEqualityModel(opts: HierarchicalEqualityTraining = {}): { model: MLP; valAcc: number; epochs: number; loss: number } {
  const seed = opts.seed ?? 0;
  const dim = opts.dim ?? 4;
  const train = hierarchicalEqualityDataset(opts.nTrain ?? 40_000, deriveSeed(seed, "train"), dim);
  const val = hierarchicalEqualityDataset(opts.nVal ?? 2000, deriveSeed(seed, "val"), dim);
  const r = trainMLPSync(initMLP(hierarchicalEqualitySizes(dim), [], seed), train, val, { seed, lossTarget: opts.lossTarget ?? 0.001, epochs: opts.epochs ?? 200, patience: 20 });
  return { model: r.model, valAcc: r.valAcc, epochs: r.epochs, loss: r.loss };
}

export interface HierarchicalEqualityDasOptions {
  layer?: number;
  /** Rotated coordinates per variable (default 4). */
  blockSize?: number;
  /** Training pairs (default 2048). */
  nPairs?: number;
  steps?: number;
  restarts?: number;
  seed?: number;
}

/** DAS for V1 and V2 at a hidden layer: the restart with the best training accuracy (IIA is scored on other pairs). */
export function fitHierarchicalEqualityDas(model: MLP, opts: HierarchicalEqualityDasOptions = {}): DasFit & { layer: number } {
  const layer = opts.layer ?? 1;
  const tail = modelTail(model, layer);
  const seed = opts.seed ?? 0;
  const dim = model.layerSizes[0] / 4;
  const ex = hierarchicalEqualityExamples(model, layer, hierarchicalEqualityPairs(opts.nPairs ?? 2048, deriveSeed(seed, "das-train"), dim));
  const bs = opts.blockSize ?? 4;
  let best: DasFit | null = null;
  for (let r = 0; r < (opts.restarts ?? 1); r++) {
    const fit = trainDas(tail, ex, { blockSizes: [bs, bs], steps: opts.steps ?? 400, seed: deriveSeed(seed, "das", r) });
    if (!best || fit.trainAccuracy > best.trainAccuracy) best = fit;
  }
  return { ...best!, layer };
}
