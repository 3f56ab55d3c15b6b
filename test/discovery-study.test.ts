/**
 * The discovery study: the cached per-model lines recomputed from scratch for a slice of models (retrained from
 * their seeds), the study table on hand-made records, and the figures as plain data.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import {
  DISCOVERY_SWEEP, DiscoveryOutcome, DiscoveryRecord, assertPlainData, compactDiscoveryRecord, expandDiscoveryRecord, defaultAnalysisData, discoverModel, discoveryPicksFigure,
  discoveryRateFigure, exhaustiveTruth, getStudy, jobExperimentConfig, loadReleasedModel, readDiscoveryRecords, readRecords,
  rebuildStudyModel, studyJobs, summarizeDiscovery, tauSweepFigure,
} from "../src";

const CACHE = "notebooks/cached-results/discovery-network-size.jsonl";

test("the cached discovery lines equal a recomputation (one model per width k = 2, 3, 4)", { skip: !fs.existsSync(CACHE) }, () => {
  const cached = new Map(readDiscoveryRecords(CACHE).map((r) => [r.key, r]));
  const records = readRecords("notebooks/cached-results/network-size.jsonl");
  for (const k of [2, 3, 4]) {
    const rec = records.find((r) => r.accepted && r.sizes === k && cached.has(r.key));
    assert.ok(rec, `no cached model of width ${k}`);
    const line = cached.get(rec.key)!;
    const { model, val } = rebuildStudyModel(rec);
    const truth = exhaustiveTruth(model, val);
    assert.equal(truth.perfect.length, line.n_perfect);
    assert.equal(truth.perfect.length, rec.perfect_circuits![0], "the record's own count");
    const fresh: DiscoveryRecord = { ...line, results: discoverModel(model, truth, DISCOVERY_SWEEP) };
    const strip = (o: DiscoveryOutcome) => ({ ...o, ms: 0 });
    // Through the stored form (rounded numbers); the method, ablation and metric read back from the labels.
    assert.deepEqual(expandDiscoveryRecord(compactDiscoveryRecord(fresh)).results.map(strip), line.results.map(strip), `k = ${k}: ${rec.key}`);
    assert.deepEqual(line.results.map((o) => [o.method, o.ablation, o.metric]), fresh.results.map((o) => [o.method, o.ablation, o.metric]));
  }
});

test("the basic study's models are the network-size study's k = 3 models (same training configuration)", () => {
  const basic = getStudy("basic").grid;
  const size = getStudy("network-size").grid;
  const sizeJobs = studyJobs(size);
  for (const job of studyJobs(basic).slice(0, 100)) {
    const twin = sizeJobs.find((j) => j.key === job.key);
    assert.ok(twin, job.key);
    assert.deepEqual(jobExperimentConfig(size, twin), jobExperimentConfig(basic, job));
  }
});

function outcome(label: string, method: string, perfectIndex: number | null, minimal = false): DiscoveryOutcome {
  return {
    label, method, ablation: "zero", metric: "output-mse", ms: 1, edges: 5, hiddenNodes: 2, candidate: true, sufficient: perfectIndex !== null,
    accuracy: 1, perfect: perfectIndex !== null, perfectIndex, index: perfectIndex, minimal, faithfulness: 0.9, bestFaithfulness: 1,
    bestFaithfulnessAtSize: 1, auroc: 0.5,
  };
}

test("the study table on hand-made records: rates, distinct picks, models without perfect circuits left out", () => {
  const rec = (key: string, size: number, nPerfect: number, results: DiscoveryOutcome[]): DiscoveryRecord => ({
    study: "t", key, job: 0, size, seed_offset: 0, n_candidates: 10, n_perfect: nPerfect, timings_ms: { train: 0, truth: 0, methods: 0 }, results,
  });
  const records = [
    rec("a", 2, 3, [outcome("acdc τ=0.1", "acdc", 0, true), outcome("acdc τ=1", "acdc", 2), outcome("eap top-8", "eap", null)]),
    rec("b", 2, 1, [outcome("acdc τ=0.1", "acdc", 0, true), outcome("acdc τ=1", "acdc", 0, true), outcome("eap top-8", "eap", 0)]),
    rec("c", 3, 0, [outcome("acdc τ=0.1", "acdc", null), outcome("acdc τ=1", "acdc", null), outcome("eap top-8", "eap", null)]),
  ];
  const { rows, choices } = summarizeDiscovery(records);
  const row = (size: number | "all", label: string) => rows.find((r) => r.size === size && r.label === label)!;
  assert.equal(row("all", "acdc τ=1").models, 2);
  assert.equal(row("all", "acdc τ=1").perfect, 1);
  assert.equal(row("all", "acdc τ=1").minimal, 0.5);
  assert.equal(row("all", "eap top-8").perfect, 0.5);
  assert.ok(!rows.some((r) => r.size === 3), "a model without perfect circuits has no rate");
  const acdcChoice = choices.find((c) => c.size === "all" && c.method === "acdc")!;
  assert.equal(acdcChoice.meanDistinctPerfect, 1.5);
  assert.equal(acdcChoice.atLeastTwo, 0.5);
  assert.equal(choices.find((c) => c.size === "all" && c.method === "eap")!.meanDistinctPerfect, 0.5);
});

test("discovery figures are plain Plotly data", () => {
  const { model } = loadReleasedModel();
  const truth = exhaustiveTruth(model, defaultAnalysisData("XOR", 2).val);
  const outcomes = discoverModel(model, truth, [{ method: "acdc", tau: 0.03 }, { method: "masks", lambda: 1 }, { method: "eap", topK: 6 }]);
  const picks = discoveryPicksFigure(model, truth, outcomes, { limit: 4 });
  assertPlainData(picks);
  assert.equal(picks.data.length, 4 * (18 + 1), "four circuits of 18 edges and one node trace each");
  const notes = (picks.layout.annotations as { text: string }[]).map((a) => a.text);
  assert.equal(notes.length, 4 + 1, "a title over each panel and the edge code under them");
  assert.match(notes[4], /blue positive, orange negative/);
  const rate = discoveryRateFigure(summarizeDiscovery([{ study: "t", key: "a", job: 0, size: 3, seed_offset: 0, n_candidates: 1, n_perfect: 1, timings_ms: { train: 0, truth: 0, methods: 0 }, results: outcomes }]).rows);
  assertPlainData(rate);
  assert.deepEqual((rate.data[0] as { z: (number | null)[][] }).z[0], outcomes.map((o) => (o.perfect ? 1 : 0)));
  const sweep = tauSweepFigure({ zero: [{ tau: 0.01, edges: 10, perfect: true, minimal: true, perfectIndex: 0 }] });
  assertPlainData(sweep);
  assert.match(String((sweep.layout.annotations as { text: string }[])[0].text), /filled: a perfect circuit.*star: a minimal one/, "the marker code is spelled out beside the legend");
});
