/** Relevant intermediate variables of a formula, sample rows and the high-level interchange (SPEC 6.4-6.5, 7). */
import { Formula, evaluateFormula, formulaNodeValues, formulaRowValues, formulaString, nodesPreOrder } from "./formula";
// ---------------------------------------------------------------------------------------------------------------
// Intermediate variables and samples (SPEC 6.4-6.5)

/**
 * Relevant nodes (SPEC 6.4): internal nodes other than the root, minus every child of a NOT (a NOT and its child
 * are one variable, represented by the NOT). Ascending id order.
 */
export function relevantNodes(f: Formula): Formula[] {
  const underNot = new Set<number>();
  for (const n of nodesPreOrder(f)) if (n.op === "not") underNot.add(n.children[0].id);
  return nodesPreOrder(f)
    .filter((n) => n !== f && n.op !== "var" && !underNot.has(n.id))
    .sort((a, b) => a.id - b.id);
}

/** Label of a node in mappings: `"<subformula string> <id>"` (SPEC 7). */
export function nodeLabel(n: Formula): string {
  return `${formulaString(n)} ${n.id}`;
}

export type PairOrder = "BA" | "AB";

/**
 * The reference's samples (SPEC 6.5): the 2^n assignments as rows (A most significant), in the order of a cartesian
 * product over the variables in `order` ("AB": A outermost; "BA": reversed variable order, what CPython 3.11 with
 * PYTHONHASHSEED=0 gives for two variables).
 */
export function sampleRows(nVars: number, order: PairOrder = "BA"): number[] {
  const rows: number[] = [];
  const vars = Array.from({ length: nVars }, (_, i) => i);
  if (order === "BA") vars.reverse();
  for (let k = 0; k < 1 << nVars; k++) {
    // k's bits, most significant first, are the values of vars[0], vars[1], …
    let r = 0;
    vars.forEach((v, j) => {
      if ((k >> (nVars - 1 - j)) & 1) r |= 1 << (nVars - 1 - v);
    });
    rows.push(r);
  }
  return rows;
}

/** A (source, base) pair of input rows. */
export interface SamplePair {
  source: number;
  base: number;
}

/** Row r as a string of bits, A first ("01" = A 0, B 1). */
export function rowLabel(r: number, nVars = 2): string {
  return formulaRowValues(r, nVars).join("");
}

/**
 * High-level interchange intervention (SPEC 7): node `id` takes its value on the source row, the rest is evaluated
 * on the base row. Returns the formula's output.
 */
export function interchangeOutput(f: Formula, id: number, source: number, base: number, nVars = 2): number {
  const src = formulaNodeValues(f, formulaRowValues(source, nVars));
  const v = src.get(id);
  if (v === undefined) throw new Error(`interchangeOutput: formula ${formulaString(f)} has no node ${id}.`);
  return evaluateFormula(f, formulaRowValues(base, nVars), new Map([[id, v]]));
}
