#!/usr/bin/env node
// Builds the library with the project's own TypeScript (not tslab's bundled 5.0.4 that `npx tsc` may find), stamps
// dist/ with the time the compile started (scripts/stale.js: notebooks, reproduce and worker threads refuse a dist/
// older than src/), then links node_modules/mi-identifiability to the project root so notebooks import it by name.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { clearStamp, writeStamp } = require("./stale");

const root = path.resolve(__dirname, "..");

/** Links node_modules/mi-identifiability -> .. (npm install prunes it: every build puts it back). */
function linkPackage() {
  const link = path.join(root, "node_modules", "mi-identifiability");
  try {
    const stat = fs.lstatSync(link);
    if (stat.isSymbolicLink() && fs.realpathSync(link) === root) return;
    fs.rmSync(link, { recursive: true, force: true });
  } catch {
    /* no link yet */
  }
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync("..", link, "dir");
}

function main() {
  const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
  const started = Date.now();
  clearStamp(root);
  const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.json")], { stdio: "inherit", cwd: root });
  if (r.status !== 0) {
    console.error(`build: TypeScript reported errors (above); dist/ is left marked stale until a build succeeds.`);
    return 1;
  }
  const cli = path.join(root, "dist", "cli.js");
  if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
  writeStamp(root, started);
  linkPackage();
  return 0;
}

process.exitCode = main();
