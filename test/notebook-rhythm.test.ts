// Every notebook reads as a handout: a title, then the rhythm "why, code, figure" (a markdown cell before every code
// cell), and a final "what to take away" whose sentences a code cell computes from the notebook's own outputs (a
// markdown heading followed by a code cell), so that the conclusion cannot drift from what the cells printed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

const dir = path.join(__dirname, "..", "notebooks");

/** Notebooks still being written by their owners: reported, not failed (remove an entry once it passes). */
const PENDING: Record<string, string> = {
};

type Cell = { cell_type: string; source: string[] | string };
const text = (c: Cell) => [c.source].flat().join("");

/** What keeps a notebook from the handout shape, as readable problems (none: it has the shape). */
function rhythmProblems(cells: Cell[]): string[] {
  const problems: string[] = [];
  if (cells[0]?.cell_type !== "markdown" || !/^# \S/.test(text(cells[0]))) problems.push("the first cell is not a markdown title (# …)");
  cells.forEach((c, i) => {
    if (c.cell_type === "code" && cells[i - 1]?.cell_type !== "markdown") problems.push(`code cell ${i + 1} has no sentence of why before it`);
  });
  const takeaway = cells.map((c) => c.cell_type === "markdown" && /^## What to take away\b/.test(text(c).trimStart())).lastIndexOf(true);
  if (takeaway < 0) problems.push('no "## What to take away" section');
  else if (!cells.slice(takeaway + 1).some((c) => c.cell_type === "code")) problems.push('"## What to take away" has no code cell computing it');
  return problems;
}

test("rhythmProblems: finds a code cell without a sentence before it and a takeaway no cell computes", () => {
  const md = (s: string): Cell => ({ cell_type: "markdown", source: [s] });
  const code = (s: string): Cell => ({ cell_type: "code", source: [s] });
  assert.deepEqual(rhythmProblems([md("# T\n\nwhat"), code("a"), md("## What to take away\n\nwhy"), code("console.log(a)")]), []);
  assert.deepEqual(rhythmProblems([md("# T"), code("a"), code("b"), md("## What to take away")]), [
    "code cell 3 has no sentence of why before it",
    '"## What to take away" has no code cell computing it',
  ]);
  assert.deepEqual(rhythmProblems([code("a"), md("intro")]), ["the first cell is not a markdown title (# …)", "code cell 1 has no sentence of why before it", 'no "## What to take away" section']);
});

test("every notebook: a title, a sentence before each code cell, and a takeaway computed by a code cell", (t) => {
  const problems: string[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".ipynb")).sort()) {
    const found = rhythmProblems((JSON.parse(readFileSync(path.join(dir, f), "utf8")) as { cells: Cell[] }).cells);
    if (f in PENDING) t.diagnostic(`${f} (${PENDING[f]}): ${found.length ? found.join("; ") : "now has the shape: remove it from PENDING"}`);
    else problems.push(...found.map((p) => `${f}: ${p}`));
  }
  assert.deepEqual(problems, []);
});
