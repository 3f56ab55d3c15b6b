// What `npm test` (and anything else run through scripts/test.js) may not do: write into the user's home. A snapshot
// lists the home's top-level entries and, recursively, every file and folder (with mtime and size) under the places
// where Jupyter, IPython, pip, browsers and desktop tools keep state. npm's own folder (~/.npm: its logs, and the
// package cache that `npm install` always uses) is left out: npm writes it whatever the project does.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

/** Folders of $HOME watched recursively (relative to $HOME). */
const WATCHED = [".jupyter", ".ipython", ".config", ".local", ".cache", ".pki", ".mozilla", ".node_repl_history"];
/** Top-level entries of $HOME not compared at all. */
const IGNORED = new Set([".npm"]);

/** A folder's entries; none when it cannot be read (its own entry still counts). */
function readdirOrEmpty(dir) {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function walk(p, rel, out) {
  let st;
  try {
    st = fs.lstatSync(p);
  } catch {
    return;
  }
  out.set(rel, st.isDirectory() ? `dir ${st.mtimeMs}` : `${st.size} ${st.mtimeMs}`);
  if (!st.isDirectory()) return;
  for (const n of readdirOrEmpty(p)) walk(path.join(p, n), path.join(rel, n), out);
}

/** A snapshot of `home`: relative path -> "dir MTIME" or "SIZE MTIME". */
function snapshotHome(home = os.homedir()) {
  const out = new Map();
  for (const name of readdirOrEmpty(home)) {
    if (IGNORED.has(name)) continue;
    if (WATCHED.includes(name)) walk(path.join(home, name), name, out);
    else out.set(name, "present");
  }
  return out;
}

/** The differences between two snapshots: ["created ~/x", "changed ~/y", "removed ~/z"], sorted by path. */
function diffSnapshots(before, after) {
  const lines = [];
  for (const [k, v] of after) {
    if (!before.has(k)) lines.push([k, `created ~/${k}`]);
    else if (before.get(k) !== v) lines.push([k, `changed ~/${k}`]);
  }
  for (const k of before.keys()) if (!after.has(k)) lines.push([k, `removed ~/${k}`]);
  return lines.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((x) => x[1]);
}

module.exports = { snapshotHome, diffSnapshots, WATCHED, IGNORED };
