// Hook names, runWithCache against a naive forward, and every bad intervention throwing an error that names its site.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Intervention, MLP, forwardAll, hookNames, neuronName, parseHook, runWithCache, unitSetName, zeroMLP } from "../src/model";
import { loadReleasedModel } from "../src/reference";
import { Rng } from "../src/rng";
import { cleanInputs } from "../src/tasks";

const { model } = loadReleasedModel(); // [2, 3, 3, 1]
const x = cleanInputs(2);

/** Plain-number forward of one row (nested loops, float32 rounding per operation like torch's float32). */
function naiveRow(m: MLP, row: number[]): { pre: number[][]; post: number[][] } {
  const pre: number[][] = [row];
  const post: number[][] = [row];
  for (let i = 0; i < m.weights.length; i++) {
    const p: number[] = [];
    for (let o = 0; o < m.layerSizes[i + 1]; o++) {
      let acc = 0;
      for (let j = 0; j < m.layerSizes[i]; j++) acc = Math.fround(acc + Math.fround(m.weights[i][o * m.layerSizes[i] + j] * post[i][j]));
      p.push(Math.fround(acc + m.biases[i][o]));
    }
    pre.push(p);
    post.push(p.map((v) => (v >= 0 ? v : Math.fround(v * Math.fround(0.01)))));
  }
  return { pre, post };
}

function randomModel(sizes: number[], seed: number): MLP {
  const rng = new Rng(seed);
  const m = zeroMLP(sizes);
  m.weights.forEach((w) => w.forEach((_, i) => (w[i] = rng.uniform(-1.5, 1.5))));
  m.biases.forEach((b) => b.forEach((_, i) => (b[i] = rng.uniform(-0.5, 0.5))));
  return m;
}

test("hook names: hook_input, then pre and post of layers 1…L; neuron and unit-set names", () => {
  assert.deepEqual(hookNames(model), ["hook_input", "layers.1.hook_pre", "layers.1.hook_post", "layers.2.hook_pre", "layers.2.hook_post", "layers.3.hook_pre", "layers.3.hook_post"]);
  assert.deepEqual(parseHook(model, "layers.2.hook_pre"), { name: "layers.2.hook_pre", layer: 2, point: "pre", width: 3 });
  assert.deepEqual(parseHook(model, "hook_input"), { name: "hook_input", layer: 0, point: "input", width: 2 });
  for (const bad of ["layers.0.hook_post", "layers.4.hook_post", "layers.-1.hook_post", "blocks.0.mlp.hook_post", "layers.1.hook_mid"])
    assert.throws(() => parseHook(model, bad), (e: Error) => e.message.includes(JSON.stringify(bad)) && /hook_input and layers\.\{1…3\}\.hook_pre \/ hook_post/.test(e.message), bad);
  assert.equal(neuronName(1, 0), "L1.0");
  assert.equal(unitSetName(2, [0, 2]), "L2.{0,2}");
  assert.equal(unitSetName(1, [1]), "L1.{1}");
});

test("runWithCache: every hook's values equal a naive forward, bit for bit, on the released and random models", () => {
  const rng = new Rng(3);
  for (const [m, n] of [[model, 4], [randomModel([3, 4, 2, 5, 2], 11), 6], [randomModel([2, 5, 5, 1], 12), 5]] as [MLP, number][]) {
    const nIn = m.layerSizes[0];
    const xs = Array.from({ length: n * nIn }, () => rng.uniform(-1, 2));
    const { output, cache } = runWithCache(m, xs, n);
    assert.deepEqual(Object.keys(cache), hookNames(m));
    const L = m.layerSizes.length - 1;
    for (let r = 0; r < n; r++) {
      const nv = naiveRow(m, xs.slice(r * nIn, (r + 1) * nIn).map(Math.fround));
      for (let l = 1; l <= L; l++) {
        const w = m.layerSizes[l];
        assert.deepEqual(Array.from(cache[`layers.${l}.hook_pre`].subarray(r * w, (r + 1) * w)), nv.pre[l], `pre ${l} row ${r}`);
        assert.deepEqual(Array.from(cache[`layers.${l}.hook_post`].subarray(r * w, (r + 1) * w)), nv.post[l], `post ${l} row ${r}`);
      }
      assert.deepEqual(Array.from(output.subarray(r * m.layerSizes[L], (r + 1) * m.layerSizes[L])), nv.post[L]);
    }
    // forwardAll is a view of the same pass.
    forwardAll(m, xs, n).forEach((a, l) => l > 0 && assert.deepEqual(a, cache[`layers.${l}.hook_post`]));
    forwardAll(m, xs, n, { preActivations: true }).forEach((a, l) => l > 0 && assert.deepEqual(a, cache[`layers.${l}.hook_pre`]));
  }
  const only = runWithCache(model, x, 4, { names: ["layers.1.hook_pre"] });
  assert.deepEqual(Object.keys(only.cache), ["layers.1.hook_pre"]);
  assert.throws(() => runWithCache(model, x, 4, { names: ["layers.9.hook_pre"] }), /unknown hook "layers\.9\.hook_pre"/);
  assert.throws(() => runWithCache(model, [0, 1, 1], 2), /expected 2×2 inputs, got 3 values/);
});

// Every silent failure of the former forward pass now throws an error naming the intervention's site.
test("bad interventions throw errors that name the site and the valid range", () => {
  const cases: [string, () => unknown, RegExp][] = [
    // Layer patches of forwardAll on layer 0, −1, past the last hidden layer (were ignored).
    ["layer patch on layer 0", () => forwardAll(model, x, 4, { interventions: [{ layer: 0, neurons: [0], values: [1] }] }), /intervention 0 \(layer 0, neurons \[0\]\): a layer patch applies to hidden layers 1…2/],
    ["layer patch on layer −1", () => forwardAll(model, x, 4, { interventions: [{ layer: -1, neurons: [0], values: [1] }] }), /intervention 0 \(layer -1, neurons \[0\]\): .*hidden layers 1…2/],
    ["layer patch past the last hidden layer", () => forwardAll(model, x, 4, { interventions: [{ layer: 3, neurons: [0], values: [1] }] }), /\(layer 3, neurons \[0\]\): .*hidden layers 1…2/],
    ["layer patch on layer 5", () => forwardAll(model, x, 4, { interventions: [{ layer: 5, neurons: [0], values: [1] }] }), /\(layer 5, neurons \[0\]\)/],
    // Site hooks outside the model.
    ["hook layers.0", () => runWithCache(model, x, 4, { interventions: [{ kind: "zero", site: { hook: "layers.0.hook_post" } }] }), /intervention 0 \(zero at layers\.0\.hook_post\): unknown hook .* hook_input and layers\.\{1…3\}/],
    ["hook layers.4", () => runWithCache(model, x, 4, { interventions: [{ kind: "set", site: { hook: "layers.4.hook_post", units: [0] }, values: [1] }] }), /intervention 0 \(set at layers\.4\.hook_post units \[0\] \(L4\.0\)\): unknown hook/],
    ["unknown hook", () => runWithCache(model, x, 4, { interventions: [{ kind: "zero", site: { hook: "blocks.0.mlp.hook_post" } }] }), /\(zero at blocks\.0\.mlp\.hook_post\): unknown hook "blocks\.0\.mlp\.hook_post"/],
    // A unit out of range (overwrote a neuron of another row).
    ["neurons [7] on a 3-wide layer (patch)", () => forwardAll(model, x, 4, { interventions: [{ layer: 1, neurons: [7], values: [1] }] }), /set at layers\.1\.hook_post units \[7\] \(L1\.7\)\): unit 7 is out of range; layers\.1\.hook_post has units 0…2/],
    ["units [7] on a 3-wide layer (site)", () => runWithCache(model, x, 4, { interventions: [{ kind: "zero", site: { hook: "layers.2.hook_pre", units: [7] } }] }), /zero at layers\.2\.hook_pre units \[7\] \(L2\.7\)\): unit 7 is out of range; layers\.2\.hook_pre has units 0…2/],
    ["unit −1", () => runWithCache(model, x, 4, { interventions: [{ kind: "zero", site: { hook: "layers.1.hook_post", units: [-1] } }] }), /unit -1 is out of range; layers\.1\.hook_post has units 0…2/],
    ["unit repeated", () => runWithCache(model, x, 4, { interventions: [{ kind: "zero", site: { hook: "layers.1.hook_post", units: [1, 1] } }] }), /unit 1 is listed twice/],
    // Values of the wrong length (2 values for 4 rows were broadcast).
    ["2 row values for 4 rows (patch)", () => forwardAll(model, x, 4, { interventions: [{ layer: 1, neurons: [0], rowValues: [1, 2] }] }), /intervention 0 \(set at layers\.1\.hook_post units \[0\] \(L1\.0\)\): rowValues must hold 4×1 values \(intervened rows × units\), got 2/],
    ["2 values for 1 unit", () => runWithCache(model, x, 4, { interventions: [{ kind: "add", site: { hook: "layers.1.hook_post", units: [0] }, values: [1, 2] }] }), /add at layers\.1\.hook_post units \[0\] \(L1\.0\)\): values must hold 1 values \(one per unit\), got 2/],
    ["row values for all rows with a row restriction", () => runWithCache(model, x, 4, { interventions: [{ kind: "set", site: { hook: "layers.1.hook_post", units: [0], rows: [1, 2] }, rowValues: [1, 2, 3, 4] }] }), /rows \[1,2\]\): rowValues must hold 2×1 values/],
    ["means of the wrong length", () => runWithCache(model, x, 4, { interventions: [{ kind: "mean", site: { hook: "layers.1.hook_post", units: [0, 1] }, means: [0.5] }] }), /mean at layers\.1\.hook_post units \[0,1\] \(L1\.\{0,1\}\)\): means must hold 2 values/],
    ["interchange with 2 sources for 4 rows", () => runWithCache(model, x, 4, { interventions: [{ kind: "interchange", site: { hook: "layers.1.hook_post" }, source: { x: [0, 1, 1, 0], n: 2 } }] }), /interchange at layers\.1\.hook_post\): source must have 1 row \(broadcast\) or one per intervened row \(4\), got 2/],
    ["interchange source of the wrong width", () => runWithCache(model, x, 4, { interventions: [{ kind: "interchange", site: { hook: "layers.1.hook_post" }, source: { x: [0, 1, 1], n: 1 } }] }), /source\.x must hold 1×2 values/],
    ["set without values", () => runWithCache(model, x, 4, { interventions: [{ kind: "set", site: { hook: "layers.1.hook_post" } }] }), /give either values \(3: one per unit\) or rowValues \(4×3/],
    // A row out of range.
    ["row 4 of 4", () => runWithCache(model, x, 4, { interventions: [{ kind: "zero", site: { hook: "layers.1.hook_post", rows: [4] } }] }), /zero at layers\.1\.hook_post rows \[4\]\): row 4 is out of range; the batch of 4 has rows 0…3/],
    ["resample source row out of range", () => runWithCache(model, x, 4, { interventions: [{ kind: "resample", site: { hook: "layers.1.hook_post" }, reference: { x, n: 4 }, sourceRows: [0, 1, 2, 4] }] }), /source row 4 is out of range; the reference batch has rows 0…3/],
    ["unknown kind", () => runWithCache(model, x, 4, { interventions: [{ kind: "patch", site: { hook: "layers.1.hook_post" } } as unknown as Intervention] }), /intervention 0: kind must be one of set, add, zero, mean, resample, interchange/],
  ];
  for (const [name, run, message] of cases) assert.throws(run, message, name);
  // The index of the offending intervention is named.
  assert.throws(() => runWithCache(model, x, 4, { interventions: [{ kind: "zero", site: { hook: "layers.1.hook_post" } }, { kind: "zero", site: { hook: "layers.1.hook_post", units: [3] } }] }), /^InputError: intervention 1 \(/);
});

test("a circuit's zero ablation shows in the cache and in interchange sources (same circuit, no interventions)", () => {
  // Circuit: L1.1 off, edge L1.0 → L2.2 off; every other node and edge on.
  const nodeMasks = [Uint8Array.from([1, 1]), Uint8Array.from([1, 0, 1]), Uint8Array.from([1, 1, 1]), Uint8Array.from([1])];
  const edgeMasks = model.weights.map((w) => new Uint8Array(w.length).fill(1));
  edgeMasks[1][2 * 3 + 0] = 0;
  const circuit = { nodeMasks, edgeMasks };
  const ablated = { ...model, weights: model.weights.map((w) => w.slice()) };
  for (let o = 0; o < 3; o++) ablated.weights[1][o * 3 + 1] = 0; // L1.1 read as 0
  ablated.weights[1][2 * 3 + 0] = 0;
  const { output, cache } = runWithCache(model, x, 4, { circuit });
  for (let r = 0; r < 4; r++) {
    const nv = naiveRow(ablated, Array.from(x.subarray(r * 2, r * 2 + 2)));
    assert.equal(cache["layers.1.hook_post"][r * 3 + 1], 0, "a masked node reads 0");
    assert.deepEqual(Array.from(cache["layers.2.hook_post"].subarray(r * 3, r * 3 + 3)), nv.post[2]);
    assert.equal(output[r], nv.post[3][0]);
  }
  // The interchange source runs under the same circuit: patching L2 from the circuit's own run on the same inputs is a no-op.
  const same = runWithCache(model, x, 4, { circuit, interventions: [{ kind: "interchange", site: { hook: "layers.2.hook_post" }, source: { x, n: 4 } }] });
  assert.deepEqual(same.output, output);
  const full = runWithCache(model, x, 4).output;
  assert.notDeepEqual(full, output);
});
