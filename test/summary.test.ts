// Study summaries of models whose perfect circuits were counted, not listed (over maxCandidates): they are accepted
// models with a perfect-circuit count and no interpretation count, and the summary must say so instead of dropping them.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { describeIdentifiability, modelCounts, readRecords, summarizeRecords } from "../src";
import type { StudyRecord } from "../src";

const noCut = readRecords(path.join(__dirname, "..", "notebooks", "cached-results", "network-size-k2-6-no-cut.jsonl"));
const naiveMedian = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// The cache's k = 5 models were counted, not listed, and their interpretations filled in later (fill-interpretations,
// some or all of them): without the filled fields they are the records `run` writes.
const asRun = (r: StudyRecord): StudyRecord => {
  const { interpretations_exact: _e, ...rest } = r;
  return { ...rest, interpretations_total: null };
};
const noCutAsRun = noCut.map((r) => (r.accepted && r.sizes === 5 ? asRun(r) : r));

test("a counted-only model is accepted, with its perfect-circuit count and null interpretation counts", () => {
  const counted = noCutAsRun.filter((r) => r.accepted && r.sizes === 5);
  assert.ok(counted.length >= 5, "the no-cut cache holds accepted k = 5 models");
  for (const r of counted) {
    const c = modelCounts(r);
    assert.ok(c !== null, `${r.key}: summarised as accepted`);
    assert.equal(c.circuits, r.perfect_circuits![0]);
    assert.equal(c.interpretations, null);
    assert.equal(c.distinctInterpretations, null);
  }
  const row = summarizeRecords(noCutAsRun, "size").find((x) => x.group === "k=5")!;
  assert.equal(row.models, noCut.filter((r) => r.sizes === 5).length);
  assert.equal(row.accepted, counted.length);
  assert.equal(row.circuits_median, naiveMedian(counted.map((r) => r.perfect_circuits![0])));
  assert.equal(row.interpretations_median, null);
  assert.equal(row.distinct_interpretations_median, null);
});

test("a group mixing listed and counted-only models: circuits over both, interpretations over the listed ones, and the sentence says which", () => {
  const listed = noCut.find((r) => r.accepted && r.sizes === 3 && r.interpretations_total !== null)!;
  const counted = noCutAsRun.find((r) => r.accepted && r.sizes === 5)!;
  // The counted-only model moved into the listed one's group (k = 3), as a mixed run of one width would record it.
  const mixed: StudyRecord[] = [listed, { ...counted, sizes: 3, key: `${counted.key} (moved)` }];
  const row = summarizeRecords(mixed, "size")[0];
  assert.equal(row.accepted, 2);
  assert.equal(row.circuits_median, (listed.perfect_circuits![0] + counted.perfect_circuits![0]) / 2);
  assert.equal(row.interpretations_median, listed.interpretations_total![0]);
  const line = describeIdentifiability(mixed, "size")[0];
  assert.ok(line.startsWith("k=3: 2 of 2 networks accepted; 2 with more than one perfect circuit"), line);
  assert.match(line, /1 with more than one interpretation \(1 counted, not listed: interpretations not computed\),/);
  // Without counted-only models the sentence is unchanged.
  assert.doesNotMatch(describeIdentifiability([listed], "size")[0], /counted, not listed/);
});

test("filled models (fill-interpretations) are summarised with their interpretations, the others as counted only", () => {
  const filled = noCut.filter((r) => r.accepted && r.interpretations_exact !== undefined);
  assert.ok(filled.length >= 5, "the no-cut cache holds models whose interpretations were filled in");
  for (const r of filled) {
    assert.equal(String(BigInt(r.interpretations_exact![0])), r.interpretations_exact![0], "an exact integer");
    assert.equal(modelCounts(r)!.interpretations, Number(r.interpretations_exact![0]));
  }
  for (const k of [...new Set(filled.map((r) => r.sizes))]) {
    const withCount = noCut.filter((r) => r.accepted && r.sizes === k && modelCounts(r)!.interpretations !== null);
    const row = summarizeRecords(noCut, "size").find((x) => x.group === `k=${k}`)!;
    assert.equal(row.interpretations_median, naiveMedian(withCount.map((r) => r.interpretations_total![0])), `k = ${k}`);
  }
});
