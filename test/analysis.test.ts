import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeModelFile } from "../src/analysis";
import { loadNotebookData, loadReleasedModel } from "../src/reference";

const f = loadReleasedModel();
const d = loadNotebookData();

test("analyzeModelFile reproduces the notebook's where-then-what numbers", () => {
  const file = {
    ...f,
    val: d.val,
    xTt: d.xTt,
  };
  const { outputs } = analyzeModelFile(file, { alignment: false });
  assert.equal(outputs.length, 1);
  assert.equal(outputs[0].n_candidates, 3000);
  assert.equal(outputs[0].perfect_circuits, 7);
  assert.equal(outputs[0].interpretations_per_circuit.reduce((a, b) => a + b, 0), 100896);
  assert.equal(outputs[0].formulas, null);
  const corrected = analyzeModelFile(file, { alignment: false, mode: "corrected", maxCircuits: 3 }).outputs[0];
  assert.equal(corrected.perfect_circuits, 7);
  assert.equal(corrected.interpretations_per_circuit.length, 3);
});

test("default clean data (main.py's) when the file has none", () => {
  const o = analyzeModelFile(f, { alignment: false }).outputs[0];
  assert.equal(o.gate, "XOR");
  assert.equal(o.n_candidates, 3000);
  assert.equal(o.perfect_circuits, 32);
  assert.equal(o.interpretations_per_circuit.length, 32);
});
