import { test } from "node:test";
import assert from "node:assert/strict";
import { forward, forwardAll } from "../src/model";
import { loadReleasedModel } from "../src/reference";
import { trainExperimentSync } from "../src/train";
import { assertPlainData } from "../src/figures/figure";
import { convergenceFigure, hiddenActivationsFigure, lossCurvesFigure, outputSurfaceFigure, trainingTableRows } from "../src/figures/training";

const released = loadReleasedModel().model;
const runs = [0, 1, 2, 3, 4, 5].map((s) => trainExperimentSync({ gates: ["XOR"], seedOffset: s, epochs: 40 }).result);

test("loss curves: one trace per run plus the target line; legend once per group", () => {
  const f = lossCurvesFigure(runs, { lossTarget: 0.01 });
  assert.equal(f.data.length, runs.length + 1);
  assert.deepEqual(f.data[0].y, runs[0].losses);
  assert.equal(f.data.filter((d) => d.showlegend).length, new Set(runs.map((r) => r.accepted)).size);
  assert.equal((f.layout.yaxis as any).type, "log");
  assertPlainData(f);
  assert.deepEqual(JSON.parse(JSON.stringify(f)), f);
});

test("output surface: corners are the model's outputs on the clean inputs", () => {
  const f = outputSurfaceFigure(released, { resolution: 5 });
  const z = f.data[0].z as number[][];
  const clean = forward(released, [0, 0, 0, 1, 1, 0, 1, 1], 4);
  assert.equal(z[0][0], clean[0]); // x0=0, x1=0
  assert.equal(z[4][0], clean[1]); // x0=0, x1=1
  assert.equal(z[0][4], clean[2]); // x0=1, x1=0
  assert.equal(z[4][4], clean[3]);
  assert.throws(() => outputSurfaceFigure({ ...released, layerSizes: [3, 1] } as any), /2-input model/);
});

test("hidden activations: inputs × neurons, values from forwardAll", () => {
  const f = hiddenActivationsFigure(released);
  const z = f.data[0].z as number[][];
  assert.deepEqual(f.data[0].y, ["00", "01", "10", "11"]);
  assert.deepEqual(f.data[0].x, ["L1.0", "L1.1", "L1.2", "L2.0", "L2.1", "L2.2", "L3.0"]);
  const acts = forwardAll(released, [0, 0, 0, 1, 1, 0, 1, 1], 4);
  assert.equal(z[2][4], acts[2][2 * 3 + 1]);
});

test("convergence figure and table rows", () => {
  const f = convergenceFigure(runs);
  const nAcc = runs.filter((r) => r.accepted).length;
  assert.equal((f.data[0].x as number[]).length, nAcc);
  assert.match((f.layout.title as any).text, new RegExp(`${nAcc}/6 accepted`));
  const rows = trainingTableRows(runs, [10, 11, 12, 13, 14, 15]);
  assert.equal(rows[2].seed, 12);
  assert.equal(rows[2].epochs, runs[2].epochs);
});
