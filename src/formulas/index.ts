/**
 * Candidate algorithms (SPEC 6): Boolean formula trees over AND (`*`), OR (`+`), NOT (`¬`) and the input variables
 * A, B (C, … for wider gates); node ids, string form, evaluation and interventions; the reference's enumeration
 * (asymmetric de-duplication, first negation pattern per base formula); relevant intermediate variables; sample pairs.
 *
 * Truth tables are bitmasks over the 2^n input rows in binary order with A the most significant bit (bit r = output
 * on row r, so for two inputs bit 0 = 00, bit 1 = 01, bit 2 = 10, bit 3 = 11), matching `Gate.table` in tasks.ts.
 */
import { getGate } from "../tasks";

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
function rowValues(r: number, nVars: number): number[] {
  const v: number[] = [];
  for (let i = nVars - 1; i >= 0; i--) v.push((r >> i) & 1);
  return v;
}

/** Truth table over the 2^nVars rows as a bitmask (bit r = value on row r); `override` as in `evaluate`. */
export function formulaTruthTable(f: Formula, nVars = Math.max(2, variablesUsed(f)), override?: ReadonlyMap<number, number>): number {
  let t = 0;
  for (let r = 0; r < 1 << nVars; r++) if (evaluateFormula(f, rowValues(r, nVars), override)) t |= 1 << r;
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

// ---------------------------------------------------------------------------------------------------------------
// Enumeration (SPEC 6.2-6.3)

/** NOT-free formulas of depth exactly d, in the reference's generation order (SPEC 6.2). Ids unassigned (-1). */
export function baseFormulasOfDepth(d: number, nVars = 2): Formula[] {
  if (!Number.isInteger(d) || d < 0) throw new Error(`baseFormulasOfDepth: depth must be a non-negative integer, got ${d}.`);
  const byDepth: Formula[][] = [Array.from({ length: nVars }, (_, i) => fVar(i))];
  const strings: string[][] = [byDepth[0].map(formulaString)];
  for (let k = 1; k <= d; k++) {
    const level: Formula[] = [];
    byDepth[k - 1].forEach((f1, a) => {
      const s1 = strings[k - 1][a];
      for (let i = 0; i < k; i++)
        byDepth[i].forEach((f2, b) => {
          // Plain code-unit comparison, as Python's str < str for these characters (SPEC 16.5).
          if (s1 < strings[i][b]) level.push(fAnd(f1, f2), fOr(f1, f2));
        });
    });
    byDepth.push(level);
    strings.push(level.map(formulaString));
  }
  return byDepth[d];
}

/** All base formulas of depth 0 … maxDepth, by increasing depth, ids assigned in pre-order. */
export function baseFormulas(maxDepth: number, nVars = 2): Formula[] {
  const out: Formula[] = [];
  for (let d = 0; d <= maxDepth; d++) for (const f of baseFormulasOfDepth(d, nVars)) out.push(numberPreOrder(f));
  return out;
}

/**
 * Wraps the nodes whose ids are in `negated` by a NOT (children first, so nested wraps compose) and numbers the new
 * NOT nodes after the current maximum id, in pre-order (SPEC 6.1).
 */
export function negateNodes(f: Formula, negated: Iterable<number>): Formula {
  const set = new Set(negated);
  const wrap = (n: Formula): Formula => {
    const copy: Formula = { op: n.op, id: n.id, variable: n.variable, children: n.children.map(wrap) };
    return set.has(n.id) ? fNot(copy, -1) : copy;
  };
  const out = wrap(f);
  let next = Math.max(...nodesPreOrder(f).map((n) => n.id)) + 1;
  for (const n of nodesPreOrder(out)) if (n.id < 0) n.id = next++;
  return out;
}

/** Subsets of size k of `items` in itertools.combinations order, passed to `visit` until it returns true. */
function someCombination(items: readonly number[], k: number, visit: (c: number[]) => boolean): boolean {
  const idx = Array.from({ length: k }, (_, i) => i);
  const n = items.length;
  if (k > n) return false;
  for (;;) {
    if (visit(idx.map((i) => items[i]))) return true;
    let i = k - 1;
    while (i >= 0 && idx[i] === i + n - k) i--;
    if (i < 0) return false;
    idx[i]++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
  }
}

/**
 * The first negation pattern (powerset order: size 0, 1, …; within a size, ascending ids in lexicographic order)
 * that makes the base formula compute `table`, or null (SPEC 6.3).
 */
export function firstNegationPattern(base: Formula, table: number, nVars = 2): number[] | null {
  const ids = nodesPreOrder(base).map((n) => n.id).sort((a, b) => a - b);
  if (ids.length > 30) throw new Error(`firstNegationPattern: ${ids.length} nodes is too many (at most 30).`);
  const full = (1 << (1 << nVars)) - 1;
  const varTables = Array.from({ length: nVars }, (_, i) => {
    let t = 0;
    for (let r = 0; r < 1 << nVars; r++) if ((r >> (nVars - 1 - i)) & 1) t |= 1 << r;
    return t;
  });
  // Compile to post-order arrays; a pattern is a bitmask over positions in `ids`.
  const bit = new Map(ids.map((id, k) => [id, k]));
  const ops: FormulaOp[] = [];
  const kids: number[][] = [];
  const bits: number[] = [];
  const leafTable: number[] = [];
  const compile = (n: Formula): number => {
    const c = n.children.map(compile);
    ops.push(n.op);
    kids.push(c);
    bits.push(bit.get(n.id)!);
    leafTable.push(n.op === "var" ? varTables[n.variable!] : 0);
    return ops.length - 1;
  };
  compile(base);
  const m = ops.length;
  const t = new Int32Array(m);
  const tableOf = (mask: number): number => {
    for (let k = 0; k < m; k++) {
      const op = ops[k];
      let v = op === "var" ? leafTable[k] : op === "not" ? full & ~t[kids[k][0]] : op === "and" ? t[kids[k][0]] & t[kids[k][1]] : t[kids[k][0]] | t[kids[k][1]];
      if ((mask >> bits[k]) & 1) v = full & ~v;
      t[k] = v;
    }
    return t[m - 1];
  };
  // Feasibility first (the set of tables reachable by some pattern), so hopeless bases skip the 2^n scan.
  const reach: Set<number>[] = [];
  for (let k = 0; k < m; k++) {
    const r = new Set<number>();
    const op = ops[k];
    if (op === "var") r.add(leafTable[k]);
    else if (op === "not") for (const a of reach[kids[k][0]]) r.add(full & ~a);
    else for (const a of reach[kids[k][0]]) for (const b of reach[kids[k][1]]) r.add(op === "and" ? a & b : a | b);
    for (const a of [...r]) r.add(full & ~a);
    reach.push(r);
  }
  if (!reach[m - 1].has(table)) return null;
  const positions = ids.map((_, k) => k);
  for (let k = 0; k <= ids.length; k++) {
    let found: number[] | null = null;
    someCombination(positions, k, (c) => {
      let mask = 0;
      for (const p of c) mask |= 1 << p;
      if (tableOf(mask) === table) {
        found = c.map((p) => ids[p]);
        return true;
      }
      return false;
    });
    if (found) return found;
  }
  return null;
}

export interface CandidateFormula {
  /** Position in the candidate list. */
  index: number;
  formula: Formula;
  string: string;
  /** The base (NOT-free) formula it came from and its position among the base formulas. */
  base: Formula;
  baseIndex: number;
  /** Ids of the base nodes wrapped by a NOT. */
  negated: number[];
}

/** Truth table of a gate as a bitmask (bit r = output on row r, A most significant). */
export function gateTable(gate: string): { table: number; nVars: number } {
  const g = getGate(gate);
  let t = 0;
  g.table.forEach((v, r) => {
    if (v) t |= 1 << r;
  });
  return { table: t, nVars: g.arity };
}

/**
 * The candidate formulas for a gate (SPEC 6.3): for each base formula of depth ≤ maxDepth, the first negation
 * pattern computing the gate. XOR at depth 3: 56; AND, OR, IMP, NAND, NOR, NIMP: 86.
 */
export function candidateFormulas(gate: string, maxDepth: number): CandidateFormula[] {
  if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > 4)
    throw new Error(`candidateFormulas: maxDepth must be an integer in 0…4 (the reference uses hidden depth + 1 = 3), got ${maxDepth}.`);
  const { table, nVars } = gateTable(gate);
  const out: CandidateFormula[] = [];
  baseFormulas(maxDepth, nVars).forEach((base, baseIndex) => {
    const neg = firstNegationPattern(base, table, nVars);
    if (!neg) return;
    const formula = negateNodes(base, neg);
    out.push({ index: out.length, formula, string: formulaString(formula), base, baseIndex, negated: neg });
  });
  return out;
}

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
  return rowValues(r, nVars).join("");
}

/**
 * High-level interchange intervention (SPEC 7): node `id` takes its value on the source row, the rest is evaluated
 * on the base row. Returns the formula's output.
 */
export function interchangeOutput(f: Formula, id: number, source: number, base: number, nVars = 2): number {
  const src = formulaNodeValues(f, rowValues(source, nVars));
  const v = src.get(id);
  if (v === undefined) throw new Error(`interchangeOutput: formula ${formulaString(f)} has no node ${id}.`);
  return evaluateFormula(f, rowValues(base, nVars), new Map([[id, v]]));
}

export { rowValues as formulaRowValues };
