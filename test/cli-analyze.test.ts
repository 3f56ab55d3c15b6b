// `mi-identifiability analyze` from the sources: the summary (distributions, not lists), --full, --json, the paper's
// notebook data, the settings flags shared with `run`, and bad paths/options named.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { referencePath } from "../src/reference";

const MODEL = referencePath("xor_mlp_meloux2025.json");
const root = path.resolve(__dirname, "..");
function analyze(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", "analyze", ...args], { cwd: root, encoding: "utf8" });
}
function ok(...args: string[]): string {
  const r = analyze(...args);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test("analyze --data notebook: the paper's 7 circuits / 100 896 interpretations, summarised as distributions", () => {
  const out = ok("--model", MODEL, "--data", "notebook");
  assert.match(out, /^settings: default\n/);
  assert.match(out, /candidate circuits:\s+3000\n/);
  assert.match(out, /perfect circuits:\s+7\n/);
  assert.match(out, /interpretations:\s+100896 \(compat grounding; per circuit: min 4400, median 4848, max 72448, total 100896\)/);
  assert.match(out, /distinct interpretations: 585 \(per circuit: min 27, median 93, max 93, total 585\)/);
  assert.match(out, /aligned formulas:\s+7 of 56 \(minimal mappings per formula: min 2, median 6, max 12, total 42\)/);
  assert.match(out, /#22 .*: 12 minimal mappings \(20 valid\)/);
  assert.doesNotMatch(out, /per circuit: \d+, \d+/, "no full list without --full");
});

test("analyze on clean defaults: 32 circuits / 234 700; --full lists every count; --json prints the record's columns", () => {
  const summary = ok("--model", MODEL, "--no-align");
  assert.match(summary, /perfect circuits:\s+32\n/);
  assert.match(summary, /interpretations:\s+234700 /);
  assert.doesNotMatch(summary, /aligned formulas/);
  const full = ok("--model", MODEL, "--no-align", "--full");
  const list = full.match(/interpretations: .*\n\s+per circuit: ([\d, ]+)\n/)![1].split(", ").map(Number);
  assert.equal(list.length, 32);
  assert.equal(list.reduce((a, b) => a + b, 0), 234700);
  const json = JSON.parse(ok("--model", MODEL, "--json", "--no-align"));
  const o = json.outputs[0];
  assert.deepEqual([o.n_candidates, o.perfect_circuits, o.formulas, o.aligned], [3000, 32, null, null]);
  assert.deepEqual(o.interpretations_per_circuit, list);
  assert.equal(o.distinct_interpretations_per_circuit.length, 32);
  assert.equal(json.settings.alignment, false);
});

test("analyze --json aligns the released model's formulas in both pair orders (SPEC 11: 7 formulas, 2,2,12,12,6,6,2)", () => {
  for (const order of ["BA", "AB"]) {
    const o = JSON.parse(ok("--model", MODEL, "--json", "--pair-order", order, "--max-circuits", "1")).outputs[0];
    assert.equal(o.formulas, 7);
    assert.deepEqual(o.mappings_per_formula, [2, 2, 12, 12, 6, 6, 2]);
    assert.deepEqual(o.aligned.map((a: { index: number }) => a.index), [0, 1, 22, 26, 36, 37, 41]);
    assert.equal(o.aligned[0].formula, "¬(A*B)*(A+B)");
    assert.equal(o.interpretations_per_circuit.length, 1, "--max-circuits 1 grounds one circuit");
  }
});

test("settings flags: grounding and alignment semantics apart, singular wording, 0 aligned formulas without an empty list", () => {
  const c = ok("--model", MODEL, "--grounding-mode", "corrected", "--alignment-mode", "corrected", "--max-circuits", "2");
  assert.match(c, /^settings: groundingMode=corrected alignmentMode=corrected maxCircuits=2\n/);
  assert.match(c, /perfect circuits:\s+32 \(2 sparsest grounded, --max-circuits\)/);
  assert.match(c, /#0 ¬\(A\*B\)\*\(A\+B\): 1 minimal mapping \(3 valid\)/);
  // Corrected alignment alone leaves the reference's grounding: the counts of the compat run.
  const alignOnly = JSON.parse(ok("--model", MODEL, "--json", "--alignment-mode", "corrected", "--max-circuits", "2")).outputs[0];
  const compat = JSON.parse(ok("--model", MODEL, "--json", "--no-align", "--max-circuits", "2")).outputs[0];
  assert.deepEqual(alignOnly.interpretations_per_circuit, compat.interpretations_per_circuit);
  assert.deepEqual(alignOnly.mappings_per_formula, [1, 1]);
  // A trained model with no aligned formula (basic study, seed 0): "aligned formulas: 0 of 56", nothing after.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mi-analyze-"));
  const t = spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", "train", "--gates", "XOR", "--out", dir], { cwd: root, encoding: "utf8" });
  assert.equal(t.status, 0, t.stderr);
  const zero = ok("--model", path.join(dir, "XOR-3x3-seed0.json"));
  assert.match(zero, /aligned formulas:\s+0 of 56\n/);
  assert.doesNotMatch(zero, /\(…|: \)/);
});

test("bad paths and options are named before any work", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mi-analyze-"));
  const isDir = analyze("--model", dir);
  assert.equal(isDir.status, 1);
  assert.match(isDir.stderr, /analyze: --model .* is a directory; give a model JSON file/);
  assert.match(analyze("--model", MODEL, "--mode", "corrected").stderr, /--mode was removed: .*--grounding-mode compat\|corrected and --alignment-mode compat\|corrected/);
  assert.match(analyze("--model", MODEL, "--grounding-mode", "wrong").stderr, /--grounding-mode must be one of compat, corrected/);
  assert.match(analyze("--model", MODEL, "--iia-threshold", "0.5").stderr, /iiaThreshold 0.5 needs alignmentMode "corrected" \(--alignment-mode corrected\)/);
  assert.match(analyze("--model", MODEL, "--data", "paper").stderr, /--data must be one of file, clean, notebook/);
  assert.match(analyze("--help").stdout, /--grounding-mode compat\|corrected[\s\S]*--mode was removed/);
});
