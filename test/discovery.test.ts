/**
 * Circuit discovery methods against independent oracles: finite differences for the analytic gradients, the
 * float32 ablated run for the differentiable pass, exact single-edge patching for EAP on a linear network, a
 * hand-built redundant path for ACDC, λ = 0 for the learned masks, and a brute-force enumeration (every candidate run
 * through runWithCache) for the verdicts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Ablation, ABLATIONS, DiscoveryGraph, DiscoveryTask, InputError, MLP, Rng, acdc, ablatedOutput, auroc, circuitIncluded, circuitMasksKey,
  circuitVerdict, cleanDataset, defaultAnalysisData, discoveryGraph, discoveryTask, eapScores, edgesToCircuit, enumerateCircuits,
  exhaustiveTruth, isCandidate, learnMasks, loadReleasedModel, makeAblation, metricGradient, metricLoss, mixedBackward, mixedForward,
  mlpFromArrays, roundHalfEven, runDiscovery, runWithCache, Dataset, DiscoveryMetric,
} from "../src";

const released = loadReleasedModel().model;
const xorVal = defaultAnalysisData("XOR", 2).val;

function lossAt(model: MLP, g: DiscoveryGraph, task: DiscoveryTask, ab: Ablation, z: ArrayLike<number>, metric: DiscoveryMetric): number {
  const pass = mixedForward(model, g, task.x, task.u, ab.activations, z);
  return metricLoss(metric, task, pass.acts[pass.acts.length - 1]);
}

test("the mask gradients equal central finite differences (every metric, every ablation)", () => {
  const g = discoveryGraph(released);
  const task = discoveryTask(released, xorVal);
  const rng = new Rng(3);
  for (const kind of ABLATIONS) {
    const ab = makeAblation(released, task, kind, 1);
    for (const metric of ["mse", "logit-diff", "output-mse"] as const) {
      const z = Float64Array.from(g.edges, () => 0.2 + 0.6 * rng.double());
      const pass = mixedForward(released, g, task.x, task.u, ab.activations, z);
      const L = pass.acts.length - 1;
      const { dz } = mixedBackward(released, g, pass, task.u, ab.activations, z, metricGradient(metric, task, pass.acts[L]));
      const h = 1e-6;
      for (let e = 0; e < z.length; e++) {
        const zp = z.slice();
        const zm = z.slice();
        zp[e] += h;
        zm[e] -= h;
        const fd = (lossAt(released, g, task, ab, zp, metric) - lossAt(released, g, task, ab, zm, metric)) / (2 * h);
        assert.ok(Math.abs(fd - dz[e]) < 1e-6 + 1e-5 * Math.abs(fd), `${kind} ${metric} edge ${e}: analytic ${dz[e]}, finite difference ${fd}`);
      }
    }
  }
});

test("the differentiable pass at binary masks equals the ablated run of runWithCache (float32)", () => {
  const g = discoveryGraph(released);
  const task = discoveryTask(released, xorVal);
  const rng = new Rng(5);
  for (const kind of ABLATIONS) {
    const ab = makeAblation(released, task, kind, 2);
    for (let trial = 0; trial < 20; trial++) {
      const kept = Uint8Array.from(g.edges, () => (rng.double() < 0.6 ? 1 : 0));
      const f32 = ablatedOutput(released, g, task, ab, kept);
      const f64 = mixedForward(released, g, task.x, task.u, ab.activations, kept).acts[3];
      for (let r = 0; r < task.u; r++) assert.ok(Math.abs(f32[r] - f64[r]) < 1e-5, `${kind} trial ${trial} row ${r}: ${f32[r]} vs ${f64[r]}`);
    }
  }
  // Zero ablation is the exhaustive search's: an edge set run as circuit masks gives the same outputs.
  const kept = Uint8Array.from(g.edges, (_, e) => (e % 3 ? 1 : 0));
  const c = edgesToCircuit(g, kept);
  const viaCircuit = runWithCache(released, task.x, task.u, { circuit: c, names: [] }).output;
  const viaAblation = ablatedOutput(released, g, task, makeAblation(released, task, "zero"), Uint8Array.from(c.edgeMasks.flatMap((m) => Array.from(m))));
  assert.deepEqual(Array.from(viaAblation), Array.from(viaCircuit));
});

/** [2,3,2,1] with positive weights and biases: every pre-activation stays positive, LeakyReLU is the identity. */
function linearNet(seed: number): MLP {
  const rng = new Rng(seed);
  const sizes = [2, 3, 2, 1];
  const W = sizes.slice(1).map((o, i) => Array.from({ length: o }, () => Array.from({ length: sizes[i] }, () => 0.1 + rng.double())));
  const b = sizes.slice(1).map((o) => Array.from({ length: o }, () => 0.05 + 0.5 * rng.double()));
  return mlpFromArrays(sizes, W, b, ["XOR"]);
}

test("on a linear network EAP's scores are the exact single-edge patching effects, and EAP-IG's equal EAP's", () => {
  for (const seed of [1, 2]) {
    const model = linearNet(seed);
    const g = discoveryGraph(model);
    const task = discoveryTask(model, cleanDataset(["AND"]));
    for (const kind of ABLATIONS) {
      const ab = makeAblation(model, task, kind, seed);
      const scores = eapScores(model, g, task, ab, { metric: "logit-diff" });
      const ig = eapScores(model, g, task, ab, { metric: "logit-diff", steps: 7 });
      const base = metricLoss("logit-diff", task, ablatedOutput(model, g, task, ab, new Uint8Array(g.edges.length).fill(1)));
      let nonzero = 0;
      for (const e of g.edges) {
        const kept = new Uint8Array(g.edges.length).fill(1);
        kept[e.id] = 0;
        const exact = metricLoss("logit-diff", task, ablatedOutput(model, g, task, ab, kept)) - base;
        assert.ok(Math.abs(exact - scores[e.id]) < 2e-6, `seed ${seed} ${kind} edge ${e.id}: EAP ${scores[e.id]}, exact ${exact}`);
        assert.ok(Math.abs(ig[e.id] - scores[e.id]) < 1e-9, `seed ${seed} ${kind} edge ${e.id}: EAP-IG ${ig[e.id]} vs EAP ${scores[e.id]}`);
        if (Math.abs(exact) > 1e-3) nonzero++;
      }
      if (kind !== "resample") assert.ok(nonzero > g.edges.length / 2, `${kind}: the effects are not trivially zero`);
    }
  }
  // Off the linear regime (the released model, squared loss) the first-order estimate is not exact: the check can fail.
  const g = discoveryGraph(released);
  const task = discoveryTask(released, xorVal);
  const ab = makeAblation(released, task, "zero");
  const s = eapScores(released, g, task, ab, { metric: "mse" });
  const base = metricLoss("mse", task, ablatedOutput(released, g, task, ab, new Uint8Array(g.edges.length).fill(1)));
  const worst = Math.max(...g.edges.map((e) => {
    const kept = new Uint8Array(g.edges.length).fill(1);
    kept[e.id] = 0;
    return Math.abs(metricLoss("mse", task, ablatedOutput(released, g, task, ab, kept)) - base - s[e.id]);
  }));
  assert.ok(worst > 1e-3, `EAP is exact on the released (non-linear) model too? worst error ${worst}`);
});

/** AND with a redundant copy: L1.0 and L1.1 both compute x0 ∧ x1 and each alone carries the output; L1.2 is unused. */
function redundantAnd(): MLP {
  return mlpFromArrays([2, 3, 1], [[[1, 1], [1, 1], [1, 0]], [[0.6, 0.6, 0]]], [[-1, -1, 0], [0]], ["AND"]);
}

/** Every candidate circuit run through runWithCache: perfect ones, and the minimal ones by pairwise inclusion. */
function bruteForce(model: MLP, val: Dataset) {
  const all = [...enumerateCircuits(model.layerSizes)];
  const accuracy = all.map((c) => {
    const out = runWithCache(model, val.x, val.n, { circuit: c, names: [] }).output;
    let ok = 0;
    for (let r = 0; r < val.n; r++) if (roundHalfEven(out[r]) === val.y[r]) ok++;
    return ok / val.n;
  });
  const perfect = all.map((c, i) => ({ c, i })).filter(({ i }) => accuracy[i] > 0.99);
  const minimal = new Set(perfect.filter(({ c }) => !perfect.some((o) => o.c !== c && circuitIncluded(o.c, c) && circuitMasksKey(o.c) !== circuitMasksKey(c))).map(({ i }) => i));
  return { all, perfect, minimal, keys: new Map(all.map((c, i) => [circuitMasksKey(c), i])) };
}

test("ACDC on a network with a redundant path returns a minimal perfect circuit (brute force), for two metrics", () => {
  const model = redundantAnd();
  const val = cleanDataset(["AND"]);
  const truth = exhaustiveTruth(model, val);
  const bf = bruteForce(model, val);
  assert.equal(truth.perfect.length, bf.perfect.length);
  const g = discoveryGraph(model);
  const task = discoveryTask(model, val);
  const ab = makeAblation(model, task, "zero");
  for (const [metric, tau] of [["accuracy", 0.1], ["output-mse", 0.2]] as const) {
    const res = acdc(model, g, task, ab, { tau, metric });
    const v = circuitVerdict(model, truth, res.circuit, res.scores);
    assert.ok(v.perfect && v.minimal, `${metric}: ACDC's answer ${circuitMasksKey(res.circuit)} is not a minimal perfect circuit`);
    assert.ok(bf.minimal.has(bf.keys.get(circuitMasksKey(res.circuit))!), `${metric}: not minimal by brute force`);
    assert.equal(v.edges, 3, "one path: two input edges and one output edge");
  }
  // τ = 0 removes only edges whose removal does not raise the loss: the dead neuron's, not the redundant path.
  const strict = acdc(model, g, task, ab, { tau: 1e-12, metric: "output-mse" });
  const v = circuitVerdict(model, truth, strict.circuit);
  assert.ok(v.sufficient && !v.minimal && v.edges === 6, `τ≈0 keeps both copies: ${v.edges} edges`);
});

test("hard-concrete masks: λ = 0 keeps the full network; a large λ prunes; seeded runs repeat", () => {
  const g = discoveryGraph(released);
  const task = discoveryTask(released, xorVal);
  const ab = makeAblation(released, task, "zero");
  for (const kind of ["edges", "nodes"] as const) {
    for (const seed of [0, 1, 2, 3]) {
      const full = learnMasks(released, g, task, ab, { kind, lambda: 0, metric: "output-mse", seed });
      assert.deepEqual(Array.from(full.kept), new Array(g.edges.length).fill(1), `${kind} seed ${seed}: λ = 0 dropped an edge`);
    }
    const sparse = learnMasks(released, g, task, ab, { kind, lambda: 3, metric: "output-mse", seed: 4 });
    assert.ok(sparse.kept.reduce((a, b) => a + b, 0) < g.edges.length, `${kind}: λ = 3 kept everything`);
    const again = learnMasks(released, g, task, ab, { kind, lambda: 3, metric: "output-mse", seed: 4 });
    assert.deepEqual(Array.from(again.masks), Array.from(sparse.masks));
  }
});

test("verdicts equal a brute-force enumeration on small networks (candidate, perfect, index, minimal)", () => {
  const rng = new Rng(11);
  const nets: [MLP, Dataset][] = [
    [redundantAnd(), cleanDataset(["AND"])],
    [released, xorVal],
  ];
  for (const [model, val] of nets) {
    const truth = exhaustiveTruth(model, val);
    const bf = bruteForce(model, val);
    const g = truth.graph;
    assert.deepEqual(truth.perfect.map((p) => p.index), bf.perfect.map((p) => p.i));
    // Every perfect circuit: perfect, its index, minimal exactly when brute force says so.
    for (const { c, i } of bf.perfect) {
      const v = circuitVerdict(model, truth, c);
      assert.ok(v.candidate && v.sufficient && v.perfect && v.index === i, `candidate ${i}`);
      assert.equal(v.minimal, bf.minimal.has(i), `candidate ${i} minimal`);
    }
    // Random edge sets: a candidate exactly when the enumeration has it; perfect exactly when brute force accepts it.
    let candidates = 0;
    for (let t = 0; t < 300; t++) {
      const p = 0.3 + 0.6 * rng.double();
      const c = edgesToCircuit(g, Uint8Array.from(g.edges, () => (rng.double() < p ? 1 : 0)));
      const at = bf.keys.get(circuitMasksKey(c));
      const v = circuitVerdict(model, truth, c);
      assert.equal(v.candidate, at !== undefined, `random set ${t}: candidate`);
      assert.equal(isCandidate(truth, c), at !== undefined);
      if (at !== undefined) candidates++;
      assert.equal(v.perfect, at !== undefined && bf.perfect.some((q) => q.i === at), `random set ${t}: perfect`);
      if (v.perfect) assert.equal(v.minimal, bf.minimal.has(at!));
    }
    assert.ok(candidates > 20, `only ${candidates} random sets were candidates: the check is weak`);
  }
});

test("edge sets become circuits without dangling neurons; AUROC on a hand case", () => {
  const model = redundantAnd();
  const g = discoveryGraph(model);
  // x0→L1.0 and L1.1→out: L1.0 has no outgoing edge, L1.1 no incoming one: both go, nothing is left.
  const kept = new Uint8Array(g.edges.length);
  kept[0] = 1;
  kept[g.offsets[1] + 1] = 1;
  const c = edgesToCircuit(g, kept);
  assert.deepEqual(c.edgeMasks.map((m) => Array.from(m)), [[0, 0, 0, 0, 0, 0], [0, 0, 0]]);
  assert.deepEqual(Array.from(c.nodeMasks[1]), [0, 0, 0]);
  assert.equal(auroc([0.9, 0.8, 0.3, 0.1], [1, 0, 1, 0]), 0.75);
  assert.equal(auroc([1, 1, 1], [1, 0, 1]), 0.5);
  assert.equal(auroc([1, 2], [1, 1]), null);
});

test("bad settings are refused with InputError naming the option", () => {
  const g = discoveryGraph(released);
  const task = discoveryTask(released, xorVal);
  assert.throws(() => runDiscovery(released, g, task, { method: "eap", metric: "accuracy" }), (e: Error) => e instanceof InputError && /gradient/.test(e.message));
  assert.throws(() => runDiscovery(released, g, task, { method: "acdc", tau: -1 }), (e: Error) => e instanceof InputError && /--tau/.test(e.message));
  assert.throws(() => runDiscovery(released, g, task, { method: "nope" as never }), (e: Error) => e instanceof InputError && /acdc, eap, eap-ig, masks/.test(e.message));
  assert.throws(() => runDiscovery(released, g, task, { method: "masks", ablation: "noise" as never }), (e: Error) => e instanceof InputError && /zero, mean, resample/.test(e.message));
  assert.throws(() => discoveryTask(mlpFromArrays([2, 2], [[[1, 0], [0, 1]]], [[0, 0]]), cleanDataset(["AND", "OR"])), InputError);
});
