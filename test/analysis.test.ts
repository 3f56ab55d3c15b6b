// The analysis stage: one settings object (validation, key, legacy reader), ModelAnalysis against the published
// counts, grounding and alignment semantics set independently, --max-circuits' choice against a brute-force sort,
// and the snake_case formatter (columns, compaction, records of earlier versions).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DEFAULT_ANALYSIS_SETTINGS, analysisColumns, analysisToJson, analyzeModel, analyzeModelFile, compactRecord, normalizeRecord,
  recordInterpretationTotals, resolveSettings, settingsFromStored, settingsKey, withAnalysisData,
} from "../src/analysis";
import { countDistinctInterpretations, countGroundings, groundingProblem } from "../src/interpretations";
import { analysisCounts, modelCounts } from "../src/experiments/records";
import { loadNotebookData, loadReleasedModel } from "../src/reference";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const released = loadReleasedModel();
const notebook = withAnalysisData(released, "notebook");
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
// The notebook data's 10 000 validation rows make each circuit search take seconds: default settings computed once.
let notebookDefault: ReturnType<typeof analyzeModelFile> | undefined;
const analyzeNotebook = (settings: Parameters<typeof analyzeModelFile>[1] = {}) =>
  Object.keys(settings!).length === 0 ? (notebookDefault ??= analyzeModelFile(notebook)) : analyzeModelFile(notebook, settings);

test("settings: defaults are the reference's; every bad value names the setting and its flag", () => {
  assert.deepEqual(resolveSettings(), { ...DEFAULT_ANALYSIS_SETTINGS });
  assert.equal(DEFAULT_ANALYSIS_SETTINGS.groundingMode, "compat");
  assert.equal(DEFAULT_ANALYSIS_SETTINGS.alignmentMode, "compat");
  assert.throws(() => resolveSettings({ mode: "corrected" } as never), /split into groundingMode and alignmentMode \(--grounding-mode, --alignment-mode\)/);
  assert.throws(() => resolveSettings({ iiaThreshold: 0.5 }), /iiaThreshold 0.5 needs alignmentMode "corrected" \(--alignment-mode corrected\)/);
  assert.equal(resolveSettings({ alignmentMode: "corrected", iiaThreshold: 0.5 }).iiaThreshold, 0.5);
  assert.throws(() => resolveSettings({ groundingMode: "fixed" as never }), /groundingMode \(--grounding-mode\) must be "compat" or "corrected", got "fixed"/);
  assert.throws(() => resolveSettings({ maxCircuits: 0 }), /maxCircuits \(--max-circuits\) must be a positive integer/);
  assert.throws(() => resolveSettings({ accuracyThreshold: 1 }), /accuracyThreshold \(--accuracy-threshold\)/);
  assert.throws(() => resolveSettings({ maxCandidate: 3 } as never), /unknown setting "maxCandidate". Valid settings: groundingMode, alignmentMode/);
  // Canonical key order whatever the input order (run.json compares serialised settings).
  assert.equal(JSON.stringify(resolveSettings({ pairOrder: "AB", groundingMode: "corrected" })), JSON.stringify(resolveSettings({ groundingMode: "corrected", pairOrder: "AB" })));
});

test("settings key (grouping) and the reader of files written before the settings object", () => {
  assert.equal(settingsKey({}), "default");
  assert.equal(settingsKey({ pairOrder: "AB", groundingMode: "corrected" }), "groundingMode=corrected pairOrder=AB");
  assert.equal(settingsKey({ maxCircuits: 3, alignment: false }), "maxCircuits=3 alignment=false");
  const old = settingsFromStored({ mode: "corrected", alignThreshold: 0.8, maxCircuits: 2 });
  assert.deepEqual([old.groundingMode, old.alignmentMode, old.iiaThreshold, old.maxCircuits], ["corrected", "corrected", 0.8, 2]);
  assert.deepEqual(settingsFromStored(undefined), resolveSettings());
});

test("the released model with the notebook's data: 3000 candidates, 7 circuits, 100 896 interpretations; 7 formulas, 42 minimal mappings in both pair orders", () => {
  for (const pairOrder of ["BA", "AB"] as const) {
    const a = pairOrder === "BA" ? analyzeNotebook() : analyzeNotebook({ pairOrder });
    assert.equal(a.outputs.length, 1);
    const o = a.outputs[0];
    assert.deepEqual([o.gate, o.nCandidates, o.circuits.length, o.groundedCircuits, o.interpretations], ["XOR", 3000, 7, 7, 100896]);
    assert.deepEqual(o.alignment!.mappingsPerFormula, [2, 2, 12, 12, 6, 6, 2]);
    assert.equal(sum(o.alignment!.mappingsPerFormula), 42);
    assert.deepEqual(o.alignment!.aligned.map((f) => f.index), [0, 1, 22, 26, 36, 37, 41]);
    // The reference's distinct label dicts of its 7 circuits (issue 14): 93/93/27/93/93/93/93.
    assert.deepEqual(o.circuits.map((c) => c.distinctInterpretations), [93, 93, 27, 93, 93, 93, 93]);
    assert.equal(o.distinctInterpretations, 6 * 93 + 27);
    assert.equal(settingsKey(a.settings), pairOrder === "BA" ? "default" : "pairOrder=AB");
    assert.deepEqual(analysisCounts(a), { circuits: 7, interpretations: 100896, distinctInterpretations: 585, algorithms: 7, mappings: 42, validMappings: 92 });
  }
  // The same data given directly.
  const nb = loadNotebookData();
  const direct = analyzeModel(released.model, { val: nb.val, xTt: nb.xTt }, { alignment: false }).outputs[0];
  assert.equal(direct.interpretations, 100896);
  assert.equal(direct.alignment, null);
});

test("main.py's clean defaults when the file has none: 32 circuits, 234 700 groundings; each circuit record matches the grounding functions", () => {
  const a = analyzeModelFile(released, { alignment: false });
  const o = a.outputs[0];
  assert.deepEqual([o.nCandidates, o.circuits.length, o.interpretations], [3000, 32, 234700]);
  assert.deepEqual(withAnalysisData(released, "clean"), released); // the released file carries no data
  // The reference's own label dicts of these 32 circuits on main.py's clean grounding set (its code's output, issue 14):
  // per circuit, its groundings and its distinct label dicts.
  const ref = JSON.parse(readFileSync(path.join(__dirname, "fixtures", "xor_released_labels_meloux2025.json"), "utf8")) as { circuits: { groundings: number; labels: unknown[] }[] };
  assert.deepEqual(o.circuits.map((c) => c.interpretations), ref.circuits.map((c) => c.groundings));
  assert.deepEqual(o.circuits.map((c) => c.distinctInterpretations), ref.circuits.map((c) => c.labels.length));
  assert.equal(o.distinctInterpretations, 1231);
  for (const c of o.circuits.slice(0, 4)) {
    assert.ok(c.index >= 0 && c.index < 3000);
    assert.ok(c.accuracy > 0.99);
  }
  assert.deepEqual(o.circuits.map((c) => c.index), [...o.circuits.map((c) => c.index)].sort((p, q) => p - q), "enumeration order");
});

test("grounding and alignment semantics are independent settings", () => {
  const both = analyzeModelFile(notebook, { groundingMode: "corrected", alignmentMode: "corrected" }).outputs[0];
  const groundingOnly = analyzeModelFile(notebook, { groundingMode: "corrected" }).outputs[0];
  const alignmentOnly = analyzeModelFile(notebook, { alignmentMode: "corrected", alignment: true }).outputs[0];
  // Corrected grounding on the notebook's 7 circuits: 12 800 (README); the alignment does not change it.
  assert.equal(both.interpretations, 12800);
  assert.equal(groundingOnly.interpretations, 12800);
  assert.equal(alignmentOnly.interpretations, 100896);
  // The alignment does not depend on the grounding mode.
  assert.deepEqual(groundingOnly.alignment!.mappingsPerFormula, [2, 2, 12, 12, 6, 6, 2]);
  assert.deepEqual(alignmentOnly.alignment!.mappingsPerFormula, both.alignment!.mappingsPerFormula);
  assert.notDeepEqual(both.alignment!.mappingsPerFormula, [2, 2, 12, 12, 6, 6, 2]);
});

test("maxCircuits grounds the M sparsest circuits (brute force: hidden zeros counted from the masks), in enumeration order", () => {
  const all = analyzeModelFile(released, { alignment: false }).outputs[0];
  const kept = analyzeModelFile(released, { alignment: false, maxCircuits: 5 }).outputs[0];
  assert.equal(kept.circuits.length, 32);
  assert.equal(kept.groundedCircuits, 5);
  const zeros = (c: (typeof all.circuits)[number]) => c.masks.nodeMasks.slice(1, -1).reduce((z, m) => z + m.filter((v) => v === 0).length, 0);
  const expected = all.circuits.map((c, i) => ({ i, z: zeros(c) })).sort((p, q) => q.z - p.z || p.i - q.i).slice(0, 5).map((e) => e.i).sort((p, q) => p - q);
  const grounded = kept.circuits.map((c, i) => (c.interpretations === null ? -1 : i)).filter((i) => i >= 0);
  assert.deepEqual(grounded, expected);
  for (const i of grounded) assert.equal(kept.circuits[i].interpretations, all.circuits[i].interpretations);
  assert.equal(kept.interpretations, sum(grounded.map((i) => all.circuits[i].interpretations!)));
});

test("format: the record's analysis columns and analyze --json come from one ModelAnalysis; compaction and old records", () => {
  const a = analyzeNotebook();
  const nb = loadNotebookData();
  const cols = analysisColumns(a);
  const masks = a.outputs[0].circuits.map((c) => c.masks);
  // Per-circuit counts recomputed from the masks with the grounding functions themselves.
  assert.deepEqual(cols.interpretations_per_circuit, [masks.map((m) => countGroundings(groundingProblem(released.model, m, nb.xTt.x, nb.xTt.n)))]);
  assert.deepEqual(cols.distinct_interpretations_per_circuit, [masks.map((m) => countDistinctInterpretations(groundingProblem(released.model, m, nb.xTt.x, nb.xTt.n)))]);
  assert.deepEqual([cols.perfect_circuits, cols.formulas, cols.mappings_per_formula, cols.candidates, cols.mode], [[7], [7], [[2, 2, 12, 12, 6, 6, 2]], [3000], "compat"]);
  assert.equal(analysisColumns(analyzeModelFile(notebook, { groundingMode: "corrected", alignment: false })).mode, "corrected/compat");
  const json = analysisToJson(a);
  assert.deepEqual(Object.keys(json.outputs[0]), ["gate", "n_candidates", "perfect_circuits", "interpretations_per_circuit", "distinct_interpretations_per_circuit", "formulas", "mappings_per_formula", "valid_mappings_per_formula", "timings_ms", "aligned"]);
  assert.equal(json.outputs[0].n_candidates, 3000);
  assert.deepEqual(JSON.parse(JSON.stringify(json)).settings, a.settings);

  const record = { accepted: true, perfect_circuits: [7], interpretations_per_circuit: [[1, 2, 3]], distinct_interpretations_per_circuit: [[1, 1, 2]], formulas: [1], mappings_per_formula: [[2]], valid_mappings_per_formula: [[3]], mode: "compat", settings: resolveSettings() } as never;
  const compact = compactRecord(record);
  assert.equal("interpretations_per_circuit" in compact, false, "a compacted record does not keep the per-circuit name for a sum");
  assert.deepEqual([compact.interpretations_total, compact.distinct_interpretations_total, compact.compact], [[6], [4], true]);
  assert.deepEqual(modelCounts(compact), modelCounts(record));
  // A compacted record of the previous version: [[total]] under interpretations_per_circuit, no settings.
  const old = normalizeRecord({ accepted: true, perfect_circuits: [7], interpretations_per_circuit: [[8768]], formulas: [0], mappings_per_formula: [[]], mode: "corrected", compact: true });
  assert.deepEqual([old.interpretations_total, "interpretations_per_circuit" in old, old.settings.groundingMode, old.settings.alignmentMode, old.valid_mappings_per_formula], [[8768], false, "corrected", "corrected", null]);
  assert.deepEqual(recordInterpretationTotals(old), [8768]);
  assert.equal(modelCounts(old)!.interpretations, 8768);
  assert.equal(normalizeRecord({ accepted: true, perfect_circuits: [1], interpretations_per_circuit: [[1]], formulas: null, mode: "compat" }).settings.alignment, false);
});

test("bad inputs name the argument", () => {
  assert.throws(() => analyzeModelFile(undefined as never), /analyzeModelFile: file must be a ModelFile/);
  assert.throws(() => analyzeModel(released.model, undefined as never), /analyzeModel: data must be \{ val: Dataset, xTt/);
  assert.throws(() => withAnalysisData(released, "paper" as never), /source must be one of file, clean, notebook/);
  const andModel = { ...released, model: { ...released.model, gates: ["AND"] } };
  assert.throws(() => withAnalysisData(andModel, "notebook"), /notebook data are XOR's/);
});
