// The token-level XOR task that ties transformers back to the MLP ground truth: labels against a brute-force XOR,
// each class's program against XOR and its variables against groundTruth's units on every input, the committed
// population's scores recomputed, the cached clustering checked against its matrices and a recomputed slice (ARI per
// setting), ARI and the clustering on hand-computed cases, the probes' embedding interpolation against the plain run,
// the interchange representation against the library's interchange intervention, the figure as data, and bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BudgetError, InputError } from "../src/errors";
import { Rng, deriveSeed } from "../src/rng";
import { XOR_CLASSES, XOR_VARIANTS, adjustedRandIndex, pairSeed, ridgePredictivity, variantUnitNames } from "../src/equivalence";
import { allInputs, computedNodes, runProgram } from "../src/rasp/program";
import { evaluateTransformer } from "../src/transformer/training";
import { initTransformer, runTransformerWithCache } from "../src/transformer";
import { assertPlainData } from "../src/figures/figure";
import { TOKEN_XOR_VARIABLES, tokenXorConfig, tokenXorCorrespondence, tokenXorInputs, tokenXorProgram, tokenXorTask } from "../src/equivalence-transformers/token-xor";
import { TOKEN_XOR_SETTINGS, averageLinkage, dropQuietColumns, interchangeRepresentation, tokenXorClustering, tokenXorProbes, tokenXorRepresentation } from "../src/equivalence-transformers/token-xor-clustering";
import { loadTokenXorClustering, loadTokenXorPopulation, tokenXorPopulationSpec } from "../src/equivalence-transformers/token-xor-population";
import { tokenXorSimilarityFigure } from "../src/equivalence-transformers/token-xor-figures";

test("the task's labels are x1 XOR x6 on all 256 sequences (brute force over the bits of 0…255)", () => {
  const { tokens, labels } = tokenXorInputs();
  assert.equal(tokens.length, 256);
  for (let code = 0; code < 256; code++) {
    const bits = Array.from({ length: 8 }, (_, i) => (code >> (7 - i)) & 1);
    assert.deepEqual(tokens[code], bits);
    assert.equal(labels[code], bits[0] !== bits[5] ? 1 : 0, `sequence ${bits.join("")}`);
  }
  assert.equal(labels.filter((y) => y === 1).length, 128);
});

test("each class's program computes XOR at every position, and its variables are groundTruth's units of the class", () => {
  const task = tokenXorTask();
  for (const cls of XOR_CLASSES) {
    const program = tokenXorProgram(cls);
    assert.deepEqual(TOKEN_XOR_VARIABLES[cls], variantUnitNames(cls, 0));
    assert.deepEqual(program.outputValues, [0, 1]);
    const units = XOR_VARIANTS[cls][0].units;
    for (const t of allInputs(program)) {
      const run = runProgram(program, t);
      const [a, b] = [t[0], t[5]];
      assert.deepEqual(run.output, new Array(8).fill(task.label(t)), `${cls} on ${t.join("")}`);
      for (const u of units) {
        const active = Math.max(0, u.w[0] * a + u.w[1] * b + u.b) > 0 ? 1 : 0;
        assert.deepEqual(run.values[u.name], new Array(8).fill(active), `${cls} variable ${u.name} on ${t.join("")}`);
      }
    }
    // the class variables sit in block 0's MLP; the copies of x1 and x6 on block 0's heads
    for (const v of TOKEN_XOR_VARIABLES[cls]) assert.deepEqual([program.nodes.find((n) => n.name === v)!.layer, program.nodes.find((n) => n.name === v)!.component], [0, "mlp"]);
  }
  // a high-level intervention: C1 with OR forced to 1 on 00 gives 1 (OR ∧ ¬AND), with AND forced to 1 on 10 gives 0
  const c1 = tokenXorProgram("C1");
  assert.deepEqual(runProgram(c1, [0, 0, 0, 0, 0, 0, 0, 0], { OR: new Array(8).fill(1) }).output, new Array(8).fill(1));
  assert.deepEqual(runProgram(c1, [1, 0, 0, 0, 0, 0, 0, 0], { AND: new Array(8).fill(1) }).output, new Array(8).fill(0));
});

test("the correspondences put each variable on its own neurons of block 0's MLP and differ between seeds", () => {
  const config = tokenXorConfig(2);
  const a = tokenXorCorrespondence("C2", config, 0);
  const b = tokenXorCorrespondence("C2", config, 1);
  assert.notDeepEqual(a, b);
  const slices = TOKEN_XOR_VARIABLES.C2.map((v) => a[v].flatMap((s) => (s.component === "mlp" && s.layer === 0 ? s.neurons : [])));
  assert.equal(new Set(slices.flat()).size, slices.flat().length);
  assert.equal(slices.flat().length, config.dMlp / 2);
});

test("probes with no noise give the plain run's activations; with noise they move them", () => {
  const model = initTransformer(tokenXorConfig(2), 7);
  const clean = tokenXorProbes({ n: 16, sigma: 0, seed: 3 });
  const rep = tokenXorRepresentation(model, clean, "mlp0", undefined, 0);
  const plain = runTransformerWithCache(model, clean.tokens, { names: ["blocks.0.mlp.hook_post"] }).cache["blocks.0.mlp.hook_post"];
  const M = model.config.dMlp;
  assert.equal(rep.d, M);
  for (let r = 0; r < 16; r++) for (let j = 0; j < M; j++) assert.ok(Math.abs(rep.v[r * M + j] - plain.data[(r * 9 + 8) * M + j]) < 1e-5);
  const noisy = tokenXorRepresentation(model, tokenXorProbes({ n: 16, sigma: 0.1, seed: 3 }), "mlp0", undefined, 0);
  assert.ok(noisy.v.some((x, i) => Math.abs(x - rep.v[i]) > 1e-4));
  // residual: (layers + 1) × d_model columns
  assert.equal(tokenXorRepresentation(model, clean, "residual", undefined, 0).d, (model.config.nLayers + 1) * model.config.dModel);
  // quiet columns: a column of sd 0.01 beside one of sd 0.5 (2 %) goes at a 5 % cut, stays at 0.5 %
  const x = { n: 4, d: 2, v: Float64Array.from([0, 0, 1, 0.02, 0, 0, 1, 0.02]) };
  assert.equal(dropQuietColumns(x, 0.05).d, 1);
  assert.equal(dropQuietColumns(x, 0.005).d, 2);
});

test("adjusted Rand index: a hand-computed case and brute-force pair counting on random labellings", () => {
  // a = [0,0,0,1,1,1], b = [0,0,1,1,2,2]: contingency [[2,1,0],[0,1,2]]; Σ C(n_ij,2) = 2, Σ C(a,2) = 6, Σ C(b,2) = 3,
  // E = 6·3/15 = 1.2, max = 4.5, ARI = (2 − 1.2)/(4.5 − 1.2) = 0.8/3.3
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) - 0.8 / 3.3) < 1e-12);
  assert.equal(adjustedRandIndex(["C1", "C1", "C2", "C2", "C3", "C3"], [2, 2, 0, 0, 1, 1]), 1);
  const rng = new Rng(11);
  for (let trial = 0; trial < 20; trial++) {
    const n = 5 + rng.int(10);
    const a = Array.from({ length: n }, () => rng.int(3));
    const b = Array.from({ length: n }, () => rng.int(4));
    // pairs: together in both (p11), in a only (p10), in b only (p01), in neither (p00); ARI from the pair counts
    let p11 = 0;
    let p10 = 0;
    let p01 = 0;
    let p00 = 0;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const sa = a[i] === a[j];
        const sb = b[i] === b[j];
        if (sa && sb) p11++;
        else if (sa) p10++;
        else if (sb) p01++;
        else p00++;
      }
    const den = (p11 + p10) * (p10 + p00) + (p11 + p01) * (p01 + p00);
    const oracle = den === 0 ? 1 : (2 * (p11 * p00 - p10 * p01)) / den;
    assert.ok(Math.abs(adjustedRandIndex(a, b) - oracle) < 1e-12, `trial ${trial}: ${a} vs ${b}`);
  }
});

test("average linkage: a hand-worked case, and blocks of a block distance matrix recovered", () => {
  // points on a line at 0, 1, 5, 6, 20: {0,1} and {5,6} merge first (distance 1 each): k = 3 stops there; then the
  // average linkage of {0,1} and {5,6} is (5 + 6 + 4 + 5)/4 = 5, below {5,6}–{20} (14.5) and {0,1}–{20} (19.5)
  const x = [0, 1, 5, 6, 20];
  const d = x.map((a) => x.map((b) => Math.abs(a - b)));
  assert.deepEqual(averageLinkage(d, 3), [0, 0, 1, 1, 2]);
  assert.deepEqual(averageLinkage(d, 2), [0, 0, 0, 0, 1]);
  assert.deepEqual(averageLinkage(d, 5), [0, 1, 2, 3, 4]);
  const cls = [0, 1, 2, 0, 1, 2, 0, 1, 2];
  const rng = new Rng(4);
  const block = cls.map((a, i) => cls.map((b, j) => (i === j ? 0 : a === b ? 0.1 + 0.1 * rng.uniform(0, 1) : 0.6 + 0.1 * rng.uniform(0, 1))));
  const sym = block.map((row, i) => row.map((v, j) => (i < j ? v : block[j][i])));
  assert.equal(adjustedRandIndex(averageLinkage(sym, 3), cls), 1);
});

const CACHE = path.join(__dirname, "..", "notebooks", "cached-results", "token-xor");

test("the committed population: records follow the keep rule, and one kept model per class re-evaluates to its record", () => {
  const { records, members } = loadTokenXorPopulation(CACHE);
  const spec = tokenXorPopulationSpec();
  assert.equal(records.length, spec.classes.length * spec.seeds * spec.widths.length);
  for (const r of records) assert.equal(r.kept, r.accuracy >= 0.8 && r.iiaMean >= 0.8 && TOKEN_XOR_VARIABLES[r.cls].every((v) => r.iia[v] >= 0.8), r.key);
  assert.deepEqual(members.map((m) => m.key), records.filter((r) => r.kept).map((r) => r.key));
  for (const cls of XOR_CLASSES) {
    const m = members.find((x) => x.cls === cls);
    assert.ok(m, `no kept ${cls} model`);
    const r = records.find((x) => x.key === m.key)!;
    // the record's scores: evaluateTransformer on SIIT's evaluation pairs (256, seeded as in siit.ts)
    const s = evaluateTransformer(m.model, tokenXorProgram(cls), m.correspondence, { nPairs: 256, seed: deriveSeed(r.seed, "siit", "eval") });
    assert.equal(s.accuracy, r.accuracy);
    assert.deepEqual(s.iia, r.iia);
    assert.ok(s.accuracy >= 0.8 && s.iiaMean >= 0.8, `${m.key}: accuracy ${s.accuracy}, IIA ${JSON.stringify(s.iia)}`);
    for (const v of TOKEN_XOR_VARIABLES[cls]) assert.ok(s.iia[v] >= 0.8, `${m.key} ${v}`);
    assert.deepEqual(Object.keys(s.iia).sort(), computedNodes(tokenXorProgram(cls)).map((n) => n.name).sort());
  }
});

test("the cached clustering: clusters and ARI follow from its matrices, a slice of the matrices recomputes, and the interchange representation recovers the classes", () => {
  const { records, members } = loadTokenXorPopulation(CACHE);
  const entries = loadTokenXorClustering(CACHE);
  assert.deepEqual(entries.map((e) => e.name), TOKEN_XOR_SETTINGS.map((s) => s.name));
  for (const { name, dHead, result: r } of entries) {
    const chosen = members.filter((m) => dHead === undefined || records.find((x) => x.key === m.key)!.dHead === dHead);
    assert.deepEqual(r.keys, chosen.map((m) => m.key), name);
    assert.deepEqual(r.classes, chosen.map((m) => m.cls), name);
    r.twoWay.forEach((row, i) => row.forEach((v, j) => assert.equal(v, Math.min(r.similarity[i][j], r.similarity[j][i]))));
    assert.deepEqual(r.clusters, averageLinkage(r.twoWay.map((row) => row.map((v) => 1 - v)), 3), name);
    assert.equal(r.ari, adjustedRandIndex(r.classes, r.clusters), name);
  }
  // one model per class, recomputed under two settings: the same scores as the cached matrices
  const pick = XOR_CLASSES.map((c) => members.findIndex((m) => m.cls === c));
  for (const name of ["mlp0", "interchange"]) {
    const { options, result } = entries.find((e) => e.name === name)!;
    const probes = tokenXorProbes({ seed: 0, ...options.probes });
    const reps = new Map(pick.map((i) => [i, tokenXorRepresentation(members[i].model, probes, options.site, members[i].correspondence)]));
    for (const i of pick)
      for (const j of pick) {
        if (i >= j) continue;
        const seed = pairSeed(0, i, j);
        assert.ok(Math.abs(ridgePredictivity(reps.get(i)!, reps.get(j)!, { seed }) - result.similarity[i][j]) < 1e-9, `${name} ${i}→${j}`);
        assert.ok(Math.abs(ridgePredictivity(reps.get(j)!, reps.get(i)!, { seed }) - result.similarity[j][i]) < 1e-9, `${name} ${j}→${i}`);
      }
  }
  const causal = entries.find((e) => e.name === "interchange")!.result;
  assert.ok(causal.ari >= INTERCHANGE_ARI_BOUND, `interchange ARI ${causal.ari}`);
  const oneWidth = entries.find((e) => e.name === "interchange, d_head 2 only")!.result;
  assert.ok(oneWidth.ari >= ONE_WIDTH_ARI_BOUND, `interchange ARI on d_head 2 ${oneWidth.ari}`);
  assert.ok(causal.withinMean > causal.betweenMean + 0.15, `within ${causal.withinMean} vs between ${causal.betweenMean}`);
  // the point test tells C2 from both other classes in every bootstrap, and finds no difference within a class
  for (const c of XOR_CLASSES) if (c !== "C2") assert.ok(causal.detection.C2[c] >= 0.9 && causal.detection[c].C2 >= 0.9, `C2 vs ${c}`);
  for (const c of XOR_CLASSES) assert.ok(causal.detection[c][c] <= 0.1, `${c} against itself`);
  // the representational sites do not recover the classes (measured; docs/equivalence-design.md says why)
  for (const name of ["mlp0", "circuit", "residual"]) assert.ok(entries.find((e) => e.name === name)!.result.ari < REPRESENTATION_ARI_CEILING, name);
  const fig = tokenXorSimilarityFigure(causal);
  assertPlainData(fig);
  const names = (fig.data[0] as { x: string[] }).x;
  // ordered by class: the first names are C1's, the last C3's, each naming its cluster
  assert.ok(names[0].includes("C1-") && names[names.length - 1].includes("C3-") && names.every((n) => n.includes("→ cluster")));
  assert.equal((fig.data[0] as { z: number[][] }).z.length, members.length);
});

test("the interchange representation equals patching the neuron groups with the library's interchange intervention", () => {
  const config = tokenXorConfig(2);
  const model = initTransformer(config, 9);
  const corr = tokenXorCorrespondence("C3", config, 2);
  const probes = tokenXorProbes({ n: 12, seed: 5 });
  const x = interchangeRepresentation(model, probes, corr);
  const groups = TOKEN_XOR_VARIABLES.C3.map((v) => corr[v][0]).map((s) => (s.component === "mlp" ? s.neurons : []));
  assert.equal(x.d, groups.length);
  const perm = new Rng(deriveSeed(12, "token-xor", "interchange-sources")).permutation(12);
  const source = Array.from(perm, (r) => probes.tokens[r]);
  groups.forEach((units, c) => {
    const logits = runTransformerWithCache(model, probes.tokens, { interventions: [{ kind: "interchange", site: { hook: "blocks.0.mlp.hook_post", units }, source }], names: [] }).logits.data;
    for (let r = 0; r < 12; r++) assert.ok(Math.abs(x.v[r * x.d + c] - (logits[(r * 9 + 8) * 2 + 1] - logits[(r * 9 + 8) * 2])) < 1e-5, `group ${c} row ${r}`);
  });
});

// Measured on the committed population (docs/equivalence-design.md, EQUIVALENCE 8), as regression bounds. The
// interchange representation measures ARI 1 on the 23 kept models (the issue asks ≥ 0.8), but one model's cluster
// decides it: on the 12 models of d_head 2 alone one C3 model joins the C1 cluster (ARI 0.737; C1 and C3 share the
// AND variable and the readout, so their swaps look alike). The representational sites measure ARI ≈ 0 (every model
// separates the four corners; SIIT fixes what a neuron group does, not how it encodes it).
const INTERCHANGE_ARI_BOUND = 0.8;
const ONE_WIDTH_ARI_BOUND = 0.7;
const REPRESENTATION_ARI_CEILING = 0.5;

test("bad input gets an InputError naming it; an oversized clustering a BudgetError", () => {
  assert.throws(() => tokenXorProgram("C4" as never), (e: unknown) => e instanceof InputError && /C4/.test((e as Error).message));
  assert.throws(() => tokenXorTask().label([0, 1, 1]), InputError);
  assert.throws(() => tokenXorTask().label([0, 1, 2, 0, 0, 0, 0, 0]), InputError);
  assert.throws(() => tokenXorConfig(0), InputError);
  assert.throws(() => tokenXorProbes({ n: 4 }), InputError);
  assert.throws(() => tokenXorProbes({ sigma: -1 }), InputError);
  assert.throws(() => tokenXorProbes({ background: "zeros" as never }), /background/);
  const model = initTransformer(tokenXorConfig(2), 1);
  assert.throws(() => tokenXorRepresentation(model, tokenXorProbes({ n: 8 }), "circuit"), /correspondence/);
  assert.throws(() => tokenXorRepresentation(model, tokenXorProbes({ n: 8 }), "interchange"), /correspondence/);
  assert.throws(() => tokenXorRepresentation(model, tokenXorProbes({ n: 8 }), "hook" as never), InputError);
  assert.throws(() => averageLinkage([[0, 1], [1, 0]], 3), InputError);
  assert.throws(() => averageLinkage([[0, 1]], 1), InputError);
  const big = Array.from({ length: 401 }, () => new Array(401).fill(0));
  assert.throws(() => averageLinkage(big, 3), BudgetError);
  assert.throws(() => tokenXorClustering([]), InputError);
  assert.throws(() => tokenXorPopulationSpec({ classes: ["C9" as never] }), InputError);
  assert.throws(() => tokenXorPopulationSpec({ seeds: 0 }), InputError);
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "token-xor-"));
  assert.throws(() => loadTokenXorPopulation(empty), (e: unknown) => e instanceof InputError && /records\.jsonl/.test((e as Error).message));
  fs.rmSync(empty, { recursive: true });
});
