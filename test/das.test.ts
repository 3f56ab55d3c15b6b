// DAS: the Givens gradient against finite differences, the float64 tail against the hook core, the rotated
// interchange against neuron interchanges, and the oracle network whose variables are rotated copies of a known
// solution (DAS reaches IIA 1 where the neuron sets of that layer cannot).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../src/rng";
import { initMLP } from "../src/train";
import { runWithCache } from "../src/model";
import { candidateFormulas } from "../src/formulas";
import { iiaMatrix, pairSet, sampledInterchangeAccuracy, interchangeAccuracy } from "../src/alignment";
import { InputError } from "../src/errors";
import {
  anglesGradient, dasAlignFormula, dasPass, distinctSubspaces, formulaDasIia, modelTail, principalAngles, randomAngles,
  rotatedInterchangeRows, rotatedXorBasis, rotatedXorNetwork, rotationFromAngles, tailLossGrad, tailPre, trainDas,
} from "../src/das";

const FORMULA_0 = candidateFormulas("XOR", 3)[0]; // ¬(A*B)*(A+B)

function randomExamples(d: number, n: number, nVariables: number, rng: Rng) {
  return {
    d, n, nVariables,
    hBase: Float64Array.from({ length: n * d }, () => rng.normal()),
    hSource: Float64Array.from({ length: n * d }, () => rng.normal()),
    variable: Int32Array.from({ length: n }, () => rng.int(nVariables)),
    label: Uint8Array.from({ length: n }, () => rng.int(2)),
  };
}

test("Givens rotations are orthogonal and the angle gradient equals central finite differences", () => {
  const rng = new Rng(1);
  const d = 5;
  const theta = randomAngles(d, rng);
  const R = rotationFromAngles(theta, d);
  for (let a = 0; a < d; a++)
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += R[a * d + i] * R[b * d + i];
      assert.ok(Math.abs(s - (a === b ? 1 : 0)) < 1e-12, `R Rᵀ[${a}][${b}] = ${s}`);
    }
  const tail = modelTail(initMLP([2, d, 4, 1], [], 3), 1);
  const ex = randomExamples(d, 9, 2, rng);
  const masks = [Float64Array.from([1, 1, 0, 0, 0]), Float64Array.from([0, 0, 0.3, 0.7, 0])];
  const grad = { R: new Float64Array(d * d), masks: masks.map(() => new Float64Array(d)) };
  dasPass(tail, ex, R, masks, grad);
  const g = anglesGradient(theta, d, grad.R);
  const eps = 1e-6;
  const loss = (t: Float64Array, m = masks) => dasPass(tail, ex, rotationFromAngles(t, d), m).loss;
  let worst = 0;
  let largest = 0;
  for (let k = 0; k < theta.length; k++) {
    const tp = Float64Array.from(theta);
    const tm = Float64Array.from(theta);
    tp[k] += eps;
    tm[k] -= eps;
    const fd = (loss(tp) - loss(tm)) / (2 * eps);
    worst = Math.max(worst, Math.abs(fd - g[k]));
    largest = Math.max(largest, Math.abs(g[k]));
  }
  assert.ok(largest > 1e-2, "the gradient is not trivially zero");
  assert.ok(worst < 1e-7, `largest angle-gradient error ${worst}`);
  // Mask gradient (what Boundless DAS trains).
  for (const [v, a] of [[0, 1], [1, 3]]) {
    const mp = masks.map((m) => Float64Array.from(m));
    const mm = masks.map((m) => Float64Array.from(m));
    mp[v][a] += eps;
    mm[v][a] -= eps;
    assert.ok(Math.abs((loss(theta, mp) - loss(theta, mm)) / (2 * eps) - grad.masks[v][a]) < 1e-7);
  }
  // Gradient with respect to h of the tail alone.
  const h = Float64Array.from({ length: d }, () => rng.normal());
  const gh = new Float64Array(d);
  tailLossGrad(tail, h, 1, gh);
  const scratch = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const hp = Float64Array.from(h);
    const hm = Float64Array.from(h);
    hp[i] += eps;
    hm[i] -= eps;
    assert.ok(Math.abs((tailLossGrad(tail, hp, 1, scratch).loss - tailLossGrad(tail, hm, 1, scratch).loss) / (2 * eps) - gh[i]) < 1e-7);
  }
});

test("the float64 tail gives the hook core's output pre-activation, and a rotated interchange with R = I is a neuron interchange", () => {
  const model = initMLP([2, 4, 3, 1], [], 11);
  const x = Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]);
  const run = runWithCache(model, x, 4, { names: ["layers.1.hook_post", "layers.3.hook_pre"] });
  const tail = modelTail(model, 1);
  for (let r = 0; r < 4; r++) assert.ok(Math.abs(tailPre(tail, run.cache["layers.1.hook_post"].subarray(r * 4, r * 4 + 4)) - run.cache["layers.3.hook_pre"][r]) < 1e-5);
  // Bases 00, 01, 10, 11 with sources 11, 10, 01, 00; units {1, 3} exchanged.
  const acts = Float64Array.from(run.cache["layers.1.hook_post"]);
  const src = [3, 2, 1, 0];
  const ex = { d: 4, n: 4, nVariables: 1, variable: new Int32Array(4), label: new Uint8Array(4), hBase: acts, hSource: Float64Array.from(src.flatMap((s) => Array.from(acts.subarray(s * 4, s * 4 + 4)))) };
  const I = rotationFromAngles(new Float64Array(6), 4);
  const set = runWithCache(model, x, 4, { interventions: [{ kind: "set", site: { hook: "layers.1.hook_post" }, rowValues: rotatedInterchangeRows(ex, I, [[1, 3]]) }], names: [] }).output;
  const xs = Float32Array.from(src.flatMap((s) => Array.from(x.subarray(s * 2, s * 2 + 2))));
  const swap = runWithCache(model, x, 4, { interventions: [{ kind: "interchange", site: { hook: "layers.1.hook_post", units: [1, 3] }, source: { x: xs, n: 4 } }], names: [] }).output;
  assert.deepEqual(Array.from(set), Array.from(swap));
});

test("sampledInterchangeAccuracy counts agreeing pairs like interchangeAccuracy", () => {
  const low = [1, 0, 1, 1, 0];
  const high = [1, 1, 1, 0, 0];
  assert.equal(sampledInterchangeAccuracy(low, high), 3 / 5);
  assert.equal(interchangeAccuracy([1, 0, 0, 1], [1, 1, 0, 1], 2, pairSet("all", 1)), 3 / 4);
  assert.throws(() => sampledInterchangeAccuracy([1], [1, 0]), /one of each per pair/);
});

test("oracle: on a network whose layer-2 variables are rotated copies, DAS aligns ¬(A∧B)∧(A∨B) with IIA 1 where no layer-2 neuron set does", () => {
  const model = rotatedXorNetwork(1.1, 2);
  for (const name of ["reference", "corrected"] as const) {
    const m = iiaMatrix(model, FORMULA_0.formula, { pairSet: name });
    const layer2 = m.sets.flatMap((s, k) => (s.layer === 2 ? [k] : []));
    const best = m.iia.map((row) => Math.max(...layer2.map((k) => row[k])));
    assert.ok(best.every((v) => v < 1), `${name}: a layer-2 neuron set aligns a node (${best})`);
    // The known solution: rows of Qᵀ (the directions of p and q), A∨B on p, ¬(A∧B) on q.
    const Q = rotatedXorBasis(1.1, 2);
    const known = { rotation: [Q[0], Q[2], Q[1], Q[3]], blocks: [[0], [1]] };
    assert.deepEqual(formulaDasIia(model, FORMULA_0.formula, 2, known, pairSet(name, 2), 2), [1, 1]);
    const das = dasAlignFormula(model, FORMULA_0.formula, { layer: 2, restarts: 3, pairSet: name });
    assert.equal(das.best.iia, 1);
    assert.ok(das.aligned);
    assert.deepEqual(das.nodes, ["A+B 4", "¬(A*B) 7"]);
  }
});

test("Boundless DAS shrinks blocks of 2 to 1 coordinate per variable on the 4-wide oracle, IIA staying 1", () => {
  const model = rotatedXorNetwork(0.6, 4);
  const m = iiaMatrix(model, FORMULA_0.formula, { pairSet: "corrected" });
  const layer2 = m.sets.flatMap((s, k) => (s.layer === 2 ? [k] : []));
  assert.ok(m.iia.every((row) => Math.max(...layer2.map((k) => row[k])) < 1), "a layer-2 neuron set aligns a node");
  const r = dasAlignFormula(model, FORMULA_0.formula, { layer: 2, restarts: 1, pairSet: "corrected", boundless: true });
  assert.equal(r.best.iia, 1);
  assert.deepEqual(r.best.fit.blocks.map((b) => b.length), [1, 1]);
});

test("principal angles and distinct subspaces on known planes", () => {
  const t = 0.3;
  const e1 = [1, 0, 0];
  const u = [Math.cos(t), Math.sin(t), 0];
  assert.ok(Math.abs(principalAngles(e1, 1, u, 1, 3)[0] - t) < 1e-9);
  // span(e1, e2) vs span(u, e3): angles 0 (u is in the plane) and π/2 (e3 is orthogonal).
  const ang = principalAngles([1, 0, 0, 0, 1, 0], 2, [...u, 0, 0, 1], 2, 3);
  assert.ok(Math.abs(ang[0]) < 1e-6 && Math.abs(ang[1] - Math.PI / 2) < 1e-6, `${ang}`);
  const rot = (a: number) => ({ d: 2, rotation: Array.from(rotationFromAngles([a], 2)), blocks: [[0]] });
  // A rotation by π flips the sign of row 0: the same subspace.
  assert.deepEqual(distinctSubspaces([rot(0), rot(0.05), rot(Math.PI), rot(1)]), { count: 2, group: [0, 0, 0, 1] });
});

test("DAS refuses what it cannot do, naming the input", () => {
  const model = rotatedXorNetwork();
  assert.throws(() => dasAlignFormula(model, FORMULA_0.formula, { layer: 3 }), (e: unknown) => e instanceof InputError && /hidden layer 1…2/.test((e as Error).message));
  const tail = modelTail(model, 2);
  const ex = randomExamples(2, 4, 2, new Rng(0));
  assert.throws(() => trainDas(tail, ex, { blockSizes: [2, 1] }), (e: unknown) => e instanceof InputError && /blockSizes/.test((e as Error).message));
  assert.throws(() => trainDas(tail, { ...ex, nVariables: 3, variable: new Int32Array(4) }), /3 variables need at least 3 coordinates/);
});

test("the non-linear coupling map is exactly invertible, and with block = every coordinate its interchange is the source", async () => {
  const { couplingRoundTrip, couplingInterchangeRows, couplingParamCount } = await import("../src/das");
  const rng = new Rng(4);
  for (const d of [2, 3, 5]) {
    const params = Float64Array.from({ length: couplingParamCount(d, 6) }, () => rng.normal());
    const map = { d, a: Math.ceil(d / 2), hidden: 6, params, blocks: [Array.from({ length: d }, (_, i) => i)] };
    const h = Float64Array.from({ length: d }, () => rng.normal());
    const back = couplingRoundTrip(map, h);
    for (let i = 0; i < d; i++) assert.ok(Math.abs(back[i] - h[i]) < 1e-10, `d ${d}: round trip ${back[i]} vs ${h[i]}`);
    const ex = randomExamples(d, 3, 1, rng);
    const rows = couplingInterchangeRows(map, ex);
    for (let k = 0; k < rows.length; k++) assert.ok(Math.abs(rows[k] - ex.hSource[k]) < 1e-10);
  }
});

test("a formula without intermediate variables (AND's A*B) is aligned by both searches, as the neuron-set search's empty mapping", async () => {
  const { bestNeuronSetIia, dasAlignGate } = await import("../src/das");
  const { alignGate } = await import("../src/alignment");
  const model = initMLP([2, 3, 3, 1], ["AND"], 0);
  const neuron = bestNeuronSetIia(model, "AND", "reference");
  assert.equal(candidateFormulas("AND", 3)[0].string, "A*B");
  assert.equal(neuron[0], 1);
  assert.deepEqual(neuron.flatMap((v, i) => (v === 1 ? [i] : [])), alignGate(model, "AND").aligned.map((a) => a.index));
  const das = dasAlignGate(model, "AND", { formulas: [0], restarts: 1 });
  assert.equal(das.formulas[0]!.best.iia, 1);
});

test("DAS across layers aligns a 4-variable formula the neuron-set search spreads over both layers of the released network", async () => {
  const { dasAlignFormulaAcrossLayers, dasAlignGate } = await import("../src/das");
  const { loadReleasedModel } = await import("../src/reference");
  const { alignGate } = await import("../src/alignment");
  const { model } = loadReleasedModel();
  const f22 = candidateFormulas("XOR", 3)[22];
  assert.ok(alignGate(model, "XOR").aligned.some((a) => a.index === 22), "the neuron-set search aligns formula 22");
  assert.equal(dasAlignGate(model, "XOR", { formulas: [22] }).formulas[22], null, "one layer of 3 cannot hold its 4 variables");
  const r = dasAlignFormulaAcrossLayers(model, f22.formula, { restarts: 2, steps: 200 });
  assert.ok(r.aligned);
  assert.deepEqual(r.iiaPerNode, [1, 1, 1, 1]);
  assert.deepEqual([...new Set(r.layers)].sort(), [1, 2]);
});

test("DAS across layers refuses an assignment count over budget with a BudgetError carrying the count", async () => {
  const { dasAlignFormulaAcrossLayers } = await import("../src/das");
  const { BudgetError } = await import("../src/errors");
  const { fAnd, fOr, fVar, numberPreOrder } = await import("../src/formulas");
  // 13 relevant nodes over the 2 hidden layers of a [2,16,16,1] network: 2^13 = 8192 assignments.
  let f = fAnd(fVar(0), fVar(1));
  for (let i = 0; i < 13; i++) f = i % 2 ? fAnd(f, fVar(1)) : fOr(f, fVar(0));
  f = numberPreOrder(f);
  const model = initMLP([2, 16, 16, 1], ["XOR"], 0);
  assert.throws(() => dasAlignFormulaAcrossLayers(model, f), (e: unknown) => e instanceof BudgetError && e.nCandidates === 8192 && e.limit === 4096);
});
