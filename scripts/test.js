#!/usr/bin/env node
// npm test: builds, then runs every test/*.test.ts with node's test runner (tsx for TypeScript). Node 20's --test
// does not expand globs, so the files are listed here. `--unit` skips the slow end-to-end tests (notebooks in
// Jupyter and Chromium) by setting MI_UNIT_ONLY=1. Other arguments select test files by name: `npm test -- display`.
"use strict";
const { spawnSync, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const args = process.argv.slice(2);
const unit = args.includes("--unit");
const names = args.filter((a) => !a.startsWith("--"));
execFileSync(process.execPath, [path.join(__dirname, "build.js")], { stdio: "inherit", cwd: root });
const testDir = path.join(root, "test");
let files = fs.readdirSync(testDir).filter((f) => f.endsWith(".test.ts")).sort();
if (names.length) files = files.filter((f) => names.some((n) => f.includes(n)));
if (files.length === 0) {
  console.error(`test: no test files match ${names.join(", ")}`);
  process.exit(1);
}
const env = { ...process.env };
if (unit) env.MI_UNIT_ONLY = "1";
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", ...files.map((f) => path.join("test", f))], { cwd: root, env, stdio: "inherit" });
process.exit(r.status ?? 1);
