// The study notebooks 05–11 are written by scripts/make-study-notebooks.js from one template: a committed notebook
// that differs from what the script generates (edited by hand, or the script changed without regenerating) fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const { studyNotebooks, differing } = require("../scripts/make-study-notebooks.js") as {
  studyNotebooks: () => Record<string, string>;
  differing: (dir?: string) => string[];
};
const { normalizeNotebook } = require("../scripts/normalize-notebooks.js") as { normalizeNotebook: (text: string) => string };

test("notebooks 05–11 are exactly what scripts/make-study-notebooks.js generates", () => {
  assert.deepEqual(differing(), [], "run `node scripts/make-study-notebooks.js` and commit the notebooks");
});

test("the generator's notebooks are normalized, and each code cell follows a markdown cell", () => {
  const nbs = studyNotebooks();
  assert.deepEqual(Object.keys(nbs), ["05-basic.ipynb", "06-multitask.ipynb", "07-target-gate.ipynb", "08-network-size.ipynb", "09-noise.ipynb", "10-skewed.ipynb", "11-loss-target.ipynb"]);
  for (const [name, text] of Object.entries(nbs)) {
    assert.equal(normalizeNotebook(text), text, name);
    const cells = (JSON.parse(text) as { cells: { cell_type: string; source: string[] }[] }).cells;
    assert.equal(cells[0].cell_type, "markdown", `${name} starts with its title`);
    cells.forEach((c, i) => {
      if (c.cell_type === "code") assert.equal(cells[i - 1].cell_type, "markdown", `${name}: code cell ${i + 1} has no sentence of why before it`);
    });
    assert.ok(cells.some((c) => c.source.join("").startsWith("## What to take away")), `${name} ends with what to take away`);
  }
  // a hand edit is noticed
  const dir = mkdtempSync(path.join(tmpdir(), "mi-study-nb-"));
  for (const [name, text] of Object.entries(nbs)) writeFileSync(path.join(dir, name), name === "07-target-gate.ipynb" ? text.replace("one random gate", "one gate") : text);
  assert.deepEqual(differing(dir), ["07-target-gate.ipynb"]);
  assert.ok(readFileSync(path.join(dir, "05-basic.ipynb"), "utf8").length > 0);
});
