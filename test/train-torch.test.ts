// Both engines against PyTorch itself: the fixture holds initial weights, data and batch orders, and what
// torch.optim.AdamW + MSELoss + LeakyReLU layers produced from them (test/fixtures/torch_adamw_reference.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { MLP } from "../src/model";
import { Dataset } from "../src/tasks";
import { EpochRunner, resolveOptions } from "../src/train/loop";
import { fastRunner } from "../src/train/fast";
import { tfjsRunner } from "../src/train/tfjs";
import { loadTf } from "../src/backend";

const doc = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "torch_adamw_reference.json"), "utf8"));

function setup(c: any): { init: MLP; data: Dataset } {
  const init: MLP = { layerSizes: c.sizes, weights: c.weights.map((w: number[]) => Float32Array.from(w)), biases: c.biases.map((b: number[]) => Float32Array.from(b)), gates: c.gates };
  const data: Dataset = { x: Float32Array.from(c.x), y: Float32Array.from(c.y), n: c.n, nInputs: c.sizes[0], nOutputs: c.sizes[c.sizes.length - 1] };
  return { init, data };
}

function compare(c: any, runner: EpochRunner, label: string): void {
  const losses = c.orders.map((o: number[]) => {
    const b = runner.runEpoch(Uint32Array.from(o));
    let s = 0;
    for (const v of b) s += v;
    return s / b.length;
  });
  const m = runner.model();
  runner.dispose?.();
  const steps = c.epochs * Math.ceil(c.n / c.batchSize);
  let maxAbs = 0;
  m.weights.forEach((w, i) => w.forEach((v, j) => (maxAbs = Math.max(maxAbs, Math.abs(v - c.torch.weights[i][j])))));
  m.biases.forEach((b, i) => b.forEach((v, j) => (maxAbs = Math.max(maxAbs, Math.abs(v - c.torch.biases[i][j])))));
  // float32 rounding only (observed ≈ 4e-6 after 100 steps)
  assert.ok(maxAbs < 5e-5, `${c.name} ${label}: weights differ from PyTorch by ${maxAbs} after ${steps} steps`);
  losses.forEach((l: number, e: number) => assert.ok(Math.abs(l - c.torch.losses[e]) <= 1e-5 * c.torch.losses[e], `${c.name} ${label} epoch ${e + 1}: ${l} vs torch ${c.torch.losses[e]}`));
  // the run moved the weights far more than the tolerance
  assert.ok(Math.abs(m.weights[0][0] - c.weights[0][0]) > 1e-3 || Math.abs(m.weights[1][0] - c.weights[1][0]) > 1e-3);
}

for (const c of doc.cases) {
  test(`fast engine reproduces PyTorch's AdamW training: ${c.name}`, () => {
    const { init, data } = setup(c);
    const o = resolveOptions({ seed: 0, lr: c.lr, batchSize: c.batchSize });
    compare(c, fastRunner(init, data, o), "unrolled");
    compare(c, fastRunner(init, data, o, { unrolled: false }), "generic");
  });
  test(`tfjs engine reproduces PyTorch's AdamW training: ${c.name}`, async () => {
    const { init, data } = setup(c);
    const { tf } = await loadTf();
    compare(c, tfjsRunner(tf, init, data, resolveOptions({ seed: 0, lr: c.lr, batchSize: c.batchSize, engine: "tfjs" })), "tfjs");
  });
}
