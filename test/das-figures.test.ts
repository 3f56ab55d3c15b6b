// DAS figures as plain data, checked against the cached study they draw (counts add up to the records).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { assertPlainData } from "../src/figures/figure";
import { dasDistinctSubspacesFigure, dasRandomControlFigure, dasSubspaceSpreadFigure, dasVsNeuronFigure } from "../src/figures/das";
import { DasRecord, RandomControlRow, rotationFromAngles } from "../src/das";

const records: DasRecord[] = fs.readFileSync(path.join(__dirname, "..", "notebooks/cached-results/das-network-size.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));

function markerCount(text: unknown[]): number {
  return text.reduce((s: number, t) => s + Number(/: (\d+) model/.exec(String(t))![1]), 0);
}

test("DAS against neuron sets: one bubble count per model, widths as traces, the diagonal drawn", () => {
  const fig = dasVsNeuronFigure(records);
  assertPlainData(fig);
  const traces = fig.data.filter((d) => d.mode === "markers");
  assert.deepEqual(traces.map((t) => t.name), ["k = 2", "k = 3", "k = 4", "k = 5"]);
  assert.equal(traces.reduce((s, t) => s + markerCount(t.text as unknown[]), 0), records.length);
  // Models where DAS reaches 1 and neuron sets do not (best statistic): recomputed from the records.
  const above = records.filter((r) => {
    const idx = r.das_iia.flatMap((v, i) => (v === null ? [] : [i]));
    return Math.max(...idx.map((i) => r.das_iia[i]!)) === 1 && Math.max(...idx.map((i) => r.neuron_iia[i])) < 1;
  }).length;
  const drawn = traces.reduce((s, t) => s + (t.text as string[]).filter((x) => /neuron sets 0\.\d+, DAS 1\.000/.test(x)).reduce((a, x) => a + Number(/: (\d+) model/.exec(x)![1]), 0), 0);
  assert.equal(drawn, above);
  assertPlainData(dasVsNeuronFigure(records, "mean"));
});

test("distinct-subspace bars add up to the aligned (model, formula) pairs; the spread heatmap is 0 on its diagonal", () => {
  const fig = dasDistinctSubspacesFigure(records);
  assertPlainData(fig);
  const total = fig.data.reduce((s, d) => s + (d.y as number[]).reduce((a, b) => a + b, 0), 0);
  assert.equal(total, records.reduce((s, r) => s + r.das_solutions.length, 0));
  const sol = (a: number, label: string) => ({ d: 2, rotation: Array.from(rotationFromAngles([a], 2)), blocks: [[0]], label });
  const spread = dasSubspaceSpreadFigure([sol(0, "a"), sol(Math.PI / 6, "b"), sol(Math.PI / 2, "c")]);
  assertPlainData(spread);
  assert.deepEqual(spread.data[0].z, [[0, 30, 90], [30, 0, 60], [90, 60, 0]]);
});

test("the random-network control figure: one box per map with every row's IIA", () => {
  const rows: RandomControlRow[] = [
    { width: 3, network: 0, formula: 0, formula_string: "f", map: "linear", iia: 0.5, layer: 1, network_accuracy: 0.5 },
    { width: 3, network: 0, formula: 0, formula_string: "f", map: "nonlinear", iia: 0.9, layer: 1, network_accuracy: 0.5 },
  ];
  const fig = dasRandomControlFigure(rows);
  assertPlainData(fig);
  assert.deepEqual(fig.data.map((d) => d.y), [[0.5], [0.9]]);
});
