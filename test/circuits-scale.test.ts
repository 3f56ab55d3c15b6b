import { test } from "node:test";
import assert from "node:assert/strict";
import { acceptedSumInterval, countPerfectCircuits, defaultMinSparsity, enumerateCircuits, estimatePerfectCountWork, findCircuits, listPerfectCircuits } from "../src/circuits";
import { CircuitMasks, MLP, forwardAll, mlpFromArrays, roundHalfEven } from "../src/model";
import { BudgetError, InputError } from "../src/errors";
import { Rng } from "../src/rng";
import { sumCircuitInterpretations } from "../src/interpretations";
import { analyzeModelFile, candidateOptions, circuitsMethod, resolveSettings, settingFlag } from "../src/analysis";
import { analysisColumns } from "../src/analysis/format";
import { Dataset, cleanInputs } from "../src/tasks";
import { fixture, randomModel } from "./network-size-models";

/** Clean inputs repeated `reps[r]` times each, labelled with the full model's rounded outputs clipped to {0, 1} (so circuits pass). */
function selfLabelled(m: MLP, reps = [1, 1, 1, 1]): Dataset {
  const x4 = cleanInputs(2);
  const full = forwardAll(m, x4, 4)[m.layerSizes.length - 1];
  const xs: number[] = [];
  const ys: number[] = [];
  reps.forEach((k, r) => {
    for (let i = 0; i < k; i++) {
      xs.push(x4[2 * r], x4[2 * r + 1]);
      ys.push(Math.min(1, Math.max(0, roundHalfEven(full[r]))));
    }
  });
  return { x: Float32Array.from(xs), y: Float32Array.from(ys), n: ys.length, nInputs: 2, nOutputs: 1 };
}

/**
 * The oracle: every candidate of the full enumeration (full node set included), run by the plain forward pass with
 * its masks, accuracy counted row by row. Returns the perfect ones with their position and node sparsity.
 */
function bruteForce(m: MLP, data: Dataset, threshold = 0.99): { index: number; masks: CircuitMasks; full: boolean; sparsity: number }[] {
  const sizes = m.layerSizes;
  const L = sizes.length - 1;
  const hidden = sizes.slice(1, L).reduce((a, b) => a + b, 0);
  const out: { index: number; masks: CircuitMasks; full: boolean; sparsity: number }[] = [];
  let index = 0;
  for (const c of enumerateCircuits(sizes, { minSparsity: 0, includeFullNodeSet: true })) {
    const y = forwardAll(m, data.x, data.n, { circuit: c })[L];
    let ok = 0;
    for (let r = 0; r < data.n; r++) if (roundHalfEven(y[r]) === data.y[r]) ok++;
    const zeros = c.nodeMasks.slice(1, L).reduce((s, mk) => s + mk.filter((v) => !v).length, 0);
    if (ok / data.n > threshold) out.push({ index, masks: c, full: zeros === 0, sparsity: zeros / hidden });
    index++;
  }
  return out;
}

const key = (c: CircuitMasks) => c.edgeMasks.map((mk) => mk.join("")).join("|");

test("count and list equal brute force on every [2,a,b,1] with a, b ≤ 3 over random weights (full node set and sparsity cuts too)", () => {
  const rng = new Rng(20251);
  let nonEmpty = 0;
  for (let a = 1; a <= 3; a++)
    for (let b = 1; b <= 3; b++)
      for (let draw = 0; draw < 3; draw++) {
        const m = randomModel([2, a, b, 1], rng);
        const data = selfLabelled(m);
        const brute = bruteForce(m, data);
        const what = `[2,${a},${b},1] draw ${draw}`;
        // With the full node set: the whole enumeration, listed with the same indices.
        const all = countPerfectCircuits(m, data, { minSparsity: 0, includeFullNodeSet: true });
        assert.equal(all.perfect, brute.length, what);
        const listed = [...listPerfectCircuits(m, data, { minSparsity: 0, includeFullNodeSet: true })];
        assert.deepEqual(listed.map((c) => c.index), brute.map((c) => c.index), what);
        assert.deepEqual(listed.map((c) => key(c.masks)), brute.map((c) => key(c.masks)), what);
        // The reference's exclusion of the full node set, and a sparsity cut.
        assert.equal(countPerfectCircuits(m, data, { minSparsity: 0 }).perfect, brute.filter((c) => !c.full).length, what);
        assert.equal(countPerfectCircuits(m, data, { minSparsity: 0.3 }).perfect, brute.filter((c) => c.sparsity > 0.3).length, what);
        if (brute.length) nonEmpty++;
      }
  assert.ok(nonEmpty >= 20, `only ${nonEmpty} of 27 models had perfect circuits`);
});

test("rows that may be wrong (skewed multiplicities, low thresholds) follow the accuracy rule, as brute force", () => {
  const rng = new Rng(7);
  for (let draw = 0; draw < 4; draw++) {
    const m = randomModel([2, 3, 2, 1], rng);
    // 200 rows, input 00 drawn once: it may be wrong and the circuit still passes (SPEC 4.4).
    const skewed = selfLabelled(m, [1, 66, 66, 67]);
    const b1 = bruteForce(m, skewed);
    assert.equal(countPerfectCircuits(m, skewed, { minSparsity: 0, includeFullNodeSet: true }).perfect, b1.length);
    assert.deepEqual([...listPerfectCircuits(m, skewed, { minSparsity: 0, includeFullNodeSet: true })].map((c) => c.index), b1.map((c) => c.index));
    const clean = selfLabelled(m);
    const b2 = bruteForce(m, clean, 0.7);
    assert.equal(countPerfectCircuits(m, clean, { minSparsity: 0, includeFullNodeSet: true, accuracyThreshold: 0.7 }).perfect, b2.length);
    assert.ok(b1.length >= bruteForce(m, clean).length);
  }
});

test("trained models on their clean validation data: brute force, and today's enumerator on [2,4,4,1] and [2,5,5,1] with the cut", () => {
  const f3 = fixture(3);
  const brute = bruteForce(f3.model, f3.val!);
  assert.equal(countPerfectCircuits(f3.model, f3.val!, { minSparsity: 0, includeFullNodeSet: true }).perfect, brute.length);
  assert.equal(countPerfectCircuits(f3.model, f3.val!).perfect, brute.filter((c) => !c.full).length);
  for (const k of [4, 5]) {
    const f = fixture(k);
    const opts = { minSparsity: defaultMinSparsity(f.model.layerSizes) };
    const enumerated = findCircuits(f.model, f.val!, { ...opts, metrics: false });
    const counted = countPerfectCircuits(f.model, f.val!, opts);
    assert.equal(counted.perfect, enumerated.circuits.length, `k = ${k}`);
    assert.equal(counted.nCandidates, enumerated.nCandidates);
    const listed = [...listPerfectCircuits(f.model, f.val!, opts)];
    assert.deepEqual(listed.map((c) => c.index), enumerated.circuits.map((c) => c.index), `k = ${k}`);
    assert.ok(listed.every((c, i) => key(c.masks) === key(enumerated.circuits[i].masks) && c.accuracy === enumerated.circuits[i].accuracy));
  }
  // The study's record for this seed (notebooks/cached-results/network-size.jsonl, k = 5): 26 268.
  assert.equal(countPerfectCircuits(fixture(5).model, fixture(5).val!).perfect, 26268);
});

test("listing is lazy and capped", () => {
  const f = fixture(5);
  const t0 = performance.now();
  const first = [...listPerfectCircuits(f.model, f.val!, { minSparsity: 0, limit: 3 })];
  assert.equal(first.length, 3);
  assert.ok(performance.now() - t0 < 5000);
  const again = [...listPerfectCircuits(f.model, f.val!, { minSparsity: 0, limit: 5 })];
  assert.deepEqual(again.slice(0, 3).map((c) => c.index), first.map((c) => c.index));
  assert.ok(first.every((c, i) => i === 0 || c.index > first[i - 1].index));
});

test("the accepted interval of pre-bias sums is exact at its float32 ends", () => {
  const next = (x: number, dir: 1 | -1) => {
    const f = new Float32Array([x]);
    const i = new Int32Array(f.buffer);
    i[0] += x === 0 ? 0 : (x > 0 ? dir : -dir);
    return f[0];
  };
  for (const bias of [0, 0.3, -0.7, 1.25]) {
    const [lo, hi] = acceptedSumInterval(Math.fround(bias), 1);
    const out = (acc: number) => {
      const z = Math.fround(acc + Math.fround(bias));
      return roundHalfEven(z >= 0 ? z : Math.fround(z * Math.fround(0.01)));
    };
    assert.equal(out(lo), 1);
    assert.equal(out(hi), 1);
    assert.notEqual(out(next(lo, -1)), 1);
    assert.notEqual(out(next(hi, 1)), 1);
  }
});

test("refusals: over the work budget with the estimate, several outputs, noisy data", () => {
  const f = fixture(6);
  const est = estimatePerfectCountWork([2, 6, 6, 1], { minSparsity: 0 });
  assert.ok(est.work > 1e11);
  assert.throws(() => countPerfectCircuits(f.model, f.val!, { minSparsity: 0 }), (e: unknown) => e instanceof BudgetError && e.nCandidates === est.work && /maxWork/.test(e.message));
  const two = mlpFromArrays([2, 2, 2], [[[1, 0], [0, 1]], [[1, 1], [1, -1]]], [[0, 0], [0, 0]], ["AND", "OR"]);
  const d2 = { x: cleanInputs(2), y: new Float32Array(8), n: 4, nInputs: 2, nOutputs: 2 };
  assert.throws(() => countPerfectCircuits(two, d2), (e: unknown) => e instanceof InputError && /splitOutputs/.test(e.message));
  const rng = new Rng(3);
  const noisy = { x: Float32Array.from({ length: 200 }, () => rng.normal()), y: new Float32Array(100), n: 100, nInputs: 2, nOutputs: 1 };
  assert.throws(() => countPerfectCircuits(f.model, noisy), (e: unknown) => e instanceof InputError && /findCircuits/.test(e.message));
});

test("interpretations summed over the perfect circuits equal the study's records, exactly; circuit by circuit, refused over budget", () => {
  // notebooks/cached-results/network-size.jsonl, seed offset 0: interpretations_total [8768] (k = 3), [311939788] (k = 4).
  for (const [k, want] of [[3, 8768n], [4, 311939788n]] as const) {
    const f = fixture(k);
    const r = sumCircuitInterpretations(f.model, f.val!, f.xTt!);
    assert.equal(r.interpretations, want, `k = ${k}`);
  }
  const f = fixture(4);
  assert.throws(
    () => sumCircuitInterpretations(f.model, f.val!, f.xTt!, { minSparsity: 0, maxGroundedCircuits: 10, method: "per-circuit" }),
    (e: unknown) => e instanceof BudgetError && e.nCandidates === countPerfectCircuits(f.model, f.val!, { minSparsity: 0 }).perfect && e.estimatedSeconds > 0,
  );
});

test("one and three hidden layers: the contexts before the last hidden layer, as brute force", () => {
  const rng = new Rng(99);
  for (const sizes of [[2, 3, 1], [2, 2, 2, 2, 1], [2, 2, 3, 2, 1]])
    for (let draw = 0; draw < 2; draw++) {
      const m = randomModel(sizes, rng);
      const data = selfLabelled(m);
      const brute = bruteForce(m, data);
      const opts = { minSparsity: 0, includeFullNodeSet: true };
      assert.equal(countPerfectCircuits(m, data, opts).perfect, brute.length, `${sizes}`);
      assert.deepEqual([...listPerfectCircuits(m, data, opts)].map((c) => c.index), brute.map((c) => c.index), `${sizes}`);
      assert.equal(countPerfectCircuits(m, data, { minSparsity: 0 }).perfect, brute.filter((c) => !c.full).length, `${sizes}`);
    }
});

test("analysis without the sparsity cut: over maxCandidates the circuits are counted, recorded, and the settings say so", () => {
  const f = fixture(4);
  const a = analyzeModelFile(f, { sparsityCut: "none", maxCandidates: 100_000, alignment: false });
  const o = a.outputs[0];
  assert.equal(o.circuitsMethod, "count");
  assert.equal(o.nCandidates, 1067648);
  assert.equal(o.perfectCircuits, countPerfectCircuits(f.model, f.val!, { minSparsity: 0 }).perfect);
  assert.equal(o.interpretations, null);
  const cols = analysisColumns(a);
  assert.deepEqual(cols.perfect_circuits, [o.perfectCircuits]);
  assert.equal(cols.interpretations_per_circuit, null);
  assert.equal(cols.settings.sparsityCut, "none");
  // With the cut (the default) the same model is enumerated and grounded as before.
  assert.equal(circuitsMethod([2, 4, 4, 1], resolveSettings({})), "enumerate");
  assert.equal(circuitsMethod([2, 6, 6, 1], resolveSettings({})), "count");
  assert.equal(candidateOptions(resolveSettings({ sparsityCut: "none" }), [2, 5, 5, 1]).minSparsity, 0);
  assert.equal(candidateOptions(resolveSettings({}), [2, 5, 5, 1]).minSparsity, 0.3);
  assert.throws(() => resolveSettings({ sparsityCut: "none", minSparsity: 0.2 }), (e: unknown) => e instanceof InputError && /--no-sparsity-cut/.test(e.message));
  assert.throws(() => resolveSettings({ sparsityCut: "off" as never }), InputError);
  assert.equal(settingFlag("sparsityCut"), "--no-sparsity-cut");
});

test("wide layers below the last hidden one (63 and 127 options: several bitmask words), as brute force", () => {
  const rng = new Rng(64);
  for (const sizes of [[2, 6, 1, 1], [2, 7, 1, 1]]) {
    const m = randomModel(sizes, rng);
    const data = selfLabelled(m);
    const brute = bruteForce(m, data);
    assert.ok(brute.length > 0, `${sizes}`);
    assert.equal(countPerfectCircuits(m, data, { minSparsity: 0, includeFullNodeSet: true }).perfect, brute.length, `${sizes}`);
    assert.deepEqual([...listPerfectCircuits(m, data, { minSparsity: 0, includeFullNodeSet: true })].map((c) => c.index), brute.map((c) => c.index), `${sizes}`);
  }
});
