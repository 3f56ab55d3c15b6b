/**
 * Mapping search (SPEC 7): for each candidate formula, mappings of its relevant nodes to disjoint, non-empty,
 * single-layer neuron sets whose interchange interventions reach the IIA threshold, and the inclusion-minimal ones.
 *
 * Minimal mappings: since every node is tested on its own and shrinking a set keeps the sets disjoint, a complete
 * mapping is inclusion-minimal iff each node's set is a minimal valid set for that node (no valid proper non-empty
 * subset). The search therefore only combines minimal valid sets; `referenceMappings` + `inclusionMinimal`
 * implement the reference's exhaustive search and filter, and the tests check both agree.
 */
import { CandidateFormula, Formula, PairOrder, SamplePair, candidateFormulas, gateTable, nodeLabel } from "../formulas";
import { MLP, unitSetName } from "../model";
import { alignmentPairSet, iiaTable, pairSet } from "./iia";
import { InterventionTable, interventionTable } from "./interventions";

export type AlignmentMode = "compat" | "corrected";

export interface AlignOptions {
  /** "compat" (reference: its 6 pairs, IIA must be 1) or "corrected" (12 ordered pairs, IIA ≥ iiaThreshold). */
  alignmentMode?: AlignmentMode;
  /** IIA threshold in corrected mode (default 1). Compat mode always requires IIA = 1. */
  iiaThreshold?: number;
  /** Orientation of the (01,10) pair in the reference's 6 pairs: "BA" (default, tests 10→01) or "AB". */
  pairOrder?: PairOrder;
  /** Maximum formula depth; default hidden depth + 1. */
  maxDepth?: number;
  /** Which output of a multi-output model (default 0; the reference aligns single-output sub-networks). */
  output?: number;
  /** Stop listing a formula's minimal mappings beyond this many (default 1 000 000); `truncated` says so. */
  maxMappings?: number;
}

/** A mapping: relevant node label "<subformula> <id>" → its neuron set as [layer, unit] pairs (shown as L1.{0,2}). */
export type Mapping = Record<string, [number, number][]>;

/** A mapping written with canonical names: node label → "L1.{0,2}" (its set, one layer). */
export function mappingNames(m: Mapping): Record<string, string> {
  return Object.fromEntries(Object.entries(m).map(([node, units]) => [node, units.length ? unitSetName(units[0][0], units.map(([, j]) => j)) : "∅"]));
}

export interface AlignedFormula {
  /** Index in the candidate list. */
  index: number;
  formula: string;
  /** Minimal mappings: "<subformula> <id>" → [[layer, neuron], ...]. */
  mappings: Mapping[];
  /** Labels of the relevant nodes, ascending id (the keys of every mapping). */
  nodes: string[];
  /** True when the listing stopped at maxMappings. */
  truncated: boolean;
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
  candidates: string[];
  /** The (source, base) input rows tested (A most significant bit). */
  pairs: SamplePair[];
  alignmentMode: AlignmentMode;
  pairOrder: PairOrder;
  iiaThreshold: number;
  maxDepth: number;
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
  for (const [old, now] of [["mode", "alignmentMode"], ["threshold", "iiaThreshold"]])
    if (old in opts) throw new Error(`alignment: option "${old}" is now "${now}" (AnalysisSettings names); rename it.`);
  const alignmentMode = opts.alignmentMode ?? "compat";
  if (alignmentMode !== "compat" && alignmentMode !== "corrected") throw new Error(`alignment: alignmentMode must be "compat" or "corrected", got ${JSON.stringify(alignmentMode)}.`);
  const pairOrder = opts.pairOrder ?? "BA";
  if (pairOrder !== "BA" && pairOrder !== "AB") throw new Error(`alignment: pairOrder must be "BA" or "AB", got ${JSON.stringify(pairOrder)}.`);
  const iiaThreshold = alignmentMode === "compat" ? 1 : opts.iiaThreshold ?? 1;
  if (!(iiaThreshold > 0 && iiaThreshold <= 1)) throw new Error(`alignment: iiaThreshold must be in (0, 1], got ${opts.iiaThreshold}.`);
  if (alignmentMode === "compat" && opts.iiaThreshold !== undefined && opts.iiaThreshold !== 1)
    throw new Error(`alignment: alignmentMode "compat" requires IIA = 1; use alignmentMode "corrected" (CLI: --alignment-mode corrected) to set iiaThreshold ${opts.iiaThreshold}.`);
  const maxDepth = opts.maxDepth ?? model.layerSizes.length - 1;
  return { alignmentMode, pairOrder, iiaThreshold, maxDepth, output: opts.output ?? 0, maxMappings: opts.maxMappings ?? 1_000_000 };
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
 * reference: alignmentMode "compat" (the reference pair set, IIA = 1), pair order BA, max depth = hidden depth + 1.
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
  const pairs = pairSet(alignmentPairSet(o.alignmentMode), nVars, o.pairOrder);
  const aligned: AlignedFormula[] = [];
  for (const c of candidates) {
    const r = minimalAssignments(c.formula, table, pairs, o.iiaThreshold, o.maxMappings);
    if (r.assignments.length === 0) continue;
    aligned.push({
      index: c.index,
      formula: c.string,
      mappings: r.assignments.map((m) => toMapping(r.nodes, m, table)),
      nodes: r.nodes.map(nodeLabel),
      truncated: r.truncated,
      validMappings: disjointAssignments(r.valid, table, MAX_VALID_MAPPINGS, false).count,
    });
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
    alignmentMode: o.alignmentMode,
    pairOrder: o.pairOrder,
    iiaThreshold: o.iiaThreshold,
    maxDepth: o.maxDepth,
  };
}
