/**
 * The exhaustive truth of one output and the verdict on a circuit a method returns. The truth is `findCircuits`
 * (SPEC 4.4: every candidate under zero ablation, accepted when its accuracy on the validation set exceeds the
 * threshold). A verdict says whether the returned circuit is
 * - a candidate at all (the enumeration's shape, SPEC 4.3: every input with an outgoing edge, every kept hidden
 *   neuron with an incoming and an outgoing edge, the output with an incoming edge; the node set past the sparsity
 *   filter and not the full node set unless included);
 * - sufficient: the acceptance rule holds for it (zero ablation, accuracy > threshold), candidate or not;
 * - perfect: one of the enumerated perfect circuits, and which (its position among them and its candidate index);
 * - minimal: perfect with no other perfect circuit strictly inside it;
 * and gives its faithfulness (1 − MSE to the full model on the validation rows, the reference's logit similarity)
 * against the best perfect circuit's, overall and among perfect circuits with at most as many edges, and the AUROC of
 * the method's edge scores against "the edge is in some perfect circuit".
 */
import { CircuitSearchOptions, PerfectCircuit, defaultMinSparsity, findCircuits } from "../circuits";
import { CircuitMasks, MLP, runWithCache } from "../model";
import { roundHalfEven } from "../model";
import { Dataset } from "../tasks";
import { DiscoveryGraph, circuitEdges, circuitMasksKey, discoveryGraph, edgeCount } from "./graph";

export interface CircuitTruth {
  graph: DiscoveryGraph;
  nCandidates: number;
  perfect: PerfectCircuit[];
  /** circuitMasksKey → position in `perfect`. */
  byKey: Map<string, number>;
  /** Per edge: 1 when some perfect circuit uses it. */
  edgeInSome: Uint8Array;
  /** Edge count of each perfect circuit. */
  sizes: Int32Array;
  val: Dataset;
  accuracyThreshold: number;
  minSparsity: number;
  includeFullNodeSet: boolean;
  /** Time of the exhaustive search. */
  ms: number;
}

/** The exhaustive search of a one-output model on its validation set (findCircuits' options; the reference's defaults). */
export function exhaustiveTruth(model: MLP, val: Dataset, opts: CircuitSearchOptions = {}): CircuitTruth {
  const t0 = performance.now();
  const minSparsity = opts.minSparsity ?? defaultMinSparsity(model.layerSizes);
  const search = findCircuits(model, val, { ...opts, minSparsity, metrics: false });
  const graph = discoveryGraph(model);
  const edgeInSome = new Uint8Array(graph.edges.length);
  const byKey = new Map<string, number>();
  const sizes = new Int32Array(search.circuits.length);
  search.circuits.forEach((c, p) => {
    byKey.set(circuitMasksKey(c.masks), p);
    const k = circuitEdges(graph, c.masks);
    k.forEach((v, e) => v && (edgeInSome[e] = 1));
    sizes[p] = edgeCount(c.masks);
  });
  return {
    graph,
    nCandidates: search.nCandidates,
    perfect: search.circuits,
    byKey,
    edgeInSome,
    sizes,
    val,
    accuracyThreshold: opts.accuracyThreshold ?? 0.99,
    minSparsity,
    includeFullNodeSet: !!opts.includeFullNodeSet,
    ms: performance.now() - t0,
  };
}

export interface CircuitVerdict {
  edges: number;
  hiddenNodes: number;
  candidate: boolean;
  sufficient: boolean;
  /** Zero-ablation accuracy on the validation set. */
  accuracy: number;
  perfect: boolean;
  /** Position among the perfect circuits (enumeration order), or null. */
  perfectIndex: number | null;
  /** Candidate index in the enumeration (findCircuits' `index`), or null when not perfect. */
  index: number | null;
  minimal: boolean;
  /** 1 − MSE to the full model (zero ablation, validation rows). */
  faithfulness: number;
  /** Best faithfulness of a perfect circuit (null without perfect circuits). */
  bestFaithfulness: number | null;
  /** Best faithfulness of a perfect circuit with at most `edges` edges (null if none). */
  bestFaithfulnessAtSize: number | null;
  /** AUROC of the scores against edge-in-some-perfect-circuit (null without scores or with one class only). */
  auroc: number | null;
}

/** Does the circuit have the enumeration's shape and pass its node filter (SPEC 4.3)? */
export function isCandidate(truth: CircuitTruth, c: CircuitMasks): boolean {
  const sizes = truth.graph.layerSizes;
  const L = sizes.length - 1;
  for (let l = 0; l <= L; l++)
    for (let j = 0; j < sizes[l]; j++) {
      const on = l === 0 || l === L || c.nodeMasks[l][j] === 1;
      const hasIn = l === 0 || c.edgeMasks[l - 1].some((v, k) => v === 1 && Math.floor(k / sizes[l - 1]) === j);
      const hasOut = l === L || c.edgeMasks[l].some((v, k) => v === 1 && k % sizes[l] === j);
      if (on !== (hasIn && hasOut)) return false;
      if (l > 0 && l < L && !on && (hasIn || hasOut)) return false;
    }
  const hidden = sizes.slice(1, L).reduce((a, b) => a + b, 0);
  const zeros = c.nodeMasks.slice(1, L).reduce((s, m) => s + m.filter((v) => !v).length, 0);
  if (zeros === 0 && !truth.includeFullNodeSet) return false;
  if (truth.minSparsity > 0 && (hidden ? zeros / hidden : 0) <= truth.minSparsity) return false;
  return true;
}

/** Zero-ablation accuracy and faithfulness of a circuit on the validation set (findCircuits' quantities). */
export function circuitQuality(model: MLP, val: Dataset, c: CircuitMasks): { accuracy: number; faithfulness: number } {
  const out = runWithCache(model, val.x, val.n, { circuit: c, names: [] }).output;
  const full = runWithCache(model, val.x, val.n, { names: [] }).output;
  let correct = 0;
  let se = 0;
  for (let r = 0; r < val.n; r++) {
    if (roundHalfEven(out[r]) === val.y[r]) correct++;
    se += (out[r] - full[r]) ** 2;
  }
  return { accuracy: correct / val.n, faithfulness: 1 - se / val.n };
}

/** Area under the ROC curve of scores for labels (ties count one half); null when a class is empty. */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  let pos = 0;
  let neg = 0;
  let wins = 0;
  for (let i = 0; i < labels.length; i++) {
    if (!labels[i]) continue;
    pos++;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j]) continue;
      if (scores[i] > scores[j]) wins++;
      else if (scores[i] === scores[j] || (Number.isNaN(scores[i]) && Number.isNaN(scores[j]))) wins += 0.5;
    }
  }
  for (let j = 0; j < labels.length; j++) if (!labels[j]) neg++;
  return pos && neg ? wins / (pos * neg) : null;
}

/** The verdict on circuit `c` (a method's answer), with the method's edge scores for the AUROC. */
export function circuitVerdict(model: MLP, truth: CircuitTruth, c: CircuitMasks, scores?: ArrayLike<number>): CircuitVerdict {
  const L = model.layerSizes.length - 1;
  const q = circuitQuality(model, truth.val, c);
  const p = truth.byKey.get(circuitMasksKey(c));
  const edges = edgeCount(c);
  let minimal = false;
  if (p !== undefined) {
    const mine = circuitEdges(truth.graph, c);
    minimal = !truth.perfect.some((other, o) => {
      if (o === p || truth.sizes[o] >= edges) return false;
      const theirs = circuitEdges(truth.graph, other.masks);
      return theirs.every((v, e) => !v || mine[e] === 1);
    });
  }
  let best: number | null = null;
  let bestAt: number | null = null;
  truth.perfect.forEach((pc, o) => {
    best = best === null ? pc.logitSimilarity : Math.max(best, pc.logitSimilarity);
    if (truth.sizes[o] <= edges) bestAt = bestAt === null ? pc.logitSimilarity : Math.max(bestAt, pc.logitSimilarity);
  });
  return {
    edges,
    hiddenNodes: c.nodeMasks.slice(1, L).reduce((s, m) => s + m.reduce((a, v) => a + v, 0), 0),
    candidate: isCandidate(truth, c),
    sufficient: q.accuracy > truth.accuracyThreshold,
    accuracy: q.accuracy,
    perfect: p !== undefined,
    perfectIndex: p ?? null,
    index: p !== undefined ? truth.perfect[p].index : null,
    minimal,
    faithfulness: q.faithfulness,
    bestFaithfulness: best,
    bestFaithfulnessAtSize: bestAt,
    auroc: scores ? auroc(scores, truth.edgeInSome) : null,
  };
}
