import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { analyzeModelFile } from "../src/analysis";
import { modelFromJson } from "../src/model";

const REF = "/work/shared/reference/";
const f = modelFromJson(JSON.parse(fs.readFileSync(REF + "xor_mlp_meloux2025.json", "utf8")));
const d = JSON.parse(fs.readFileSync(REF + "xor_notebook_data_meloux2025.json", "utf8"));

test("analyzeModelFile reproduces the notebook's where-then-what numbers", () => {
  const file = {
    ...f,
    val: { x: Float32Array.from(d.x_val.flat()), y: Float32Array.from(d.y_val.flat()), n: d.x_val.length, nInputs: 2, nOutputs: 1 },
    xTt: { x: Float32Array.from(d.x_tt_effective_points.rows.flatMap((r: any) => r.x)), n: 4 },
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
