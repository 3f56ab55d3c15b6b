// Equivalence stages against independent oracles: the high-level models (formulas) against the hand-written table
// they replaced, pair scores against direct calls of each measure, stitching on nets whose answer is known.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  MEASURES,
  XOR_CLASSES,
  XOR_HIGH_LEVEL,
  XorClass,
  compareNets,
  congruity,
  congruityMatrix,
  counterfactualOutput,
  handBuiltPopulation,
  handBuiltXor,
  linearCKA,
  makeProbes,
  pairScores,
  pairSeed,
  permuteUnits,
  prepareNet,
  procrustesSimilarity,
  rescaleUnits,
  ridgePredictivity,
  similarityMatrices,
  stitchingScore,
  behaviourAgreement,
  iia,
  patchingProfile,
  probeActivations,
  representation,
  unitsThatMatterUnderAblation,
} from "../src/equivalence";
import { formulaTruthTable } from "../src/formulas";
import { MLP, mlpFromArrays, runWithCache } from "../src/model";
import { Rng } from "../src/rng";

/** The high-level models as they were written by hand before they became formulas: variables of (a, b), output of the variables. */
const HAND_WRITTEN: Record<XorClass, { vars: ((a: number, b: number) => number)[]; out: (v: number[]) => number }> = {
  C1: { vars: [(a, b) => a | b, (a, b) => a & b], out: ([o, n]) => o & (1 - n) },
  C2: { vars: [(a, b) => a & (1 - b), (a, b) => (1 - a) & b], out: ([p, q]) => p | q },
  C3: { vars: [(a) => a, (_, b) => b, (a, b) => a & b], out: ([p, q, r]) => (p + q - 2 * r >= 1 ? 1 : 0) },
};

test("high-level models: each formula computes XOR, and every counterfactual equals the hand-written table's", () => {
  const corners: [number, number][] = [[0, 0], [0, 1], [1, 0], [1, 1]];
  let checked = 0;
  for (const cls of XOR_CLASSES) {
    const h = XOR_HIGH_LEVEL[cls];
    assert.equal(formulaTruthTable(h.formula, 2), 0b0110, `${cls} computes XOR`);
    assert.equal(h.variables.length, HAND_WRITTEN[cls].vars.length);
    for (const base of corners)
      for (const source of corners)
        h.variables.forEach((_, j) => {
          const hw = HAND_WRITTEN[cls];
          const v = hw.vars.map((f) => f(base[0], base[1]));
          v[j] = hw.vars[j](source[0], source[1]);
          assert.equal(counterfactualOutput(cls, base, source, j), hw.out(v), `${cls} base ${base} source ${source} variable ${j}`);
          checked++;
        });
  }
  assert.equal(checked, 16 * (2 + 2 + 3));
  assert.throws(() => counterfactualOutput("C1", [0, 0], [1, 1], 2), /class C1 has variables 0…1, got 2/);
  assert.throws(() => counterfactualOutput("C4" as XorClass, [0, 0], [1, 1], 0), /unknown XOR class "C4"/);
});

test("stitching: identical net 1; unit-permuted and rescaled copy 1 both ways; a net that only sees input a is at chance", () => {
  const probes = makeProbes(7);
  for (const [cls, hidden] of [["C1", [3]], ["C2", [4, 3]], ["C3", [5]]] as [XorClass, number[]][]) {
    const m = handBuiltXor(cls, { hidden }, 1);
    const net = prepareNet(m, probes);
    const copy = prepareNet(rescaleUnits(permuteUnits(m, new Rng(3)), new Rng(4)), probes);
    assert.equal(stitchingScore(net, net, 1), 1, `${cls} with itself`);
    assert.equal(stitchingScore(net, copy, 1), 1, `${cls} onto its permuted, rescaled copy`);
    assert.equal(stitchingScore(copy, net, 1), 1, `${cls} copy onto the original`);
  }
  // hidden unit relu(2a − 1): carries a only, from which no affine map recovers XOR's variables (XOR is balanced)
  const seesA = prepareNet(mlpFromArrays([2, 2, 1], [[[2, 0], [0, 0]], [[0.5, 0]]], [[-1, -1], [0.5]], ["A"]), probes);
  const xor = prepareNet(handBuiltXor("C1", { hidden: [2] }), probes);
  const chance = stitchingScore(seesA, xor, 1);
  assert.ok(chance > 0.4 && chance < 0.6, `a-only onto XOR: ${chance}`);
  assert.equal(pairScores(xor, xor, 1).stitch, 1);
});

test("pair scores: each score equals a direct call of its measure; matrices hold the same numbers as pair records", () => {
  const pop = handBuiltPopulation(4, { perClass: 2, classes: ["C1", "C2", "C3"] });
  const probes = makeProbes(2, { n: 128 });
  const nets = pop.map((p) => prepareNet(p.model, probes));
  const seed = 5;
  const mats = similarityMatrices(nets, MEASURES, seed);
  for (let i = 0; i < nets.length; i++)
    for (let j = i + 1; j < nets.length; j++) {
      const a = nets[i];
      const b = nets[j];
      const fs = pairSeed(seed, i, j);
      const s = pairScores(a, b, fs);
      const ab = ridgePredictivity(a.rep.x, b.rep.x, { seed: fs });
      const ba = ridgePredictivity(b.rep.x, a.rep.x, { seed: fs });
      assert.deepEqual(s, {
        ridgeAB: ab,
        ridgeBA: ba,
        ridge: Math.min(ab, ba),
        cka: linearCKA(a.rep.x, b.rep.x),
        procrustes: procrustesSimilarity(a.rep.x, b.rep.x),
        stitchAB: stitchingScore(a, b, fs),
        stitchBA: stitchingScore(b, a, fs),
        stitch: Math.min(stitchingScore(a, b, fs), stitchingScore(b, a, fs)),
        output: behaviourAgreement(a, b),
        outputRidge: Math.min(ridgePredictivity(a.output, b.output, { seed: fs }), ridgePredictivity(b.output, a.output, { seed: fs })),
      });
      assert.deepEqual([mats.ridge![i][j], mats.ridge![j][i]], [s.ridge, s.ridge]);
      assert.deepEqual([mats.ridgeAB![i][j], mats.ridgeAB![j][i]], [ab, ba]);
      assert.deepEqual([mats.stitch![i][j], mats.stitch![j][i]], [s.stitchAB, s.stitchBA]);
      for (const m of ["cka", "procrustes", "output", "outputRidge"] as const) assert.deepEqual([mats[m]![i][j], mats[m]![j][i]], [s[m], s[m]], m);
    }
  for (const m of MEASURES) nets.forEach((_, i) => assert.equal(mats[m]![i][i], 1));
  assert.throws(() => similarityMatrices(nets, ["ridge", "kernel" as never]), /unknown measure "kernel"/);
  // the decision's congruity is the same number on a pair record and in the matrix
  const r = compareNets(pop.map((p) => p.model), { seed, probes: { n: 128 } });
  const c = congruityMatrix(similarityMatrices(r.nets, ["ridge"], seed).ridge!, similarityMatrices(r.nets, ["procrustes"], seed).procrustes!);
  for (const p of r.pairs) {
    assert.equal(p.congruity, c[p.a][p.b]);
    assert.equal(p.congruity, congruity(p.scores));
    assert.equal(p.same, p.congruity >= 0.5);
  }
});

test("bad interventions and maps: errors name the site and the valid range", () => {
  const m = handBuiltXor("C1", { hidden: [2] });
  const probes = makeProbes(1, { n: 16 });
  // a unit past the layer's width used to overwrite a unit of the next row
  assert.throws(() => iia(m, "C1", [0, 7]), /iia: class C1 variable 1 → L1\.7: unit 7 is out of range; layers\.1\.hook_post has units 0…1/);
  assert.throws(() => iia(m, "C3"), /class C3 variable 2 → L1\.2: unit 2 is out of range; layers\.1\.hook_post has units 0…1/);
  // the input and output layers hold no variable of the class; layer -1 used to be ignored silently
  for (const layer of [0, 2, -1]) assert.throws(() => iia(m, "C1", [0, 1], layer), new RegExp(`iia: layer ${layer} is not a hidden layer; .* has hidden layers 1…1`));
  assert.throws(() => iia(m, "C1", [0]), /class C1 has 2 variables; got a map to 1 units/);
  // per-row values of the wrong length used to broadcast the first value
  assert.throws(
    () => representation(m, probes, { interventions: [{ kind: "set", site: { hook: "layers.1.hook_post", units: [0] }, rowValues: [1, 2] }] }),
    /set at layers\.1\.hook_post units \[0\] \(L1\.0\)\): rowValues must hold 16×1 values/,
  );
  assert.throws(() => representation(m, probes, { interventions: [{ kind: "zero", site: { hook: "layers.3.hook_post" } }] }), /zero at layers\.3\.hook_post\): unknown hook "layers\.3\.hook_post": .* has hooks hook_input and layers\.\{1…2\}/);
  assert.throws(() => probeActivations(m, makeProbes(1, { n: 16, nInputs: 3 })), /probes have 3 columns; the model takes 2 inputs/);
  assert.throws(() => patchingProfile([m], [m], [[0, 1]]), /pair 0 is \[0, 1\]; there are sources 0…0 and targets 0…0/);
});

test("interventions through the core: a zero-ablated unit reads 0 in the representation; interchange from the same probes changes nothing", () => {
  const m = handBuiltXor("C1", { hidden: [3] });
  const probes = makeProbes(2, { n: 32 });
  const plain = representation(m, probes, { wholeLayers: true, inputCopyR2: 1 });
  assert.deepEqual(plain.units, [{ layer: 1, unit: 0 }, { layer: 1, unit: 1 }, { layer: 1, unit: 2 }]);
  const zeroed = representation(m, probes, { wholeLayers: true, inputCopyR2: 1, interventions: [{ kind: "zero", site: { hook: "layers.1.hook_post", units: [1] } }] });
  for (let r = 0; r < probes.n; r++) {
    assert.equal(zeroed.x.v[r * 3 + 1], 0);
    assert.equal(zeroed.x.v[r * 3], plain.x.v[r * 3]);
  }
  const self = representation(m, probes, { units: plain.units, interventions: [{ kind: "interchange", site: { hook: "layers.1.hook_post" }, source: { x: probes.v, n: probes.n } }] });
  assert.deepEqual(self.x, plain.x);
  // the units that matter: OR and AND (the third unit is dead), the AND unit more (readout weight −6 against 2)
  const { units, importance } = unitsThatMatterUnderAblation(m, probes);
  assert.deepEqual(units, [{ layer: 1, unit: 0 }, { layer: 1, unit: 1 }]);
  assert.ok(importance[1] > importance[0]);
});

test("class IIA equals a naive count: one forward pass per (base, source, variable), source unit value set on the base", () => {
  const corners: [number, number][] = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const naive = (m: MLP, cls: XorClass, map: readonly number[], layer: number) => {
    const hw = HAND_WRITTEN[cls];
    let ok = 0;
    for (const base of corners)
      for (const source of corners)
        map.forEach((u, j) => {
          const h = runWithCache(m, source, 1).cache[`layers.${layer}.hook_post`][u];
          const y = runWithCache(m, base, 1, { interventions: [{ kind: "set", site: { hook: `layers.${layer}.hook_post`, units: [u] }, values: [h] }] }).output[0];
          const v = hw.vars.map((f) => f(base[0], base[1]));
          v[j] = hw.vars[j](source[0], source[1]);
          if ((y > 0.5 ? 1 : 0) === hw.out(v)) ok++;
        });
    return ok / (16 * map.length);
  };
  const values: number[] = [];
  for (const p of handBuiltPopulation(11, { perClass: 2, classes: ["C1", "C2", "C3"] }))
    for (const cls of XOR_CLASSES) {
      const k = HAND_WRITTEN[cls].vars.length;
      for (let layer = 1; layer < p.model.layerSizes.length - 1; layer++) {
        if (p.model.layerSizes[layer] < k) continue;
        const map = Array.from({ length: k }, (_, j) => (j + 1) % k);
        const got = iia(p.model, cls, map, layer);
        assert.equal(got, naive(p.model, cls, map, layer), `${p.label} ${cls} layer ${layer}`);
        values.push(got);
      }
    }
  assert.ok(values.some((v) => v === 1) && values.some((v) => v < 0.7), `the nets give a spread of IIAs: ${values.join(" ")}`);
});
