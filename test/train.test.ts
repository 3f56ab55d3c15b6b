import { test } from "node:test";
import assert from "node:assert/strict";
import { MLP, accuracy, forward, roundHalfEven } from "../src/model";
import { Dataset, generateData, makeTask, DEFAULT_GATE_POOL } from "../src/tasks";
import { Rng, deriveSeed } from "../src/rng";
import { experimentData, initMLP, trainExperimentSync, trainMLPSync, trainMLP } from "../src/train";
import { AdamW } from "../src/train/adamw";
import { experimentDataSeed } from "../src/train/experiment";
import { fastRunner } from "../src/train/fast";
import { resolveOptions, runLoop } from "../src/train/loop";
import { unrolledKernel } from "../src/train/unrolled";

const xorData = (seed: number, nRepeats: number) => generateData(makeTask(["XOR"]), { nRepeats, rng: new Rng(seed) });

test("initMLP: PyTorch default bounds U(±1/√fan_in), shapes, seeded", () => {
  const m = initMLP([2, 3, 3, 1], ["XOR"], 7);
  assert.deepEqual(m.layerSizes, [2, 3, 3, 1]);
  assert.deepEqual(m.weights.map((w) => w.length), [6, 9, 3]);
  assert.deepEqual(m.biases.map((b) => b.length), [3, 3, 1]);
  m.weights.forEach((w, i) => {
    const bound = 1 / Math.sqrt(m.layerSizes[i]);
    for (const v of [...w, ...m.biases[i]]) assert.ok(Math.abs(v) <= bound, `|${v}| <= ${bound}`);
  });
  assert.deepEqual(initMLP([2, 3, 3, 1], ["XOR"], 7), m);
  assert.notDeepEqual(initMLP([2, 3, 3, 1], ["XOR"], 8).weights, m.weights);
  // Uniform: a big layer's weights have mean ≈ 0 and variance ≈ bound²/3.
  const big = initMLP([100, 200], [], 1).weights[0];
  const mean = big.reduce((s, v) => s + v, 0) / big.length;
  const variance = big.reduce((s, v) => s + (v - mean) ** 2, 0) / big.length;
  assert.ok(Math.abs(mean) < 0.002);
  assert.ok(Math.abs(variance / (0.01 / 3) - 1) < 0.02, `variance ${variance}`);
});

test("AdamW: torch's formulas on a scalar (step 1 moves by lr·sign(g) after the decoupled decay)", () => {
  const p = Float32Array.of(0.5, -0.25);
  const h = { lr: 0.1, weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const opt = new AdamW([p], h);
  opt.step([[2, -3]]);
  assert.ok(Math.abs(p[0] - (0.5 * (1 - 0.001) - 0.1 * (2 / (2 + 1e-8)))) < 1e-7);
  assert.ok(Math.abs(p[1] - (-0.25 * (1 - 0.001) + 0.1 * (3 / (3 + 1e-8)))) < 1e-7);
  // Step 2 in float64 by the textbook formulas: m̂ = m/(1−β1²), v̂ = v/(1−β2²).
  const q = 0.5 * (1 - 0.001) - 0.1;
  const m = 0.9 * 0.2 + 0.1 * 1, v = 0.999 * 0.004 + 0.001 * 1;
  const expected = q * (1 - 0.001) - (0.1 * (m / (1 - 0.81))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
  opt.step([[1, 0]]);
  assert.ok(Math.abs(p[0] - expected) < 1e-6, `${p[0]} vs ${expected}`);
});

test("fast engine: the loss decreases, losses are MSE of the batches, accepted iff val_acc >= 0.99 and loss <= target", () => {
  const train = xorData(1, 1000);
  const val = xorData(2, 50);
  const init = initMLP([2, 3, 3, 1], ["XOR"], 3);
  const r = trainMLPSync(init, train, val, { seed: 3 });
  assert.equal(r.losses.length, r.epochs);
  assert.equal(r.loss, r.losses[r.losses.length - 1]);
  assert.ok(r.losses[r.epochs - 1] < r.losses[0]);
  assert.equal(r.valAcc, accuracy(r.model, val));
  assert.equal(r.accepted, r.valAcc >= 0.99 && r.loss <= 0.01);
  assert.deepEqual(init, initMLP([2, 3, 3, 1], ["XOR"], 3), "init is not mutated");
  // One epoch with a batch of the whole set and lr → 0: the loss is the MSE of the initial model.
  const one = trainMLPSync(init, train, val, { seed: 3, epochs: 1, batchSize: train.n, lr: 1e-30, weightDecay: 0 });
  const out = forward(init, train.x, train.n);
  let mse = 0;
  for (let i = 0; i < train.n; i++) mse += (out[i] - train.y[i]) ** 2;
  assert.ok(Math.abs(one.loss - mse / train.n) < 1e-6);
});

test("early stopping (SPEC 3.2): first epoch under the target, else after 3 non-improving epochs", () => {
  const train = xorData(4, 100);
  const val = xorData(5, 50);
  for (const [seed, lossTarget, lr] of [[0, 0.01, 1e-3], [1, 0, 0.05], [2, 0.2, 1e-3]] as const) {
    const r = trainMLPSync(initMLP([2, 3, 3, 1], ["XOR"], seed), train, val, { seed, lossTarget, lr, epochs: 400 });
    // Re-simulate the stopping rule on the recorded losses.
    let best = Infinity, bad = 0, stop = -1, reason = "epochs";
    for (let e = 0; e < r.losses.length; e++) {
      const l = r.losses[e];
      if (l < best) {
        best = l;
        bad = 0;
      } else bad++;
      if (l < lossTarget) { stop = e + 1; reason = "target"; break; }
      if (bad >= 3) { stop = e + 1; reason = "patience"; break; }
    }
    assert.equal(r.stopReason, reason, `seed ${seed}`);
    assert.equal(r.epochs, stop === -1 ? 400 : stop);
  }
});

test("same seed, same weights bit for bit; another seed differs", () => {
  const a = trainExperimentSync({ gates: ["XOR"], seedOffset: 5 });
  const b = trainExperimentSync({ gates: ["XOR"], seedOffset: 5 });
  assert.deepEqual(a.result.model, b.result.model);
  assert.deepEqual(a.result.losses, b.result.losses);
  const c = trainExperimentSync({ gates: ["XOR"], seedOffset: 6 });
  assert.notDeepEqual(c.result.model.weights, a.result.model.weights);
});

test("basic setup converges for most seeds (the paper keeps most of its 100 XOR runs)", () => {
  let accepted = 0;
  for (let s = 0; s < 20; s++) {
    const { result } = trainExperimentSync({ gates: ["XOR"], seedOffset: s });
    if (result.accepted) {
      accepted++;
      assert.ok(result.loss < 0.01 && result.valAcc >= 0.99);
      // An accepted XOR model rounds to the truth table on the clean inputs.
      assert.deepEqual(Array.from(forward(result.model, [0, 0, 0, 1, 1, 0, 1, 1], 4), (v) => roundHalfEven(v) + 0), [0, 1, 1, 0]);
    }
  }
  assert.ok(accepted >= 12, `${accepted}/20 accepted`);
});

test("multi-output training: one column per gate, split-ready", () => {
  const { data, result } = trainExperimentSync({ gates: ["AND", "OR"], size: 4, seedOffset: 0 });
  assert.deepEqual(result.model.layerSizes, [2, 4, 4, 2]);
  assert.deepEqual(result.model.gates, ["AND", "OR"]);
  assert.equal(data.train.nOutputs, 2);
  assert.equal(data.val.y[1], data.val.x[0] || data.val.x[1] ? 1 : 0);
});

test("experimentData: main.py sizes, the data-sharing quirk of offsets 0 and 1, sampled gates", () => {
  const d = experimentData({ gates: ["XOR"] });
  assert.equal(d.train.n, 4000);
  assert.equal(d.val.n, 200);
  assert.equal(d.xTt.n, 40);
  assert.equal(d.skewWeights, null);
  assert.deepEqual(experimentData({ gates: ["XOR"], seedOffset: 1 }).train, d.train, "offsets 0 and 1 share data");
  assert.notDeepEqual(experimentData({ gates: ["XOR"], seedOffset: 2 }).train.x, d.train.x);
  assert.notDeepEqual(experimentData({ gates: ["XOR"], seedOffset: 1, sharedDataQuirk: false }).train.x, d.train.x);
  assert.deepEqual([0, 1, 2, 3].map((s) => experimentDataSeed(10, s)), [10, 10, 11, 12]);
  // The two experiments still differ in their models (init seed = seed + offset).
  const a = trainExperimentSync({ gates: ["XOR"], seedOffset: 0, epochs: 1 });
  const b = trainExperimentSync({ gates: ["XOR"], seedOffset: 1, epochs: 1 });
  assert.notDeepEqual(a.result.model.weights, b.result.model.weights);
  const noisy = experimentData({ gates: ["XOR"], noiseStd: 0.1, nSamplesTrain: 20, nSamplesVal: 5 });
  assert.equal(noisy.train.n, 4 * 20 * 20);
  assert.equal(noisy.val.n, 4 * 5 * 5);
  const skew = experimentData({ gates: ["XOR"], skewed: true });
  assert.equal(skew.skewWeights!.length, 4);
  for (let s = 0; s < 10; s++) {
    const g = experimentData({ nGates: 3, seedOffset: s, nSamplesTrain: 1, nSamplesVal: 1, nRepeats: 1 }).gates;
    assert.equal(new Set(g).size, 3);
    for (const name of g) assert.ok((DEFAULT_GATE_POOL as readonly string[]).includes(name));
  }
});

test("bad input: clear errors naming the input and the fix", () => {
  assert.throws(() => trainExperimentSync({ gates: ["XNORR"] }), /Unknown gate "XNORR". Valid gates: AND, OR/);
  assert.throws(() => trainExperimentSync({ gates: ["XOR", "MAJORITY"] }), /same arity/);
  assert.throws(() => initMLP([2, 0, 1], [], 0), /positive integers/);
  assert.throws(() => trainExperimentSync({ gates: ["XOR"], size: 0 }), /size must be a positive integer/);
  assert.throws(() => trainExperimentSync({ gates: ["XOR"], hiddenSizes: [3, -1] }), /hiddenSizes\[1\]/);
  assert.throws(() => experimentData({ nGates: 8 }), /only 7 gates/);
  const val = xorData(1, 5);
  assert.throws(() => trainMLPSync(initMLP([3, 2, 1], ["XOR"], 0), val, val, { seed: 0 }), /2 inputs .* takes 3/);
  assert.throws(() => trainMLPSync(initMLP([2, 2, 1], ["XOR"], 0), val, val, { seed: 0, lr: -1 }), /lr must be a positive number/);
  assert.throws(() => trainMLPSync(initMLP([2, 2, 1], ["XOR"], 0), val, val, { seed: 0, engine: "tfjs" }), /use await trainMLP/);
  const nan = initMLP([2, 2, 1], ["XOR"], 0);
  nan.weights[1][0] = NaN;
  assert.throws(() => trainMLPSync(nan, val, val, { seed: 0 }), /weights\[1\]\[0\]\[0\] is NaN/);
  // Divergence is an outcome, not an error (as in the reference): stopped by patience and rejected.
  const div = trainMLPSync(initMLP([2, 2, 1], ["XOR"], 0), val, val, { seed: 0, lr: 1e30, epochs: 50 });
  assert.ok(!div.accepted);
  assert.equal(div.valAcc, 0);
});

/**
 * Independent oracle for trainMLP: the whole loop written out from SPEC 3.2-3.3 in float64 with plain loops (forward,
 * MSE backward, torch's AdamW formulas, the per-epoch permutation of the shuffle stream, early stopping, acceptance).
 */
function naiveTrain(init: MLP, train: Dataset, val: Dataset, o: { seed: number; epochs: number; batchSize: number; lossTarget: number; lr: number }) {
  const sizes = init.layerSizes;
  const L = sizes.length - 1;
  const W = init.weights.map((w) => Array.from(w));
  const B = init.biases.map((b) => Array.from(b));
  const params = [...W, ...B];
  const m1 = params.map((p) => p.map(() => 0));
  const m2 = params.map((p) => p.map(() => 0));
  const [beta1, beta2, eps, wd] = [0.9, 0.999, 1e-8, 0.01];
  const slope = 0.01;
  const fwd = (x: number[]) => {
    const z: number[][] = [x];
    const a: number[][] = [x];
    for (let i = 0; i < L; i++) {
      const zi: number[] = [];
      for (let k = 0; k < sizes[i + 1]; k++) {
        let s = B[i][k];
        for (let j = 0; j < sizes[i]; j++) s += W[i][k * sizes[i] + j] * a[i][j];
        zi.push(s);
      }
      z.push(zi);
      a.push(zi.map((v) => (v > 0 ? v : slope * v)));
    }
    return { z, a };
  };
  const shuffle = new Rng(deriveSeed(o.seed, "shuffle"));
  const nOut = sizes[L];
  let step = 0;
  let best = Infinity;
  let bad = 0;
  let loss = NaN;
  let stopReason = "epochs";
  const losses: number[] = [];
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const order = shuffle.permutation(train.n);
    const batchLosses: number[] = [];
    for (let start = 0; start < train.n; start += o.batchSize) {
      const rows = Array.from(order.subarray(start, Math.min(train.n, start + o.batchSize)));
      const gW = W.map((w) => w.map(() => 0));
      const gB = B.map((b) => b.map(() => 0));
      let se = 0;
      for (const r of rows) {
        const { z, a } = fwd(Array.from(train.x.subarray(r * sizes[0], (r + 1) * sizes[0])));
        let d = a[L].map((v, k) => {
          const diff = v - train.y[r * nOut + k];
          se += diff * diff;
          return (2 * diff) / (rows.length * nOut);
        });
        for (let i = L - 1; i >= 0; i--) {
          const dz = d.map((v, k) => v * (z[i + 1][k] > 0 ? 1 : slope));
          const prev = new Array(sizes[i]).fill(0);
          for (let k = 0; k < sizes[i + 1]; k++) {
            gB[i][k] += dz[k];
            for (let j = 0; j < sizes[i]; j++) {
              gW[i][k * sizes[i] + j] += dz[k] * a[i][j];
              prev[j] += W[i][k * sizes[i] + j] * dz[k];
            }
          }
          d = prev;
        }
      }
      batchLosses.push(se / (rows.length * nOut));
      step++;
      [...gW, ...gB].forEach((g, pi) => {
        const p = params[pi];
        for (let q = 0; q < p.length; q++) {
          p[q] *= 1 - o.lr * wd;
          m1[pi][q] = beta1 * m1[pi][q] + (1 - beta1) * g[q];
          m2[pi][q] = beta2 * m2[pi][q] + (1 - beta2) * g[q] * g[q];
          const denom = Math.sqrt(m2[pi][q]) / Math.sqrt(1 - beta2 ** step) + eps;
          p[q] -= (o.lr / (1 - beta1 ** step)) * (m1[pi][q] / denom);
        }
      });
    }
    loss = batchLosses.reduce((s, v) => s + v, 0) / batchLosses.length;
    losses.push(loss);
    if (loss < best) [best, bad] = [loss, 0];
    else bad++;
    if (loss < o.lossTarget) [stopReason] = ["target"];
    else if (bad >= 3) [stopReason] = ["patience"];
    else continue;
    break;
  }
  let correct = 0;
  for (let r = 0; r < val.n; r++) {
    const out = fwd(Array.from(val.x.subarray(r * sizes[0], (r + 1) * sizes[0]))).a[L];
    if (out.every((v, k) => roundHalfEven(v) === val.y[r * nOut + k])) correct++;
  }
  const valAcc = correct / val.n;
  return { W, B, losses, loss, stopReason, valAcc, accepted: valAcc >= 0.99 && loss <= o.lossTarget };
}

test("trainMLP (fast engine) matches a naive float64 training loop: weights, losses, stop, acceptance", async () => {
  const cases = [
    { sizes: [2, 3, 3, 1], gates: ["XOR"], seed: 1, epochs: 60, batchSize: 30, lossTarget: 0.01, lr: 1e-2, valNoiseStd: 0 }, // 7 batches, the last of 20 rows; accepted
    { sizes: [2, 4, 2], gates: ["AND", "OR"], seed: 5, epochs: 300, batchSize: 100, lossTarget: 0.05, lr: 1e-2, valNoiseStd: 0.3 }, // two outputs; noisy validation rows
    { sizes: [2, 3, 1], gates: ["XOR"], seed: 2, epochs: 300, batchSize: 64, lossTarget: 0, lr: 3e-2, valNoiseStd: 0.3 }, // target unreachable: patience
  ];
  const stops = new Set<string>();
  const verdicts = new Set<boolean>();
  for (const c of cases) {
    const train = generateData(makeTask(c.gates), { nRepeats: 50, rng: new Rng(c.seed) });
    const val = generateData(makeTask(c.gates), { nRepeats: 3, noiseStd: c.valNoiseStd, rng: new Rng(c.seed + 100) });
    const init = initMLP(c.sizes, c.gates, c.seed);
    const got = await trainMLP(init, train, val, { seed: c.seed, epochs: c.epochs, batchSize: c.batchSize, lossTarget: c.lossTarget, lr: c.lr });
    const want = naiveTrain(init, train, val, c);
    const label = c.sizes.join(",");
    assert.equal(got.epochs, want.losses.length, `${label}: epochs`);
    assert.equal(got.stopReason, want.stopReason, label);
    assert.equal(got.valAcc, want.valAcc, label);
    assert.equal(got.accepted, want.accepted, label);
    got.losses.forEach((l, e) => assert.ok(Math.abs(l - want.losses[e]) <= 1e-4 * want.losses[e] + 1e-7, `${label} epoch ${e + 1}: ${l} vs ${want.losses[e]}`));
    let maxDiff = 0;
    let moved = 0;
    got.model.weights.forEach((w, i) => w.forEach((v, q) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - want.W[i][q]));
      moved = Math.max(moved, Math.abs(v - init.weights[i][q]));
    }));
    got.model.biases.forEach((b, i) => b.forEach((v, q) => (maxDiff = Math.max(maxDiff, Math.abs(v - want.B[i][q])))));
    assert.ok(maxDiff < 1e-4, `${label}: weights differ from the float64 oracle by ${maxDiff}`);
    assert.ok(moved > 0.05, `${label}: training moved the weights by only ${moved}`);
    stops.add(got.stopReason);
    verdicts.add(got.accepted);
  }
  assert.deepEqual([...stops].sort(), ["patience", "target"], "the cases cover both early stops");
  assert.equal(verdicts.size, 2, "the cases cover an accepted and a rejected model");
});

test("the unrolled kernel of small networks is bit-identical to the generic loops", () => {
  for (const [sizes, gates, batchSize] of [[[2, 3, 3, 1], ["XOR"], 100], [[2, 5, 2, 3], ["AND", "OR", "XOR"], 64], [[3, 4, 1], ["MAJORITY"], 7]] as const) {
    const data = generateData(makeTask(gates), { nRepeats: 60, noiseStd: 0.05, rng: new Rng(9) });
    const init = initMLP(sizes, gates, 4);
    const o = resolveOptions({ seed: 4, epochs: 15, lossTarget: 0, batchSize, lr: 5e-3 });
    assert.ok(unrolledKernel(sizes, 0.01), "small enough to unroll");
    const fast = runLoop(fastRunner(init, data, o), data, data, o);
    const generic = runLoop(fastRunner(init, data, o, { unrolled: false }), data, data, o);
    assert.deepEqual(fast.losses, generic.losses);
    assert.deepEqual(fast.model, generic.model);
  }
  assert.equal(unrolledKernel([2, 64, 64, 1], 0.01), null, "large networks use the generic loops");
});
