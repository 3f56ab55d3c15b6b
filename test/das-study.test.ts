// The cached DAS study (notebooks/cached-results/das-*.jsonl) against a recomputation: every record's neuron-set
// verdict equals the network-size record it came from, and one model recomputed from scratch gives the cached line.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { readRecords } from "../src/experiments";
import { dasStudyRecord, randomControl, readDasRecords, readRandomControlRows, summarizeDasRecords } from "../src/das";

const root = path.resolve(__dirname, "..");
const cached = readDasRecords(path.join(root, "notebooks/cached-results/das-network-size.jsonl"));
const study = readRecords(path.join(root, "notebooks/cached-results/network-size.jsonl"));

test("cached DAS verdicts: one per accepted network-size model, neuron-set counts equal to the study's records", () => {
  const expected = study.filter((r) => r.accepted);
  assert.deepEqual(cached.map((r) => r.key).sort(), expected.map((r) => r.key).sort());
  const byKey = new Map(study.map((r) => [r.key, r]));
  for (const r of cached) {
    assert.equal(r.neuron_aligned.length, byKey.get(r.key)!.formulas![0], r.key);
    for (const i of r.das_aligned) assert.equal(r.das_iia[i], 1);
    for (const i of r.neuron_aligned) assert.equal(r.neuron_iia[i], 1);
  }
  const all = summarizeDasRecords(cached).find((s) => s.size === "all")!;
  assert.equal(all.models, cached.length);
  assert.equal(all.rescued, cached.filter((r) => r.neuron_aligned.length === 0 && r.das_aligned.length > 0).length);
});

test("one cached model recomputed from its seed gives the same DAS line (timings aside)", () => {
  const line = cached.find((r) => r.size === 3 && r.das_aligned.length > 0)!;
  const rec = study.find((r) => r.key === line.key)!;
  const again = dasStudyRecord(rec, { restarts: line.restarts, steps: 200, maxVariables: line.max_variables ?? undefined, pairSet: line.pair_set });
  const strip = (r: typeof line) => ({ ...r, time_ms: null });
  assert.deepEqual(strip(again), strip(line));
});

test("cached untrained-network control: both maps on every (network, formula), the non-linear map far above the linear one", () => {
  const rows = readRandomControlRows(path.join(root, "notebooks/cached-results/das-random-control.jsonl"));
  const mean = (m: string) => { const xs = rows.filter((r) => r.map === m).map((r) => r.iia); return xs.reduce((a, b) => a + b, 0) / xs.length; };
  assert.equal(rows.filter((r) => r.map === "linear").length, rows.filter((r) => r.map === "nonlinear").length);
  assert.ok(mean("nonlinear") > 0.8 && mean("linear") < 0.6, `linear ${mean("linear")}, non-linear ${mean("nonlinear")}`);
  // Network 0's rows recomputed.
  const again = randomControl({ widths: [3], networks: 1, formulas: [0] });
  assert.deepEqual(again, rows.filter((r) => r.width === 3 && r.network === 0 && r.formula === 0));
});
