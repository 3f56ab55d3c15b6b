import { test } from "node:test";
import assert from "node:assert/strict";
import {
  alignGate, countValidMappings, interchangeAccuracy, mappingNames, iiaMatrix, inclusionMinimal, interventionTable, minimalAssignments, neuronSets, pairSet, referenceMappings,
  InterventionTable, NeuronSet,
} from "../src/alignment";
import { Formula, SamplePair, candidateFormulas, evaluateFormula, formulaNodeValues, formulaRowValues, nodeLabel, relevantNodes } from "../src/formulas";
import { MLP, forwardAll, mlpFromArrays } from "../src/model";
import { loadReleasedModel } from "../src/reference";
import { assertPlainData } from "../src/figures/figure";
import { Rng } from "../src/rng";
import { trainExperimentSync } from "../src/train";

const released = loadReleasedModel().model;

/** NAND and OR as binary neurons in layer 2 (built from A+B and AND in layer 1), output = their AND. */
function handSetXor(): MLP {
  return mlpFromArrays(
    [2, 2, 2, 1],
    [[[1, 1], [1, 1]], [[0, -1], [1, -1]], [[1, 1]]],
    [[0, -1], [1, 0], [-1.25]],
    ["XOR"],
  );
}

function randomMLP(sizes: number[], seed: number, around?: MLP, scale = 1): MLP {
  const rng = new Rng(seed);
  return mlpFromArrays(
    sizes,
    sizes.slice(1).map((o, i) => Array.from({ length: o }, (_, r) => Array.from({ length: sizes[i] }, (_, c) => (around ? around.weights[i][r * sizes[i] + c] : 0) + scale * rng.normal()))),
    sizes.slice(1).map((o, i) => Array.from({ length: o }, (_, r) => (around ? around.biases[i][r] : 0) + scale * rng.normal())),
    ["XOR"],
  );
}

test("the released model: 56 candidates, 7 aligned formulas, 42 minimal mappings, both orientations (SPEC 11)", () => {
  for (const pairOrder of ["BA", "AB"] as const) {
    const r = alignGate(released, "XOR", { pairOrder });
    assert.equal(r.nCandidates, 56);
    assert.equal(r.formulas, 7);
    assert.deepEqual(r.aligned.map((a) => a.index), [0, 1, 22, 26, 36, 37, 41]);
    assert.deepEqual(r.mappingsPerFormula, [2, 2, 12, 12, 6, 6, 2]);
    assert.equal(r.mappingsPerFormula.reduce((s, v) => s + v, 0), 42);
    assert.equal(r.pairs.length, 6);
    // Mapping format: every relevant node → [[layer, neuron], …] in one hidden layer, disjoint across nodes.
    for (const a of r.aligned)
      for (const m of a.mappings) {
        assert.deepEqual(Object.keys(m), a.nodes);
        const all = Object.values(m).flat().map(([l, j]) => `${l}:${j}`);
        assert.equal(new Set(all).size, all.length);
        for (const s of Object.values(m)) assert.equal(new Set(s.map(([l]) => l)).size, 1);
      }
  }
  const f0 = alignGate(released, "XOR").aligned[0];
  assert.equal(f0.formula, "¬(A*B)*(A+B)");
  assert.deepEqual(f0.mappings, [{ "A+B 4": [[1, 1]], "¬(A*B) 7": [[1, 0]] }, { "A+B 4": [[2, 0]], "¬(A*B) 7": [[1, 0]] }]);
  assert.deepEqual(f0.mappings.map(mappingNames), [{ "A+B 4": "L1.{1}", "¬(A*B) 7": "L1.{0}" }, { "A+B 4": "L2.{0}", "¬(A*B) 7": "L1.{0}" }]);
});

/**
 * ¬(A*B)*(A+B) with one neuron per intermediate variable: layer 1 holds A+B+1, ReLU(A−B), ReLU(B−A) (none of them
 * a threshold of A∧B or A∨B); layer 2 neuron 0 = NAND = 2 − (A+B+1) + |A−B|, neuron 1 = OR = (A+B+1) + |A−B| − 2
 * (binary up to the LeakyReLU's 0.01); output = AND of the two.
 */
function oneNeuronPerVariable(): MLP {
  return mlpFromArrays([2, 3, 2, 1], [[[1, 1], [1, -1], [-1, 1]], [[-1, 1, 1], [1, 1, 1]], [[1, 1]]], [[1, 0, 0], [2, -2], [-1.25]], ["XOR"]);
}

test("hand-set ¬(A*B)*(A+B), one neuron per variable: aligns with that formula at exactly those neurons", () => {
  const m = oneNeuronPerVariable();
  const acts = forwardAll(m, [0, 0, 0, 1, 1, 0, 1, 1], 4);
  assert.deepEqual(Array.from(acts[3], (v) => (v > 0.5 ? 1 : 0)), [0, 1, 1, 0]);
  assert.deepEqual([0, 1, 2, 3].map((r) => [acts[2][2 * r] > 0.5 ? 1 : 0, acts[2][2 * r + 1] > 0.5 ? 1 : 0]), [[1, 0], [1, 1], [1, 1], [0, 1]]);
  for (const mode of ["compat", "corrected"] as const)
    for (const pairOrder of ["BA", "AB"] as const) {
      const r = alignGate(m, "XOR", { alignmentMode: mode, pairOrder });
      const f0 = r.aligned.find((a) => a.index === 0);
      assert.deepEqual(f0?.mappings, [{ "A+B 4": [[2, 1]], "¬(A*B) 7": [[2, 0]] }], `${mode} ${pairOrder}`);
      // Only formula 1, ¬((A*B)+¬(A+B)), the same two variables negated, aligns as well, at the same neurons.
      assert.deepEqual(r.aligned.map((a) => a.index), [0, 1]);
      assert.deepEqual(r.aligned[1].mappings, [{ "A*B 1": [[2, 0]], "¬(A+B) 8": [[2, 1]] }]);
    }
});

test("hand-set with binary precursors in layer 1: the precursor neurons align too (four minimal mappings)", () => {
  const m = handSetXor();
  const out = forwardAll(m, [0, 0, 0, 1, 1, 0, 1, 1], 4)[3];
  assert.deepEqual(Array.from(out, (v) => (v > 0.5 ? 1 : 0)), [0, 1, 1, 0]);
  for (const mode of ["compat", "corrected"] as const) {
    const f0 = alignGate(m, "XOR", { alignmentMode: mode }).aligned.find((a) => a.index === 0);
    assert.ok(f0, `${mode}: formula 0 aligns`);
    // NAND = L2 n0, OR = L2 n1; their layer-1 precursors AND = L1 n1 and A+B = L1 n0 carry the same variables.
    const key = (mp: Record<string, [number, number][]>) => JSON.stringify(mp);
    const expected: string[] = [];
    for (const nand of [[1, 1], [2, 0]] as [number, number][]) for (const or of [[1, 0], [2, 1]] as [number, number][]) expected.push(key({ "A+B 4": [or], "¬(A*B) 7": [nand] }));
    assert.deepEqual(f0.mappings.map(key).sort(), expected.sort());
  }
});

/** Plain-number forward of one input row; `patch` overwrites hidden layer `layer`'s units after the activation. */
function naiveForward(m: MLP, row: number[], patch?: { layer: number; units: number[]; values: number[] }): number[][] {
  const acts: number[][] = [row];
  for (let i = 0; i < m.weights.length; i++) {
    const h = acts[i];
    const a: number[] = [];
    for (let o = 0; o < m.layerSizes[i + 1]; o++) {
      let acc = 0;
      for (let j = 0; j < h.length; j++) acc = Math.fround(acc + Math.fround(m.weights[i][o * h.length + j] * h[j]));
      acc = Math.fround(acc + m.biases[i][o]);
      a.push(acc >= 0 ? acc : Math.fround(acc * Math.fround(0.01)));
    }
    if (patch && patch.layer === i + 1) patch.units.forEach((u, q) => (a[u] = patch.values[q]));
    acts.push(a);
  }
  return acts;
}

/** IIA validity straight from the definition: two naive runs per pair (source, then patched base), formula with an override. */
function validDirect(model: MLP, f: Formula, id: number, S: NeuronSet, pairs: SamplePair[], threshold: number): boolean {
  const L = model.layerSizes.length - 1;
  let ok = 0;
  for (const p of pairs) {
    const src = formulaRowValues(p.source, 2);
    const base = formulaRowValues(p.base, 2);
    const values = S.neurons.map((j) => naiveForward(model, src)[S.layer][j]);
    const y = naiveForward(model, base, { layer: S.layer, units: S.neurons, values })[L][0];
    const high = evaluateFormula(f, base, new Map([[id, formulaNodeValues(f, src).get(id)!]]));
    if ((y > 0.5 ? 1 : 0) === high) ok++;
  }
  return ok / pairs.length >= threshold;
}

/** The pair sets written out (source→base, A first), independently of pairSet. */
const REFERENCE_PAIRS = {
  BA: ["00→01", "00→10", "00→11", "10→01", "01→11", "10→11"],
  AB: ["00→01", "00→10", "00→11", "01→10", "01→11", "10→11"],
};
const CORRECTED_PAIRS = ["00", "01", "10", "11"].flatMap((s) => ["00", "01", "10", "11"].filter((b) => b !== s).map((b) => `${s}→${b}`));
const parsePairs = (list: string[]): SamplePair[] => list.map((p) => ({ source: parseInt(p.slice(0, 2), 2), base: parseInt(p.slice(3), 2) }));

/** Brute force: every tuple of single-layer sets, disjoint and valid, then the inclusion-minimal ones. */
function bruteMinimal(model: MLP, f: Formula, pairs: SamplePair[], threshold: number): string[] {
  const { sets } = neuronSets(model.layerSizes);
  const nodes = relevantNodes(f);
  const valid = nodes.map((n) => sets.filter((S) => validDirect(model, f, n.id, S, pairs, threshold)));
  const tuples: NeuronSet[][] = [[]];
  for (const v of valid) {
    const next: NeuronSet[][] = [];
    for (const t of tuples) for (const S of v) next.push([...t, S]);
    tuples.splice(0, tuples.length, ...next);
  }
  const disjoint = tuples.filter((t) => {
    const all = t.flatMap((S) => S.neurons.map((j) => `${S.layer}:${j}`));
    return new Set(all).size === all.length;
  });
  const inside = (a: NeuronSet, b: NeuronSet) => a.layer === b.layer && a.neurons.every((j) => b.neurons.includes(j));
  const le = (a: NeuronSet[], b: NeuronSet[]) => a.every((S, i) => inside(S, b[i]));
  const minimal = disjoint.filter((t) => !disjoint.some((o) => o !== t && le(o, t) && !le(t, o)));
  return minimal.map((t) => JSON.stringify(Object.fromEntries(nodes.map((n, i) => [nodeLabel(n), t[i].neurons.map((j) => [t[i].layer, j])])))).sort();
}

test("minimal mappings equal a brute-force enumeration + inclusion filter on small networks", () => {
  const models = [handSetXor(), oneNeuronPerVariable(), randomMLP([2, 2, 2, 1], 3, handSetXor(), 0.3), randomMLP([2, 2, 2, 1], 7, handSetXor(), 0.5), randomMLP([2, 2, 2, 1], 11)];
  let checked = 0;
  let nonEmpty = 0;
  for (const m of models)
    for (const mode of ["compat", "corrected"] as const) {
      const pairs = parsePairs(mode === "compat" ? REFERENCE_PAIRS.BA : CORRECTED_PAIRS);
      const threshold = mode === "compat" ? 1 : 0.75;
      const r = alignGate(m, "XOR", { alignmentMode: mode, iiaThreshold: threshold, maxDepth: 3 });
      const byIndex = new Map(r.aligned.map((a) => [a.index, a.mappings.map((x) => JSON.stringify(x)).sort()]));
      for (const c of candidateFormulas("XOR", 3)) {
        if (relevantNodes(c.formula).length > 4) continue; // keeps the brute force small
        const brute = bruteMinimal(m, c.formula, pairs, threshold);
        assert.deepEqual(byIndex.get(c.index) ?? [], brute, `${mode} formula ${c.index} ${c.string}`);
        checked++;
        if (brute.length) nonEmpty++;
      }
    }
  assert.ok(checked > 100 && nonEmpty > 10, `${checked} formulas checked, ${nonEmpty} with mappings`);
});

test("the minimal-set search equals the reference's exhaustive search + filter", () => {
  const cases: [MLP, string][] = [[released, "XOR"], [randomMLP([2, 3, 3, 1], 5, released, 0.2), "XOR"], [released, "AND"], [randomMLP([2, 3, 3, 1], 9), "OR"]];
  const same = (t: InterventionTable, a: number[][], b: number[][]) => {
    const k = (x: number[][]) => x.map((m) => m.join(",")).sort();
    assert.deepEqual(k(a), k(b));
    void t;
  };
  let total = 0;
  for (const [m, gate] of cases) {
    const table = interventionTable(m, 2);
    for (const mode of ["compat", "corrected"] as const) {
      const pairs = pairSet(mode === "compat" ? "reference" : "corrected", 2);
      for (const c of candidateFormulas(gate, 3)) {
        const fast = minimalAssignments(c.formula, table, pairs, mode === "compat" ? 1 : 0.9).assignments;
        const ref = inclusionMinimal(referenceMappings(c.formula, table, pairs, mode === "compat" ? 1 : 0.9), table);
        same(table, fast, ref);
        total += fast.length;
      }
    }
  }
  assert.ok(total > 42);
});

/**
 * Valid mappings from the definition, by brute force: every node's valid sets by naive interventions (validDirect),
 * every tuple of them, kept when the sets are pairwise disjoint. Per candidate formula: [valid count, minimal count].
 */
function bruteValidCounts(model: MLP, gate: string, pairs: SamplePair[]): Map<number, [number, number]> {
  const { sets } = neuronSets(model.layerSizes);
  const out = new Map<number, [number, number]>();
  for (const c of candidateFormulas(gate, model.layerSizes.length - 1)) {
    const nodes = relevantNodes(c.formula);
    const valid = nodes.map((n) => sets.filter((S) => validDirect(model, c.formula, n.id, S, pairs, 1)));
    const tuples: NeuronSet[][] = [];
    const walk = (i: number, t: NeuronSet[]) => {
      if (i === nodes.length) {
        const all = t.flatMap((S) => S.neurons.map((j) => `${S.layer}.${j}`));
        if (new Set(all).size === all.length) tuples.push(t);
        return;
      }
      for (const S of valid[i]) walk(i + 1, [...t, S]);
    };
    walk(0, []);
    const inside = (a: NeuronSet, b: NeuronSet) => a.layer === b.layer && a.neurons.every((j) => b.neurons.includes(j));
    const le = (a: NeuronSet[], b: NeuronSet[]) => a.every((S, i) => inside(S, b[i]));
    const minimal = tuples.filter((t) => !tuples.some((o) => o !== t && le(o, t) && !le(t, o)));
    out.set(c.index, [tuples.length, minimal.length]);
  }
  return out;
}

test("valid and minimal mapping counts equal a brute-force enumeration from the definition (naive interventions)", () => {
  const trained = trainExperimentSync({ gates: ["XOR"], size: 4, seedOffset: 0 }).result.model;
  const cases: [string, MLP, string, SamplePair[], "compat" | "corrected", "BA" | "AB"][] = [
    ["released BA", released, "XOR", parsePairs(REFERENCE_PAIRS.BA), "compat", "BA"],
    ["released AB", released, "XOR", parsePairs(REFERENCE_PAIRS.AB), "compat", "AB"],
    ["released corrected", released, "XOR", parsePairs(CORRECTED_PAIRS), "corrected", "BA"],
    ["released AND", released, "AND", parsePairs(REFERENCE_PAIRS.BA), "compat", "BA"],
    ["trained [2,4,4,1]", trained, "XOR", parsePairs(REFERENCE_PAIRS.BA), "compat", "BA"],
    ["random near released", randomMLP([2, 3, 3, 1], 5, released, 0.2), "XOR", parsePairs(REFERENCE_PAIRS.BA), "compat", "BA"],
    ["random [2,2,2,1]", randomMLP([2, 2, 2, 1], 7, handSetXor(), 0.5), "XOR", parsePairs(REFERENCE_PAIRS.AB), "compat", "AB"],
  ];
  let grew = false;
  for (const [name, m, gate, pairs, alignmentMode, pairOrder] of cases) {
    const brute = bruteValidCounts(m, gate, pairs);
    const r = alignGate(m, gate, { alignmentMode, pairOrder });
    const got = new Map(r.aligned.map((a) => [a.index, [a.validMappings, a.mappings.length]]));
    for (const [index, counts] of brute) assert.deepEqual(got.get(index) ?? [0, 0], counts, `${name}: formula ${index} [valid, minimal]`);
    if ([...brute.values()].some(([v, mn]) => v > mn)) grew = true;
    if (name === "released BA" || name === "released AB") {
      const total = (k: 0 | 1) => [...brute.values()].reduce((s, c) => s + c[k], 0);
      assert.equal(total(1), 42, `${name}: 42 minimal mappings`);
      assert.equal([...brute.values()].filter(([v]) => v > 0).length, 7, `${name}: 7 formulas`);
      assert.ok(total(0) > 42, `${name}: ${total(0)} valid mappings`);
    }
  }
  assert.ok(grew, "some formula has non-minimal valid mappings");
  // A limit truncates the count.
  const f0 = candidateFormulas("XOR", 3)[0].formula;
  assert.deepEqual(countValidMappings(f0, interventionTable(released, 2), pairSet("reference", 2), 1, 1), { count: 1, truncated: true });
});

test("corrected mode: 12 ordered pairs, IIA fractions, threshold", () => {
  const r = alignGate(released, "XOR", { alignmentMode: "corrected" });
  assert.equal(r.pairs.length, 12);
  // Adding the 6 other directions removes the formulas whose mappings only passed the reference's 6 pairs.
  assert.deepEqual(r.aligned.map((a) => a.index), [0, 1]);
  assert.deepEqual(r.mappingsPerFormula, [1, 1]);
  const lower = alignGate(released, "XOR", { alignmentMode: "corrected", iiaThreshold: 0.75 });
  assert.ok(r.aligned.every((a) => lower.aligned.some((b) => b.index === a.index)));
  assert.ok(lower.formulas >= r.formulas);
  const f0 = candidateFormulas("XOR", 3)[0].formula;
  const mat = iiaMatrix(released, f0, { pairSet: "corrected" });
  assert.deepEqual(mat.nodes, ["A+B 4", "¬(A*B) 7"]);
  assert.equal(mat.sets.length, 14);
  for (const row of mat.iia) for (const v of row) assert.ok(v >= 0 && v <= 1 && Number.isInteger(v * 12));
  // The corrected-mode mapping of formula 0 is IIA = 1 in the matrix.
  const m0 = r.aligned[0].mappings[0];
  mat.nodes.forEach((label, i) => {
    const k = mat.sets.findIndex((S) => JSON.stringify(S.neurons.map((j) => [S.layer, j])) === JSON.stringify(m0[label]));
    assert.equal(mat.iia[i][k], 1);
  });
  assert.throws(() => alignGate(released, "XOR", { iiaThreshold: 0.5 }), /alignmentMode "compat" requires IIA = 1/);
  assert.throws(() => alignGate(released, "XOR", { alignmentMode: "corrected", iiaThreshold: 0 }), /iiaThreshold must be in \(0, 1\]/);
  assert.throws(() => alignGate(released, "XOR", { mode: "corrected" } as object), /option "mode" is now "alignmentMode"/);
  assert.throws(() => alignGate(released, "XOR", { threshold: 0.9 } as object), /option "threshold" is now "iiaThreshold"/);
});

test("formulas without relevant nodes get one empty mapping (SPEC 14.10); bad inputs", () => {
  for (const gate of ["AND", "OR", "NAND", "NOR"]) {
    const r = alignGate(randomMLP([2, 2, 2, 1], 1), gate);
    assert.equal(r.nCandidates, 86);
    assert.ok(r.formulas >= 1);
    const empty = r.aligned.filter((a) => a.nodes.length === 0);
    assert.equal(empty.length, 1, gate);
    assert.deepEqual(empty[0].mappings, [{}]);
  }
  assert.throws(() => alignGate(released, "MAJORITY"), /3 inputs but the model takes 2/);
  assert.throws(() => alignGate(mlpFromArrays([2, 1], [[[1, 1]]], [[0]], ["XOR"]), "XOR"), /no hidden layer/);
  assert.throws(() => alignGate(released, "XOR", { output: 2 }), /output 2 does not exist/);
  assert.throws(() => alignGate(released, "XOR", { pairOrder: "XY" as "AB" }), /pairOrder must be "BA" or "AB"/);
});

test("figures: formula tree, mapping on the network, IIA matrix, mappings per formula, overview", async () => {
  const { formulaTreeFigure, mappingFigure, iiaMatrixFigure, mappingsPerFormulaFigure, alignmentOverviewFigure } = await import("../src/figures/alignment");
  const f0 = candidateFormulas("XOR", 3)[0].formula;
  const tree = formulaTreeFigure(f0);
  const nodes = tree.data[1] as { x: number[]; y: number[]; marker: { color: string[] } };
  assert.equal(nodes.x.length, 8);
  assert.equal(Math.max(...nodes.y), 0); // root on top
  assert.equal(new Set(nodes.marker.color.filter((c) => c !== "#e0e0e0")).size, 2); // two variables, two colours (light fills; others light grey)
  const al = alignGate(released, "XOR");
  const mf = mappingFigure(released, al.aligned[0].mappings[1]);
  const named = mf.data.filter((t) => typeof t.name === "string") as { name: string; x: number[]; y: number[] }[];
  assert.deepEqual(named.map((t) => t.name), ["A+B 4", "¬(A*B) 7"]);
  assert.deepEqual([named[0].x, named[0].y], [[2], [1]]); // L2.0 drawn at layer 2, top of a 3-neuron column
  assert.match((named[0] as unknown as { hovertemplate: string }).hovertemplate, /^A\+B 4 ↦ L2\.\{0\}/);
  const mat = iiaMatrixFigure(iiaMatrix(released, f0));
  assert.equal((mat.data[0].z as number[][]).length, 2);
  assert.equal((mat.data[0].x as string[])[0], "L1.{0,1,2}");
  assert.deepEqual(mappingsPerFormulaFigure(al).data[0].y, [2, 2, 12, 12, 6, 6, 2]);
  const ov = alignmentOverviewFigure(released, al).data[0] as { z: number[][]; x: string[] };
  assert.equal(ov.z.length, 7);
  assert.deepEqual(ov.x, ["L1.0", "L1.1", "L1.2", "L2.0", "L2.1", "L2.2"]);
  assert.deepEqual(ov.z[0], [1, 0.5, 0, 0.5, 0, 0]); // formula 0: ¬(A*B) on (1,0) always, A+B on (1,1) or (2,0)
  assertPlainData([tree, mf, mat]); // plain data (typed arrays, NaN, undefined fail)
});

test("pair sets: reference (6, by pair order), corrected (12), all (16); one IIA; iiaMatrix defaults to alignGate's pair set", () => {
  const fmt = (p: SamplePair[]) => p.map((q) => `${q.source.toString(2).padStart(2, "0")}→${q.base.toString(2).padStart(2, "0")}`).sort();
  assert.deepEqual(fmt(pairSet("reference", 2, "BA")), [...REFERENCE_PAIRS.BA].sort());
  assert.deepEqual(fmt(pairSet("reference", 2, "AB")), [...REFERENCE_PAIRS.AB].sort());
  assert.deepEqual(fmt(pairSet("corrected", 2)), [...CORRECTED_PAIRS].sort());
  assert.equal(pairSet("all", 2).length, 16);
  assert.equal(pairSet("all", 3).length, 64);
  assert.equal(pairSet("corrected", 3).length, 56);
  assert.equal(pairSet("reference", 3).length, 28);
  assert.throws(() => pairSet("some" as "all", 2), /pair set must be one of "reference", "corrected", "all"/);
  // IIA: fraction of the pairs whose outcome tables agree.
  const low = [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const high = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  assert.equal(interchangeAccuracy(low, high, 4, [{ source: 0, base: 0 }, { source: 0, base: 1 }, { source: 0, base: 2 }, { source: 0, base: 3 }]), 0.5);
  assert.throws(() => interchangeAccuracy(low, high, 4, []), /no \(source, base\) pairs/);
  // iiaMatrix's default is alignGate's: the reference's 6 pairs (BA); a compat mapping has IIA 1 there.
  const f0 = candidateFormulas("XOR", 3)[0].formula;
  const mat = iiaMatrix(released, f0);
  assert.equal(mat.pairSet, "reference");
  assert.deepEqual(mat.pairs, alignGate(released, "XOR").pairs);
  assert.deepEqual(mat.setLabels.slice(0, 3), ["L1.{0,1,2}", "L2.{0,1,2}", "L1.{0,1}"]);
  for (const m of alignGate(released, "XOR").aligned[0].mappings)
    mat.nodes.forEach((label, i) => {
      const k = mat.sets.findIndex((S) => JSON.stringify(S.neurons.map((j) => [S.layer, j])) === JSON.stringify(m[label]));
      assert.equal(mat.iia[i][k], 1, `${label} at ${JSON.stringify(m[label])}`);
    });
  // "all" includes base = source, where every interchange is a no-op: IIA over 16 ≥ (IIA over 12 · 12 + 4·[agree on diagonal]) / 16.
  const all = iiaMatrix(released, f0, { pairSet: "all" });
  const corr = iiaMatrix(released, f0, { pairSet: "corrected" });
  all.iia.forEach((row, i) => row.forEach((v, k) => assert.equal(v * 16, corr.iia[i][k] * 12 + 4, `${all.nodes[i]} ${all.setLabels[k]}`)));
});
