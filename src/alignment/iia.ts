/**
 * Interchange intervention accuracy (IIA), defined once (SPEC 7): over a set of (source, base) input pairs, the
 * fraction on which the low-level model's intervened output equals the high-level model's intervened output. Both
 * outcomes are tables indexed [source * nRows + base] over the 2^nVars clean inputs (row r: A most significant).
 *
 * Named pair sets:
 * - `"reference"`: the reference code's (samples[i], samples[j]) for i < j, samples in `pairOrder` (SPEC 6.5):
 *   6 pairs for two inputs, with 10→01 ("BA", the default) or 01→10 ("AB");
 * - `"corrected"`: every ordered pair with base ≠ source (12 for two inputs);
 * - `"all"`: every ordered pair, base = source included (16 for two inputs; what interpretive equivalence uses).
 *
 * alignGate's `alignmentMode` "compat" tests the reference pairs and requires IIA = 1; "corrected" tests the
 * corrected pairs against `iiaThreshold`. iiaMatrix defaults to the same pair set as alignGate ("reference").
 */
import { Formula, PairOrder, SamplePair, formulaNodeValues, formulaRowValues, formulaTruthTable, nodeLabel, relevantNodes, sampleRows } from "../formulas";
import { MLP } from "../model";
import { InterventionTable, NeuronSet, interventionTable, neuronSetName } from "./interventions";

export type PairSetName = "reference" | "corrected" | "all";
export const PAIR_SETS: readonly PairSetName[] = ["reference", "corrected", "all"];

/** The (source, base) pairs of a named pair set over nVars inputs. `pairOrder` only changes "reference". */
export function pairSet(name: PairSetName, nVars: number, pairOrder: PairOrder = "BA"): SamplePair[] {
  if (!PAIR_SETS.includes(name)) throw new Error(`pair set must be one of ${PAIR_SETS.map((s) => JSON.stringify(s)).join(", ")}, got ${JSON.stringify(name)}.`);
  if (pairOrder !== "AB" && pairOrder !== "BA") throw new Error(`pairOrder must be "BA" or "AB", got ${JSON.stringify(pairOrder)}.`);
  if (!Number.isInteger(nVars) || nVars < 1) throw new Error(`pair set: nVars must be a positive number of inputs, got ${nVars}.`);
  const nRows = 1 << nVars;
  const pairs: SamplePair[] = [];
  if (name === "reference") {
    const rows = sampleRows(nVars, pairOrder);
    for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) pairs.push({ source: rows[i], base: rows[j] });
  } else for (let s = 0; s < nRows; s++) for (let b = 0; b < nRows; b++) if (name === "all" || s !== b) pairs.push({ source: s, base: b });
  return pairs;
}

/** The pair set an alignment mode tests: "compat" → "reference", "corrected" → "corrected". */
export function alignmentPairSet(alignmentMode: "compat" | "corrected"): PairSetName {
  return alignmentMode === "compat" ? "reference" : "corrected";
}

/** IIA: the fraction of `pairs` on which the outcome tables (indexed [source * nRows + base]) agree. */
export function interchangeAccuracy(low: ArrayLike<number>, high: ArrayLike<number>, nRows: number, pairs: readonly SamplePair[]): number {
  if (pairs.length === 0) throw new Error("IIA: no (source, base) pairs to test.");
  let ok = 0;
  for (const p of pairs) {
    const k = p.source * nRows + p.base;
    if (low[k] === high[k]) ok++;
  }
  return ok / pairs.length;
}

/**
 * IIA over sampled pairs (continuous inputs, e.g. DAS's hierarchical-equality task): outcome i belongs to pair i.
 * The same count as interchangeAccuracy, over a table with one row per pair.
 */
export function sampledInterchangeAccuracy(low: ArrayLike<number>, high: ArrayLike<number>): number {
  if (low.length !== high.length) throw new Error(`IIA: ${low.length} low-level and ${high.length} high-level outcomes; give one of each per pair.`);
  return interchangeAccuracy(low, high, low.length, Array.from({ length: low.length }, (_, i) => ({ source: 0, base: i })));
}

/** High-level outcomes of intervening on node `id`: high[source * nRows + base] (SPEC 7). */
export function highLevelOutcomes(f: Formula, id: number, nVars: number): Uint8Array {
  const nRows = 1 << nVars;
  const t = [0, 1].map((c) => formulaTruthTable(f, nVars, new Map([[id, c]])));
  const high = new Uint8Array(nRows * nRows);
  for (let s = 0; s < nRows; s++) {
    const v = formulaNodeValues(f, formulaRowValues(s, nVars)).get(id);
    if (v === undefined) throw new Error(`alignment: formula has no node ${id}.`);
    for (let b = 0; b < nRows; b++) high[s * nRows + b] = (t[v] >> b) & 1;
  }
  return high;
}

/** IIA of every (relevant node, neuron set) of a formula: iia[node][set]. */
export function iiaTable(f: Formula, table: InterventionTable, pairs: readonly SamplePair[]): { nodes: Formula[]; iia: number[][] } {
  if (pairs.length === 0) throw new Error("alignment: no (source, base) pairs to test.");
  const nodes = relevantNodes(f);
  return { nodes, iia: nodes.map((n) => {
    const high = highLevelOutcomes(f, n.id, table.nVars);
    return table.low.map((low) => interchangeAccuracy(low, high, table.nRows, pairs));
  }) };
}

export interface IiaMatrix {
  /** Relevant node labels (rows). */
  nodes: string[];
  /** Neuron sets (columns) and their canonical names (`L1.{0,2}`). */
  sets: NeuronSet[];
  setLabels: string[];
  iia: number[][];
  pairSet: PairSetName;
  pairs: SamplePair[];
}

/**
 * IIA of one formula on a model: rows = relevant nodes, columns = single-layer neuron sets. Default pair set:
 * "reference" with pairOrder "BA", as alignGate's default.
 */
export function iiaMatrix(model: MLP, formula: Formula, opts: { pairSet?: PairSetName; pairOrder?: PairOrder; output?: number; nVars?: number } = {}): IiaMatrix {
  const nVars = opts.nVars ?? model.layerSizes[0];
  const name = opts.pairSet ?? "reference";
  const pairs = pairSet(name, nVars, opts.pairOrder ?? "BA");
  const table = interventionTable(model, nVars, opts.output ?? 0);
  const { nodes, iia: m } = iiaTable(formula, table, pairs);
  return { nodes: nodes.map(nodeLabel), sets: table.sets, setLabels: table.sets.map(neuronSetName), iia: m, pairSet: name, pairs };
}
