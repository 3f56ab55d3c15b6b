#!/usr/bin/env node
// Writes notebooks exactly as JupyterLab saves them, without outputs, so that opening and saving one in Lab leaves
// `git status` clean and commits carry no outputs:
//   - outputs and execution counts stripped, with the cell metadata that only describes them (execution timing,
//     collapsed/scrolled output state, trust);
//   - the project kernel's kernelspec and the language_info that its kernel (tslab) reports, which Lab writes into
//     the notebook as soon as the kernel starts;
//   - nbformat 4.5 (Lab upgrades older minors), every cell with an id;
//   - nbformat's serialisation (what jupyter_server writes): keys sorted, one-space indent, non-ASCII kept, sources
//     and texts split into lines, a final newline.
//
// usage: node scripts/normalize-notebooks.js [FILE.ipynb...]   rewrite in place (default: every committed notebook)
//        node scripts/normalize-notebooks.js --check [FILE...]  list the notebooks that are not normalized; exit 1 if any
//        node scripts/normalize-notebooks.js --stdin            stdin -> stdout, as a git clean filter:
//   git config filter.notebooks.clean "node scripts/normalize-notebooks.js --stdin"
//   git config filter.notebooks.smudge cat
// (.gitattributes routes *.ipynb through the filter "notebooks"; without that config git ignores it, and the test
// test/notebook-format.test.ts still refuses a committed notebook that is not normalized.)
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const KERNEL_DIR = path.join(root, "kernel", "mi-identifiability");
const NOTEBOOK_DIRS = ["notebooks", path.join("test", "fixtures", "notebooks")];

/** What tslab 1.0.22 answers in kernel_info (its jupyter.js), which JupyterLab copies into the notebook metadata. */
const TSLAB_LANGUAGE_INFO = {
  codemirror_mode: { mode: "typescript", name: "javascript", typescript: true },
  file_extension: ".ts",
  mimetype: "text/typescript",
  name: "typescript",
  version: "3.7.2",
};

/** The kernelspec metadata Lab writes for the project kernel: name, display_name and language of kernel.json. */
function projectKernelspec() {
  const spec = JSON.parse(fs.readFileSync(path.join(KERNEL_DIR, "kernel.json"), "utf8"));
  return { display_name: spec.display_name, language: spec.language, name: path.basename(KERNEL_DIR) };
}

/** Python's str.splitlines(keepends=True), which nbformat uses to store multi-line strings as lists. */
const LINE_BREAKS = new Set(["\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]);
function splitLines(s) {
  const lines = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (!LINE_BREAKS.has(s[i])) continue;
    if (s[i] === "\r" && s[i + 1] === "\n") i++;
    lines.push(s.slice(start, i + 1));
    start = i + 1;
  }
  if (start < s.length) lines.push(s.slice(start));
  return lines;
}

function joined(source) {
  return Array.isArray(source) ? source.join("") : String(source ?? "");
}

/** Keys sorted at every depth (json.dumps(sort_keys=True)). */
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

/** Cell metadata that describes outputs or session state, not the cell. */
function cleanCellMetadata(meta) {
  const m = { ...(meta || {}) };
  for (const k of ["execution", "trusted", "collapsed", "scrolled"]) delete m[k];
  if (m.jupyter && typeof m.jupyter === "object") {
    const { outputs_hidden: _hidden, ...rest } = m.jupyter;
    if (Object.keys(rest).length) m.jupyter = rest;
    else delete m.jupyter;
  }
  return m;
}

/** The normalized text of a notebook (`name` only for error messages). */
function normalizeNotebook(text, name = "notebook") {
  let nb;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: not valid JSON (${e.message})`, { cause: e });
  }
  if (!nb || nb.nbformat !== 4 || !Array.isArray(nb.cells))
    throw new Error(`${name}: not an nbformat 4 notebook (expected {"nbformat": 4, "cells": [...]}); convert it with \`jupyter nbconvert --to notebook\` first`);
  const metadata = { ...(nb.metadata || {}) };
  for (const k of ["orig_nbformat", "orig_nbformat_minor", "signature"]) delete metadata[k];
  if (metadata.kernelspec && metadata.kernelspec.name === path.basename(KERNEL_DIR)) {
    metadata.kernelspec = projectKernelspec();
    metadata.language_info = TSLAB_LANGUAGE_INFO;
  }
  const ids = new Set();
  const cells = nb.cells.map((c, i) => {
    let id = typeof c.id === "string" && /^[a-zA-Z0-9-_]{1,64}$/.test(c.id) && !ids.has(c.id) ? c.id : `cell-${i}`;
    while (ids.has(id)) id = `${id}-${i}`;
    ids.add(id);
    const cell = { cell_type: c.cell_type, id, metadata: cleanCellMetadata(c.metadata), source: splitLines(joined(c.source)) };
    if (c.cell_type === "code") {
      cell.execution_count = null;
      cell.outputs = [];
    } else if (c.attachments && Object.keys(c.attachments).length) cell.attachments = c.attachments;
    return cell;
  });
  const out = { cells, metadata, nbformat: 4, nbformat_minor: Math.max(5, Number(nb.nbformat_minor) || 0) };
  return JSON.stringify(sortKeys(out), null, 1) + "\n";
}

/** The committed notebooks: notebooks/ and the test fixtures. */
function defaultNotebooks() {
  return NOTEBOOK_DIRS.flatMap((d) => {
    const dir = path.join(root, d);
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort().map((f) => path.join(dir, f)) : [];
  });
}

/** The notebooks among `files` whose text is not normalized. */
function unnormalized(files) {
  return files.filter((f) => {
    const text = fs.readFileSync(f, "utf8");
    return normalizeNotebook(text, f) !== text;
  });
}

function main(argv) {
  if (argv.includes("--stdin")) {
    process.stdout.write(normalizeNotebook(fs.readFileSync(0, "utf8"), "stdin"));
    return 0;
  }
  const check = argv.includes("--check");
  const bad = argv.filter((a) => a.startsWith("--") && a !== "--check");
  if (bad.length) throw new Error(`normalize-notebooks: unknown option ${bad.join(", ")} (options: --check, --stdin)`);
  const names = argv.filter((a) => !a.startsWith("--"));
  const files = names.length ? names.map((f) => path.resolve(f)) : defaultNotebooks();
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length) throw new Error(`normalize-notebooks: no such file: ${missing.join(", ")}`);
  const todo = unnormalized(files);
  const rel = (f) => path.relative(process.cwd(), f) || f;
  if (check) {
    if (todo.length) console.error(`not normalized (run \`node scripts/normalize-notebooks.js\`):\n  ${todo.map(rel).join("\n  ")}`);
    return todo.length ? 1 : 0;
  }
  for (const f of todo) {
    // re-read right before writing: the file may have been saved meanwhile
    fs.writeFileSync(f, normalizeNotebook(fs.readFileSync(f, "utf8"), f));
    console.error(`normalized ${rel(f)}`);
  }
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exitCode = 2;
  }
}

module.exports = { normalizeNotebook, splitLines, defaultNotebooks, unnormalized, TSLAB_LANGUAGE_INFO };
