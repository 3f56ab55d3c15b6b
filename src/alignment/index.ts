/**
 * What-then-where (SPEC 7): interchange interventions of "formula node v ↦ neuron set S in one hidden layer",
 * IIA, and the minimal mappings of every candidate formula.
 *
 * The low-level outcome of an interchange intervention depends only on (S, source, base), not on the formula, so
 * it is computed once per model for every single-layer neuron set and every ordered pair of clean inputs, through
 * the model's intervention hook (`forwardAll` opts.interventions). Each (node, set) test is then a table lookup.
 *
 * Minimal mappings: since every node is tested on its own and shrinking a set keeps the sets disjoint, a complete
 * mapping is inclusion-minimal iff each node's set is a minimal valid set for that node (no valid proper non-empty
 * subset). The search therefore only combines minimal valid sets; `referenceMappings` + `inclusionMinimal`
 * implement the reference's exhaustive search and filter, and the tests check both agree.
 */
import { CandidateFormula, Formula, PairOrder, SamplePair, candidateFormulas, formulaNodeValues, formulaRowValues,
  formulaTruthTable, gateTable, nodeLabel, relevantNodes, samplePairs } from "../formulas";
import { MLP, forwardAll, validateMLP } from "../model";

export interface AlignOptions {
  /** Orientation of the (01,10) pair in the reference's 6 pairs: "BA" (default, tests 10→01) or "AB". */
  pairOrder?: "BA" | "AB";
  /** "compat" (reference: 6 pairs, IIA must be 1) or "corrected" (12 ordered pairs, IIA ≥ threshold). */
  mode?: "compat" | "corrected";
  /** IIA threshold in corrected mode (default 1). Compat mode always requires IIA = 1. */
  threshold?: number;
  /** Maximum formula depth; default hidden depth + 1. */
  maxDepth?: number;
  /** Which output of a multi-output model (default 0; the reference aligns single-output sub-networks). */
  output?: number;
  /** Stop listing a formula's minimal mappings beyond this many (default 1 000 000); `truncated` says so. */
  maxMappings?: number;
}

/** A neuron set inside one hidden layer; `layer` is the activation index (1 … L−1), as in `Intervention`. */
export interface NeuronSet {
  layer: number;
  neurons: number[];
}

export type Mapping = Record<string, [number, number][]>;

export interface AlignedFormula {
  /** Index in the candidate list. */
  index: number;
  formula: string;
  /** Minimal mappings: "<subformula> <id>" → [[layer, neuron], ...]. */
  mappings: Mapping[];
  /** Labels of the relevant nodes, ascending id (the keys of every mapping). */
  nodes?: string[];
  /** True when the listing stopped at maxMappings. */
  truncated?: boolean;
  /** Valid mappings, minimal or not (countValidMappings): the count before the reference's minimality filter. */
  validMappings: number;
}

export interface GateAlignment {
  nCandidates: number;
  /** Number of candidate formulas with at least one minimal mapping. */
  formulas: number;
  /** Minimal mappings of each aligned formula, in candidate order. */
  mappingsPerFormula: number[];
  /** Valid mappings (minimal or not) of each aligned formula, same order; see countValidMappings. */
  validMappingsPerFormula: number[];
  aligned: AlignedFormula[];
  timingsMs: Record<string, number>;
  /** Candidate formula strings, in order. */
  candidates?: string[];
  /** The (source, base) input rows tested (A most significant bit). */
  pairs?: SamplePair[];
  mode?: "compat" | "corrected";
  pairOrder?: PairOrder;
  threshold?: number;
  maxDepth?: number;
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

function checkModel(model: MLP, output: number, where: string): void {
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

/**
 * Runs every interchange intervention of the model once: for each single-layer set S and source row s, the clean
 * network on s gives S's values, which overwrite S while the network runs on every base row (SPEC 7).
 */
export function interventionTable(model: MLP, nVars: number, output = 0): InterventionTable {
  checkModel(model, output, "alignment");
  if (model.layerSizes[0] !== nVars) throw new Error(`alignment: the gate takes ${nVars} inputs but the model takes ${model.layerSizes[0]}.`);
  const nRows = 1 << nVars;
  const x = new Float32Array(nRows * nVars);
  for (let r = 0; r < nRows; r++) formulaRowValues(r, nVars).forEach((v, i) => (x[r * nVars + i] = v));
  const clean = forwardAll(model, x, nRows);
  const L = model.layerSizes.length - 1;
  const nOut = model.layerSizes[L];
  const { sets, masks } = neuronSets(model.layerSizes);
  const low = sets.map((S) => {
    const out = new Uint8Array(nRows * nRows);
    const width = model.layerSizes[S.layer];
    for (let s = 0; s < nRows; s++) {
      const values = S.neurons.map((j) => clean[S.layer][s * width + j]);
      const y = forwardAll(model, x, nRows, { interventions: [{ layer: S.layer, neurons: S.neurons, values }] })[L];
      for (let b = 0; b < nRows; b++) out[s * nRows + b] = y[b * nOut + output] > 0.5 ? 1 : 0;
    }
    return out;
  });
  return { nVars, nRows, sets, masks, low };
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

/** IIA of every (relevant node, neuron set) of a formula: iia[node][set], fractions of the pairs that agree. */
export function iiaTable(f: Formula, table: InterventionTable, pairs: readonly SamplePair[]): { nodes: Formula[]; iia: number[][] } {
  if (pairs.length === 0) throw new Error("alignment: no (source, base) pairs to test.");
  const nodes = relevantNodes(f);
  const iia = nodes.map((n) => {
    const high = highLevelOutcomes(f, n.id, table.nVars);
    return table.low.map((low) => {
      let ok = 0;
      for (const p of pairs) {
        const k = p.source * table.nRows + p.base;
        if (low[k] === high[k]) ok++;
      }
      return ok / pairs.length;
    });
  });
  return { nodes, iia };
}

/** Per relevant node, the indices (into table.sets) of the valid sets: IIA = 1 (compat) or ≥ threshold. */
function validSets(iia: number[][], threshold: number): number[][] {
  return iia.map((row) => row.flatMap((v, k) => (v >= threshold ? [k] : [])));
}

/** Keeps the valid sets that have no valid proper subset in the same layer (submask walk: 3^k per layer at most). */
function minimalSets(valid: number[], table: InterventionTable): number[] {
  const isValid = new Set(valid.map((k) => table.sets[k].layer * 65536 + table.masks[k]));
  return valid.filter((k) => {
    const { layer } = table.sets[k];
    const mask = table.masks[k];
    for (let sub = (mask - 1) & mask; sub > 0; sub = (sub - 1) & mask) if (isValid.has(layer * 65536 + sub)) return false;
    return true;
  });
}

/**
 * Disjoint complete assignments choosing one set index per node from `options[node]` (DFS, node order): listed
 * (`keep`, up to `limit`) or only counted (up to `limit`).
 */
function disjointAssignments(options: number[][], table: InterventionTable, limit: number, keep = true): { found: number[][]; count: number; truncated: boolean } {
  const found: number[][] = [];
  let count = 0;
  const used = new Map<number, number>(); // layer → used neuron mask
  const pick: number[] = [];
  let truncated = false;
  const rec = (i: number) => {
    if (truncated) return;
    if (i === options.length) {
      if (count >= limit) truncated = true;
      else {
        count++;
        if (keep) found.push([...pick]);
      }
      return;
    }
    for (const k of options[i]) {
      const { layer } = table.sets[k];
      const u = used.get(layer) ?? 0;
      if (u & table.masks[k]) continue;
      used.set(layer, u | table.masks[k]);
      pick.push(k);
      rec(i + 1);
      pick.pop();
      used.set(layer, u);
    }
  };
  rec(0);
  return { found, count, truncated };
}

function toMapping(nodes: Formula[], assignment: number[], table: InterventionTable): Mapping {
  const m: Mapping = {};
  nodes.forEach((n, i) => {
    const S = table.sets[assignment[i]];
    m[nodeLabel(n)] = S.neurons.map((j) => [S.layer, j] as [number, number]);
  });
  return m;
}

/**
 * Per relevant node of a formula, the indices of its valid sets. A formula without relevant nodes has none, and the
 * DFS over no nodes yields one empty mapping (SPEC 14.10).
 */
function formulaValidSets(f: Formula, table: InterventionTable, pairs: readonly SamplePair[], threshold: number): { nodes: Formula[]; valid: number[][] } {
  const { nodes, iia } = iiaTable(f, table, pairs);
  return { nodes, valid: validSets(iia, threshold) };
}

/**
 * Minimal mappings of one formula as set indices per relevant node (SPEC 7), and every node's valid sets (minimal or
 * not, for countValidMappings' count without a second IIA pass).
 */
export function minimalAssignments(f: Formula, table: InterventionTable, pairs: readonly SamplePair[], threshold = 1, limit = 1_000_000): { nodes: Formula[]; assignments: number[][]; truncated: boolean; valid: number[][] } {
  const { nodes, valid } = formulaValidSets(f, table, pairs, threshold);
  const { found, truncated } = disjointAssignments(valid.map((v) => minimalSets(v, table)), table, limit);
  return { nodes, assignments: found, truncated, valid };
}

/** The reference's search: every complete mapping of valid, disjoint sets (largest sets first), as set indices. */
export function referenceMappings(f: Formula, table: InterventionTable, pairs: readonly SamplePair[], threshold = 1): number[][] {
  return disjointAssignments(formulaValidSets(f, table, pairs, threshold).valid, table, Infinity).found;
}

/** Default bound of countValidMappings (a count: nothing is listed). */
export const MAX_VALID_MAPPINGS = 10_000_000;

/**
 * Number of valid mappings of a formula, minimal or not (each relevant node on its own IIA-perfect, disjoint
 * single-layer sets): what the reference's search lists before its minimality filter. Counted, not listed; stops at
 * `limit` (`truncated`).
 */
export function countValidMappings(f: Formula, table: InterventionTable, pairs: readonly SamplePair[], threshold = 1, limit = MAX_VALID_MAPPINGS): { count: number; truncated: boolean } {
  const { count, truncated } = disjointAssignments(formulaValidSets(f, table, pairs, threshold).valid, table, limit, false);
  return { count, truncated };
}

/** Inclusion-minimal elements of a list of mappings (M ≤ M' iff every node's set of M is inside M''s). */
export function inclusionMinimal(assignments: number[][], table: InterventionTable): number[][] {
  const sub = (a: number, b: number) => table.sets[a].layer === table.sets[b].layer && (table.masks[a] & table.masks[b]) === table.masks[a];
  const le = (a: number[], b: number[]) => a.every((k, i) => sub(k, b[i]));
  return assignments.filter((m) => !assignments.some((o) => o !== m && le(o, m) && !le(m, o)));
}

function resolveOptions(model: MLP, opts: AlignOptions) {
  const mode = opts.mode ?? "compat";
  if (mode !== "compat" && mode !== "corrected") throw new Error(`alignment: mode must be "compat" or "corrected", got ${JSON.stringify(mode)}.`);
  const pairOrder = opts.pairOrder ?? "BA";
  if (pairOrder !== "BA" && pairOrder !== "AB") throw new Error(`alignment: pairOrder must be "BA" or "AB", got ${JSON.stringify(pairOrder)}.`);
  const threshold = mode === "compat" ? 1 : opts.threshold ?? 1;
  if (!(threshold > 0 && threshold <= 1)) throw new Error(`alignment: threshold must be in (0, 1], got ${opts.threshold}.`);
  if (mode === "compat" && opts.threshold !== undefined && opts.threshold !== 1)
    throw new Error(`alignment: compat mode requires IIA = 1; use mode "corrected" (CLI: --mode corrected) to set threshold ${opts.threshold}.`);
  const maxDepth = opts.maxDepth ?? model.layerSizes.length - 1;
  return { mode, pairOrder, threshold, maxDepth, output: opts.output ?? 0, maxMappings: opts.maxMappings ?? 1_000_000 };
}

// Candidate lists are pure functions of (gate, depth); cached because sweeps align many models of the same gate.
const candidateCache = new Map<string, CandidateFormula[]>();
function cachedCandidates(gate: string, maxDepth: number): CandidateFormula[] {
  const key = `${gate.toUpperCase()}/${maxDepth}`;
  let c = candidateCache.get(key);
  if (!c) candidateCache.set(key, (c = candidateFormulas(gate, maxDepth)));
  return c;
}

/**
 * Candidate formulas of the gate and their minimal mappings on the model (SPEC 6-7). Defaults reproduce the
 * reference: compat mode, pair order BA, max depth = hidden depth + 1.
 */
export function alignGate(sub: MLP, gate: string, opts: AlignOptions = {}): GateAlignment {
  const o = resolveOptions(sub, opts);
  const timingsMs: Record<string, number> = {};
  let t0 = performance.now();
  const { nVars } = gateTable(gate);
  const candidates = cachedCandidates(gate, o.maxDepth);
  timingsMs.formulas = performance.now() - t0;
  t0 = performance.now();
  const table = interventionTable(sub, nVars, o.output);
  timingsMs.interventions = performance.now() - t0;
  t0 = performance.now();
  const pairs = samplePairs(nVars, o.mode, o.pairOrder);
  const aligned: AlignedFormula[] = [];
  for (const c of candidates) {
    const r = minimalAssignments(c.formula, table, pairs, o.threshold, o.maxMappings);
    if (r.assignments.length === 0) continue;
    const a: AlignedFormula = {
      index: c.index,
      formula: c.string,
      mappings: r.assignments.map((m) => toMapping(r.nodes, m, table)),
      nodes: r.nodes.map(nodeLabel),
      validMappings: disjointAssignments(r.valid, table, MAX_VALID_MAPPINGS, false).count,
    };
    if (r.truncated) a.truncated = true;
    aligned.push(a);
  }
  timingsMs.search = performance.now() - t0;
  return {
    nCandidates: candidates.length,
    formulas: aligned.length,
    mappingsPerFormula: aligned.map((a) => a.mappings.length),
    validMappingsPerFormula: aligned.map((a) => a.validMappings),
    aligned,
    timingsMs,
    candidates: candidates.map((c) => c.string),
    pairs,
    mode: o.mode,
    pairOrder: o.pairOrder,
    threshold: o.threshold,
    maxDepth: o.maxDepth,
  };
}

/**
 * IIA matrix of one formula on a model (corrected mode by default: all ordered pairs of distinct inputs):
 * rows = relevant nodes, columns = single-layer neuron sets.
 */
export function iiaMatrix(model: MLP, formula: Formula, opts: { mode?: "compat" | "corrected"; pairOrder?: PairOrder; output?: number; nVars?: number } = {}): { nodes: string[]; sets: NeuronSet[]; setLabels: string[]; iia: number[][]; pairs: SamplePair[] } {
  const nVars = opts.nVars ?? model.layerSizes[0];
  const table = interventionTable(model, nVars, opts.output ?? 0);
  const pairs = samplePairs(nVars, opts.mode ?? "corrected", opts.pairOrder ?? "BA");
  const { nodes, iia } = iiaTable(formula, table, pairs);
  return { nodes: nodes.map(nodeLabel), sets: table.sets, setLabels: table.sets.map(neuronSetLabel), iia, pairs };
}

/** "L1:{0,2}" — a neuron set's short label. */
export function neuronSetLabel(s: NeuronSet): string {
  return `L${s.layer}:{${s.neurons.join(",")}}`;
}
