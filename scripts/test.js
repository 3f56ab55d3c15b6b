#!/usr/bin/env node
// npm test [-- NAME...] [--unit]: builds, type-checks src/, test/ and bench/ (tsconfig.test.json), lints (eslint.config.mjs),
// then runs test/*.test.ts with node's test runner (tsx for TypeScript), and fails when anything was written into
// the user's home meanwhile (scripts/home.js). Node 20's --test does not expand globs, so the files are listed here.
// `--unit` skips the slow end-to-end tests (notebooks in Jupyter and Chromium) by setting MI_UNIT_ONLY=1. NAMEs select
// test files (`npm test -- display`) and then skip the type-check and the lint, for a quick loop on a few files.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { diffSnapshots, snapshotHome } = require("./home");

const root = path.resolve(__dirname, "..");
const args = process.argv.slice(2);
const unit = args.includes("--unit");
const names = args.filter((a) => !a.startsWith("--"));
const unknown = args.filter((a) => a.startsWith("--") && a !== "--unit");
if (unknown.length) {
  console.error(`test: unknown option ${unknown.join(", ")} (options: --unit; other arguments select test files by name)`);
  process.exit(2);
}

const testDir = path.join(root, "test");
let files = fs.readdirSync(testDir).filter((f) => f.endsWith(".test.ts")).sort();
if (names.length) files = files.filter((f) => names.some((n) => f.includes(n)));
if (files.length === 0) {
  console.error(`test: no test files match ${names.join(", ")}`);
  process.exit(1);
}

const homeBefore = snapshotHome();
const phases = [];
function phase(name, cmd, argv, env) {
  const t0 = Date.now();
  console.error(`\n== ${name}`);
  const r = spawnSync(cmd, argv, { cwd: root, env: env ?? process.env, stdio: "inherit" });
  const ok = r.status === 0;
  phases.push({ name, ok, seconds: (Date.now() - t0) / 1000 });
  return ok;
}

const node = process.execPath;
const built = phase("build", node, [path.join(__dirname, "build.js")]);
if (!names.length) {
  phase("typecheck (src/, test/, bench/)", node, [require.resolve("typescript/bin/tsc", { paths: [root] }), "-p", path.join(root, "tsconfig.test.json")]);
  const eslint = path.join(path.dirname(require.resolve("eslint/package.json", { paths: [root] })), "bin", "eslint.js");
  phase("lint", node, [eslint, "--max-warnings", "0", "."]);
}
if (built) {
  const env = { ...process.env };
  if (unit) env.MI_UNIT_ONLY = "1";
  phase(`tests (${files.length} files${unit ? ", unit only" : ""})`, node, ["--import", "tsx", "--test", ...files.map((f) => path.join("test", f))], env);
} else console.error("\ntest: the build failed, so the tests did not run (they would run a stale dist/).");

const written = diffSnapshots(homeBefore, snapshotHome());
phases.push({ name: "nothing written in $HOME", ok: written.length === 0, seconds: 0 });
if (written.length) console.error(`\ntest: written outside the project, in your home (${written.length}):\n  ${written.slice(0, 40).join("\n  ")}`);

console.error("\n== summary");
for (const p of phases) console.error(`${p.ok ? "ok  " : "FAIL"} ${p.name}${p.seconds ? ` (${p.seconds.toFixed(0)} s)` : ""}`);
process.exit(phases.every((p) => p.ok) ? 0 : 1);
