// Committed notebooks are in the exact format JupyterLab saves, without outputs (scripts/normalize-notebooks.js);
// the normalizer's serialisation is checked against nbformat's own writer (what jupyter_server uses to save).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const script = path.join(root, "scripts", "normalize-notebooks.js");
const { normalizeNotebook, splitLines, defaultNotebooks } = require("../scripts/normalize-notebooks.js") as {
  normalizeNotebook: (text: string, name?: string) => string;
  splitLines: (s: string) => string[];
  defaultNotebooks: () => string[];
};
const venvPython = path.join(root, ".venv", "bin", "python");

/** An executed notebook as a kernel leaves it: outputs, counts, timing metadata, string sources, unsorted keys. */
function executedNotebook(): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 4,
    metadata: { kernelspec: { name: "mi-identifiability", display_name: "old name" }, orig_nbformat: 4 },
    cells: [
      { cell_type: "markdown", metadata: {}, source: "# Title\nSome *text* — ünïcode\r\nend" },
      {
        cell_type: "code",
        id: "abc",
        metadata: { collapsed: true, jupyter: { outputs_hidden: true, source_hidden: false }, execution: { "iopub.status.busy": "x" }, tags: ["keep"] },
        execution_count: 7,
        source: ["const x = 1;\n", "show(fig);"],
        outputs: [{ output_type: "display_data", data: { "text/html": "<script>plotly.js</script>", "text/plain": "Figure" }, metadata: {} }],
      },
      { cell_type: "code", id: "abc", metadata: {}, execution_count: null, source: "", outputs: [] },
    ],
  });
}

test("the normalizer strips outputs and session state, keeps the cells and their own metadata, and is idempotent", () => {
  const out = normalizeNotebook(executedNotebook());
  const nb = JSON.parse(out);
  assert.equal(nb.nbformat_minor, 5);
  assert.deepEqual(Object.keys(nb), ["cells", "metadata", "nbformat", "nbformat_minor"]);
  assert.deepEqual(nb.metadata.kernelspec, { display_name: "TypeScript (mi-identifiability)", language: "typescript", name: "mi-identifiability" });
  assert.equal(nb.metadata.language_info.name, "typescript");
  assert.ok(!("orig_nbformat" in nb.metadata));
  assert.deepEqual(nb.cells[0].source, ["# Title\n", "Some *text* — ünïcode\r\n", "end"]);
  assert.ok(!("outputs" in nb.cells[0]) && !("execution_count" in nb.cells[0]));
  assert.deepEqual(nb.cells[1], { cell_type: "code", execution_count: null, id: "abc", metadata: { jupyter: { source_hidden: false }, tags: ["keep"] }, outputs: [], source: ["const x = 1;\n", "show(fig);"] });
  assert.deepEqual(nb.cells[2].source, []);
  assert.equal(new Set(nb.cells.map((c: { id: string }) => c.id)).size, 3, "cell ids are unique");
  assert.ok(out.endsWith("}\n") && out.includes('\n "cells": [\n  {\n'), "one-space indent and a final newline");
  assert.ok(out.includes("ünïcode"), "non-ASCII kept as is (ensure_ascii=False)");
  assert.equal(normalizeNotebook(out), out);
  assert.deepEqual(splitLines("a\r\nb\rc\n\n"), ["a\r\n", "b\r", "c\n", "\n"]);
  assert.throws(() => normalizeNotebook("{", "x.ipynb"), /x\.ipynb: not valid JSON/);
  assert.throws(() => normalizeNotebook('{"nbformat": 3, "worksheets": []}', "old.ipynb"), /old\.ipynb: not an nbformat 4 notebook/);
});

test("every committed notebook is normalized (outputs stripped, JupyterLab's format)", () => {
  const files = defaultNotebooks();
  assert.ok(files.length >= 3, `found only ${files.length} notebooks`);
  const bad = files.filter((f) => normalizeNotebook(readFileSync(f, "utf8"), f) !== readFileSync(f, "utf8")).map((f) => path.relative(root, f));
  assert.deepEqual(bad, [], "run `node scripts/normalize-notebooks.js` on these");
});

test("normalize-notebooks: --check lists and fails, a rewrite fixes, --stdin filters (git clean filter)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mi-nbfmt-"));
  const file = path.join(dir, "x.ipynb");
  writeFileSync(file, executedNotebook());
  const run = (args: string[], input?: string) => spawnSync(process.execPath, [script, ...args], { cwd: dir, encoding: "utf8", input });
  const check = run(["--check", file]);
  assert.equal(check.status, 1);
  assert.match(check.stderr, /not normalized.*\n\s+x\.ipynb/);
  assert.equal(run([file]).status, 0);
  assert.equal(readFileSync(file, "utf8"), normalizeNotebook(executedNotebook()));
  assert.equal(run(["--check", file]).status, 0);
  const filtered = run(["--stdin"], executedNotebook());
  assert.equal(filtered.status, 0);
  assert.equal(filtered.stdout, normalizeNotebook(executedNotebook()));
  const missing = run([path.join(dir, "nope.ipynb")]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no such file: .*nope\.ipynb/);
});

test("the normalizer writes what nbformat writes (jupyter_server's save), for every committed notebook", { skip: existsSync(venvPython) ? false : "no .venv (node scripts/venv.js creates it)" }, () => {
  const texts = [...defaultNotebooks().map((f) => readFileSync(f, "utf8")), executedNotebook()].map((t) => normalizeNotebook(t));
  const py = `
import io, json, sys, nbformat
same = []
for text in json.load(sys.stdin):
    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    buf = io.StringIO()
    nbformat.write(nb, buf, version=nbformat.NO_CONVERT)
    same.append(buf.getvalue() == text)
print(json.dumps(same))`;
  const r = spawnSync(venvPython, ["-c", py], { input: JSON.stringify(texts), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), texts.map(() => true));
});
