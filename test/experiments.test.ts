// The studies runner: configurations and job order, records (differential against the pieces they call), CSV in
// Python repr, incremental writes, resume, worker-count independence, summaries and figures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  STUDIES, getStudy, studyJobs, runStudy, runStudyJob, jobExperimentConfig, StudyRecord, StudyJob, pyFloatRepr, pyRepr,
  recordToCsvLine, csvHeader, readRecords, modelCounts, summarizeRecords, networkSizeComparison, groupRecords, median,
  multiplicityFigure, perModelCountsFigure, networkSizeComparisonFigure, trainExperimentSync, analyzeModelFile, compactRecords,
  resolveSettings, checkStudyFeasible, symlogInverse, CSV_COLUMNS, settingsKey,
} from "../src/index";

const tmp = () => mkdtempSync(path.join(tmpdir(), "mi-exp-"));
const withoutTimings = (r: StudyRecord) => ({ ...r, timings_ms: {} });

test("Python repr of floats and lists matches what pandas writes in df_out.csv", () => {
  const cases: [number, string][] = [[0.01, "0.01"], [0.1, "0.1"], [0.001, "0.001"], [0.0001, "0.0001"], [1e-5, "1e-05"], [1e-6, "1e-06"], [1, "1.0"], [3, "3.0"], [0, "0.0"], [1e16, "1e+16"], [1.5e-7, "1.5e-07"], [0.5488135039273248, "0.5488135039273248"], [123456.5, "123456.5"]];
  for (const [x, s] of cases) assert.equal(pyFloatRepr(x), s, String(x));
  assert.equal(pyRepr([[6, 80, 448]]), "[[6, 80, 448]]");
  assert.equal(pyRepr([15]), "[15]");
  assert.equal(pyRepr([[]]), "[[]]");
  assert.equal(pyRepr([0.5, 1], true), "[0.5, 1.0]");
});

test("studies: the README's seven runs, jobs in main.py's loop order", () => {
  // the README's seven, then ours (the MNIST seed study, src/mnist/study.ts)
  assert.deepEqual(Object.keys(STUDIES), ["basic", "multitask", "target-gate", "network-size", "noise", "skewed", "loss-target", "mnist"]);
  assert.deepEqual(STUDIES["network-size"].grid.sizes, [2, 3, 4, 5]);
  assert.deepEqual(STUDIES["loss-target"].grid.lossTargets, [0.1, 0.01, 0.001, 0.0001, 0.00001, 0.000001]);
  assert.equal(STUDIES.noise.grid.noiseStd, 0.1);
  const jobs = studyJobs({ ...getStudy("network-size").grid, experiments: 3 });
  assert.equal(jobs.length, 12);
  // for seed_offset: for size (sizes innermost, as main.py draws the data once per seed)
  assert.deepEqual(jobs.slice(0, 5).map((j) => [j.seedOffset, j.size]), [[0, 2], [0, 3], [0, 4], [0, 5], [1, 2]]);
  assert.equal(new Set(jobs.map((j) => j.key)).size, 12);
  const mt = studyJobs({ ...getStudy("multitask").grid, experiments: 2 });
  assert.deepEqual(mt.map((j) => j.nGates), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
  assert.throws(() => getStudy("nope"), /basic, multitask/);
  assert.throws(() => studyJobs({ ...getStudy("basic").grid, gatePool: ["XOR"], nGates: [2] }), /exceeds the gate pool/);
  assert.throws(() => studyJobs({ ...getStudy("basic").grid, experiments: 0 }), /--experiments/);
});

test("a record equals training + analyzeModelFile called directly (differential), CSV in reference column order", () => {
  const grid = { ...getStudy("basic").grid, experiments: 3 };
  const job = studyJobs(grid)[2];
  const rec = runStudyJob("basic", grid, job);
  const { data, result } = trainExperimentSync(jobExperimentConfig(grid, job));
  assert.equal(rec.accepted, result.accepted);
  assert.equal(rec.epochs, result.epochs);
  assert.ok(rec.accepted, "seed offset 2 of the basic study trains to an accepted model");
  const a = analyzeModelFile({ model: result.model, val: data.val, xTt: data.xTt }).outputs;
  assert.deepEqual(rec.perfect_circuits, a.map((o) => o.circuits.length));
  assert.deepEqual(rec.interpretations_per_circuit, a.map((o) => o.circuits.map((c) => c.interpretations)));
  assert.deepEqual(rec.distinct_interpretations_per_circuit, a.map((o) => o.circuits.map((c) => c.distinctInterpretations)));
  assert.deepEqual(rec.formulas, a.map((o) => o.alignment!.formulas));
  assert.deepEqual(rec.mappings_per_formula, a.map((o) => o.alignment!.mappingsPerFormula));
  assert.deepEqual(rec.settings, resolveSettings());
  assert.equal(rec.gates, "XOR");
  const counts = modelCounts(rec)!;
  assert.equal(counts.circuits, a[0].circuits.length);
  assert.equal(counts.mappings, a[0].alignment!.mappingsPerFormula.reduce((s, v) => s + v, 0));
  const header = csvHeader().trim().split(",");
  // The reference's df_out.csv columns first, then ours exactly as before, new columns appended.
  assert.deepEqual(header, ["gates", "n_gates", "sizes", "seed_offset", "perfect_circuits", "interpretations_per_circuit", "formulas", "mappings_per_formula", "loss_target", "learning_rate", "depth", "weights",
    "study", "job", "key", "seed", "noise_std", "accepted", "epochs", "final_loss", "val_acc", "stop_reason", "candidates", "valid_mappings_per_formula", "mode", "engine", "backend", "timings_ms",
    "settings", "distinct_interpretations_per_circuit"]);
  assert.equal(header.length, CSV_COLUMNS.length);
  const line = recordToCsvLine(rec);
  assert.ok(line.startsWith(`XOR,1,3,2,[${rec.perfect_circuits![0]}],"[[${rec.interpretations_per_circuit![0].join(", ")}]]",`), line);
  assert.match(line, /,0\.01,0\.001,2,,basic,2,/);
});

/** A cheap fake experiment: deterministic from the job, with a rejected model every 4th. */
function fakeJob(job: StudyJob): StudyRecord {
  const accepted = job.seedOffset % 4 !== 3;
  return {
    gates: "XOR", n_gates: 1, sizes: job.size, seed_offset: job.seedOffset,
    perfect_circuits: accepted ? [job.seedOffset] : null, interpretations_per_circuit: accepted ? [[job.seedOffset, 2]] : null,
    formulas: accepted ? [1] : null, mappings_per_formula: accepted ? [[job.size]] : null,
    loss_target: job.lossTarget, learning_rate: job.learningRate, depth: job.depth, weights: null,
    study: "fake", job: job.index, key: job.key, seed: 0, noise_std: 0, accepted, epochs: 1, final_loss: 0, val_acc: 1,
    stop_reason: "target", candidates: accepted ? [3000] : null, mode: "compat", engine: "fake", backend: null, timings_ms: { total: Math.random() },
    valid_mappings_per_formula: accepted ? [[job.size + 1]] : null, settings: resolveSettings(), distinct_interpretations_per_circuit: accepted ? [[1, 1]] : null,
  };
}

test("records are written one by one (fsynced) and resume never duplicates or skips, even after a torn line", async () => {
  const dir = tmp();
  const grid = { ...getStudy("network-size").grid, experiments: 4 };
  const seen: number[] = [];
  let stopAfter = 5;
  // A run that stops after 5 records (as if killed): the file holds exactly the records finished so far.
  await assert.rejects(runStudy({
    study: "fake", grid, out: dir, workers: 0,
    runJob: (j) => {
      if (stopAfter-- === 0) throw new Error("killed");
      return fakeJob(j);
    },
    onRecord: (_r, done) => seen.push(readFileSync(path.join(dir, "results.jsonl"), "utf8").trim().split("\n").length - done),
  }), /killed/);
  assert.deepEqual(seen, [0, 0, 0, 0, 0]);
  appendFileSync(path.join(dir, "results.jsonl"), '{"gates":"XO'); // torn last line of a killed write
  await assert.rejects(runStudy({ study: "fake", grid, out: dir, workers: 0, runJob: fakeJob }), /already holds results/);
  await assert.rejects(runStudy({ study: "fake", grid: { ...grid, sizes: [3] }, out: dir, resume: true, workers: 0, runJob: fakeJob }), /different run/);
  const ranJobs: number[] = [];
  const res = await runStudy({ study: "fake", grid, out: dir, resume: true, workers: 0, runJob: (j) => (ranJobs.push(j.index), fakeJob(j)) });
  assert.deepEqual(ranJobs, [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  assert.equal(res.skipped, 5);
  const full = await runStudy({ study: "fake", grid, workers: 0, runJob: fakeJob });
  assert.deepEqual(readRecords(dir).map(withoutTimings), full.records.map(withoutTimings));
  const csv = readFileSync(path.join(dir, "results.csv"), "utf8").trim().split("\n");
  assert.equal(csv.length, 17);
  // Growing the run (more seeds) resumes too.
  const more = await runStudy({ study: "fake", grid: { ...grid, experiments: 5 }, out: dir, resume: true, workers: 0, runJob: fakeJob });
  assert.equal(more.ran, 4);
  assert.deepEqual(more.records.map((r) => r.job), Array.from({ length: 20 }, (_, i) => i));
});

test("same records with 0, 1 or 2 worker threads (real training and analysis, built dist/)", async () => {
  const grid = { ...getStudy("target-gate").grid, experiments: 6 };
  const a = await runStudy({ study: "target-gate", grid, workers: 0 });
  const b = await runStudy({ study: "target-gate", grid, workers: 2, out: tmp() });
  const c = await runStudy({ study: "target-gate", grid, workers: 1 });
  assert.equal(a.records.length, 6);
  assert.deepEqual(b.records.map(withoutTimings), a.records.map(withoutTimings));
  assert.deepEqual(c.records.map(withoutTimings), a.records.map(withoutTimings));
  assert.ok(new Set(a.records.map((r) => r.gates)).size >= 2, "one random gate of the four per seed");
  // main.py quirk (SPEC 2.3): seeds 0 and 1 share their data, so their sampled gate too.
  assert.equal(a.records[0].gates, a.records[1].gates);
});

function rec(size: number, counts: [number, number, number, number] | null, extra: Partial<StudyRecord> = {}): StudyRecord {
  const base = fakeJob({ index: 0, key: `k${size}-${Math.random()}`, nGates: 1, seedOffset: 0, size, depth: 2, lossTarget: 0.01, learningRate: 0.001 });
  if (!counts) return { ...base, accepted: false, perfect_circuits: null, interpretations_per_circuit: null, formulas: null, mappings_per_formula: null, ...extra };
  return { ...base, perfect_circuits: [counts[0]], interpretations_per_circuit: [[counts[1]]], formulas: [counts[2]], mappings_per_formula: [[counts[3]]], ...extra };
}

test("summaries: medians over accepted models, groups in natural order, the network-size comparison's verdicts", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(median([]), null);
  const records = [rec(3, [10, 7000, 2, 30]), rec(3, [20, 9000, 4, 40]), rec(3, null), rec(2, [0, 0, 1, 1]), rec(5, [50, 1e9, 3, 3500])];
  const rows = summarizeRecords(records, "size");
  assert.deepEqual(rows.map((r) => r.group), ["k=2", "k=3", "k=5"]);
  assert.deepEqual([rows[1].models, rows[1].accepted, rows[1].circuits_median, rows[1].interpretations_median, rows[1].mappings_mean], [3, 2, 15, 8000, 35]);
  assert.equal(rows[0].no_circuit, 1);
  const cmp = networkSizeComparison(records);
  const get = (k: number, m: string) => cmp.find((r) => r.k === k && r.measure === m)!;
  assert.equal(get(3, "mappings").verdict, "agrees (within 3×)");
  assert.equal(get(3, "interpretations").our_median, 8000);
  assert.equal(get(5, "interpretations").verdict, "ours higher by 1000×");
  assert.equal(get(4, "mappings").verdict, "no accepted model");
  assert.equal(get(2, "mappings").verdict, "ours lower by 8×");
  // k = 2 has one model with 0 interpretations: a log plot cannot show it, so the comparison has no median.
  assert.deepEqual([get(2, "interpretations").verdict, get(2, "interpretations").zeros, get(2, "interpretations").our_median_with_zeros], ["ours all 0", 1, 0]);
  assert.throws(() => summarizeRecords(undefined as never, "size"), /records must be an array of study records/);
  assert.throws(() => summarizeRecords([], "colour" as never), /Unknown grouping "colour": use one of size, n_gates, gate, noise, skewed, loss_target, settings, none/);
  assert.throws(() => networkSizeComparison(null as never), /networkSizeComparison: records must be an array/);
  const lt = groupRecords([rec(3, [1, 1, 1, 1], { loss_target: 0.001 }), rec(3, [1, 1, 1, 1], { loss_target: 0.1 })], "loss_target");
  assert.deepEqual(lt.map((g) => g.label), ["0.1", "0.001"]);
});

test("figures: every accepted model on a symlog axis (zeros included), box medians equal to the summary table's; per-model counts; paper comparison", () => {
  const records = [rec(3, [10, 7000, 2, 30]), rec(3, [20, 9000, 4, 40]), rec(2, [0, 5, 1, 1]), rec(2, [3, 5, 1, 1])];
  const fig = multiplicityFigure(records, "size");
  assert.equal(fig.data.length, 10); // 5 panels (circuits, interpretations, distinct, algorithms, mappings) × 2 groups
  for (const ax of ["yaxis", "yaxis2", "yaxis3", "yaxis4", "yaxis5"]) {
    const axis = fig.layout[ax] as { type: string; tickvals: number[]; ticktext: string[] };
    assert.equal(axis.type, "linear");
    assert.equal(axis.ticktext[0], "0");
    assert.equal(axis.tickvals[0], 0);
  }
  assert.equal(fig.data[0].name, "k=2 (1×0)");
  // Both k=2 models are drawn, the zero at the bottom of the axis.
  assert.deepEqual((fig.data[0].y as number[][])[0].map((v) => Math.round(symlogInverse(v))), [0, 3]);
  assert.deepEqual((fig.data[1].y as number[][])[0].map((v) => Math.round(symlogInverse(v))), [10, 20]);

  // The case: 9 of 14 models with no aligned algorithm. The table's median (with zeros) is the plot's.
  const algorithms = [0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 7, 7, 9, 11];
  const zeros = algorithms.map((a, i) => rec(3, [i + 1, 100, a, a]));
  const table = summarizeRecords(zeros, "size")[0];
  assert.equal(table.algorithms_median, 0);
  const z = multiplicityFigure(zeros, "size");
  const box = z.data.find((d) => d.yaxis === "y4")!;
  assert.equal(box.name, "k=3 (9×0)");
  assert.equal((box.y as number[][])[0].length, 14, "every model is a point, zeros included");
  assert.equal(symlogInverse((box.median as number[])[0]), table.algorithms_median);
  // Each box's statistics (as counts) against the summary table, every panel and group.
  const mixed = [...records, ...zeros, rec(5, [1, 0, 0, 0]), rec(5, [4, 6, 3, 9]), rec(5, null)];
  const rows = summarizeRecords(mixed, "size");
  const panelCount: Record<string, keyof (typeof rows)[number]> = { circuits: "circuits_median", interpretations: "interpretations_median", distinctInterpretations: "distinct_interpretations_median", algorithms: "algorithms_median", mappings: "mappings_median" };
  const m = multiplicityFigure(mixed, "size");
  for (const d of m.data) {
    const meta = d.meta as { count: string; median: number };
    const row = rows.find((r) => String(d.name).startsWith(r.group))!;
    assert.equal(meta.median, row[panelCount[meta.count]], `${meta.count} ${d.name}`);
    assert.ok(Math.abs(symlogInverse((d.median as number[])[0]) - meta.median) < 1e-9);
  }

  const pm = perModelCountsFigure(records);
  assert.equal(pm.data.length, 5);
  assert.deepEqual((pm.data[0].customdata as number[]), [10, 20, 0, 3], "zero counts stay in the per-model figure");
  const ns = networkSizeComparisonFigure(records);
  const paper = ns.data.filter((d) => String(d.name).startsWith("paper median"));
  assert.deepEqual(paper.map((d) => d.y), [[8, 30, 400, 3500], [8, 30, 400, 3500], [35, 7000, 2e5, 1e6]]);
  const withValid = records.map((r) => ({ ...r, valid_mappings_per_formula: r.mappings_per_formula && r.mappings_per_formula.map((l) => l.map((v) => v * 10)) }));
  const ns3 = networkSizeComparisonFigure(withValid);
  assert.equal((ns3.layout.yaxis2 as { title: { text: string } }).title.text, "valid mappings per model (minimal or not)");
  assert.deepEqual(ns3.data.find((d) => d.yaxis === "y2" && d.name === "k=3")!.y, [300, 400]);
  const cmp = networkSizeComparison(withValid);
  assert.deepEqual(cmp.filter((r) => r.k === 3).map((r) => [r.measure, r.our_median]), [["mappings", 35], ["valid mappings", 350], ["interpretations", 8000]]);
  assert.throws(() => multiplicityFigure([rec(3, null)], "size"), /no accepted model/);
  assert.deepEqual(JSON.parse(JSON.stringify(fig)), fig, "plain data: survives a JSON round trip");
});

test("the notebooks' cached results load and are up to date (one job of each recomputed, compared after compaction)", () => {
  const ns = readRecords(path.join(__dirname, "..", "notebooks", "cached-results", "network-size.jsonl"));
  assert.equal(ns.length, 400);
  assert.deepEqual([...new Set(ns.map((r) => r.sizes))], [2, 3, 4, 5]);
  assert.ok(ns.every((r) => r.compact && r.study === "network-size"));
  // Today's compact form: per-output totals (interpretations and distinct ones), the settings of the run.
  assert.ok(ns.every((r) => !("interpretations_per_circuit" in r) && settingsKey(r.settings) === "default"));
  assert.ok(ns.filter((r) => r.accepted).every((r) => r.interpretations_total!.length === 1 && r.distinct_interpretations_total!.length === 1));
  const grid = { ...getStudy("network-size").grid, experiments: 100 };
  for (const index of [9, 10]) { // seed offset 2, k = 3 and k = 4
    const job = studyJobs(grid)[index];
    const fresh = compactRecords([runStudyJob("network-size", grid, job)])[0];
    assert.deepEqual(withoutTimings(fresh), withoutTimings(ns[index]), `cached record ${job.key} is stale: regenerate notebooks/cached-results (see notebook 08)`);
  }
  const noise = readRecords(path.join(__dirname, "..", "notebooks", "cached-results", "noise.jsonl"));
  assert.equal(noise.length, 50);
  assert.ok(noise.every((r) => r.noise_std === 0.1 && r.study === "noise"));
});

test("an impossible grid is refused before anything runs; a job failing in a worker thread names the job and the cause", async () => {
  const grid = { ...getStudy("basic").grid, experiments: 4 };
  // Over maxCandidates a one-output network's perfect circuits are counted exactly; only what the counter cannot do is refused.
  await assert.rejects(runStudy({ study: "basic", grid: { ...grid, sizes: [7] }, workers: 2, settings: { maxCandidates: 10 } }), /k=7, depth 2: circuits: \[2,7,7,1\] has 192,063,199,356 candidate circuits .* over the limit of 10\. Raise --max-candidates/);
  assert.doesNotThrow(() => checkStudyFeasible(grid, { maxCandidates: 10 }), "k=3 over the enumeration limit is counted, not refused");
  assert.throws(() => checkStudyFeasible({ ...grid, sizes: [30] }), /hidden width k=30 cannot be analysed: .* at most 16 neurons per layer/);
  assert.throws(() => checkStudyFeasible({ ...grid, sizes: [6] }, { sparsityCut: "none" }), /k=6, depth 2: circuits: \[2,6,6,1\] has 5,202,634,902,560 candidate circuits/);
  assert.doesNotThrow(() => checkStudyFeasible({ ...grid, sizes: [2, 3, 4, 5, 6] }));
  assert.throws(() => studyJobs({ ...grid, sizes: [4, 4] }), /sizes \(--sizes\) lists 4 twice.*--sizes 4 --depths 2/);
  await assert.rejects(runStudy({ study: "basic", grid, workers: 0, analysis: {} } as never), /`analysis` is now `settings`/);
  await assert.rejects(runStudy(undefined as never), /runStudy: give options \{ study, grid, ... \}/);
  await assert.rejects(runStudy({ study: "basic" } as never), /runStudy: grid must be a StudyGrid/);
  // nRepeats 0 passes the grid checks and fails in the training of each job.
  await assert.rejects(runStudy({ study: "basic", grid: { ...grid, nRepeats: 0 }, workers: 2 }), (e: Error) => {
    assert.match(e.message, /^job \d \(n_gates=1 seed_offset=\d /);
    assert.match(e.message, /nRepeats must be a positive integer/);
    return true;
  });
});

test("settings: stored in run.json and every record, resume refuses other settings, summaries group by them", async () => {
  const dir = tmp();
  const grid = { ...getStudy("basic").grid, experiments: 3 };
  const settings = { groundingMode: "corrected", alignment: false } as const;
  const res = await runStudy({ study: "fake", grid, out: dir, workers: 0, settings, runJob: (j) => ({ ...fakeJob(j), settings: resolveSettings(settings) }) });
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, "run.json"), "utf8")).settings, resolveSettings(settings));
  await assert.rejects(runStudy({ study: "fake", grid, out: dir, resume: true, workers: 0, runJob: fakeJob }), /different run .*settings/);
  const pooled = [...res.records, ...(await runStudy({ study: "fake", grid, workers: 0, runJob: fakeJob })).records];
  const rows = summarizeRecords(pooled, "settings");
  assert.deepEqual(rows.map((r) => [r.group, r.models]), [["default", 3], ["groundingMode=corrected alignment=false", 3]]);
});

test("an aborted run stops between jobs, keeps what finished and says so (resume then completes it)", async () => {
  const dir = tmp();
  const grid = { ...getStudy("basic").grid, experiments: 6 };
  const ctl = new AbortController();
  const res = await runStudy({ study: "fake", grid, out: dir, workers: 0, signal: ctl.signal, runJob: (j) => (j.index === 2 && ctl.abort(), fakeJob(j)) });
  assert.equal(res.interrupted, true);
  assert.deepEqual(readRecords(dir).map((r) => r.job), [0, 1, 2]);
  const rest = await runStudy({ study: "fake", grid, out: dir, resume: true, workers: 0, runJob: fakeJob });
  assert.deepEqual([rest.interrupted, rest.ran, rest.skipped, readRecords(dir).length], [false, 3, 3, 6]);
});
