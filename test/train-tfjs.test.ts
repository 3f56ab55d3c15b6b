import { test } from "node:test";
import assert from "node:assert/strict";
import { forward } from "../src/model";
import { cleanInputs } from "../src/tasks";
import { experimentData, initMLP, trainMLP, trainMLPSync, trainExperiment, toLayersModel, fromLayersModel } from "../src/train";
import { loadTf } from "../src/backend";

const data = experimentData({ gates: ["XOR"] });

function maxDiff(a: Float32Array[], b: Float32Array[]): { abs: number; scale: number } {
  let abs = 0;
  let scale = 0;
  a.forEach((w, i) => w.forEach((v, j) => ((abs = Math.max(abs, Math.abs(v - b[i][j]))), (scale = Math.max(scale, Math.abs(v))))));
  return { abs, scale };
}

test("differential: fast and tfjs engines agree after 400 AdamW steps from the same init on the same batches", async () => {
  const init = initMLP([2, 3, 3, 1], ["XOR"], 0);
  const opts = { seed: 0, epochs: 10, lossTarget: 0, patience: 1000 }; // 10 epochs × 40 batches
  const fast = trainMLPSync(init, data.train, data.val, opts);
  const tfjs = await trainMLP(init, data.train, data.val, { ...opts, engine: "tfjs" });
  assert.equal(tfjs.engine, "tfjs");
  assert.equal(tfjs.epochs, 10);
  const w = maxDiff(fast.model.weights, tfjs.model.weights);
  const b = maxDiff(fast.model.biases, tfjs.model.biases);
  // Float32 rounding differences only: 1e-4 of the largest weight.
  assert.ok(w.abs <= 1e-4 * w.scale, `weights differ by ${w.abs} (scale ${w.scale})`);
  assert.ok(b.abs <= 1e-4 * w.scale, `biases differ by ${b.abs}`);
  fast.losses.forEach((l, i) => assert.ok(Math.abs(l - tfjs.losses[i]) <= 1e-5 * l, `epoch ${i + 1}: ${l} vs ${tfjs.losses[i]}`));
  // Training really moved the weights (the agreement is not trivial).
  assert.ok(maxDiff(fast.model.weights, init.weights).abs > 0.05);
});

test("tfjs engine: same seed, same weights bit for bit; full run with early stop on the wasm backend too", async () => {
  const a = await trainExperiment({ gates: ["XOR"], seedOffset: 3, engine: "tfjs", epochs: 3 });
  const b = await trainExperiment({ gates: ["XOR"], seedOffset: 3, engine: "tfjs", epochs: 3 });
  assert.deepEqual(a.result.model, b.result.model);
  assert.equal(a.result.backend, "cpu");
  const w = await trainExperiment({ gates: ["XOR"], seedOffset: 3, engine: "tfjs", epochs: 3, backend: "wasm" });
  assert.equal(w.result.backend, "wasm");
  assert.ok(maxDiff(w.result.model.weights, a.result.model.weights).abs < 1e-5);
  await loadTf("cpu");
});

test("tfjs engine does not leak tensors", async () => {
  const { tf } = await loadTf("cpu");
  const before = tf.memory().numTensors;
  await trainMLP(initMLP([2, 3, 1], ["XOR"], 1), data.train, data.val, { seed: 1, epochs: 2, engine: "tfjs" });
  assert.equal(tf.memory().numTensors, before);
});

test("LayersModel round trip: same outputs, same weights", async () => {
  const { tf } = await loadTf();
  const m = initMLP([2, 4, 3, 2], ["AND", "XOR"], 11);
  const lm = toLayersModel(m, tf);
  const x = cleanInputs(2);
  const ours = forward(m, x, 4);
  const theirs = tf.tidy(() => lm.predict(tf.tensor2d(x, [4, 2])).dataSync());
  ours.forEach((v, i) => assert.ok(Math.abs(v - theirs[i]) < 1e-6, `${v} vs ${theirs[i]}`));
  // Negative pre-activations exist, so the LeakyReLU on the output is exercised.
  const back = fromLayersModel(lm, ["AND", "XOR"]);
  assert.deepEqual(back, m);
  lm.dispose();
  const relu = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], activation: "relu" })] });
  assert.throws(() => fromLayersModel(relu), /LeakyReLU\(alpha 0.01\)/);
  relu.dispose();
});

test("differential, multi-output with a smaller last batch (4000 rows, batches of 64): engines agree", async () => {
  const d = experimentData({ gates: ["AND", "XOR"], nSamplesTrain: 1000 });
  const init = initMLP([2, 4, 3, 2], ["AND", "XOR"], 5);
  const opts = { seed: 5, epochs: 4, batchSize: 64, lossTarget: 0, patience: 1000, lr: 3e-3 };
  const fast = trainMLPSync(init, d.train, d.val, opts);
  const tfjs = await trainMLP(init, d.train, d.val, { ...opts, engine: "tfjs" });
  const w = maxDiff(fast.model.weights, tfjs.model.weights);
  assert.ok(w.abs <= 1e-4 * w.scale, `weights differ by ${w.abs} (scale ${w.scale})`);
  assert.ok(maxDiff(fast.model.biases, tfjs.model.biases).abs <= 1e-4 * w.scale);
  assert.ok(maxDiff(fast.model.weights, init.weights).abs > 0.05);
});
