#!/usr/bin/env node
// npm run bench [-- NAME... [--flag...] [-- ARG...]]: runs every bench/*.ts (or those whose name contains a NAME) one
// after the other. Words that start with "-", and everything after a second "--", go to each bench unchanged, e.g.
// `npm run bench -- circuits-scale --quick` or `npm run bench -- mnist -- --seed 3`.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const dir = path.join(root, "bench");
const argv = process.argv.slice(2);
const cut = argv.indexOf("--");
const head = cut < 0 ? argv : argv.slice(0, cut);
const names = head.filter((a) => !a.startsWith("-"));
const passed = [...head.filter((a) => a.startsWith("-")), ...(cut < 0 ? [] : argv.slice(cut + 1))];
let files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).sort() : [];
if (names.length) files = files.filter((f) => names.some((n) => f.includes(n)));
if (files.length === 0) {
  console.error("bench: no bench/*.ts to run" + (names.length ? ` matching ${names.join(", ")}` : ""));
  process.exit(names.length ? 1 : 0);
}
let failed = 0;
for (const f of files) {
  console.log(`\n=== bench/${f}${passed.length ? " " + passed.join(" ") : ""}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join("bench", f), ...passed], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
