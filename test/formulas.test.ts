import { test } from "node:test";
import assert from "node:assert/strict";
import {
  baseFormulas, baseFormulasOfDepth, candidateFormulas, evaluateFormula, fAnd, fNot, fOr, fVar, firstNegationPattern,
  formulaString, formulaTruthTable, gateTable, interchangeOutput, negateNodes, nodeLabel, nodesPreOrder, numberPreOrder,
  relevantNodes, sampleRows, rowLabel,
} from "../src/formulas";
import { pairSet } from "../src/alignment";
import { getGate } from "../src/tasks";

/** The 56 XOR formulas of SPEC 6.3, in order, as printed by the paper's notebook. */
const SPEC_XOR_56 = [
  "¬(A*B)*(A+B)", "¬((A*B)+¬(A+B))", "¬((A*B)*B)*¬(¬A*¬B)", "(¬(A*B)*B)+(A*¬B)",
  "¬((A*B)*B)*(A+B)", "¬(((A*B)*B)+¬(A+B))", "¬((A*B)*B)*((A*¬B)+B)", "¬(((A*B)*B)+¬((A*¬B)+B))",
  "¬((A*B)*B)*((A*B)+(A+B))", "¬(((A*B)*B)+¬((A*B)+(A+B)))", "¬((A*B)*B)*¬(¬(A+B)*¬B)", "(¬(A*B)*B)+((A+B)*¬B)",
  "¬((A*B)*B)*((A+B)+B)", "¬(((A*B)*B)+¬((A+B)+B))", "((A*¬B)+B)*¬(A*B)", "¬(¬((A*¬B)+B)+(A*B))",
  "(¬(A*B)+¬B)*(A+B)", "¬((A*B)+¬B)+¬(¬A+B)", "((A*¬B)+B)*¬((A+¬B)*B)", "¬((A*B)+¬B)+((A+B)*¬B)",
  "(¬(A*B)+¬B)*((A+B)+B)", "¬((A*B)+¬B)+¬(¬(A+B)+B)", "(¬(A*B)*(A+B))*¬(A*B)", "(¬(A*B)*(A+B))+(¬A*B)",
  "¬((A*B)*(A+B))*(A+B)", "¬(((A*B)*(A+B))+¬(A+B))", "(¬(A*B)*(A+B))*¬((A*B)*B)", "(¬(A*B)*(A+B))+(¬(A*B)*B)",
  "¬((A*B)*(A+B))*((A*¬B)+B)", "¬(((A*B)*(A+B))+¬((A*¬B)+B))", "¬((A*B)*(A+B))*((A*B)+(A+B))", "¬(((A*B)*(A+B))+¬((A*B)+(A+B)))",
  "(¬(A*B)*(A+B))*¬(¬(A+B)*B)", "(¬(A*B)*(A+B))+(¬(A+B)*B)", "¬((A*B)*(A+B))*((A+B)+B)", "¬(((A*B)*(A+B))+¬((A+B)+B))",
  "((A*B)+(A+B))*¬(A*B)", "¬(¬((A*B)+(A+B))+(A*B))", "¬((A*B)+¬(A+B))*(A+B)", "¬(((A*B)+¬(A+B))+¬(A+B))",
  "((A*B)+(A+B))*(¬(A*B)+¬B)", "¬(((A*B)+¬(A+B))+¬(¬(A*B)+B))", "((A*B)+(A+B))*¬((A+¬B)*B)", "¬(¬((A*B)+(A+B))+((A+¬B)*B))",
  "¬((A*B)+¬(A+B))*((A+B)+B)", "¬(((A*B)+¬(A+B))+¬((A+B)+B))", "¬(¬(A+B)*¬B)*¬(A*B)", "((A+B)*¬B)+(¬A*B)",
  "¬((A+¬B)*B)*(A+B)", "¬(((A+¬B)*B)+¬(A+B))", "¬((A+¬B)*B)*((A+B)+B)", "¬(((A+¬B)*B)+¬((A+B)+B))",
  "((A+B)+B)*¬(A*B)", "¬(¬((A+B)+B)+(A*B))", "((A+B)+B)*(¬A+¬B)", "¬(¬(A+B)+B)+¬(A+¬B)",
];

test("base formula counts and order (SPEC 6.2)", () => {
  assert.deepEqual([0, 1, 2, 3].map((d) => baseFormulasOfDepth(d).length), [2, 2, 6, 78]);
  assert.equal(baseFormulas(3).length, 88);
  assert.deepEqual(baseFormulasOfDepth(2).map(formulaString), ["(A*B)*B", "(A*B)+B", "(A*B)*(A+B)", "(A*B)+(A+B)", "(A+B)*B", "(A+B)+B"]);
  // The asymmetric de-duplication: the left child has depth d−1 exactly and sorts before the right one.
  const d3 = baseFormulasOfDepth(3).map(formulaString);
  assert.ok(!d3.includes("B*(A*B)") && new Set(d3).size === d3.length);
  assert.throws(() => baseFormulasOfDepth(-1), /non-negative/);
});

test("the 56 XOR candidates match the SPEC's strings, in order", () => {
  const expected = SPEC_XOR_56;
  assert.equal(expected.length, 56);
  const got = candidateFormulas("XOR", 3);
  assert.deepEqual(got.map((c) => c.string), expected);
  got.forEach((c, i) => assert.equal(c.index, i));
  // Every candidate computes XOR.
  for (const c of got) assert.equal(formulaTruthTable(c.formula, 2), gateTable("XOR").table);
});

test("candidate counts per gate (SPEC 6.3)", () => {
  for (const g of ["AND", "OR", "IMP", "NAND", "NOR", "NIMP"]) {
    assert.equal(candidateFormulas(g, 3).length, 86, g);
    assert.equal(candidateFormulas(g, 2).length, 8, g);
  }
  assert.equal(candidateFormulas("XOR", 2).length, 2);
  assert.throws(() => candidateFormulas("XYZ", 3), /Unknown gate "XYZ"/);
  assert.throws(() => candidateFormulas("XOR", 9), /maxDepth/);
});

test("node ids: pre-order, NOTs numbered after (SPEC 6.1 example)", () => {
  const f0 = candidateFormulas("XOR", 3)[0].formula;
  assert.deepEqual(nodesPreOrder(f0).map((n) => `${n.op}${n.id}`), ["and0", "not7", "and1", "var2", "var3", "or4", "var5", "var6"]);
  assert.deepEqual(relevantNodes(f0).map(nodeLabel), ["A+B 4", "¬(A*B) 7"]);
  // Nested negations compose and get fresh ids in pre-order.
  const base = numberPreOrder(fAnd(fVar(0), fVar(1)));
  const neg = negateNodes(base, [0, 1]);
  assert.equal(formulaString(neg), "¬(¬A*B)");
  assert.deepEqual(nodesPreOrder(neg).map((n) => n.id), [3, 0, 4, 1, 2]);
});

test("first negation pattern is the first in powerset order (brute force)", () => {
  for (const gate of ["XOR", "IMP", "NOR"]) {
    const table = gateTable(gate).table;
    for (const base of baseFormulas(2)) {
      const ids = nodesPreOrder(base).map((n) => n.id).sort((a, b) => a - b);
      // Brute force: all subsets sorted by (size, lexicographic ids).
      const subsets: number[][] = [];
      for (let m = 0; m < 1 << ids.length; m++) subsets.push(ids.filter((_, k) => (m >> k) & 1));
      const lex = (a: number[], b: number[]) => { const i = a.findIndex((v, k) => v !== b[k]); return i < 0 ? 0 : a[i] - b[i]; };
      subsets.sort((a, b) => a.length - b.length || lex(a, b));
      const first = subsets.find((s) => formulaTruthTable(negateNodes(base, s), 2) === table) ?? null;
      assert.deepEqual(firstNegationPattern(base, table), first, `${gate} ${formulaString(base)}`);
    }
  }
});

test("relevant nodes: no leaves, no root, NOT represents its child (SPEC 6.4)", () => {
  const and = candidateFormulas("AND", 3)[0];
  assert.equal(and.string, "A*B");
  assert.deepEqual(relevantNodes(and.formula), []);
  const imps = candidateFormulas("IMP", 3);
  // Base A*B comes first: its first pattern is {root, B} (size 2) → ¬(A*¬B); the root's child is not a variable.
  assert.deepEqual(imps.slice(0, 2).map((c) => c.string), ["¬(A*¬B)", "¬A+B"]);
  assert.deepEqual(relevantNodes(imps[0].formula).map(nodeLabel), ["¬B 4"]);
  assert.deepEqual(relevantNodes(imps[1].formula).map(nodeLabel), ["¬A 3"]);
  const xor = candidateFormulas("XOR", 3);
  const counts = xor.map((c) => relevantNodes(c.formula).length);
  assert.ok(Math.min(...counts) >= 2 && Math.max(...counts) <= 6);
  // Formula 22 has ¬(A*B) twice: two distinct variables.
  assert.equal(relevantNodes(xor[22].formula).filter((n) => formulaString(n) === "¬(A*B)").length, 2);
});

test("evaluation and interventions", () => {
  const f = numberPreOrder(fAnd(fNot(fAnd(fVar(0), fVar(1))), fOr(fVar(0), fVar(1))));
  assert.deepEqual([[0, 0], [0, 1], [1, 0], [1, 1]].map((v) => evaluateFormula(f, v)), [0, 1, 1, 0]);
  // Intervene on A+B (id 4 here) with its value on 00 (0): the output is 0 on every base.
  const or = nodesPreOrder(f).find((n) => n.op === "or")!;
  for (let b = 0; b < 4; b++) assert.equal(interchangeOutput(f, or.id, 0, b), 0);
  // With its value on 11 (1): the output is NAND(base).
  assert.deepEqual([0, 1, 2, 3].map((b) => interchangeOutput(f, or.id, 3, b)), [1, 1, 1, 0]);
  assert.throws(() => interchangeOutput(f, 99, 0, 0), /no node 99/);
});

test("sample orders and pairs (SPEC 6.5)", () => {
  assert.deepEqual(sampleRows(2, "AB").map((r) => rowLabel(r)), ["00", "01", "10", "11"]);
  assert.deepEqual(sampleRows(2, "BA").map((r) => rowLabel(r)), ["00", "10", "01", "11"]);
  const fmt = (p: { source: number; base: number }[]) => p.map((q) => `${rowLabel(q.source)}→${rowLabel(q.base)}`).sort();
  assert.deepEqual(fmt(pairSet("reference", 2, "BA")), ["00→01", "00→10", "00→11", "01→11", "10→01", "10→11"]);
  assert.deepEqual(fmt(pairSet("reference", 2, "AB")), ["00→01", "00→10", "00→11", "01→10", "01→11", "10→11"]);
  assert.equal(pairSet("corrected", 2).length, 12);
  assert.throws(() => pairSet("reference", 2, "XY" as "AB"), /"BA" or "AB"/);
});

/** Independent oracle: the printed formula evaluated by JavaScript itself (¬ → !, * → &&, + → ||). */
function evalPrinted(s: string, a: number, b: number): number {
  const js = s.replace(/¬/g, "!").replace(/\*/g, "&&").replace(/\+/g, "||").replace(/A/g, "a").replace(/B/g, "b");
  return Number(new Function("a", "b", `return Boolean(${js});`)(Boolean(a), Boolean(b)));
}

test("every candidate of every gate: its printed string, its tree and the gate agree on the four inputs", () => {
  let n = 0;
  for (const gate of ["AND", "OR", "IMP", "NAND", "NOR", "NIMP", "XOR"]) {
    const table = getGate(gate).table; // outputs on 00, 01, 10, 11 (tasks.ts, not the formula code)
    for (const c of candidateFormulas(gate, 3)) {
      const rows = [[0, 0], [0, 1], [1, 0], [1, 1]];
      assert.deepEqual(rows.map(([a, b]) => evalPrinted(c.string, a, b)), Array.from(table), `${gate} #${c.index} ${c.string}`);
      assert.deepEqual(rows.map((v) => evaluateFormula(c.formula, v)), Array.from(table), `${gate} #${c.index} tree`);
      n++;
    }
  }
  assert.equal(n, 6 * 86 + 56);
  assert.equal(evalPrinted("¬(A*B)*(A+B)", 1, 1), 0, "the oracle itself: precedence of ¬ over * over +");
});
