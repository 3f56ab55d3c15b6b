#!/usr/bin/env node
// node scripts/slurm/compare-runs.js EXPECTED_DIR ACTUAL_DIR: exits 0 when two results folders hold the same run:
// run.json byte for byte, the same records in the same order with every field equal except timings_ms (wall-clock
// times, the only field that depends on where a job ran), and results.csv equal once its timings column is removed.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [expected, actual] = process.argv.slice(2);
if (!expected || !actual) {
  console.error("usage: node scripts/slurm/compare-runs.js EXPECTED_DIR ACTUAL_DIR");
  process.exit(2);
}
// The library's own readers and comparison, from the sources (a stale or missing dist/ does not matter here).
require("tsx/cjs/api").register();
const lib = { ...require("../../src/experiments/store.ts"), ...require("../../src/experiments/merge.ts") };
const read = (dir, f) => fs.readFileSync(path.join(dir, f), "utf8");
const csvWithoutTimings = (dir) => read(dir, "results.csv").replace(/"\{""train"".*?\}"/g, "");

const diffs = lib.recordDifferences(lib.readRecords(expected), lib.readRecords(actual));
if (read(expected, "run.json") !== read(actual, "run.json")) diffs.push("run.json differs");
if (csvWithoutTimings(expected) !== csvWithoutTimings(actual)) diffs.push("results.csv differs (timings excepted)");
const n = lib.readRecords(expected).length;
if (diffs.length) {
  console.error(`DIFFERENT: ${actual} vs ${expected}:\n  ${diffs.slice(0, 20).join("\n  ")}${diffs.length > 20 ? `\n  … ${diffs.length - 20} more` : ""}`);
  process.exit(1);
}
console.log(`same run: ${n} records in the same order, every field equal except timings_ms; run.json identical; results.csv identical except timings (${actual} vs ${expected})`);
