/** The reference's enumeration of candidate formulas for a gate (SPEC 6.2-6.3). */
import { getGate } from "../tasks";
import { Formula, FormulaOp, fAnd, fNot, fOr, fVar, formulaString, nodesPreOrder, numberPreOrder } from "./formula";
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
