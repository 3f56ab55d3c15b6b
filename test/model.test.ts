// The forward pass's hooks shared by alignment (interventions) and equivalence (per-row patches, pre-activations).
import { test } from "node:test";
import assert from "node:assert/strict";
import { forwardAll, LEAKY_SLOPE } from "../src/model";
import { loadReleasedModel } from "../src/reference";
import { cleanInputs } from "../src/tasks";

const { model } = loadReleasedModel();
const x = cleanInputs(2);

test("pre-activations: LeakyReLU of them gives the activations; an intervened neuron keeps its own", () => {
  const acts = forwardAll(model, x, 4);
  const pres = forwardAll(model, x, 4, { preActivations: true });
  for (let l = 1; l < acts.length; l++)
    pres[l].forEach((p, i) => assert.equal(acts[l][i], p >= 0 ? p : Math.fround(p * LEAKY_SLOPE), `layer ${l} value ${i}`));
  const patched = forwardAll(model, x, 4, { preActivations: true, interventions: [{ layer: 1, neurons: [0], values: [5] }] });
  for (let r = 0; r < 4; r++) assert.equal(patched[1][r * 3], pres[1][r * 3]);
  assert.notDeepEqual(patched[2], pres[2]);
});

test("rowValues patch each row with its own value: the same as one constant intervention per row", () => {
  const rowValues = Float32Array.from([0.5, -1, 2, 0]);
  const all = forwardAll(model, x, 4, { interventions: [{ layer: 2, neurons: [1], rowValues }] });
  for (let r = 0; r < 4; r++) {
    const one = forwardAll(model, x.subarray(r * 2, r * 2 + 2), 1, { interventions: [{ layer: 2, neurons: [1], values: [rowValues[r]] }] });
    assert.equal(all[3][r], one[3][0], `row ${r}`);
  }
  assert.throws(() => forwardAll(model, x, 4, { interventions: [{ layer: 2, neurons: [1], rowValues: [1, 2] }] }), /rowValues must hold 4×1 values/);
  assert.throws(() => forwardAll(model, x, 4, { interventions: [{ layer: 3, neurons: [0], values: [1] }] }), /hidden layers 1…2/);
});
