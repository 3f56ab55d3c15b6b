#!/usr/bin/env node
// Builds the library with the project's own TypeScript (not tslab's bundled 5.0.4 that `npx tsc` may find),
// then links node_modules/mi-identifiability to the project root so notebooks and users import it by name.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.json")], { stdio: "inherit", cwd: root });
const cli = path.join(root, "dist", "cli.js");
if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);

const link = path.join(root, "node_modules", "mi-identifiability");
try {
  const stat = fs.lstatSync(link);
  if (!stat.isSymbolicLink()) fs.rmSync(link, { recursive: true, force: true });
  else if (fs.realpathSync(link) === root) process.exit(0);
  else fs.unlinkSync(link);
} catch {
  /* no link yet */
}
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync("..", link, "dir");
