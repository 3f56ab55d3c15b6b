import { test } from "node:test";
import assert from "node:assert/strict";
import {
  alignGate, countValidMappings, iiaMatrix, inclusionMinimal, interventionTable, minimalAssignments, neuronSets, referenceMappings,
  InterventionTable, NeuronSet,
} from "../src/alignment";
import { Formula, SamplePair, candidateFormulas, evaluateFormula, formulaNodeValues, formulaRowValues, nodeLabel, relevantNodes, samplePairs } from "../src/formulas";
import { MLP, forwardAll, mlpFromArrays } from "../src/model";
import { loadReleasedModel } from "../src/reference";
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
    assert.equal(r.pairs!.length, 6);
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
      const r = alignGate(m, "XOR", { mode, pairOrder });
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
    const f0 = alignGate(m, "XOR", { mode }).aligned.find((a) => a.index === 0);
    assert.ok(f0, `${mode}: formula 0 aligns`);
    // NAND = L2 n0, OR = L2 n1; their layer-1 precursors AND = L1 n1 and A+B = L1 n0 carry the same variables.
    const key = (mp: Record<string, [number, number][]>) => JSON.stringify(mp);
    const expected: string[] = [];
    for (const nand of [[1, 1], [2, 0]] as [number, number][]) for (const or of [[1, 0], [2, 1]] as [number, number][]) expected.push(key({ "A+B 4": [or], "¬(A*B) 7": [nand] }));
    assert.deepEqual(f0.mappings.map(key).sort(), expected.sort());
  }
});

/** IIA validity straight from the definition (one forward pass per pair, formula evaluated with an override). */
function validDirect(model: MLP, f: Formula, id: number, S: NeuronSet, pairs: SamplePair[], threshold: number): boolean {
  const L = model.layerSizes.length - 1;
  let ok = 0;
  for (const p of pairs) {
    const src = formulaRowValues(p.source, 2);
    const base = formulaRowValues(p.base, 2);
    const acts = forwardAll(model, src, 1);
    const values = S.neurons.map((j) => acts[S.layer][j]);
    const y = forwardAll(model, base, 1, { interventions: [{ layer: S.layer, neurons: S.neurons, values }] })[L][0];
    const high = evaluateFormula(f, base, new Map([[id, formulaNodeValues(f, src).get(id)!]]));
    if ((y > 0.5 ? 1 : 0) === high) ok++;
  }
  return ok / pairs.length >= threshold;
}

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
      const pairs = samplePairs(2, mode, "BA");
      const threshold = mode === "compat" ? 1 : 0.75;
      const r = alignGate(m, "XOR", { mode, threshold, maxDepth: 3 });
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
      const pairs = samplePairs(2, mode);
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

test("valid mappings (minimal or not) = the reference's search before its filter; counted per aligned formula", () => {
  const cases: [MLP, string][] = [[released, "XOR"], [randomMLP([2, 3, 3, 1], 5, released, 0.2), "XOR"], [trainExperimentSync({ gates: ["XOR"], size: 4, seedOffset: 0 }).result.model, "XOR"], [released, "AND"]];
  let grew = false;
  for (const [m, gate] of cases) {
    const table = interventionTable(m, 2);
    const pairs = samplePairs(2, "compat");
    for (const c of candidateFormulas(gate, 3)) {
      const all = referenceMappings(c.formula, table, pairs);
      const { count, truncated } = countValidMappings(c.formula, table, pairs);
      assert.equal(count, all.length, `${gate} formula ${c.index}`);
      assert.equal(truncated, false);
      if (count > inclusionMinimal(all, table).length) grew = true;
    }
    const r = alignGate(m, gate);
    assert.deepEqual(r.validMappingsPerFormula, r.aligned.map((a) => referenceMappings(candidateFormulas(gate, 3)[a.index].formula, table, pairs).length));
    r.validMappingsPerFormula.forEach((v, i) => assert.ok(v >= r.mappingsPerFormula[i]));
  }
  assert.ok(grew, "some formula has non-minimal valid mappings");
  // The released model: 42 minimal mappings, more valid ones; a limit truncates the count.
  const r = alignGate(released, "XOR");
  const total = r.validMappingsPerFormula.reduce((a, b) => a + b, 0);
  assert.ok(total > 42, `valid mappings ${total}`);
  const f0 = candidateFormulas("XOR", 3)[0].formula;
  assert.deepEqual(countValidMappings(f0, interventionTable(released, 2), samplePairs(2, "compat"), 1, 1), { count: 1, truncated: true });
});

test("corrected mode: 12 ordered pairs, IIA fractions, threshold", () => {
  const r = alignGate(released, "XOR", { mode: "corrected" });
  assert.equal(r.pairs!.length, 12);
  // Adding the 6 other directions removes the formulas whose mappings only passed the reference's 6 pairs.
  assert.deepEqual(r.aligned.map((a) => a.index), [0, 1]);
  assert.deepEqual(r.mappingsPerFormula, [1, 1]);
  const lower = alignGate(released, "XOR", { mode: "corrected", threshold: 0.75 });
  assert.ok(r.aligned.every((a) => lower.aligned.some((b) => b.index === a.index)));
  assert.ok(lower.formulas >= r.formulas);
  const f0 = candidateFormulas("XOR", 3)[0].formula;
  const mat = iiaMatrix(released, f0);
  assert.deepEqual(mat.nodes, ["A+B 4", "¬(A*B) 7"]);
  assert.equal(mat.sets.length, 14);
  for (const row of mat.iia) for (const v of row) assert.ok(v >= 0 && v <= 1 && Number.isInteger(v * 12));
  // The corrected-mode mapping of formula 0 is IIA = 1 in the matrix.
  const m0 = r.aligned[0].mappings[0];
  mat.nodes.forEach((label, i) => {
    const k = mat.sets.findIndex((S) => JSON.stringify(S.neurons.map((j) => [S.layer, j])) === JSON.stringify(m0[label]));
    assert.equal(mat.iia[i][k], 1);
  });
  assert.throws(() => alignGate(released, "XOR", { threshold: 0.5 }), /compat mode requires IIA = 1/);
  assert.throws(() => alignGate(released, "XOR", { mode: "corrected", threshold: 0 }), /threshold must be in \(0, 1\]/);
});

test("formulas without relevant nodes get one empty mapping (SPEC 14.10); bad inputs", () => {
  for (const gate of ["AND", "OR", "NAND", "NOR"]) {
    const r = alignGate(randomMLP([2, 2, 2, 1], 1), gate);
    assert.equal(r.nCandidates, 86);
    assert.ok(r.formulas >= 1);
    const empty = r.aligned.filter((a) => a.nodes!.length === 0);
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
  assert.equal(new Set(nodes.marker.color.filter((c) => c !== "#bbbbbb")).size, 2); // two variables, two colours
  const al = alignGate(released, "XOR");
  const mf = mappingFigure(released, al.aligned[0].mappings[1]);
  const named = mf.data.filter((t) => typeof t.name === "string") as { name: string; x: number[]; y: number[] }[];
  assert.deepEqual(named.map((t) => t.name), ["A+B 4", "¬(A*B) 7"]);
  assert.deepEqual([named[0].x, named[0].y], [[2], [1]]); // (2,0) drawn at layer 2, top of a 3-neuron column
  const mat = iiaMatrixFigure(iiaMatrix(released, f0));
  assert.equal((mat.data[0].z as number[][]).length, 2);
  assert.equal((mat.data[0].x as string[])[0], "L1:{0,1,2}");
  assert.deepEqual(mappingsPerFormulaFigure(al).data[0].y, [2, 2, 12, 12, 6, 6, 2]);
  const ov = alignmentOverviewFigure(released, al).data[0] as { z: number[][]; x: string[] };
  assert.equal(ov.z.length, 7);
  assert.equal(ov.x.length, 6);
  assert.deepEqual(ov.z[0], [1, 0.5, 0, 0.5, 0, 0]); // formula 0: ¬(A*B) on (1,0) always, A+B on (1,1) or (2,0)
  JSON.stringify([tree, mf, mat]); // plain data
});
