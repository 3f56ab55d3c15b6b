// Plain Adam and the wide-network kernel of the fast engine: both engines against a stored PyTorch run of
// torch.optim.Adam (test/fixtures/torch_adam_reference.py), the blocked kernel bit for bit against the per-row loops.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { MLP } from "../src/model";
import { Dataset } from "../src/tasks";
import { EpochRunner, resolveOptions } from "../src/train/loop";
import { chooseSparseInput, fastRunner } from "../src/train/fast";
import { sparseRows } from "../src/train/blocked";
import { loadMnist } from "../src/mnist";
import { tfjsRunner } from "../src/train/tfjs";
import { AdamW } from "../src/train/adamw";
import { MAX_UNROLLED_PARAMS } from "../src/train/unrolled";
import { initMLP } from "../src/train";
import { loadTf } from "../src/backend";
import { Rng } from "../src/rng";

const doc = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "torch_adam_reference.json"), "utf8"));

function setup(c: any): { init: MLP; data: Dataset } {
  const init: MLP = { layerSizes: c.sizes, weights: c.weights.map((w: number[]) => Float32Array.from(w)), biases: c.biases.map((b: number[]) => Float32Array.from(b)), gates: [] };
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
  let maxAbs = 0;
  m.weights.forEach((w, i) => w.forEach((v, j) => (maxAbs = Math.max(maxAbs, Math.abs(v - c.torch.weights[i][j])))));
  m.biases.forEach((b, i) => b.forEach((v, j) => (maxAbs = Math.max(maxAbs, Math.abs(v - c.torch.biases[i][j])))));
  // float32 rounding only; Adam moves each weight by about lr per step, so a wrong update shows at 1e-4 within a step
  assert.ok(maxAbs < 2e-5, `${c.name} ${label}: weights differ from PyTorch by ${maxAbs}`);
  losses.forEach((l: number, e: number) => assert.ok(Math.abs(l - c.torch.losses[e]) <= 1e-5 * c.torch.losses[e], `${c.name} ${label} epoch ${e + 1}: ${l} vs torch ${c.torch.losses[e]}`));
  const moved = Math.max(...m.weights[0].map((v, j) => Math.abs(v - c.weights[0][j])));
  assert.ok(moved > 1e-3, `${c.name} ${label}: the run barely moved the weights (${moved})`);
}

const paramsOf = (s: number[]) => s.slice(1).reduce((t, v, i) => t + v * (s[i] + 1), 0);

for (const c of doc.cases) {
  test(`fast engine reproduces PyTorch's Adam: ${c.name}`, () => {
    const { init, data } = setup(c);
    const o = resolveOptions({ seed: 0, lr: c.lr, batchSize: c.batchSize, optimizer: "adam", weightDecay: c.weightDecay });
    compare(c, fastRunner(init, data, o), paramsOf(c.sizes) > MAX_UNROLLED_PARAMS ? "blocked" : "unrolled");
    compare(c, fastRunner(init, data, o, { unrolled: false, blocked: false }), "per-row");
    // the sparse first layer (default on the 784-pixel case) and two threads, against the same PyTorch run
    if (paramsOf(c.sizes) > MAX_UNROLLED_PARAMS) {
      compare(c, fastRunner(init, data, o, { sparseInput: true }), "blocked, sparse first layer");
      compare(c, fastRunner(init, data, o, { sparseInput: false }), "blocked, dense first layer");
      compare(c, fastRunner(init, data, { ...o, threads: 2 }), "blocked, two threads");
    }
  });
  test(`tfjs engine reproduces PyTorch's Adam: ${c.name}`, async () => {
    const { init, data } = setup(c);
    const { tf } = await loadTf();
    compare(c, tfjsRunner(tf, init, data, resolveOptions({ seed: 0, lr: c.lr, batchSize: c.batchSize, optimizer: "adam", weightDecay: c.weightDecay, engine: "tfjs" })), "tfjs");
  });
}

test("Adam differs from AdamW exactly by where the decay goes: wd 0 gives identical steps, wd > 0 does not", () => {
  const g = [Float64Array.of(0.3, -0.2, 1e-4)];
  const run = (optimizer: "adam" | "adamw", weightDecay: number) => {
    const p = Float32Array.of(0.5, -1, 2);
    const opt = new AdamW([p], { lr: 0.01, weightDecay, beta1: 0.9, beta2: 0.999, eps: 1e-8, optimizer });
    for (let i = 0; i < 3; i++) opt.step(g);
    return Array.from(p);
  };
  assert.deepEqual(run("adam", 0), run("adamw", 0));
  assert.notDeepEqual(run("adam", 0.1), run("adamw", 0.1));
  // Adam with L2: the first step moves by lr·sign(g + wd·p) (bias-corrected m/√v = ±1)
  const p = Float32Array.of(0.5);
  new AdamW([p], { lr: 0.01, weightDecay: 10, beta1: 0.9, beta2: 0.999, eps: 1e-8, optimizer: "adam" }).step([Float64Array.of(-1)]);
  assert.ok(Math.abs(p[0] - 0.49) < 1e-6, `g + wd·p = 4 > 0: the step goes down, got ${p[0]}`);
});

test("blocked kernel: bit-identical to the per-row loops on odd shapes (batch rows and outputs not multiples of the block)", () => {
  // the second shape has a layer of 45 × 23 ≥ 1024 weights: back-propagation through its transposed copy
  for (const sizes of [[37, 21, 5, 3, 2], [37, 23, 45, 3, 2]]) blockedMatchesPerRow(sizes);
});

function blockedMatchesPerRow(sizes: number[]): void {
  const rng = new Rng(7);
  const n = 83;
  const x = Float32Array.from({ length: n * sizes[0] }, () => rng.uniform(-1, 1));
  const y = Float32Array.from({ length: n * 2 }, () => (rng.uniform(0, 1) < 0.5 ? 0 : 1));
  const data: Dataset = { x, y, n, nInputs: sizes[0], nOutputs: 2 };
  const init = initMLP(sizes, [], 3);
  const o = resolveOptions({ seed: 0, batchSize: 30, optimizer: "adam" });
  const a = fastRunner(init, data, o);
  const b = fastRunner(init, data, o, { unrolled: false, blocked: false });
  for (let e = 0; e < 3; e++) {
    const order = rng.permutation(n);
    assert.deepEqual(Array.from(a.runEpoch(order)), Array.from(b.runEpoch(order)));
  }
  const ma = a.model();
  const mb = b.model();
  ma.weights.forEach((w, i) => assert.deepEqual(Array.from(w), Array.from(mb.weights[i]), `weights[${i}]`));
  ma.biases.forEach((w, i) => assert.deepEqual(Array.from(w), Array.from(mb.biases[i]), `biases[${i}]`));
  assert.notDeepEqual(Array.from(ma.weights[0]), Array.from(init.weights[0]));
}

test("optimizer option: refused when unknown, Adam's weight decay defaults to 0 and AdamW's to 0.01", () => {
  assert.throws(() => resolveOptions({ seed: 0, optimizer: "sgd" as any }), /optimizer must be "adamw".*or "adam"/);
  assert.equal(resolveOptions({ seed: 0, optimizer: "adam" }).weightDecay, 0);
  assert.equal(resolveOptions({ seed: 0 }).weightDecay, 0.01);
});

test("sparse rows: x = base + u exactly, base the commonest value; the default picks the sparse layer for wide sparse inputs only", () => {
  const rng = new Rng(5);
  const n = 40;
  const nIn = 70;
  const x = Float32Array.from({ length: n * nIn }, () => (rng.uniform(0, 1) < 0.7 ? -1 : Math.fround(rng.uniform(-1, 1))));
  const sp = sparseRows(x, n, nIn);
  assert.equal(sp.base, -1);
  const back = new Float32Array(n * nIn).fill(sp.base);
  for (let r = 0; r < n; r++) for (let t = sp.start[r]; t < sp.start[r + 1]; t++) back[r * nIn + sp.idx[t]] = sp.base + sp.val[t];
  assert.deepEqual(back, x);
  assert.ok(Math.abs(sp.density - 0.3) < 0.05, `density ${sp.density}`);
  const data: Dataset = { x, y: new Float32Array(n), n, nInputs: nIn, nOutputs: 1 };
  assert.ok(chooseSparseInput([nIn, 4, 1], data, undefined), "70 wide, 30 % nonzero: sparse");
  assert.equal(chooseSparseInput([nIn, 4, 1], data, false), null);
  const dense: Dataset = { ...data, x: Float32Array.from({ length: n * nIn }, () => rng.uniform(-1, 1)) };
  assert.equal(chooseSparseInput([nIn, 4, 1], dense, undefined), null, "continuous inputs stay dense");
  assert.ok(chooseSparseInput([nIn, 4, 1], dense, true), "forced on");
});

test("MNIST: the sparse first layer and two threads against the dense kernel (2 epochs on 512 digits), and each repeats itself exactly", () => {
  const mnist = loadMnist();
  const n = 512;
  const data: Dataset = { x: mnist.train.x.subarray(0, n * 784), y: mnist.train.y.subarray(0, n), n, nInputs: 784, nOutputs: 1 };
  const sizes = [784, 128, 128, 3, 3, 3, 1];
  const init = initMLP(sizes, [], 42);
  const o = resolveOptions({ seed: 0, batchSize: 64, optimizer: "adam" });
  const rng = new Rng(11);
  const orders = [rng.permutation(n), rng.permutation(n)];
  const run = (opts: Parameters<typeof fastRunner>[3], threads: 1 | 2 = 1) => {
    const r = fastRunner(init, data, { ...o, threads }, opts);
    const losses = orders.map((ord) => Array.from(r.runEpoch(ord)));
    const m = r.model();
    r.dispose?.();
    return { losses, m };
  };
  const dense = run({ sparseInput: false });
  const maxDiff = (a: ReturnType<typeof run>, b: ReturnType<typeof run>) => {
    let d = 0;
    a.m.weights.forEach((w, i) => w.forEach((v, j) => (d = Math.max(d, Math.abs(v - b.m.weights[i][j])))));
    return d;
  };
  for (const [label, opts, threads] of [["sparse", { sparseInput: true }, 1], ["sparse, two threads", {}, 2], ["dense, two threads", { sparseInput: false }, 2]] as const) {
    const a = run(opts, threads);
    // float rounding only: the sums run in another order (stated tolerance 1e-5 on weights after 2 epochs)
    assert.ok(maxDiff(a, dense) <= 1e-5, `${label}: weights differ from the dense kernel by ${maxDiff(a, dense)}`);
    a.losses.flat().forEach((l, i) => assert.ok(Math.abs(l - dense.losses.flat()[i]) <= 1e-6, `${label} batch ${i}: loss ${l} vs ${dense.losses.flat()[i]}`));
    const again = run(opts, threads);
    assert.equal(maxDiff(a, again), 0, `${label}: same settings, same numbers`);
    assert.deepEqual(a.losses, again.losses);
  }
  assert.ok(Math.max(...dense.m.weights[0].map((v, j) => Math.abs(v - init.weights[0][j]))) > 1e-3, "the weights moved");
});

test("threads option: 1 or 2, anything else refused", () => {
  assert.throws(() => resolveOptions({ seed: 0, threads: 3 as any }), /threads must be 1 or 2/);
  assert.equal(resolveOptions({ seed: 0 }).threads, 1);
});

test("Adam's typed-array loop (plain Adam) equals the general loop step for step", () => {
  const rng = new Rng(9);
  const p0 = Float32Array.from({ length: 50 }, () => rng.uniform(-1, 1));
  const gs = Array.from({ length: 5 }, () => Float64Array.from({ length: 50 }, () => rng.uniform(-0.1, 0.1)));
  const h = { lr: 0.01, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, optimizer: "adam" as const };
  const fast = p0.slice();
  const general = p0.slice();
  const a = new AdamW([fast], h);
  const b = new AdamW([general], h);
  for (const g of gs) {
    a.step([g]); // Float64Array: the typed-array loop
    b.step([Array.from(g)]); // a plain array: the general loop
    assert.deepEqual(fast, general);
  }
  assert.notDeepEqual(fast, p0);
});
