/**
 * Candidate algorithms (SPEC 6): Boolean formula trees over AND (`*`), OR (`+`), NOT (`¬`) and the input variables
 * A, B (C, … for wider gates); node ids, string form, evaluation and interventions; the reference's enumeration
 * (asymmetric de-duplication, first negation pattern per base formula: candidates.ts); relevant intermediate variables
 * and sample rows (variables.ts).
 *
 * Truth tables are bitmasks over the 2^n input rows in binary order with A the most significant bit (bit r = output
 * on row r, so for two inputs bit 0 = 00, bit 1 = 01, bit 2 = 10, bit 3 = 11), matching `Gate.table` in tasks.ts.
 */

export type FormulaOp = "and" | "or" | "not" | "var";

/** One node of a formula tree. `id` follows SPEC 6.1 (pre-order; NOTs numbered after the base nodes). */
export interface Formula {
  op: FormulaOp;
  id: number;
  /** Variable index (0 = A, 1 = B, …) for `var` nodes. */
  variable?: number;
  /** Two children for and/or, one for not, none for var. */
  children: Formula[];
}

const LETTERS = "ABCDEFGH";

/** Variable letter of index i (0 → A). */
export function variableName(i: number): string {
  return LETTERS[i];
}

export function fVar(i: number, id = -1): Formula {
  return { op: "var", id, variable: i, children: [] };
}
export function fAnd(left: Formula, right: Formula, id = -1): Formula {
  return { op: "and", id, children: [left, right] };
}
export function fOr(left: Formula, right: Formula, id = -1): Formula {
  return { op: "or", id, children: [left, right] };
}
export function fNot(child: Formula, id = -1): Formula {
  return { op: "not", id, children: [child] };
}

function rawString(f: Formula): string {
  switch (f.op) {
    case "var":
      return variableName(f.variable!);
    case "not":
      return "¬" + rawString(f.children[0]);
    default:
      return `(${rawString(f.children[0])}${f.op === "and" ? "*" : "+"}${rawString(f.children[1])})`;
  }
}

/** String form of SPEC 6.1: `(l*r)`, `(l+r)`, `¬x`, letters; the outermost parentheses stripped. */
export function formulaString(f: Formula): string {
  const s = rawString(f);
  return s.startsWith("(") ? s.slice(1, -1) : s;
}

/** Every node in pre-order (node, then children left to right). */
export function nodesPreOrder(f: Formula): Formula[] {
  const out: Formula[] = [];
  const visit = (n: Formula) => {
    out.push(n);
    n.children.forEach(visit);
  };
  visit(f);
  return out;
}

/** The node with this id; throws naming the ids that exist. */
export function nodeById(f: Formula, id: number): Formula {
  const n = nodesPreOrder(f).find((m) => m.id === id);
  if (!n) throw new Error(`formula ${formulaString(f)}: no node with id ${id}; ids are ${nodesPreOrder(f).map((m) => m.id).join(", ")}.`);
  return n;
}

/** Formula depth (leaves have depth 0; NOT nodes count as a level). */
export function formulaDepth(f: Formula): number {
  return f.children.length ? 1 + Math.max(...f.children.map(formulaDepth)) : 0;
}

/** Number of variables a formula's leaves reference (max index + 1). */
function variablesUsed(f: Formula): number {
  return Math.max(0, ...nodesPreOrder(f).map((n) => (n.op === "var" ? n.variable! + 1 : 0)));
}

/** Deep copy with fresh ids 0, 1, … in pre-order (SPEC 6.1). */
export function numberPreOrder(f: Formula, start = 0): Formula {
  let next = start;
  const copy = (n: Formula): Formula => {
    const id = next++;
    return { op: n.op, id, variable: n.variable, children: n.children.map(copy) };
  };
  return copy(f);
}

/**
 * Evaluates the formula on one assignment (values[i] = variable i). `override` maps node ids to constants
 * (an intervention: the node is replaced by that constant).
 */
export function evaluateFormula(f: Formula, values: readonly number[], override?: ReadonlyMap<number, number>): number {
  const o = override?.get(f.id);
  if (o !== undefined) return o ? 1 : 0;
  switch (f.op) {
    case "var": {
      const v = values[f.variable!];
      if (v === undefined) throw new Error(`evaluate: formula uses ${variableName(f.variable!)} but the assignment has ${values.length} values.`);
      return v ? 1 : 0;
    }
    case "not":
      return 1 - evaluateFormula(f.children[0], values, override);
    case "and":
      return evaluateFormula(f.children[0], values, override) & evaluateFormula(f.children[1], values, override);
    default:
      return evaluateFormula(f.children[0], values, override) | evaluateFormula(f.children[1], values, override);
  }
}

/** Bits of input row r, A first (row 1 of 2 inputs = A 0, B 1). */
export function formulaRowValues(r: number, nVars: number): number[] {
  const v: number[] = [];
  for (let i = nVars - 1; i >= 0; i--) v.push((r >> i) & 1);
  return v;
}

/** Truth table over the 2^nVars rows as a bitmask (bit r = value on row r); `override` as in `evaluate`. */
export function formulaTruthTable(f: Formula, nVars = Math.max(2, variablesUsed(f)), override?: ReadonlyMap<number, number>): number {
  let t = 0;
  for (let r = 0; r < 1 << nVars; r++) if (evaluateFormula(f, formulaRowValues(r, nVars), override)) t |= 1 << r;
  return t;
}

/** Value of every node (by id) on one assignment. */
export function formulaNodeValues(f: Formula, values: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  const visit = (n: Formula): number => {
    const c = n.children.map(visit);
    const v = n.op === "var" ? (values[n.variable!] ? 1 : 0) : n.op === "not" ? 1 - c[0] : n.op === "and" ? c[0] & c[1] : c[0] | c[1];
    out.set(n.id, v);
    return v;
  };
  visit(f);
  return out;
}
