#!/usr/bin/env node
// Numbers in a notebook's prose must be printed by a cell above them, so that text and output cannot drift apart.
//
// What counts as a quoted number: a run of ASCII digits (with a decimal part or an exponent) in a markdown cell that
// is not glued to a letter, digit, underscore or dot before it (C1, L1.2, x2 are names), once these are removed:
//   - code: fenced blocks and `inline code` (commands, settings and identifiers, not claims);
//   - numbering: a heading's leading number ("# 05 —", "## 3."), an ordered list's item numbers ("1. read"), "Exercise N" (and Claim, Part, Step, and the identifiers "formula N", "layer N"), notebook names and references
//     ("notebook 08", "notebooks 05–11", "00-quickstart");
//   - citations: "SPEC 14.10", "EQUIVALENCE 6.4", years after a venue or in parentheses ("ICLR 2025", "(2026)");
//   - parameters written as an assignment or bound of a whitelisted name ("k = 2", "σ = 0.1", "k > 3", see
//     PARAMETER_NAMES) and layer
//     sizes in brackets ("[2, 3, 3, 1]").
// A quoted number is printed when a code cell above it has an output (stream text, text/plain or text/html with tags
// removed) holding the same number (compared as numbers: 0.50 = 0.5).
//
// usage: node scripts/notebook-prose.js EXECUTED.ipynb...   report the unprinted numbers; exit 1 if any
//        (execute first: `npm run reproduce` writes executed notebooks into output/)
"use strict";
const fs = require("node:fs");

const PARAMETER_NAMES = ["k", "n", "σ", "sigma", "depth", "width", "seed", "seeds", "threshold"];
const NUMBER = /(?<![\p{L}\p{N}_.])\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\p{L}_])/gu;

const joined = (s) => (Array.isArray(s) ? s.join("") : s || "");

/** The markdown with everything that is not a quoted claim blanked out (see the header). */
function proseOnly(markdown) {
  const names = PARAMETER_NAMES.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  return markdown
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/`[^`\n]*`/g, " ")
    .replace(/^(#+\s+)\d+[a-z]?\b/gm, "$1")
    .replace(/^(\s*)\d+[.)](?=\s)/gm, "$1")
    .replace(/\b(?:Exercise|Claim|Part|Step|Formula|Layer)s?\s+\d+(?:\s*(?:[–,-]|and|to)\s*\d+)*/gi, " ")
    .replace(/\bnotebooks?\s+\d+[a-z]?(?:\s*(?:[–,-]|and|to)\s*\d+[a-z]?)*/gi, " ")
    .replace(/\b\d\d[a-z]?-[a-z][a-z-]*/g, " ")
    .replace(/\b(?:SPEC|EQUIVALENCE)\s+\d+(?:\.\d+)*/g, " ")
    .replace(/\b(?:ICLR|NeurIPS|ICML|ACL|arXiv|et al\.,?)\s+(?:19|20)\d\d\b/g, " ")
    .replace(/\((?:19|20)\d\d\)/g, " ")
    .replace(new RegExp(`(?<![\\p{L}_])(?:${names})\\s*(?:<=|>=|[=<>≤≥])\\s*\\d+(?:\\.\\d+)?`, "gu"), " ")
    .replace(/\[\s*\d+(?:\s*,\s*\d+)+\s*\]/g, " ");
}

/** The numbers a markdown text quotes, in order. */
function quotedNumbers(markdown) {
  return proseOnly(markdown).match(NUMBER) ?? [];
}

/** Every number in a code cell's outputs. */
function printedNumbers(cell) {
  const texts = [];
  for (const o of cell.outputs ?? []) {
    if (o.text) texts.push(joined(o.text));
    if (o.data) {
      if (o.data["text/plain"]) texts.push(joined(o.data["text/plain"]));
      if (o.data["text/html"]) texts.push(joined(o.data["text/html"]).replace(/<script[\s\S]*?<\/script>/g, " ").replace(/<[^>]*>/g, " "));
    }
  }
  return new Set((texts.join("\n").match(NUMBER) ?? []).map(Number));
}

/**
 * The numbers each markdown cell quotes that no code cell above printed: [{ cell (1-based), number, context }].
 * `nb` is an executed notebook (parsed JSON).
 */
function unprintedNumbers(nb) {
  const printed = new Set();
  const problems = [];
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type === "code") for (const v of printedNumbers(cell)) printed.add(v);
    if (cell.cell_type !== "markdown") return;
    const text = proseOnly(joined(cell.source));
    for (const m of text.matchAll(NUMBER)) {
      if (printed.has(Number(m[0]))) continue;
      const context = text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40).replace(/\s+/g, " ").trim();
      problems.push({ cell: i + 1, number: m[0], context });
    }
  });
  return problems;
}

function main(files) {
  if (files.length === 0) throw new Error("usage: node scripts/notebook-prose.js EXECUTED.ipynb... (npm run reproduce writes them into output/)");
  let bad = 0;
  for (const f of files) {
    for (const p of unprintedNumbers(JSON.parse(fs.readFileSync(f, "utf8")))) {
      bad++;
      console.error(`${f}: cell ${p.cell} quotes ${p.number}, which no cell above printed: "…${p.context}…"`);
    }
  }
  return bad ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exitCode = 2;
  }
}

module.exports = { quotedNumbers, unprintedNumbers, proseOnly, PARAMETER_NAMES };
