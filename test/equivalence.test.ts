import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import {
  XOR_CLASSES,
  XOR_VARIANTS,
  auc,
  choleskySolve,
  computesXor,
  handBuiltPopulation,
  handBuiltXor,
  linearCKA,
  makeProbes,
  mat,
  patchingProfile,
  pointTest,
  procrustesSimilarity,
  ridgePredictivity,
  runEquivalenceStudy,
  statsFor,
  singularValues,
  symmetricEigen,
  symmetryTransform,
  probeActivations,
  adjustedRandIndex,
  LabelledNet,
  Mat,
} from "../src/equivalence";
import { MLP, mlpFromArrays, modelToJson } from "../src/model";
import { Rng } from "../src/rng";

const randMat = (n: number, d: number, rng: Rng): Mat => mat(n, d, Array.from({ length: n * d }, () => rng.normal()));
const matMul = (a: Mat, b: Mat): Mat => {
  const o = mat(a.n, b.d);
  for (let i = 0; i < a.n; i++) for (let j = 0; j < b.d; j++) for (let k = 0; k < a.d; k++) o.v[i * b.d + j] += a.v[i * a.d + k] * b.v[k * b.d + j];
  return o;
};

// Measured numbers are printed so the closing note can quote them.
const report = (line: string) => console.log(`# equivalence: ${line}`);
/** A measured line that must not change (refactors keep every number; a deliberate change updates it here). */
const pinned = (line: string, expected: string) => {
  report(line);
  assert.equal(line, expected);
};

test("linear algebra: Jacobi eigen, singular values, Cholesky against brute-force checks", () => {
  const rng = new Rng(1);
  const a = randMat(7, 4, rng);
  const s = matMul({ n: 4, d: 7, v: Float64Array.from({ length: 28 }, (_, i) => a.v[(i % 7) * 4 + Math.floor(i / 7)]) }, a); // AᵀA
  const { values, vectors } = symmetricEigen(s);
  // S v = λ v for every pair, eigenvalues descending
  for (let c = 0; c < 4; c++) {
    for (let r = 0; r < 4; r++) {
      let sv = 0;
      for (let k = 0; k < 4; k++) sv += s.v[r * 4 + k] * vectors.v[k * 4 + c];
      assert.ok(Math.abs(sv - values[c] * vectors.v[r * 4 + c]) < 1e-9);
    }
    if (c > 0) assert.ok(values[c] <= values[c - 1]);
  }
  // singular values of a diagonal-times-rotation matrix
  const th = 0.7;
  const m = mat(2, 2, [3 * Math.cos(th), -3 * Math.sin(th), 0.5 * Math.sin(th), 0.5 * Math.cos(th)]);
  const sv = singularValues(m);
  assert.ok(Math.abs(sv[0] - 3) < 1e-12 && Math.abs(sv[1] - 0.5) < 1e-12);
  const x = choleskySolve(s, mat(4, 1, [1, 2, 3, 4]));
  const back = matMul(s, x);
  [1, 2, 3, 4].forEach((v, i) => assert.ok(Math.abs(back.v[i] - v) < 1e-9));
});

test("measures: invariances and brute-force Procrustes", () => {
  const rng = new Rng(2);
  const x = randMat(300, 3, rng);
  const q = mat(3, 3, [0, 1, 0, 0, 0, 1, 1, 0, 0]); // permutation (orthogonal)
  const inv = mat(3, 3, [2, 1, 0, 0, 1, 0.5, 0.3, 0, 1]); // invertible linear map
  assert.ok(ridgePredictivity(x, matMul(x, inv)) > 0.999);
  assert.ok(ridgePredictivity(matMul(x, inv), x) > 0.999);
  assert.ok(Math.abs(linearCKA(x, matMul(x, q)) - 1) < 1e-9);
  assert.ok(Math.abs(procrustesSimilarity(x, matMul(x, q)) - 1) < 1e-9);
  const noise = randMat(300, 3, rng);
  assert.ok(ridgePredictivity(x, noise) < 0.2, "independent noise is not predictable");
  // Procrustes in 2-D: nuclear norm equals the best rotation/reflection found by scanning angles
  const a = randMat(50, 2, rng);
  const b = matMul(a, mat(2, 2, [1, 0.4, -0.3, 0.8]));
  const std = (m: Mat) => {
    const o = mat(m.n, m.d);
    for (let j = 0; j < m.d; j++) {
      let mu = 0;
      for (let r = 0; r < m.n; r++) mu += m.v[r * m.d + j] / m.n;
      let ss = 0;
      for (let r = 0; r < m.n; r++) ss += (m.v[r * m.d + j] - mu) ** 2;
      for (let r = 0; r < m.n; r++) o.v[r * m.d + j] = (m.v[r * m.d + j] - mu) / Math.sqrt(ss / m.n);
    }
    const f = Math.sqrt(o.v.reduce((s, t) => s + t * t, 0));
    o.v.forEach((t, i) => (o.v[i] = t / f));
    return o;
  };
  const sa = std(a);
  const sb = std(b);
  let best = -Infinity;
  for (let k = 0; k < 20000; k++) {
    const t = (2 * Math.PI * k) / 20000;
    for (const refl of [1, -1]) {
      const r = mat(2, 2, [Math.cos(t), -Math.sin(t) * refl, Math.sin(t), Math.cos(t) * refl]);
      const ra = matMul(sa, r);
      best = Math.max(best, ra.v.reduce((s, v, i) => s + v * sb.v[i], 0));
    }
  }
  assert.ok(Math.abs(procrustesSimilarity(a, b) - best) < 1e-6);
  assert.equal(auc([3, 4], [1, 2]), 1);
  assert.equal(auc([1], [1]), 0.5);
});

test("hand-built classes compute XOR; symmetry transforms keep the function and the representation", () => {
  for (const cls of XOR_CLASSES)
    XOR_VARIANTS[cls].forEach((_, variant) => {
      const k = XOR_VARIANTS[cls][variant].units.length;
      for (const hidden of [[k], [5], [k, 1], [5, 5]]) assert.ok(computesXor(handBuiltXor(cls, { variant, hidden }, 3)), `${cls}.v${variant} ${hidden}`);
      assert.ok(computesXor(handBuiltXor(cls, { variant, hidden: [2, k], placement: "late" })));
    });
  assert.throws(() => handBuiltXor("C3", { hidden: [2] }), /needs 3 units/);
  const m = handBuiltXor("C1", { hidden: [4, 3] }, 1);
  const t = symmetryTransform(m, new Rng(4), 0);
  const probes = makeProbes(5, { n: 64 });
  const y0 = probeActivations(m, probes)[3];
  const y1 = probeActivations(t, probes)[3];
  y0.v.forEach((v, i) => assert.ok(Math.abs(v - y1.v[i]) < 1e-5));
});

test("width-2 nets: only C1 and C2 exist (enumeration of linearly separable unit pairs)", () => {
  // corner partitions a ReLU threshold unit can compute: one corner vs rest, or a half-plane {a} / {b}
  const parts = ["00", "01", "10", "11", "a", "b"];
  const xorOk = (p: string, q: string) => {
    // the pair must separate XOR's classes: each corner's (p, q) code must determine XOR
    const code = (c: string, s: string) => (s === "a" ? c[0] : s === "b" ? c[1] : c === s ? "1" : "0");
    const seen = new Map<string, number>();
    for (const c of ["00", "01", "10", "11"]) {
      const key = code(c, p) + code(c, q);
      const y = Number(c[0]) ^ Number(c[1]);
      if (seen.has(key) && seen.get(key) !== y) return false;
      seen.set(key, y);
    }
    // and XOR must be linearly separable in that code
    const pts = [...seen.entries()];
    for (let w1 = -3; w1 <= 3; w1++) for (let w2 = -3; w2 <= 3; w2++) for (let b = -3; b <= 3; b++) if (pts.every(([k, y]) => (w1 * Number(k[0]) + w2 * Number(k[1]) + b - 0.5 > 0 ? 1 : 0) === y)) return true;
    return false;
  };
  const found = new Set<string>();
  for (let i = 0; i < parts.length; i++)
    for (let j = i + 1; j < parts.length; j++)
      if (xorOk(parts[i], parts[j])) found.add([parts[i], parts[j]].sort().join("+"));
  assert.deepEqual([...found].sort(), ["00+11", "01+10"]); // C1 and C2, nothing else
});

let studyCache: ReturnType<typeof runEquivalenceStudy> | undefined;
function mainStudy() {
  // 12 nets per class: widths 2-5, depths 1-2, all negation variants, permutation, rescaling, jitter 0.03
  studyCache ??= runEquivalenceStudy(handBuiltPopulation(11, { perClass: 12, classes: ["C1", "C2", "C3"] }), { seed: 3 });
  return studyCache;
}

test("E2/E7/E8: C1 vs C2 separated by every internal measure; behaviour alone at chance", () => {
  const st = mainStudy();
  const measured = (["ridge", "ridgeAB", "cka", "procrustes", "stitch", "output", "outputRidge", "congruity"] as const).map((m) => {
    const s = statsFor(st, m, "C1", "C2");
    return `C1 vs C2 ${m}: AUC ${s.auc.toFixed(3)}, detection ${s.detection.toFixed(2)}, false detection ${s.falseDetection.toFixed(2)}`;
  });
  pinned(measured.join("; "), "C1 vs C2 ridge: AUC 1.000, detection 1.00, false detection 0.05; C1 vs C2 ridgeAB: AUC 1.000, detection 1.00, false detection 0.00; C1 vs C2 cka: AUC 0.999, detection 1.00, false detection 0.03; C1 vs C2 procrustes: AUC 1.000, detection 1.00, false detection 0.00; C1 vs C2 stitch: AUC 0.715, detection 0.42, false detection 0.00; C1 vs C2 output: AUC 0.500, detection 0.00, false detection 0.00; C1 vs C2 outputRidge: AUC 0.792, detection 0.57, false detection 0.00; C1 vs C2 congruity: AUC 1.000, detection 1.00, false detection 0.00");
  for (const m of ["ridge", "cka", "procrustes", "congruity"] as const) {
    const s = statsFor(st, m, "C1", "C2");
    assert.ok(s.auc >= 0.9, `${m} AUC ${s.auc}`);
    assert.ok(s.detection >= 0.8, `${m} detection ${s.detection}`);
  }
  const out = statsFor(st, "output", "C1", "C2");
  assert.equal(out.auc, 0.5); // every net computes XOR
  assert.equal(out.detection, 0);
});

test("E1: within a class (symmetry transforms, widths, depths) the point test's false detection is ≤ 5 %", () => {
  const st = mainStudy();
  for (const m of ["ridge", "cka", "procrustes", "congruity"] as const)
    for (const [x, y] of [["C1", "C2"], ["C1", "C3"], ["C2", "C3"]]) {
      const s = statsFor(st, m, x, y);
      assert.ok(s.falseDetection <= 0.05, `${m} ${x}: false detection ${s.falseDetection}`);
    }
  // pure symmetry transforms of one net: congruity near 1 and no detection
  const base = handBuiltXor("C2", { hidden: [4, 3] }, 2);
  const rng = new Rng(9);
  const copies: LabelledNet[] = Array.from({ length: 10 }, () => ({ model: symmetryTransform(base, rng, 0.03), cls: "C2", variant: 0, label: "copy" }));
  const st2 = runEquivalenceStudy(copies, { measures: ["ridge", "congruity"], seed: 1 });
  const idx = copies.map((_, i) => i);
  const fd = pointTest(st2.matrices.congruity, idx.slice(0, 5), idx.slice(5), { seed: 2 }).detectionRate;
  const minC = Math.min(...st2.matrices.congruity.flat());
  pinned(`symmetry copies: false detection ${fd.toFixed(2)}, min congruity ${minC.toFixed(3)}`, "symmetry copies: false detection 0.05, min congruity 0.992");
  assert.ok(fd <= 0.05);
  assert.ok(minC > 0.9);
});

test("E3: negation variants of C1 are declared congruent and score above every C1–C2 pair", () => {
  const pop: LabelledNet[] = [];
  const rng = new Rng(21);
  for (let variant = 0; variant < 4; variant++)
    for (let i = 0; i < 5; i++) pop.push({ model: symmetryTransform(handBuiltXor("C1", { variant, hidden: [2 + rng.int(4)] }, rng.uint32()), rng), cls: variant === 0 ? "C1.v0" : "C1.neg", variant, label: "" } as unknown as LabelledNet);
  for (let i = 0; i < 5; i++) pop.push({ model: symmetryTransform(handBuiltXor("C2", { variant: rng.int(4), hidden: [2 + rng.int(4)] }, rng.uint32()), rng), cls: "C2", variant: 0, label: "" } as unknown as LabelledNet);
  const st = runEquivalenceStudy(pop, { measures: ["ridge", "procrustes", "congruity"], seed: 4 });
  const s = statsFor(st, "congruity", "C1.v0", "C1.neg");
  const cross = [...statsFor(st, "congruity", "C1.v0", "C2").between, ...statsFor(st, "congruity", "C1.neg", "C2").between];
  pinned(
    `negation variants: min congruity ${Math.min(...s.between).toFixed(3)} (C1–C2 max ${Math.max(...cross).toFixed(3)}); ` +
      `point-test detection ${s.detection.toFixed(2)}, AUC v0-vs-negated ${s.auc.toFixed(3)} (ReLU active regions differ)`,
    "negation variants: min congruity 0.570 (C1–C2 max 0.140); point-test detection 1.00, AUC v0-vs-negated 0.785 (ReLU active regions differ)",
  );
  assert.ok(Math.min(...s.between) >= 0.5, "every negation pair is declared same (congruity ≥ 0.5)");
  assert.ok(Math.min(...s.between) > Math.max(...cross), "negation pairs score above every cross-class pair");
  // at the pre-activation site OR and NOR differ only by sign: the point test no longer detects the variants
  const pre = runEquivalenceStudy(pop, { measures: ["ridge", "procrustes", "congruity"], seed: 4, representation: { site: "pre" } });
  const sp = statsFor(pre, "congruity", "C1.v0", "C1.neg");
  const spCross = statsFor(pre, "congruity", "C1.v0", "C2");
  pinned(`negation variants, pre-activation site: point-test detection ${sp.detection.toFixed(2)}, min congruity ${Math.min(...sp.between).toFixed(3)}; C1 vs C2 detection ${spCross.detection.toFixed(2)}`, "negation variants, pre-activation site: point-test detection 0.00, min congruity 0.997; C1 vs C2 detection 1.00");
  assert.ok(sp.detection <= 0.05);
  assert.ok(spCross.detection >= 0.8);
});

test("E4: C3 separated from C1 and C2 only with both directions", () => {
  const st = mainStudy();
  for (const other of ["C1", "C2"]) {
    const both = statsFor(st, "ridge", other, "C3");
    const one = statsFor(st, "ridgeAB", other, "C3");
    report(`${other} vs C3: two-way ridge AUC ${both.auc.toFixed(3)} (detection ${both.detection.toFixed(2)}), one-way ridge AUC ${one.auc.toFixed(3)}`);
    assert.ok(both.auc >= 0.9, `${other}-C3 two-way AUC ${both.auc}`);
    assert.ok(one.auc < both.auc - 0.05, "one direction alone separates worse");
  }
  // direction: C3 (a, b, AND) predicts C1 well; C1 does not predict C3 (a, b are not functions of a+b)
  const c3 = [0, 1].map((i) => st.classes.indexOf("C3") + i);
  const c1 = [0, 1].map((i) => st.classes.indexOf("C1") + i);
  const fwd = st.matrices.ridgeAB[c3[0]][c1[0]];
  const back = st.matrices.ridgeAB[c1[0]][c3[0]];
  pinned(`C3→C1 ${fwd.toFixed(3)}, C1→C3 ${back.toFixed(3)}`, "C3→C1 0.970, C1→C3 0.805");
  assert.ok(fwd > back);
});

test("E6: probe-noise sweep, clean corners (σ = 0, 4 probes) fail", () => {
  const pop = handBuiltPopulation(5, { perClass: 8 });
  const aucs: Record<string, number> = {};
  for (const [sigma, n] of [[0, 4], [0.05, 256], [0.1, 256], [0.2, 256]]) {
    const st = runEquivalenceStudy(pop, { probes: { sigma, n }, measures: ["ridge"], seed: 6 });
    aucs[sigma] = statsFor(st, "ridge", "C1", "C2").auc;
  }
  pinned(`noise sweep (ridge, C1 vs C2): ${Object.entries(aucs).map(([s, a]) => `σ=${s}: ${a.toFixed(3)}`).join(", ")}`, "noise sweep (ridge, C1 vs C2): σ=0: 0.518, σ=0.05: 1.000, σ=0.1: 1.000, σ=0.2: 1.000");
  assert.ok(aucs["0"] < 0.9, `σ = 0 should fail, AUC ${aucs["0"]}`);
  for (const s of ["0.05", "0.1", "0.2"]) assert.ok(aucs[s] >= 0.9);
});

test("patching profile: patching circuit units lowers predictivity; the null k = 0 is 0.5; profiles differ by class", () => {
  const pop = handBuiltPopulation(8, { perClass: 4, depths: [1] });
  const models = pop.map((p) => p.model);
  const same: [number, number][] = [];
  const cross: [number, number][] = [];
  for (let i = 0; i < models.length; i++) for (let j = 0; j < models.length; j++) if (i !== j) (pop[i].cls === pop[j].cls ? same : cross).push([i, j]);
  const ps = patchingProfile(models, models, same, { kMax: 2, seed: 1 });
  const pc = patchingProfile(models, models, cross, { kMax: 2, seed: 1 });
  pinned(`drop k=0..2 same ${ps.drop.map((d) => d.toFixed(3)).join(" ")}, cross ${pc.drop.map((d) => d.toFixed(3)).join(" ")}; selectivity same ${ps.selectivity.map((d) => d.toFixed(2)).join(" ")}, cross ${pc.selectivity.map((d) => d.toFixed(2)).join(" ")}`, "drop k=0..2 same 0.000 0.101 0.993, cross 0.000 0.788 1.000; selectivity same 0.50 1.00 1.00, cross 0.50 1.00 1.00");
  assert.ok(Math.abs(ps.drop[0]) < 1e-9);
  assert.ok(Math.abs(ps.selectivity[0] - 0.5) < 1e-9);
  assert.ok(ps.drop[1] > 0 && ps.drop[2] > 0.5, "patching both circuit units destroys predictivity");
  assert.ok(pc.drop[1] > ps.drop[1], "one patched unit hurts cross-class predictivity more");
});

test("adjusted Rand index: identical 1, relabelled 1, independent ≈ 0", () => {
  assert.equal(adjustedRandIndex([0, 0, 1, 1], ["x", "x", "y", "y"]), 1);
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1, 2, 2], [0, 1, 2, 0, 1, 2])) < 0.35);
});

// ---------------------------------------------------------------------------------------------------------------
// Acceptance: nets written independently of handBuiltXor (other thresholds, readouts solved here, pass-through
// layers with relu(a), relu(b), dead units, any scaling and permutation), [2,2,1] … [2,5,5,1].

/** Readout (weights, bias) mapping unit values on the corners to XOR, solved exactly on 3 distinct corner codes. */
function solveReadout(vals: number[][]): number[] | null {
  // vals[c] = unit values at corner c (00, 01, 10, 11); least squares via normal equations with a tiny ridge
  const k = vals[0].length + 1;
  const X = vals.map((v) => [...v, 1]);
  const y = [0, 1, 1, 0];
  const A = mat(k, k);
  const b = mat(k, 1);
  for (let c = 0; c < 4; c++)
    for (let i = 0; i < k; i++) {
      b.v[i] += X[c][i] * y[c];
      for (let j = 0; j < k; j++) A.v[i * k + j] += X[c][i] * X[c][j];
    }
  for (let i = 0; i < k; i++) A.v[i * k + i] += 1e-9;
  const w = choleskySolve(A, b);
  return Array.from(w.v);
}

const relu = (x: number) => (x >= 0 ? x : 0.01 * x);

function foreignNet(cls: "C1" | "C2", rng: Rng): MLP {
  const t1 = [0.3, 0.5, 0.7][rng.int(3)];
  const t2 = [1.2, 1.5, 1.7][rng.int(3)];
  const neg = () => rng.int(2) === 1;
  // two intermediate units, each possibly negated
  let units: { w: number[]; b: number }[] =
    cls === "C1"
      ? [neg() ? { w: [-1, -1], b: t1 } : { w: [1, 1], b: -t1 }, neg() ? { w: [-1, -1], b: t2 } : { w: [1, 1], b: -t2 }]
      : [neg() ? { w: [-1, 1], b: 1 - t1 } : { w: [1, -1], b: -t1 }, neg() ? { w: [1, -1], b: 1 - t1 } : { w: [-1, 1], b: -t1 }];
  units = units.map((u) => {
    const c = rng.uniform(0.3, 3);
    return { w: u.w.map((x) => x * c), b: u.b * c };
  });
  const corners = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const depth = 1 + rng.int(2);
  const passThrough = depth === 2 && rng.int(2) === 0;
  const vals = corners.map(([a, b]) => units.map((u) => relu(u.w[0] * a + u.w[1] * b + u.b)));
  const r = solveReadout(vals)!;
  const w1 = 2 + rng.int(4);
  const dead = (nin: number) => ({ w: new Array(nin).fill(0), b: -rng.uniform(0.1, 1) });
  const padUnits = (list: { w: number[]; b: number }[], width: number, nin: number) => [...list, ...Array.from({ length: width - list.length }, () => dead(nin))];
  let layers: { w: number[]; b: number }[][];
  let readout: number[];
  if (depth === 1) {
    layers = [padUnits(units, w1, 2)];
    readout = [...r.slice(0, 2), ...new Array(w1 - 2).fill(0)];
  } else if (passThrough) {
    const w2 = 2 + rng.int(4);
    const l1 = padUnits([{ w: [1, 0], b: 0 }, { w: [0, 1], b: 0 }], w1, 2);
    const l2 = padUnits(units.map((u) => ({ w: [...u.w, ...new Array(w1 - 2).fill(0)], b: u.b })), w2, w1);
    layers = [l1, l2];
    readout = [...r.slice(0, 2), ...new Array(w2 - 2).fill(0)];
  } else {
    const w2 = 1 + rng.int(5);
    const xorUnit = { w: [...r.slice(0, 2), ...new Array(w1 - 2).fill(0)], b: r[2] };
    layers = [padUnits(units, w1, 2), padUnits([xorUnit], w2, w1)];
    readout = [1, ...new Array(w2 - 1).fill(0)];
    r[2] = 0;
  }
  const sizes = [2, ...layers.map((l) => l.length), 1];
  const m = mlpFromArrays(sizes, [...layers.map((l) => l.map((u) => u.w)), [readout]], [...layers.map((l) => l.map((u) => u.b)), [depth === 1 || passThrough ? r[2] : 0]], ["XOR"]);
  return symmetryTransform(m, rng, 0);
}

test("acceptance: equivalence --json on independently written C1/C2 nets ranks same-class pairs above cross-class pairs", () => {
  for (const seed of [77, 78, 79]) acceptanceRun(seed);
});

const ACCEPTANCE_LINES: Record<number, string> = {
  77: "acceptance (seed 77, 16 foreign nets, sizes 2,5,4,1 2,2,1 2,3,1 2,2,3,1 2,4,3,1 2,5,1 2,2,2,1 2,3,4,1 2,5,3,1 2,4,1): same-above-cross fraction 1.000, decisions correct 0.983",
  78: "acceptance (seed 78, 16 foreign nets, sizes 2,5,2,1 2,2,1 2,5,1 2,2,2,1 2,4,1 2,2,1,1 2,5,1,1 2,5,4,1 2,2,5,1 2,3,3,1 2,3,1 2,3,2,1): same-above-cross fraction 1.000, decisions correct 0.967",
  79: "acceptance (seed 79, 16 foreign nets, sizes 2,4,3,1 2,4,2,1 2,3,1 2,4,1 2,3,4,1 2,2,1 2,5,1 2,5,3,1 2,2,3,1 2,2,2,1 2,3,5,1): same-above-cross fraction 1.000, decisions correct 0.958",
};

function acceptanceRun(seed: number): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "equiv-"));
  const rng = new Rng(seed);
  const files: string[] = [];
  const cls: string[] = [];
  for (let i = 0; i < 16; i++) {
    const c = i % 2 === 0 ? "C1" : "C2";
    let m = foreignNet(c, rng);
    let guard = 0;
    while (!computesXor(m) && guard++ < 20) m = foreignNet(c, rng);
    assert.ok(computesXor(m));
    const f = path.join(dir, `net${i}.json`);
    fs.writeFileSync(f, JSON.stringify(modelToJson(m)));
    files.push(f);
    cls.push(c);
  }
  const out = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "src/cli.ts", "equivalence", "--json", "--models", ...files], { encoding: "utf8" }));
  assert.deepEqual(out.models, files);
  assert.equal(out.pairs.length, (16 * 15) / 2);
  const same: number[] = [];
  const cross: number[] = [];
  for (const p of out.pairs) {
    assert.ok(p.congruity >= 0 && p.congruity <= 1);
    assert.equal(typeof p.same, "boolean");
    const sc = p.scores;
    for (const k of ["ridgeAB", "ridgeBA", "ridge", "cka", "procrustes", "stitchAB", "stitchBA", "stitch", "output", "outputRidge"]) assert.ok(sc[k] >= 0 && sc[k] <= 1, `${k} = ${sc[k]}`);
    assert.equal(sc.ridge, Math.min(sc.ridgeAB, sc.ridgeBA));
    assert.equal(sc.stitch, Math.min(sc.stitchAB, sc.stitchBA));
    assert.equal(sc.output, 1); // every net computes XOR
    assert.equal(p.same, p.congruity >= 0.5);
    (cls[p.a] === cls[p.b] ? same : cross).push(p.congruity);
  }
  const frac = auc(same, cross);
  const sameRight = out.pairs.filter((p: { a: number; b: number; same: boolean }) => p.same === (cls[p.a] === cls[p.b])).length / out.pairs.length;
  pinned(
    `acceptance (seed ${seed}, 16 foreign nets, sizes ${[...new Set(files.map((f) => JSON.parse(fs.readFileSync(f, "utf8")).layer_sizes.join(",")))].join(" ")}): same-above-cross fraction ${frac.toFixed(3)}, decisions correct ${sameRight.toFixed(3)}`,
    ACCEPTANCE_LINES[seed],
  );
  assert.ok(frac >= 0.9);
  // determinism: the same command gives the same numbers
  const again = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "src/cli.ts", "equivalence", "--json", "--models", ...files.slice(0, 3)], { encoding: "utf8" }));
  const again2 = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "src/cli.ts", "equivalence", "--json", "--models", ...files.slice(0, 3)], { encoding: "utf8" }));
  assert.deepEqual(again, again2);
  assert.throws(() => execFileSync(process.execPath, ["--import", "tsx", "src/cli.ts", "equivalence", "--models", files[0]], { encoding: "utf8", stdio: "pipe" }), /at least two model files/);
  fs.rmSync(dir, { recursive: true });
}

test("IIT-trained nets (TensorFlow.js) implement their class and are judged congruent with it", async () => {
  const { trainIITNet, prepareNet, pairScores, congruity, iia } = await import("../src/equivalence");
  const probes = makeProbes(1);
  const refs = handBuiltPopulation(12, { perClass: 4, classes: ["C1", "C2"], depths: [1] }).map((r) => ({ cls: r.cls, net: prepareNet(r.model, probes) }));
  for (const cls of ["C1", "C2"] as const) {
    const net = await trainIITNet(cls, { seed: 0 });
    assert.equal(net.iia, 1);
    assert.ok(computesXor(net.model));
    assert.ok(iia(net.model, cls === "C1" ? "C2" : "C1") < 1, "the other class's alignment fails");
    const p = prepareNet(net.model, probes);
    const mean = (c: string) => refs.filter((r) => r.cls === c).reduce((s, r, _, a) => s + congruity(pairScores(p, r.net)) / a.length, 0);
    report(`IIT ${cls} net (attempts ${net.attempts}): congruity with C1 refs ${mean("C1").toFixed(3)}, with C2 refs ${mean("C2").toFixed(3)}`);
    assert.ok(mean(cls) > 0.8 && mean(cls === "C1" ? "C2" : "C1") < 0.3);
  }
});

test("formula classes: partitions of intermediate variables map to C1/C2/C3; alignment labels a hand-built C1 net C1", async () => {
  const { formulaClass, labelByAlignment } = await import("../src/equivalence");
  // truth tables as bitmasks over rows 00, 01, 10, 11
  assert.equal(formulaClass([0b1110, 0b1000]), "C1"); // OR, AND
  assert.equal(formulaClass([0b1110, 0b0111]), "C1"); // OR, NAND (negation)
  assert.equal(formulaClass([0b0100, 0b0010]), "C2");
  assert.equal(formulaClass([0b1100, 0b1010, 0b1000]), "C3");
  assert.equal(formulaClass([0b1110, 0b1000, 0b0110]), "C1"); // XOR-valued intermediate ignored
  assert.equal(formulaClass([0b1100]), null);
  assert.equal(labelByAlignment(handBuiltXor("C1", { hidden: [3] })).label, "C1");
  // the reference's depth-2 catalog has no C2 formula, so a C2 net aligns to none
  assert.equal(labelByAlignment(handBuiltXor("C2", { hidden: [2] })).label, "none");
});

test("the released XOR model (aligned formulas are C1: ¬(A*B)*(A+B)) is congruent with C1, not C2", async () => {
  const { loadReleasedModel } = await import("../src/reference");
  const { compareNets } = await import("../src/equivalence");
  const released = loadReleasedModel().model;
  const c1 = handBuiltXor("C1", { hidden: [3] });
  const c2 = handBuiltXor("C2", { hidden: [2] });
  const r = compareNets([released, c1, c2], { seed: 0 });
  const k = (a: number, b: number) => r.pairs.find((p) => p.a === a && p.b === b)!.congruity;
  pinned(`released model: congruity with C1 ${k(0, 1).toFixed(3)}, with C2 ${k(0, 2).toFixed(3)}`, "released model: congruity with C1 0.786, with C2 0.259");
  assert.ok(k(0, 1) >= 0.5 && k(0, 2) < 0.5);
});

test("E5: naturally trained nets: the most congruent hand-built class matches the alignment-search label", async () => {
  const { trainNaturalXorNets, alignClasses, prepareNet, pairScores, congruity } = await import("../src/equivalence");
  // the catalog search labels hand-built nets correctly, negation variants included
  for (const p of handBuiltPopulation(11, { perClass: 4, classes: ["C1", "C2", "C3"] })) assert.equal(alignClasses(p.model).label, p.cls);
  const natural = trainNaturalXorNets([[2], [3]], [1, 2, 3]);
  const probes = makeProbes(1);
  const refs = handBuiltPopulation(12, { perClass: 4, classes: ["C1", "C2", "C3"], depths: [1] }).map((r) => ({ cls: r.cls, net: prepareNet(r.model, probes) }));
  const nearest = natural.map((n) => {
    const p = prepareNet(n.model, probes);
    const mean = (c: string) => refs.filter((r) => r.cls === c).reduce((s, r, _, a) => s + congruity(pairScores(p, r.net)) / a.length, 0);
    return (["C1", "C2", "C3"] as const).map((c) => [c, mean(c)] as const).sort((a, b) => b[1] - a[1])[0][0];
  });
  const labels = natural.map((n) => n.catalog.label);
  const ari = adjustedRandIndex(nearest, labels);
  pinned(`natural nets (${natural.length}): catalog labels ${labels.join(",")}; most congruent ${nearest.join(",")}; alignGate ${natural.map((n) => n.alignment.label).join(",")}; ARI ${ari.toFixed(3)}`, "natural nets (6): catalog labels C2,C1,C1,none,C1,none; most congruent C2,C1,C1,C3,C1,C3; alignGate none,C1,C1,none,C1,C1; ARI 1.000");
  const pure = natural.map((_, i) => i).filter((i) => labels[i] === "C1" || labels[i] === "C2");
  assert.ok(pure.length >= 2);
  for (const i of pure) assert.equal(nearest[i], labels[i]);
});

test("figures: plain Plotly data with one trace per unit / measure / group", async () => {
  const f = await import("../src/figures/equivalence");
  const maps = f.unitMapsFigure([{ model: handBuiltXor("C1", { hidden: [2] }), title: "C1" }, { model: handBuiltXor("C3", { hidden: [3, 2] }), title: "C3" }], "maps", 11);
  assert.equal(maps.data.length, 2 + 5);
  assert.equal((maps.data[0].z as number[][]).length, 11);
  const rows = [{ measure: "ridge", within: [0.9, 0.95], between: [0.3] }, { measure: "cka", within: [0.8], between: [0.1, 0.2] }];
  assert.equal(f.rocFigure(rows).data.length, 3);
  assert.match(String(f.rocFigure(rows).data[0].name), /AUC 1\.000/);
  assert.equal(f.withinBetweenFigure(rows).data.length, 2);
  const s = [[1, 0.9, 0.2], [0.8, 1, 0.3], [0.1, 0.2, 1]];
  assert.equal(f.directionalityFigure(s, ["C1", "C1", "C2"]).data.length, 4); // C1 same, C1→C2, C2→C1, diagonal
  const hm = f.congruityHeatmapFigure(s, ["a", "b", "c"], ["C2", "C1", "C1"]);
  assert.deepEqual((hm.data[0].z as number[][])[0], [1, 0.3, 0.8]); // sorted: b, c, a
  assert.equal(f.noiseSweepFigure([0, 0.1], { ridge: [0.5, 1] }).data.length, 1);
  assert.equal(f.patchingFigure([0, 1], { same: [0, 0.1], cross: [0, 0.8] }).data.length, 2);
  // figures are plain data: a JSON round trip gives them back unchanged (typed arrays would come back as objects)
  for (const fig of [maps, hm, f.rocFigure(rows), f.directionalityFigure(s, ["C1", "C1", "C2"])]) assert.deepEqual(JSON.parse(JSON.stringify(fig)), fig);
  // the heat map names every net on both axes, with margins that fit the longest name (about 5 px a character at 8 px)
  const names = ["1: b", "2: c", "0: a"];
  assert.deepEqual(hm.data[0].x, names);
  assert.deepEqual(hm.data[0].y, names);
  const long = f.congruityHeatmapFigure(s, ["C1.v2 [2,4,3,1] late", "b", "c"], ["C1", "C1", "C2"]);
  const margin = long.layout.margin as { l: number; b: number };
  assert.ok(margin.l >= 5 * "0: C1.v2 [2,4,3,1] late".length && margin.b >= 5 * "0: C1.v2 [2,4,3,1] late".length, JSON.stringify(margin));
  assert.equal((long.layout.xaxis as { dtick: number }).dtick, 1);
  assert.notEqual((long.layout.xaxis as { showticklabels?: boolean }).showticklabels, false);
});
