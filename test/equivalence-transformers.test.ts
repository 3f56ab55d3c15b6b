// Interpretive equivalence across transformer pipelines: pipelines against the composed RASP programs, the patching
// routine against interchange interventions, the estimator's validation points on a small seeded population, the
// cached full study against a recomputed slice, figures as data, and the refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  BudgetError,
  InputError,
  PIPELINE_ALGORITHMS,
  Rng,
  RASP_CASES,
  TransformerIntervention,
  TransformerStudyResult,
  algorithmSpec,
  assertPlainData,
  circuitHeads,
  circuitHookNames,
  composePrograms,
  deriveSeed,
  detectionGridFigure,
  implementationMap,
  implementationMapFigure,
  indistinguishablePairs,
  loadStageModels,
  makePipeline,
  makePipelineProbes,
  pairSeed,
  parseAlgorithm,
  patchingInterventions,
  pointTest,
  representImplementation,
  residualHookNames,
  ridgePredictivity,
  runPipeline,
  runProgram,
  runTransformerStudy,
  sampleImplementations,
  selectivityEndpoints,
  selectivityFigure,
  transferMatrixFigure,
  algorithmSimilarityFigure,
} from "../src";

const STUDY_FILE = path.join(__dirname, "..", "notebooks", "cached-results", "equivalence-transformers", "study.json");
const models = loadStageModels();

test("the six algorithms: case chains, bridges only where a stage's values overflow the next vocabulary", () => {
  assert.deepEqual(
    PIPELINE_ALGORITHMS.map((a) => a.name),
    ["59→112", "59→48→124", "59→74→99→124", "59→125", "108→99→124", "63→108"],
  );
  assert.deepEqual(PIPELINE_ALGORITHMS[1].bridges, ["identity", "modulo"]);
  assert.equal(parseAlgorithm("59-112"), PIPELINE_ALGORITHMS[0]);
  assert.throws(() => algorithmSpec(["59", "999"]), (e: Error) => e instanceof InputError && /unknown case "999"/.test(e.message));
  assert.throws(() => algorithmSpec(["59", "48", "124"]), (e: Error) => e instanceof InputError && /mismatched stage token ranges.*case 48 outputs 0…9.*"modulo"/.test(e.message));
  assert.throws(() => algorithmSpec(["59", "112"], ["identity", "identity"]), InputError);
});

test("a pipeline equals the composed RASP programs wherever its stage models are right", () => {
  const probes = makePipelineProbes(7, 120).clean;
  for (const alg of PIPELINE_ALGORITHMS) {
    const [p] = sampleImplementations(alg, models, 1, new Rng(deriveSeed(3, alg.name)));
    const run = runPipeline(p, probes);
    let stagesRight = 0;
    let finalRight = 0;
    probes.forEach((row, r) => {
      const composed = composePrograms(alg, row);
      // every stage's model agrees with its own program on the input it actually got
      const ok = p.stages.every((st, s) => runProgram(st.program, run.inputs[s][r].slice(1)).output.join() === run.outputs[s][r].join());
      if (ok) {
        stagesRight++;
        assert.deepEqual(run.outputs.map((o) => o[r]), composed, `${alg.name} row ${r}`);
      }
      if (composed[composed.length - 1].join() === run.outputs[run.outputs.length - 1][r].join()) finalRight++;
    });
    assert.ok(stagesRight >= 0.85 * probes.length, `${alg.name}: ${stagesRight} rows with every stage right`);
    assert.ok(finalRight >= 0.9 * probes.length, `${alg.name}: final output right on ${finalRight}/${probes.length}`);
  }
  const bad = sampleImplementations(PIPELINE_ALGORITHMS[0], models, 1, new Rng(1))[0];
  assert.throws(() => makePipeline(PIPELINE_ALGORITHMS[3], bad.stages), (e: Error) => e instanceof InputError && /stage 1 must be a model of case 125/.test(e.message));
});

test("patching k heads from the last stage backwards equals interchange interventions on the corrupted stage inputs", () => {
  const alg = PIPELINE_ALGORITHMS[0];
  const [p] = sampleImplementations(alg, models, 1, new Rng(11));
  const probes = makePipelineProbes(5, 40);
  const heads = circuitHeads(p);
  assert.equal(heads.length, 4);
  assert.deepEqual(heads.map((h) => h.stage), [1, 1, 0, 0]);
  assert.ok(heads[0].layer >= heads[1].layer);
  const corrupted = runPipeline(p, probes.corrupted, { names: (s) => circuitHookNames(p, s) });
  const names = (_s: number, m: { config: { nLayers: number } }) => residualHookNames(m as never);
  const clean = runPipeline(p, probes.clean, { names });
  assert.deepEqual(patchingInterventions(p, 0, corrupted), [[], []]);
  for (const k of [1, 3]) {
    const fast = runPipeline(p, probes.clean, { names, interventions: patchingInterventions(p, k, corrupted), reuse: clean });
    const oracle: TransformerIntervention[][] = [[], []];
    for (const h of heads.slice(0, k)) oracle[h.stage].push({ kind: "interchange", site: { hook: `blocks.${h.layer}.attn.hook_z`, heads: [h.head] }, source: corrupted.inputs[h.stage] });
    const slow = runPipeline(p, probes.clean, { names, interventions: oracle });
    const last = p.stages.length - 1;
    const hook = residualHookNames(p.stages[last].model).at(-1)!;
    const a = fast.caches[last][hook].data;
    const b = slow.caches[last][hook].data;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
    assert.ok(diff < 1e-5, `k=${k}: max difference ${diff}`);
    assert.deepEqual(fast.outputs, slow.outputs);
  }
  // the patch changes something: the last stage's outputs differ from the clean run on some rows at k = 1
  const one = runPipeline(p, probes.clean, { interventions: patchingInterventions(p, 1, corrupted), reuse: clean });
  assert.ok(one.outputs[1].some((row, r) => row.join() !== clean.outputs[1][r].join()));
  assert.throws(() => patchingInterventions(p, 5, corrupted), (e: Error) => e instanceof InputError && /k must be an integer from 0 to 4/.test(e.message));
});

test("validation on a small seeded population: same algorithm judged the same, disjoint algorithms told apart, selectivity null ≈ 0.5 and rising", () => {
  const pool = models.filter((m) => ["59", "125", "63", "108"].includes(m.caseId));
  const r = runTransformerStudy({ algorithms: ["59-125", "63-108"], implementations: 4, probes: 200, kMax: 2, selectivityDraws: 24, seed: 1 }, pool);
  // The implementations of each algorithm differ in architecture too (the random-architecture regimes), not only in seed and correspondence.
  const architecture = (key: string) => {
    const c = pool.find((m) => m.key === key)!.model.config;
    return `${c.nLayers}/${c.dModel}`;
  };
  for (const name of r.settings.algorithms) {
    const archs = new Set(r.implementations.filter((im) => im.algorithm === name).map((im) => im.stages.map(architecture).join(" ")));
    assert.ok(archs.size >= 2, `${name}: implementations of ${archs.size} architecture(s)`);
  }
  // false detection: an algorithm against itself
  for (let i = 0; i < 2; i++) assert.ok(r.detection[i][i] <= 0.1, `false detection ${r.detection[i][i]} for ${r.settings.algorithms[i]}`);
  // the two algorithms share no stage
  assert.ok(r.detection[0][1] >= 0.8 && r.detection[1][0] >= 0.8, `detection ${r.detection[0][1]}, ${r.detection[1][0]}`);
  // k = 0 is the null: pooled over the 4 (source, target) curves, within 3 standard errors of 0.5
  const zero = r.selectivity.map((c) => c.score[0]);
  const n = r.selectivity.reduce((s, c) => s + c.draws, 0);
  const mean = zero.reduce((s, v) => s + v, 0) / zero.length;
  assert.ok(Math.abs(mean - 0.5) <= 3 * Math.sqrt(0.25 / n), `selectivity at k = 0: ${mean} over ${n} draws`);
  for (const e of selectivityEndpoints(r)) assert.ok(e.sameAtMax > e.sameAtZero, `${e.source}: ${e.sameAtZero} → ${e.sameAtMax}`);
  assert.deepEqual(indistinguishablePairs(r), []);
  assert.throws(
    () => runTransformerStudy({ algorithms: ["59-125", "63-108"], implementations: 40, maxSeconds: 5 }, pool),
    (e: Error) => e instanceof BudgetError && e.estimatedSeconds > 5 && /exceeds the budget of 5 s/.test(e.message),
  );
  assert.throws(() => runTransformerStudy({ algorithms: ["59-125", "59-125"] }, pool), InputError);
});

test("the cached study agrees with a recomputed slice and its statistics with the point test on its matrix", () => {
  assert.ok(fs.existsSync(STUDY_FILE), `${STUDY_FILE} is missing; its README has the command that makes it`);
  const study = JSON.parse(fs.readFileSync(STUDY_FILE, "utf8")) as TransformerStudyResult;
  const st = study.settings;
  assert.deepEqual(st.algorithms, PIPELINE_ALGORITHMS.map((a) => a.name));
  const M = study.implementations.length;
  assert.equal(M, st.algorithms.length * st.implementations);
  // the implementations are the seeded draws
  const name = "63→108";
  const alg = parseAlgorithm(name);
  const impls = sampleImplementations(alg, models, st.implementations, new Rng(deriveSeed(st.seed, "implementations", name)));
  const offset = study.implementations.findIndex((x) => x.algorithm === name);
  impls.forEach((p, i) => assert.deepEqual(p.stages.map((s) => s.key), study.implementations[offset + i].stages));
  // two implementations' representations and one similarity recomputed
  const probes = makePipelineProbes(deriveSeed(st.seed, "probes"), st.probes);
  const [ra, rb] = [0, 1].map((i) => representImplementation(impls[i], probes, { components: st.components, varianceKept: st.varianceKept }));
  assert.deepEqual(ra.columns, study.implementations[offset].columns);
  const s = ridgePredictivity(ra.x, rb.x, { seed: pairSeed(st.seed, offset, offset + 1), ...st.ridge });
  assert.ok(Math.abs(s - study.similarity[offset][offset + 1]) < 1e-9, `recomputed ${s}, cached ${study.similarity[offset][offset + 1]}`);
  // the grid is the point test on the cached matrix
  const byAlg = st.algorithms.map((a) => study.implementations.map((x, i) => (x.algorithm === a ? i : -1)).filter((i) => i >= 0));
  st.algorithms.forEach((a, i) =>
    st.algorithms.forEach((b, j) => {
      const pt = pointTest(study.similarity, byAlg[i], byAlg[j], { draws: st.draws, bootstraps: st.bootstraps, seed: deriveSeed(st.seed, "point-test", a, b) });
      assert.equal(pt.detectionRate, study.detection[i][j]);
    }),
  );
  // selectivity curves: one per (source, target), k from 0 to the source's kMax
  assert.equal(study.selectivity.length, st.algorithms.length ** 2);
  for (const c of study.selectivity) assert.equal(c.k.length, st.kMax[c.source] + 1);
  assert.equal(st.kMax["59→74→99→124"], 8);
});

test("figures are plain data built from the study", () => {
  const study = JSON.parse(fs.readFileSync(STUDY_FILE, "utf8")) as TransformerStudyResult;
  const A = study.settings.algorithms.length;
  const sel = selectivityFigure(study);
  assertPlainData(sel);
  const curves = sel.data.filter((d) => d.name !== undefined);
  assert.equal(curves.length, A * A);
  const own = curves.filter((d) => (d.line as { width: number }).width === 4);
  assert.equal(own.length, A);
  const c0 = study.selectivity.find((c) => c.source === study.settings.algorithms[0] && c.target === study.settings.algorithms[0])!;
  assert.deepEqual(own[0].y, c0.score);
  // every trace sits on a panel the layout defines (Plotly numbers axes x, x2, …)
  for (const d of sel.data) assert.ok(sel.layout[String(d.xaxis).replace(/^x/, "xaxis")] && sel.layout[String(d.yaxis).replace(/^y/, "yaxis")], `axes of ${d.name}`);
  assert.ok(sel.layout.xaxis && !sel.layout.xaxis1);
  const grid = detectionGridFigure(study);
  assertPlainData(grid);
  assert.deepEqual(grid.data[0].z, study.detection);
  assert.equal((grid.layout.annotations as unknown[]).length, A * A);
  const tm = transferMatrixFigure(study);
  assertPlainData(tm);
  assert.equal((tm.data[0].z as number[][]).length, study.implementations.length);
  assertPlainData(algorithmSimilarityFigure(study));
  const map = implementationMapFigure(study);
  assertPlainData(map);
  assert.equal(map.data.reduce((s, d) => s + (d.x as number[]).length, 0), study.implementations.length);
});

test("the implementation map recovers distances of points in a plane (classical MDS oracle)", () => {
  const pts = [[0, 0], [0.3, 0], [0, 0.4], [0.3, 0.4], [0.1, 0.2]];
  const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const s = pts.map((a) => pts.map((b) => 1 - dist(a, b)));
  const m = implementationMap(s);
  for (let i = 0; i < pts.length; i++)
    for (let j = 0; j < pts.length; j++) assert.ok(Math.abs(Math.hypot(m.x[i] - m.x[j], m.y[i] - m.y[j]) - dist(pts[i], pts[j])) < 1e-9);
  assert.ok(Math.abs(m.explained - 1) < 1e-9);
  assert.ok(RASP_CASES["59"]);
});

test("equivalence --pipelines refuses a single pipeline and an unknown case before any work", async () => {
  const { run } = await import("../src/cli/equivalence");
  await assert.rejects(run(["--pipelines", "59-125"]), /at least two pipelines/);
  await assert.rejects(run(["--pipelines", "59-125", "63-777"]), (e: Error) => e instanceof InputError && /unknown case "777"/.test(e.message));
});
