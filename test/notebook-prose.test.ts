// A notebook's prose quotes no number that its cells did not print (scripts/notebook-prose.js defines a quoted
// number precisely). The checker is tested here on small notebooks; the committed notebooks are checked on their
// executed copies: by test/notebooks.test.ts right after `npm run reproduce` runs them, and here on output/ when a
// reproduce run of the same sources is there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const { quotedNumbers, unprintedNumbers } = require("../scripts/notebook-prose.js") as {
  quotedNumbers: (markdown: string) => string[];
  unprintedNumbers: (nb: unknown) => { cell: number; number: string; context: string }[];
};

type Cell = { cell_type: string; source: string[]; outputs?: unknown[] };
const mdCell = (text: string): Cell => ({ cell_type: "markdown", source: [text] });
const printed = (text: string): Cell => ({ cell_type: "code", source: ["console.log(x)"], outputs: [{ output_type: "stream", name: "stdout", text: [text] }] });
const table = (html: string, plain: string): Cell => ({ cell_type: "code", source: ["showTable(t)"], outputs: [{ output_type: "display_data", data: { "text/html": [html], "text/plain": [plain] }, metadata: {} }] });

test("quoted numbers: digits in prose, but not code, numbering, citations, years or whitelisted parameters", () => {
  assert.deepEqual(quotedNumbers("The median is 45 and the mean 12.5 over 100 seeds."), ["45", "12.5", "100"]);
  assert.deepEqual(quotedNumbers("Run `run basic --experiments 100`:\n```\nmi-identifiability run noise --experiments 50\n```"), []);
  assert.deepEqual(quotedNumbers("# 05 — The basic study\n## Exercise 3 — noise\nSee notebook 08 and notebooks 05–11, or `18-findings` and 13b-equivalence-ablations."), []);
  assert.deepEqual(quotedNumbers("Méloux et al. (ICLR 2025), Sun & Toneva (2026); SPEC 14.10 and EQUIVALENCE 6.4."), []);
  assert.deepEqual(quotedNumbers("At k = 2, with σ = 0.1, a [2, 3, 3, 1] network; classes C1, C2 and neuron L1.2."), []);
  assert.deepEqual(quotedNumbers("For k > 3 and k ≥ 4 only; but 3 > 2."), ["3", "2"]);
  assert.deepEqual(quotedNumbers("At k = 2 the median is 34.5; in 2024 we saw 3e+10."), ["34.5", "2024", "3e+10"]);
});

test("unprintedNumbers: a number passes only when a code cell above printed it", () => {
  const ok = { cells: [printed("median 46 of 27 models\n"), mdCell("The median, 46, over 27 models.")] };
  assert.deepEqual(unprintedNumbers(ok), []);
  const below = { cells: [mdCell("The median is 46."), printed("median 46\n")] };
  assert.deepEqual(unprintedNumbers(below).map((p) => [p.cell, p.number]), [[1, "46"]]);
  const other = { cells: [printed("median 46\n"), mdCell("The median is 45 (≈ 45 in the paper).")] };
  assert.deepEqual(unprintedNumbers(other).map((p) => p.number), ["45", "45"]);
  assert.match(unprintedNumbers(other)[0].context, /median is 45/);
  // numbers are compared as numbers, tables count through their text or HTML, and a digit inside a word is no number
  const viaTable = { cells: [table("<table><tr><td>0.50</td><td>1379</td></tr></table>", "q 0.50"), mdCell("A ratio of 0.5 and 1379 circuits.")] };
  assert.deepEqual(unprintedNumbers(viaTable), []);
  assert.deepEqual(unprintedNumbers({ cells: [printed("x12\n"), mdCell("Twelve, not 12.")] }).map((p) => p.number), ["12"]);
});

/** output/NAME.ipynb when it is an execution of the committed notebook's current cells. */
function freshExecution(file: string): unknown | null {
  const out = path.join(root, "output", path.basename(file));
  if (!existsSync(out)) return null;
  const executed = JSON.parse(readFileSync(out, "utf8")) as { cells: Cell[] };
  const committed = JSON.parse(readFileSync(file, "utf8")) as { cells: Cell[] };
  const sources = (nb: { cells: Cell[] }) => JSON.stringify(nb.cells.map((c) => [c.cell_type, [c.source].flat().join("")]));
  return sources(executed) === sources(committed) ? executed : null;
}

test("every notebook executed in output/ from its current sources prints the numbers its prose quotes", (t) => {
  const files = readdirSync(path.join(root, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort().map((f) => path.join(root, "notebooks", f));
  const checked: string[] = [];
  const problems: string[] = [];
  for (const f of files) {
    const nb = freshExecution(f);
    if (nb === null) continue;
    checked.push(path.basename(f));
    for (const p of unprintedNumbers(nb)) problems.push(`${path.basename(f)} cell ${p.cell}: ${p.number} in "…${p.context}…"`);
  }
  t.diagnostic(`checked ${checked.length} of ${files.length} notebooks (the others have no execution of their current sources in output/; npm run reproduce makes them)`);
  assert.deepEqual(problems, []);
});
