/**
 * Correspondences and InterpBench sizes: the published example size (2 layers, d_model 12, 4 × 3 heads,
 * d_mlp 48) for a one-head program, tracr's placement for every case, randomised correspondences that keep their
 * promises (same layers, heads permuted within a layer, disjoint neurons), and validation naming the bad site.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { InputError } from "../src/errors";
import { Rng, deriveSeed } from "../src/rng";
import { PopulationRegime, populationJobDesign, populationSpec } from "../src/transformer/population";
import {
  ComponentSite,
  Correspondence,
  RASP_CASES,
  RASP_CASE_IDS,
  constantCorrespondence,
  interpBenchConfig,
  randomArchitecture,
  randomCorrespondence,
  tracrKeySize,
  unmappedComponents,
  validateCorrespondence,
} from "../src/rasp";

const p59 = RASP_CASES["59"].program;
const p125 = RASP_CASES["125"].program;

test("InterpBench's sizing rule: case 63 (one selector width over 6 tokens) gets the issue's example size", () => {
  const p = RASP_CASES["63"].program;
  // keys: 6 token values + BOS = 7, so d_head = floor(7 / 2) = 3
  assert.equal(tracrKeySize(p), 7);
  assert.deepEqual(interpBenchConfig(p), { nLayers: 2, dModel: 12, nHeads: 4, dHead: 3, dMlp: 48, nCtx: 6, dVocab: 7, dVocabOut: 6, act: "gelu", layerNorm: false });
  // sort's unique keys take 30 values: key size 31, d_head 15, capped at 6 by default
  assert.equal(tracrKeySize(p59), 31);
  assert.equal(interpBenchConfig(p59).dHead, 6);
  assert.equal(interpBenchConfig(p59, { maxDHead: Infinity }).dHead, 15);
  // no attention at all: the floor
  assert.equal(tracrKeySize(RASP_CASES["48"].program), 0);
  assert.equal(interpBenchConfig(RASP_CASES["48"].program).dHead, 2);
  for (const id of RASP_CASE_IDS) {
    const p = RASP_CASES[id].program;
    const c = interpBenchConfig(p);
    assert.equal(c.dModel, 4 * c.dHead);
    assert.equal(c.dMlp, 4 * c.dModel);
    assert.equal(c.nLayers, Math.max(2, p.nLayers));
    assert.equal(c.dVocabOut, p.outputValues.length);
  }
});

test("constant correspondence: tracr's placement (one head per attention node, a layer's MLP split evenly, selector widths get both)", () => {
  for (const id of RASP_CASE_IDS) {
    const p = RASP_CASES[id].program;
    const config = interpBenchConfig(p);
    const corr = constantCorrespondence(p, config);
    assert.deepEqual(Object.keys(corr).sort(), p.nodes.filter((n) => n.component !== "input").map((n) => n.name).sort());
    for (const n of p.nodes.filter((x) => x.component !== "input")) {
      const kinds = corr[n.name].map((s) => `${s.component}${s.layer}`);
      const expected = n.kind === "selectorWidth" ? [`attn${n.layer}`, `mlp${n.layer}`] : [`${n.component}${n.layer}`];
      assert.deepEqual(kinds, expected, `${id} ${n.name}`);
    }
  }
  const c125 = constantCorrespondence(p125, interpBenchConfig(p125));
  // layer 0 MLP (32 neurons) shared by previous_even, odd and zero: 0–9, 10–20, 21–31
  const neurons = (s: ComponentSite[]) => s.flatMap((x) => (x.component === "mlp" ? [`${x.neurons[0]}-${x.neurons[x.neurons.length - 1]}`] : []));
  assert.deepEqual([neurons(c125.previous_even), neurons(c125.odd), neurons(c125.zero)], [["0-9"], ["10-20"], ["21-31"]]);
  assert.deepEqual(c125.previous, [{ layer: 0, component: "attn", heads: [0] }]);
  const free = unmappedComponents(interpBenchConfig(p125), c125);
  assert.deepEqual(free.map((f) => f.heads), [[1, 2, 3], [0, 1, 2, 3], [1, 2, 3], [0, 1, 2, 3]]);
  assert.deepEqual(free.map((f) => f.neurons.length), [0, 0, 0, 0]);
});

test("random correspondences: seeded, same layers, heads a permutation within the layer, disjoint neuron subsets of the asked width", () => {
  const config = interpBenchConfig(p125);
  const a = randomCorrespondence(p125, config, new Rng(7));
  assert.deepEqual(randomCorrespondence(p125, config, new Rng(7)), a);
  const constant = constantCorrespondence(p125, config);
  const layers = (c: Correspondence) => Object.fromEntries(Object.entries(c).map(([k, s]) => [k, s.map((x) => `${x.component}${x.layer}`)]));
  assert.deepEqual(layers(a), layers(constant));
  // over seeds, the attention node of layer 0 lands on every head
  const heads = new Set<number>();
  for (let s = 0; s < 40; s++) {
    const c = randomCorrespondence(p125, config, new Rng(s));
    heads.add((c.previous[0] as { heads: number[] }).heads[0]);
    const l0 = ["previous_even", "odd", "zero"].flatMap((n) => (c[n][0] as { neurons: number[] }).neurons);
    assert.equal(new Set(l0).size, l0.length, "disjoint");
  }
  assert.deepEqual([...heads].sort(), [0, 1, 2, 3]);
  const narrow = randomCorrespondence(p125, config, new Rng(1), { neuronShare: 0.5 });
  assert.equal((narrow.alternates[0] as { neurons: number[] }).neurons.length, 16);
  assert.equal((narrow.odd[0] as { neurons: number[] }).neurons.length, Math.floor(16 / 3));
  const contiguous = randomCorrespondence(p125, config, new Rng(1), { permuteHeads: false, randomNeurons: false });
  assert.deepEqual(contiguous.previous, constant.previous);
  assert.throws(() => randomCorrespondence(p125, config, new Rng(1), { neuronShare: 0 }), InputError);
});

test("random architectures stay within InterpBench's rule around the base size, and their correspondences validate", () => {
  const rng = new Rng(5);
  const seen = new Set<number>();
  for (let i = 0; i < 30; i++) {
    const c = randomArchitecture(p59, rng);
    seen.add(c.dHead);
    assert.ok(c.dHead >= 5 && c.dHead <= 8);
    assert.ok(c.nLayers === 3 || c.nLayers === 4);
    assert.equal(c.dModel, 4 * c.dHead);
    validateCorrespondence(p59, c, randomCorrespondence(p59, c, rng));
  }
  assert.equal(seen.size, 4);
});

test("validation: out-of-range layer, head or neuron, a missing or unknown node, shared components and order violations are InputErrors naming them", () => {
  const config = interpBenchConfig(p59);
  const good = constantCorrespondence(p59, config);
  const bad = (patch: Correspondence, re: RegExp) =>
    assert.throws(() => validateCorrespondence(p59, config, { ...good, ...patch }), (e: unknown) => e instanceof InputError && re.test(e.message), re.source);
  bad({ sorted: [{ layer: 3, component: "attn", heads: [0] }] }, /correspondence\["sorted"\]\[0\]: layer 3 is out of range; the model has layers 0–2/);
  bad({ sorted: [{ layer: 2, component: "attn", heads: [4] }] }, /head 4 is out of range; layer 2 has heads 0–3/);
  bad({ unique_keys: [{ layer: 0, component: "mlp", neurons: [0, 96] }] }, /neuron 96 is out of range; the MLP of layer 0 has neurons 0–95/);
  bad({ sorted: [] }, /missing node "sorted"/);
  bad({ sortd: [{ layer: 2, component: "attn", heads: [1] }] }, /names "sortd", which is not a node/);
  bad({ tokens: [{ layer: 0, component: "attn", heads: [1] }] }, /maps the input "tokens"/);
  bad({ sorted: [{ layer: 1, component: "attn", heads: [0] }] }, /layer 1 head 0 to both "sorted_position" and "sorted"|layer 1 head 0 to both "sorted" and "sorted_position"/);
  bad({ sorted: [{ layer: 2, component: "attn", heads: [1, 1] }] }, /lists layer 2 head 1 twice/);
  // sort's positions are read by the aggregate: it cannot sit in layer 1's attention, before the count is decoded
  bad({ sorted: [{ layer: 1, component: "attn", heads: [2] }] }, /node "sorted" starts at layer 1 attn, not after its input "sorted_position" \(which ends at layer 1 mlp\)/);
  bad({ sorted: [{ layer: 2, component: "attn", heads: [] }] }, /heads must be a non-empty list/);
  assert.throws(() => constantCorrespondence(p59, { ...config, nLayers: 2 }), /needs 3 layers; the config has nLayers 2/);
  assert.throws(() => constantCorrespondence(p125, { ...interpBenchConfig(p125), dMlp: 2 }), /3 MLP nodes in layer 0; the config has only dMlp 2/);
  assert.deepEqual(JSON.parse(JSON.stringify(good)), good, "plain data");
});

test("population regimes: the paper's four, each job's architecture and correspondence as its regime says, seeded by seed and case", () => {
  const job = (caseId: string, seed: number) => ({ key: `case${caseId}-seed${seed}`, caseId, seed });
  const design = (regime: PopulationRegime, caseId: string, seed: number) => populationJobDesign(populationSpec({ regime, cases: [caseId] }), job(caseId, seed));
  for (const caseId of ["63", "108", "125"]) {
    const program = RASP_CASES[caseId].program;
    const base = interpBenchConfig(program);
    const constant = design("constant", caseId, 0);
    assert.deepEqual(constant.config, base);
    assert.deepEqual(constant.correspondence, constantCorrespondence(program, base));
    const configs = [0, 1, 2, 3, 4].map((seed) => design("random-architecture", caseId, seed).config);
    assert.ok(configs.some((c) => c.dHead !== base.dHead || c.nLayers !== base.nLayers), `case ${caseId}: some seed changes the architecture`);
    configs.forEach((c, seed) => {
      assert.deepEqual(c, randomArchitecture(program, new Rng(deriveSeed(seed, "population", "architecture", caseId))));
      assert.deepEqual(design("random-architecture", caseId, seed).correspondence, constantCorrespondence(program, c));
      const both = design("random-both", caseId, seed);
      assert.deepEqual(both.config, c, "random-both draws the same architecture as random-architecture");
      assert.deepEqual(both.correspondence, validateCorrespondence(program, c, both.correspondence));
      assert.deepEqual(both, design("random-both", caseId, seed), "deterministic");
    });
  }
  assert.throws(() => populationSpec({ regime: "random-width" as PopulationRegime }), /regime must be one of constant, random-correspondence, random-architecture, random-both/);
});
