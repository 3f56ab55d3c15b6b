import { test } from "node:test";
import assert from "node:assert/strict";
import { CandidateBudgetError, PerfectCircuit, countCandidates, countEdgeMatrices, enumerateCircuits, findCircuits, circuitIncluded, circuitJaccard, circuitSparsity, sparsestCircuits } from "../src/circuits";
import { CircuitMasks, MLP, forwardAll, roundHalfEven, mlpFromArrays } from "../src/model";
import { Rng } from "../src/rng";
import { loadNotebookData, loadReleasedModel } from "../src/reference";
import { Dataset, cleanInputs, generateData, getGate, makeTask } from "../src/tasks";


test("closed-form candidate counts match SPEC 4.3's table", () => {
  const table: [number[], number][] = [[[2, 2, 2, 1], 20], [[2, 3, 3, 1], 3000], [[2, 4, 4, 1], 168672], [[2, 5, 5, 1], 1092035], [[3, 3, 3, 1], 24366], [[2, 3, 1], 24], [[2, 3, 3, 3, 1], 812808]];
  for (const [s, n] of table) assert.equal(countCandidates(s), n, s.join(","));
  assert.equal(countCandidates([2, 4, 4, 1], { minSparsity: 0 }), 1067648);
  assert.equal(countCandidates([2, 5, 5, 1], { minSparsity: 0 }), 1247432400);
  assert.deepEqual([countEdgeMatrices(2, 2), countEdgeMatrices(3, 3), countEdgeMatrices(4, 2)], [7n, 265n, 79n]);
});

test("enumeration yields exactly the counted candidates, all valid and distinct", () => {
  for (const s of [[2, 2, 2, 1], [2, 3, 1], [2, 3, 3, 1], [2, 4, 4, 1]]) {
    const seen = new Set<string>();
    for (const c of enumerateCircuits(s)) seen.add(c.edgeMasks.map((m) => m.join("")).join("|"));
    assert.equal(seen.size, countCandidates(s));
  }
  const first = enumerateCircuits([2, 3, 3, 1]).next().value as CircuitMasks;
  assert.deepEqual(Array.from(first.nodeMasks[1]), [0, 0, 1]); // MSB-first, i = 1 first (i = 0 has no edges)
});

function randomModel(sizes: number[], seed: number): MLP {
  const rng = new Rng(seed);
  return mlpFromArrays(sizes, sizes.slice(1).map((o, i) => Array.from({ length: o }, () => Array.from({ length: sizes[i] }, () => rng.normal() * 1.5))), sizes.slice(1).map((o) => Array.from({ length: o }, () => rng.normal() * 0.5)), new Array(sizes[sizes.length - 1]).fill("XOR"));
}

function cleanData(gate: string, labels?: number[]): Dataset {
  const x = cleanInputs(2);
  const t = labels ?? Array.from(getGate(gate).table);
  return { x, y: Float32Array.from(t), n: 4, nInputs: 2, nOutputs: 1 };
}

/** Every 0/1 edge mask; keep the valid ones (SPEC 4.1), run forwardAll naively. */
function bruteForce(m: MLP, data: Dataset): string[] {
  const sizes = m.layerSizes;
  const L = sizes.length - 1;
  const nE = sizes.slice(1).reduce((s, v, i) => s + v * sizes[i], 0);
  const kept: string[] = [];
  for (let bits = 0; bits < 2 ** nE; bits++) {
    let b = 0;
    const edgeMasks = sizes.slice(1).map((o, i) => Uint8Array.from({ length: o * sizes[i] }, () => (bits >> b++) & 1));
    const nodeMasks = sizes.map((s, l) => Uint8Array.from({ length: s }, (_, j) => {
      if (l === 0 || l === L) return 1;
      const hasIn = Array.from({ length: sizes[l - 1] }, (_, p) => edgeMasks[l - 1][j * sizes[l - 1] + p]).some(Boolean);
      const hasOut = Array.from({ length: sizes[l + 1] }, (_, q) => edgeMasks[l][q * s + j]).some(Boolean);
      return hasIn || hasOut ? 1 : 0;
    }));
    let valid = true;
    for (let i = 0; i < L; i++)
      for (let o = 0; o < sizes[i + 1]; o++)
        for (let p = 0; p < sizes[i]; p++) {
          const e = edgeMasks[i][o * sizes[i] + p];
          if (e && (!nodeMasks[i][p] || !nodeMasks[i + 1][o])) valid = false;
        }
    for (let l = 0; l <= L; l++)
      for (let j = 0; j < sizes[l]; j++) {
        if (!nodeMasks[l][j]) continue;
        if (l > 0 && !Array.from({ length: sizes[l - 1] }, (_, p) => edgeMasks[l - 1][j * sizes[l - 1] + p]).some(Boolean)) valid = false;
        if (l < L && !Array.from({ length: sizes[l + 1] }, (_, q) => edgeMasks[l][q * sizes[l] + j]).some(Boolean)) valid = false;
      }
    if (!valid || nodeMasks.slice(1, L).every((mk) => mk.every(Boolean))) continue;
    const out = forwardAll(m, data.x, data.n, { circuit: { nodeMasks, edgeMasks } })[L];
    let ok = 0;
    for (let r = 0; r < data.n; r++) if (roundHalfEven(out[r]) === data.y[r]) ok++;
    if (ok / data.n > 0.99) kept.push(edgeMasks.map((mk) => mk.join("")).join("|"));
  }
  return kept.sort();
}

test("batched evaluation finds the same perfect circuits as naive forwardAll on every edge mask", () => {
  let nonEmpty = 0;
  for (const sizes of [[2, 2, 2, 1], [2, 2, 1], [2, 3, 1]])
    for (let seed = 1; seed <= 25; seed++) {
      const m = randomModel(sizes, seed * 7 + sizes.length);
      // Labels = the full model's own rounded outputs, so that circuits do pass.
      const full = forwardAll(m, cleanInputs(2), 4)[sizes.length - 1];
      const data = cleanData("XOR", Array.from(full, (v) => Math.min(1, Math.max(0, roundHalfEven(v)))));
      const fast = findCircuits(m, data).circuits.map((c) => c.masks.edgeMasks.map((mk) => mk.join("")).join("|")).sort();
      assert.deepEqual(fast, bruteForce(m, data), `${sizes} seed ${seed}`);
      if (fast.length) nonEmpty++;
    }
  assert.ok(nonEmpty > 10, `only ${nonEmpty} models had circuits`);
});

test("released model: 3000 candidates, 7 perfect circuits on the notebook's validation data", () => {
  const f = loadReleasedModel();
  const { val, stored } = loadNotebookData();
  assert.equal(stored.circuits, 7);
  const r = findCircuits(f.model, val);
  assert.equal(r.nCandidates, 3000);
  assert.equal(r.circuits.length, 7);
  assert.ok(r.metrics!.accuracy.every((a, i) => (a > 0.99) === r.circuits.some((c) => c.index === i)));
  // Same metrics as a naive forwardAll on one accepted circuit.
  const c = r.circuits[0].masks;
  const out = forwardAll(f.model, val.x, val.n, { circuit: c })[3];
  const full = forwardAll(f.model, val.x, val.n)[3];
  let ok = 0, se = 0;
  for (let i = 0; i < val.n; i++) {
    if (roundHalfEven(out[i]) === val.y[i]) ok++;
    se += (out[i] - full[i]) ** 2;
  }
  assert.equal(r.circuits[0].accuracy, ok / val.n);
  assert.ok(Math.abs(r.circuits[0].logitSimilarity - (1 - se / val.n)) < 1e-9);
});

test("inclusion and Jaccard", () => {
  const all = [...enumerateCircuits([2, 2, 1])];
  for (const a of all) {
    assert.ok(circuitIncluded(a, a));
    assert.equal(circuitJaccard(a, a), 1);
    for (const b of all) assert.equal(circuitIncluded(a, b) && circuitIncluded(b, a), a === b);
  }
});

test("refuses an enumeration past the limit with a typed error carrying the count and the time estimate", () => {
  const m = randomModel([2, 5, 5, 1], 1);
  assert.throws(() => findCircuits(m, cleanData("XOR"), { minSparsity: 0 }), /1,247,432,400 candidate circuits.*--min-sparsity/);
  try {
    findCircuits(m, cleanData("XOR"), { maxCandidates: 1000 });
    assert.fail("no refusal");
  } catch (e) {
    assert.ok(e instanceof CandidateBudgetError);
    assert.deepEqual([e.nCandidates, e.limit, e.layerSizes], [1092035, 1000, [2, 5, 5, 1]]);
    assert.ok(Math.abs(e.estimatedSeconds - 1.092035) < 1e-9);
  }
});

test("findCircuits names a missing or malformed argument", () => {
  const m = randomModel([2, 2, 1], 1);
  assert.throws(() => findCircuits(m, undefined as any), /findCircuits: data must be a Dataset.*cleanInputs/);
  assert.throws(() => findCircuits(m, { x: [0, 1], y: [1], n: 1, nInputs: 2, nOutputs: 1 } as any), /data must be a Dataset/);
  assert.throws(() => findCircuits(undefined as any, cleanData("XOR")), /findCircuits: model must be an MLP/);
  assert.throws(() => findCircuits(m, { ...cleanData("XOR"), n: 5 }), /data\.x has 8 values.*n = 5 rows need 10/);
  assert.throws(() => findCircuits(m, { ...cleanData("XOR"), nInputs: 3 }), /3 inputs\/1 outputs; the model \[2,2,1\] needs 2\/1/);
});

/** The oracle's metrics of one candidate: a masked forward pass in plain loops (float32 like the model), row by row. */
interface NaiveMetrics {
  accuracy: number;
  logitSimilarity: number;
  agreement: number;
  nodeSparsity: number;
  edgeSparsity: number;
  combinedSparsity: number;
}

function naiveOutputs(m: MLP, c: CircuitMasks | null, xRow: ArrayLike<number>): number[] {
  const sizes = m.layerSizes;
  let h = Array.from(xRow, (v, j) => (c && !c.nodeMasks[0][j] ? 0 : v));
  for (let i = 0; i + 1 < sizes.length; i++) {
    const next: number[] = [];
    for (let o = 0; o < sizes[i + 1]; o++) {
      let acc = 0;
      for (let j = 0; j < sizes[i]; j++) {
        const w = c && !c.edgeMasks[i][o * sizes[i] + j] ? 0 : m.weights[i][o * sizes[i] + j];
        acc = Math.fround(acc + Math.fround(w * h[j]));
      }
      const z = Math.fround(acc + m.biases[i][o]);
      const a = z >= 0 ? z : Math.fround(z * Math.fround(0.01)); // torch multiplies by the slope cast to float32
      next.push(c && !c.nodeMasks[i + 1][o] ? 0 : a);
    }
    h = next;
  }
  return h;
}

function naiveMetrics(m: MLP, c: CircuitMasks, data: Dataset): NaiveMetrics {
  const sizes = m.layerSizes;
  const nOut = data.nOutputs;
  let correct = 0, agree = 0, se = 0;
  for (let r = 0; r < data.n; r++) {
    const xr = data.x.subarray(r * data.nInputs, (r + 1) * data.nInputs);
    const out = naiveOutputs(m, c, xr);
    const full = naiveOutputs(m, null, xr);
    if (out.every((v, o) => roundHalfEven(v) === data.y[r * nOut + o])) correct++;
    if (out.every((v, o) => roundHalfEven(v) === roundHalfEven(full[o]))) agree++;
    out.forEach((v, o) => (se += (v - full[o]) ** 2));
  }
  // Sparsities counted from the masks: hidden nodes, all edges, both together.
  let hidden = 0, hiddenOff = 0, edges = 0, edgesOff = 0;
  for (let l = 1; l < sizes.length - 1; l++)
    for (const v of c.nodeMasks[l]) {
      hidden++;
      if (!v) hiddenOff++;
    }
  for (const mk of c.edgeMasks)
    for (const v of mk) {
      edges++;
      if (!v) edgesOff++;
    }
  return {
    accuracy: correct / data.n,
    logitSimilarity: 1 - se / (data.n * nOut),
    agreement: agree / data.n,
    nodeSparsity: hiddenOff / hidden,
    edgeSparsity: edgesOff / edges,
    combinedSparsity: (hiddenOff + edgesOff) / (hidden + edges),
  };
}

const maskKey = (c: CircuitMasks) => [...c.nodeMasks, ...c.edgeMasks].map((mk) => mk.join("")).join("|");

/** findCircuits' per-candidate metrics and perfect-circuit records against the naive oracle on every candidate. */
function checkAgainstOracle(m: MLP, data: Dataset, threshold: number, label: string): number {
  const r = findCircuits(m, data, { accuracyThreshold: threshold });
  const candidates = [...enumerateCircuits(m.layerSizes)];
  assert.equal(r.nCandidates, candidates.length, label);
  const expected: PerfectCircuit[] = [];
  candidates.forEach((c, i) => {
    const want = naiveMetrics(m, c, data);
    const close = (k: keyof NaiveMetrics, got: number, tol: number) => assert.ok(Math.abs(got - want[k]) <= tol, `${label} candidate ${i} ${k}: ${got} vs oracle ${want[k]}`);
    close("accuracy", r.metrics!.accuracy[i], 0);
    close("agreement", r.metrics!.agreement[i], 0);
    close("logitSimilarity", r.metrics!.logitSimilarity[i], 1e-9);
    close("nodeSparsity", r.metrics!.nodeSparsity[i], 1e-12);
    close("edgeSparsity", r.metrics!.edgeSparsity[i], 1e-12);
    close("combinedSparsity", r.metrics!.combinedSparsity[i], 1e-12);
    if (want.accuracy > threshold) expected.push({ index: i, masks: c, ...want });
  });
  assert.equal(r.circuits.length, expected.length, `${label}: perfect circuits`);
  r.circuits.forEach((got, k) => {
    const want = expected[k];
    assert.equal(got.index, want.index, label);
    assert.equal(maskKey(got.masks), maskKey(want.masks), label);
    for (const key of ["accuracy", "agreement"] as const) assert.equal(got[key], want[key], `${label} ${key}`);
    for (const key of ["logitSimilarity", "nodeSparsity", "edgeSparsity", "combinedSparsity"] as const)
      assert.ok(Math.abs(got[key] - want[key]) <= 1e-9, `${label} circuit ${got.index} ${key}: ${got[key]} vs ${want[key]}`);
    // the record's metrics are the candidate's row of the metrics table
    assert.equal(got.logitSimilarity, r.metrics!.logitSimilarity[got.index]);
  });
  // without the table, the same records
  const lean = findCircuits(m, data, { accuracyThreshold: threshold, metrics: false });
  assert.equal(lean.metrics, undefined);
  assert.deepEqual(lean.circuits, r.circuits);
  return expected.length;
}

test("metrics and perfect-circuit records equal a naive masked forward on every candidate (clean rows)", () => {
  let accepted = 0;
  for (const [sizes, seed] of [[[2, 2, 2, 1], 3], [[2, 3, 1], 4], [[2, 3, 3, 1], 5], [[2, 3, 2], 6]] as const) {
    const m = randomModel([...sizes], seed);
    const nOut = sizes[sizes.length - 1];
    const full = forwardAll(m, cleanInputs(2), 4)[sizes.length - 1];
    // labels: the full model's rounded outputs with one flipped, so accuracies spread over 0 … 1
    const y = Float32Array.from(full, (v) => Math.min(1, Math.max(0, roundHalfEven(v))));
    y[nOut] = 1 - y[nOut];
    accepted += checkAgainstOracle(m, { x: cleanInputs(2), y, n: 4, nInputs: 2, nOutputs: nOut }, 0.5, `[${sizes}]`);
  }
  assert.ok(accepted > 20, `only ${accepted} circuits accepted: the record check would be vacuous`);
});

test("repeated and noisy rows: the deduplicated evaluation equals the oracle row by row", () => {
  const m = randomModel([2, 3, 3, 1], 11);
  // noisy rows (all distinct), repeated clean rows, and repeated inputs with conflicting labels
  const noisy = generateData(makeTask(["XOR"]), { nRepeats: 3, noiseStd: 0.2, rng: new Rng(1) });
  const repeated = generateData(makeTask(["XOR"]), { nRepeats: 10, rng: new Rng(2) });
  const y = Float32Array.from(repeated.y);
  for (let r = 0; r < y.length; r += 7) y[r] = 1 - y[r];
  const data: Dataset = { x: Float32Array.of(...noisy.x, ...repeated.x), y: Float32Array.of(...noisy.y, ...y), n: noisy.n + repeated.n, nInputs: 2, nOutputs: 1 };
  assert.equal(data.n, 36 + 40);
  checkAgainstOracle(m, data, 0.55, "noisy + repeated");
  // the threshold is strict (SPEC 4.4): a circuit at exactly the threshold is not kept
  const r = findCircuits(m, data, { accuracyThreshold: 0 });
  const at = r.circuits.find((c) => r.circuits.some((d) => d.accuracy < c.accuracy))!;
  assert.ok(findCircuits(m, data, { accuracyThreshold: at.accuracy, metrics: false }).circuits.every((c) => c.accuracy > at.accuracy));
});

test("released model: 32 perfect circuits on the four clean inputs", () => {
  const r = findCircuits(loadReleasedModel().model, cleanData("XOR"));
  assert.equal(r.circuits.length, 32);
  r.circuits.forEach((c) => assert.deepEqual(circuitSparsity(c.masks), { node: c.nodeSparsity, edge: c.edgeSparsity, combined: c.combinedSparsity }));
});

/** Naive rule for --max-circuits m: keep a circuit iff fewer than m circuits come before it (sparser, or as sparse and earlier). */
function naiveSparsest(circuits: readonly PerfectCircuit[], m: number): number[] {
  return circuits
    .filter((c, i) => circuits.filter((d, j) => d.nodeSparsity > c.nodeSparsity || (d.nodeSparsity === c.nodeSparsity && j < i)).length < m)
    .map((c) => c.index);
}

test("sparsestCircuits (--max-circuits) keeps the m sparsest, ties in enumeration order, as the naive rule", () => {
  const circuits = findCircuits(loadReleasedModel().model, cleanData("XOR")).circuits;
  const levels = new Set(circuits.map((c) => c.nodeSparsity));
  assert.ok(levels.size >= 2, "several sparsity levels, so the choice matters");
  for (let m = 0; m <= circuits.length + 1; m++) {
    const kept = sparsestCircuits(circuits, m);
    assert.deepEqual(kept.map((c) => c.index), naiveSparsest(circuits, m), `m = ${m}`);
    assert.equal(kept.length, Math.min(m, circuits.length));
  }
  // ties: equal sparsities keep the earliest; the result is in enumeration order, not sparsity order
  const fake = [0.5, 0.2, 0.5, 0.8, 0.2, 0.5].map((s, i) => ({ ...circuits[0], index: 10 * i, nodeSparsity: s }));
  assert.deepEqual(sparsestCircuits(fake, 3).map((c) => c.index), [0, 20, 30]);
  assert.deepEqual(sparsestCircuits(fake, 3).map((c) => c.index), naiveSparsest(fake, 3));
  assert.throws(() => sparsestCircuits(circuits, -1), /m \(max circuits\) must be an integer ≥ 0/);
});
