// The MNIST experiment: the loader against the package's files, head∘tail against the whole network on every
// digit, the tail's circuits against a brute-force enumeration with a masked forward pass per candidate, the
// binarised tail against the original tail on the class means, the big candidate count against the circuit stage's.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { CircuitMasks, MLP, roundHalfEven, runWithCache } from "../src/model";
import { Dataset } from "../src/tasks";
import { countCandidatesExact, findCircuits } from "../src/circuits";
import { InputError } from "../src/errors";
import {
  MNIST_LAYER_SIZES,
  binariseTail,
  checkSplit,
  circuitKey,
  countCandidatesUnfiltered,
  describeMnist,
  loadMnist,
  splitMLP,
  tailCircuits,
  tailDataset,
  trainMnist,
  trainMnistSync,
} from "../src/mnist";

const data = loadMnist();
// The reference's run: seed 42, plain Adam, 10 epochs (a few seconds on the fast engine).
const trained = trainMnistSync({ data });

test("loader: the package's 1 001 zeros and 1 127 ones, a seeded 1 600 / 528 split, pixels 2p − 1", () => {
  assert.deepEqual(data.counts.available, { 0: 1001, 1: 1127 });
  assert.equal(data.train.n, 1600);
  assert.equal(data.test.n, 528);
  assert.equal(data.counts.train[0] + data.counts.test[0], 1001);
  assert.equal(data.counts.train[1] + data.counts.test[1], 1127);
  for (const [d, w] of [[data.train, data.trainDigits], [data.test, data.testDigits]] as const)
    for (let r = 0; r < d.n; r++) assert.equal(d.y[r], w[r] === 1 ? 1 : 0);
  // every row is a package digit, normalised: the multiset of rows equals the files' rows mapped by 2p − 1
  const key = (v: ArrayLike<number>) => Array.from(v, (p) => Math.fround(p).toFixed(4)).join(",");
  const want = new Map<string, number>();
  for (const digit of [0, 1]) {
    const raw: number[] = JSON.parse(fs.readFileSync(require.resolve(`mnist/src/digits/${digit}.json`), "utf8")).data;
    for (let r = 0; r < raw.length / 784; r++) {
      const k = key(raw.slice(r * 784, (r + 1) * 784).map((p) => (p - 0.5) / 0.5));
      want.set(k, (want.get(k) ?? 0) + 1);
    }
  }
  let matched = 0;
  for (const d of [data.train, data.test])
    for (let r = 0; r < d.n; r++) {
      const k = key(d.x.subarray(r * 784, (r + 1) * 784));
      const c = want.get(k) ?? 0;
      if (c > 0) {
        want.set(k, c - 1);
        matched++;
      }
    }
  assert.equal(matched, 2128);
  const again = loadMnist();
  assert.deepEqual(Array.from(again.testDigits), Array.from(data.testDigits));
  assert.notDeepEqual(Array.from(loadMnist({ seed: 1 }).testDigits), Array.from(data.testDigits));
  assert.match(describeMnist(data), /1001 × 0, 1127 × 1[\s\S]*1600 training rows[\s\S]*528 held out[\s\S]*Normalize\(0\.5, 0\.5\)/);
  assert.equal(loadMnist({ digits: [3, 8], nTrain: 100 }).counts.train[3] + loadMnist({ digits: [3, 8], nTrain: 100 }).counts.train[8], 100);
});

test("loader: selections the package cannot serve are refused with the fix", () => {
  const bad: [unknown, RegExp][] = [
    [[0, 10], /10 is not a digit the package serves; MNIST digits are the integers 0 to 9/],
    [[0, 1.5], /1\.5 is not a digit/],
    [[3, 3], /two different digits/],
    [[0], /two distinct digits/],
    [[0, 1, 2], /tells exactly two digits apart/],
  ];
  for (const [digits, re] of bad) assert.throws(() => loadMnist({ digits: digits as number[] }), (e: unknown) => e instanceof InputError && re.test(e.message), JSON.stringify(digits));
  assert.throws(() => loadMnist({ nTrain: 2128 }), (e: unknown) => e instanceof InputError && /nTrain must be an integer from 1 to 2127/.test(e.message));
});

test("training: the reference's network learns 0 vs 1 (held-out accuracy > 0.99), loss falls every epoch", () => {
  assert.deepEqual(trained.model.layerSizes, [...MNIST_LAYER_SIZES]);
  assert.equal(trained.losses.length, 10);
  assert.ok(trained.testAccuracy > 0.99, `held-out accuracy ${trained.testAccuracy}`);
  for (let e = 1; e < 10; e++) assert.ok(trained.losses[e] < trained.losses[e - 1], `epoch ${e + 1}`);
});

test("training: fast and tfjs engines agree (same init and batches; one epoch on 256 digits, outputs within 1e-4)", async () => {
  const small = { ...data, train: { ...data.train, n: 256, x: data.train.x.subarray(0, 256 * 784), y: data.train.y.subarray(0, 256) } };
  const a = trainMnistSync({ data: small, epochs: 1 });
  const b = await trainMnist({ data: small, epochs: 1, engine: "tfjs" });
  const ya = runWithCache(a.model, data.test.x, data.test.n, { names: [] }).output;
  const yb = runWithCache(b.model, data.test.x, data.test.n, { names: [] }).output;
  let max = 0;
  for (let i = 0; i < ya.length; i++) max = Math.max(max, Math.abs(ya[i] - yb[i]));
  assert.ok(max < 1e-4, `max output difference ${max}`);
  assert.ok(Math.abs(a.losses[0] - b.losses[0]) < 1e-5 * a.losses[0]);
});

test("head∘tail equals the whole network bit for bit on every digit, at every split point", () => {
  const all = new Float32Array((data.train.n + data.test.n) * 784);
  all.set(data.train.x);
  all.set(data.test.x, data.train.x.length);
  for (let at = 1; at <= 5; at++) {
    const s = splitMLP(trained.model, at);
    assert.deepEqual(s.head.layerSizes, MNIST_LAYER_SIZES.slice(0, at + 1));
    assert.deepEqual(s.tail.layerSizes, MNIST_LAYER_SIZES.slice(at));
    const c = checkSplit(trained.model, s, all, 2128);
    assert.ok(c.exact && c.maxAbsDiff === 0, `at ${at}: ${c.mismatches} mismatches`);
  }
  // the check can fail: a perturbed tail is caught
  const s = splitMLP(trained.model, 3);
  s.tail.biases[2][0] += 1e-3;
  assert.ok(!checkSplit(trained.model, s, data.test.x, data.test.n).exact);
  assert.throws(() => splitMLP(trained.model, 6), (e: unknown) => e instanceof InputError && /at must be a hidden layer index from 1 to 5/.test(e.message));
});

/** Every circuit of the tail by brute force: all node masks (inputs kept), all edge subsets between kept nodes. */
function bruteForceCircuits(tail: MLP, d: Dataset): { candidates: number; perfect: Set<string> } {
  const s = tail.layerSizes;
  const L = s.length - 1;
  const hidden = s.slice(1).reduce((a, b) => a + b, 0);
  let candidates = 0;
  const perfect = new Set<string>();
  for (let nm = 0; nm < 1 << hidden; nm++) {
    const nodeMasks: Uint8Array[] = [new Uint8Array(s[0]).fill(1)];
    let bit = hidden - 1;
    for (let l = 1; l <= L; l++) nodeMasks.push(Uint8Array.from({ length: s[l] }, () => (nm >> bit--) & 1));
    if (nodeMasks.every((m) => m.every((v) => v === 1))) continue; // the full node set is not a candidate
    const slots: [number, number][] = [];
    for (let i = 0; i < L; i++) for (let o = 0; o < s[i + 1]; o++) for (let j = 0; j < s[i]; j++) if (nodeMasks[i + 1][o] && nodeMasks[i][j]) slots.push([i, o * s[i] + j]);
    for (let em = 0; em < 2 ** slots.length; em++) {
      const edgeMasks = s.slice(1).map((v, i) => new Uint8Array(v * s[i]));
      slots.forEach(([i, k], q) => (edgeMasks[i][k] = (em >> q) & 1));
      // every kept neuron needs an incoming edge (beyond the inputs) and an outgoing one (before the output)
      let ok = true;
      for (let l = 0; l <= L && ok; l++)
        for (let j = 0; j < s[l] && ok; j++) {
          if (!nodeMasks[l][j]) continue;
          if (l > 0 && !edgeMasks[l - 1].subarray(j * s[l - 1], (j + 1) * s[l - 1]).some((v) => v)) ok = false;
          if (l < L && !Array.from({ length: s[l + 1] }, (_, o) => edgeMasks[l][o * s[l] + j]).some((v) => v)) ok = false;
        }
      if (!ok) continue;
      candidates++;
      const circuit: CircuitMasks = { nodeMasks, edgeMasks };
      const out = runWithCache(tail, d.x, d.n, { circuit, names: [] }).output;
      let correct = 0;
      for (let r = 0; r < d.n; r++) if (roundHalfEven(out[r]) === d.y[r]) correct++;
      if (correct / d.n > 0.99) perfect.add(`n:${nodeMasks.map((m) => m.join("")).join(".")}|e:${edgeMasks.map((m) => m.join("")).join(".")}`);
    }
  }
  return { candidates, perfect };
}

test("tail circuits equal a brute-force evaluation (masked forward pass per candidate) on 60 held-out digits", () => {
  const subset: Dataset = { x: data.test.x.subarray(0, 60 * 784), y: data.test.y.subarray(0, 60), n: 60, nInputs: 784, nOutputs: 1 };
  const t = tailCircuits(trained.model, subset);
  assert.equal(t.split.at, 3);
  assert.equal(t.search.nCandidates, 24366); // the reference's candidate count for the 3 → 3 → 3 → 1 tail
  assert.equal(t.tailCandidates, 24366n);
  const brute = bruteForceCircuits(t.split.tail, t.tailData);
  assert.equal(brute.candidates, 24366);
  const found = new Set(t.search.circuits.map(circuitKey));
  assert.ok(found.size > 0 && found.size < 24366, `${found.size} perfect circuits`);
  assert.deepEqual([...found].sort(), [...brute.perfect].sort());
});

test("tail circuits without metrics (early exit on wrong rows) = the accepted circuits of the full evaluation, at two thresholds", () => {
  const split = splitMLP(trained.model, 3);
  const tailData = tailDataset(split, data.test);
  for (const accuracyThreshold of [0.99, 0.95]) {
    const full = findCircuits(split.tail, tailData, { accuracyThreshold });
    const fast = findCircuits(split.tail, tailData, { accuracyThreshold, metrics: false });
    const expected = [...full.metrics!.accuracy.keys()].filter((i) => full.metrics!.accuracy[i] > accuracyThreshold);
    assert.ok(expected.length > 100 && expected.length < 24366, `${expected.length} circuits above ${accuracyThreshold}`);
    assert.deepEqual(fast.circuits.map((c) => c.index), expected);
    assert.deepEqual(fast.circuits, full.circuits);
  }
});

test("tail circuits on the held-out digits: the unablated tail's accuracy is the network's, wrong widths refused", () => {
  const t = tailCircuits(trained.model, data.test, { metrics: false });
  assert.equal(t.accuracy, trained.testAccuracy);
  assert.ok(t.search.circuits.length > 0);
  const three: Dataset = { x: t.tailData.x, y: t.tailData.y, n: t.tailData.n, nInputs: 3, nOutputs: 1 };
  assert.throws(() => tailCircuits(trained.model, three), (e: unknown) => e instanceof InputError && /rows have 3 values but the network \[784,128,128,3,3,3,1\] takes 784 inputs/.test(e.message));
  assert.throws(() => trainMnistSync({ data, layerSizes: [100, 3, 1] }), (e: unknown) => e instanceof InputError && /takes 100 .*MNIST rows have 784 pixels/.test(e.message));
});

test("binarised tail: midpoint thresholds of the class means, and the rewritten tail on codes = the tail on the class means", () => {
  const s = splitMLP(trained.model, 3);
  const b = binariseTail(s, data.train, data.test);
  const fit = runWithCache(s.head, data.train.x, data.train.n, { names: [] }).output;
  b.units.forEach((u, i) => {
    const m = [0, 1].map((c) => {
      let sum = 0;
      let n = 0;
      for (let r = 0; r < data.train.n; r++)
        if (data.train.y[r] === c) {
          sum += fit[r * 3 + i];
          n++;
        }
      return sum / n;
    });
    assert.ok(Math.abs(u.mean0 - m[0]) < 1e-9 && Math.abs(u.mean1 - m[1]) < 1e-9);
    assert.equal(u.threshold, (u.mean0 + u.mean1) / 2);
  });
  // code b stands for x = lo + b·(hi − lo): run the original tail there
  for (let code = 0; code < 8; code++) {
    const bits = [(code >> 2) & 1, (code >> 1) & 1, code & 1];
    const xs = bits.map((v, i) => (v ? Math.max(b.units[i].mean0, b.units[i].mean1) : Math.min(b.units[i].mean0, b.units[i].mean1)));
    const want = runWithCache(s.tail, Float32Array.from(xs), 1, { names: [] }).output[0];
    const got = runWithCache(b.tail, Float32Array.from(bits), 1, { names: [] }).output[0];
    assert.ok(Math.abs(want - got) < 1e-4 * Math.max(1, Math.abs(want)), `code ${code}: ${got} vs ${want}`);
  }
  assert.equal(b.codeCounts.reduce((t, c) => t + c.rows, 0), 528);
  assert.equal(b.interpretations.length, b.search.circuits.length);
  assert.ok(b.interpretations.every((v) => Number.isInteger(v) && v >= 1));
});

test("candidate counts: the big-integer transform equals the circuit stage's count; the whole MNIST network dwarfs its tail", () => {
  for (const s of [[3, 3, 3, 1], [2, 3, 3, 1], [2, 4, 3, 2], [3, 2, 4, 1], [5, 5, 1], [4, 1, 1, 2]])
    for (const includeFullNodeSet of [false, true]) assert.equal(countCandidatesUnfiltered(s, { includeFullNodeSet }), countCandidatesExact(s, { minSparsity: 0, includeFullNodeSet }), `${s} ${includeFullNodeSet}`);
  // [n, 1]: one output, every input must feed it: exactly one candidate (the full set, when included)
  assert.equal(countCandidatesUnfiltered([784, 1], { includeFullNodeSet: true }), 1n);
  // [n, 2, 1] by hand: one hidden neuron must read every input (2 ways); two hidden neurons: each input feeds one,
  // the other or both, minus the 2 assignments leaving a neuron without input: 3^n − 2; in all 3^n
  const n = 40;
  assert.equal(countCandidatesUnfiltered([n, 2, 1], { includeFullNodeSet: true }), 3n ** BigInt(n));
  const whole = countCandidatesUnfiltered(MNIST_LAYER_SIZES);
  assert.ok(whole.toString().length > 30000, `${whole.toString().length} digits`);
});
