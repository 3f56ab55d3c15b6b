// Whether dist/ was built from the current src/: the one place that decides it, for the scripts (reproduce, the
// kernel) and, in a source checkout, for the library itself (src/freshness.ts loads this file). scripts/build.js
// stamps dist/ with the time its compile started; dist/ is stale when any file or folder under src/ (an edit, an
// added, removed or renamed file) or tsconfig.json is newer than that stamp, or when there is no stamp.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const STAMP = ".build-stamp";

/** The newest mtime under `dir` (files and folders, recursively) and the path that has it. */
function newest(dir) {
  let best = { file: dir, mtimeMs: fs.statSync(dir).mtimeMs };
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const n = e.isDirectory() ? newest(p) : { file: p, mtimeMs: fs.statSync(p).mtimeMs };
    if (n.mtimeMs >= best.mtimeMs) best = n; // on a tie, name the file rather than its folder
  }
  return best;
}

/** null when dist/ under `root` is up to date with src/ (or `root` is not a source checkout); else why it is not. */
function staleReason(root) {
  const src = path.join(root, "src");
  const dist = path.join(root, "dist");
  if (!fs.existsSync(src)) return null; // an installed package: dist/ is all there is
  if (!fs.existsSync(dist)) return "dist/ does not exist (the library was never built)";
  const stamp = path.join(dist, STAMP);
  if (!fs.existsSync(stamp)) return "dist/ has no build stamp (the last build failed or predates the stamp)";
  const built = fs.statSync(stamp).mtimeMs;
  const candidates = [newest(src)];
  const tsconfig = path.join(root, "tsconfig.json");
  if (fs.existsSync(tsconfig)) candidates.push({ file: tsconfig, mtimeMs: fs.statSync(tsconfig).mtimeMs });
  const n = candidates.reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
  if (n.mtimeMs <= built) return null;
  const at = (ms) => new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  return `${path.relative(root, n.file) || "src"} changed at ${at(n.mtimeMs)}, after the last build of dist/ (${at(built)})`;
}

/** The message of a refusal: what would run stale code, why it is stale, and the fix. */
function staleMessage(root, reason, who) {
  return `${who} would run the built library in dist/, which is older than src/: ${reason}. ` +
    `Rebuild with \`npm run build\` (in ${root}), then run again (in a notebook: restart the kernel).`;
}

/** Marks dist/ as built from the sources as they were at `startedMs` (called by scripts/build.js after tsc succeeds). */
function writeStamp(root, startedMs) {
  const stamp = path.join(root, "dist", STAMP);
  fs.writeFileSync(stamp, `built from src/ as of ${new Date(startedMs).toISOString()}\n`);
  fs.utimesSync(stamp, startedMs / 1000, startedMs / 1000);
}

/** Removes the stamp before compiling: a failed or interrupted build leaves dist/ marked stale. */
function clearStamp(root) {
  fs.rmSync(path.join(root, "dist", STAMP), { force: true });
}

module.exports = { staleReason, staleMessage, writeStamp, clearStamp, STAMP };
