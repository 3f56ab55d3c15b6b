// The model side of issue 3: the released model's published outputs, JSON round trip and errors, splitting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { forward, modelFromJson, modelToJson, splitOutputs } from "../src/model";
import { cleanInputs } from "../src/tasks";
import { loadReleasedModel } from "../src/reference";
import { initMLP, trainExperimentSync } from "../src/train";
import { experimentModelFile } from "../src/train/experiment";

test("the released model reproduces its published outputs on 00, 01, 10, 11 (1e-5)", () => {
  const { model } = loadReleasedModel();
  const out = forward(model, cleanInputs(2), 4);
  [-0.001444, 1.039209, 1.051403, -0.003686].forEach((v, i) => assert.ok(Math.abs(out[i] - v) < 1e-5, `${out[i]} vs ${v}`));
});

test("model JSON round trip keeps the exact float32 weights and the datasets", () => {
  const cfg = { gates: ["XOR"], seedOffset: 2, epochs: 5 };
  const { data, result } = trainExperimentSync(cfg);
  const file = experimentModelFile(cfg, data, result);
  const back = modelFromJson(JSON.parse(JSON.stringify(modelToJson(file))));
  assert.deepEqual(back.model, result.model);
  assert.deepEqual(back.val, data.val);
  assert.deepEqual(back.xTt, data.xTt);
  assert.equal((back.meta as any).training.seed_offset, 2);
});

test("model JSON errors name the part and the fix", () => {
  const json = modelToJson(initMLP([2, 3, 1], ["XOR"], 0)) as any;
  assert.throws(() => modelFromJson({ ...json, layer_sizes: [2, 4, 1] }), /weights\[0\] must be 4×2|weights\[1\]\[0\] must have 4 values \(layer_sizes \[2,4,1\]\)/);
  assert.throws(() => modelFromJson({ ...json, weights: [json.weights[0]] }), /needs 2 weight matrices/);
  const nan = JSON.parse(JSON.stringify(json));
  nan.weights[1][0][2] = null; // what JSON.stringify writes for NaN
  assert.throws(() => modelFromJson(nan), /weights\[1\]\[0\]\[2\] is null; weights and biases must be numbers/);
  nan.weights[1][0][2] = Number.NaN;
  assert.throws(() => modelFromJson(nan), /weights\[1\]\[0\]\[2\] is NaN; .*finite/);
  assert.throws(() => modelFromJson({ ...json, layer_sizes: [2, 0, 1] }), /layer_sizes\[1\] = 0; every size must be a positive integer/);
  assert.throws(() => modelFromJson({ ...json, gates: undefined }), /no "gates"/);
});

test("splitting a multi-output model: each sub-network gives its output column", () => {
  const { result } = trainExperimentSync({ gates: ["AND", "OR", "XOR"], size: 4, epochs: 20 });
  const m = result.model;
  const x = cleanInputs(2);
  const full = forward(m, x, 4);
  const subs = splitOutputs(m);
  assert.equal(subs.length, 3);
  subs.forEach((s, o) => {
    assert.deepEqual(s.layerSizes, [2, 4, 4, 1]);
    assert.deepEqual(s.gates, [m.gates[o]]);
    const y = forward(s, x, 4);
    for (let r = 0; r < 4; r++) assert.equal(y[r], full[r * 3 + o]);
  });
});
