#!/usr/bin/env node
// npm run lab [-- JUPYTERLAB_ARGS...]: builds the library, makes sure .venv exists (creating it on first use), and
// starts JupyterLab 4 on notebooks/ with the project kernel, without opening a browser. Jupyter's and Lab's state
// (workspaces, settings, runtime files) stays in the project's .jupyter-local/ (scripts/venv.js). Extra arguments go to
// `jupyter lab` (e.g. `npm run lab -- --port 8899 --ServerApp.ip=0.0.0.0`; `--notebook-dir DIR` to serve another folder).
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const path = require("node:path");
const { ensureVenv, root } = require("./venv");

function main() {
  const args = process.argv.slice(2);
  let notebookDir = path.join(root, "notebooks");
  const i = args.findIndex((a) => a === "--notebook-dir" || a.startsWith("--notebook-dir="));
  if (i >= 0) {
    const [flag, val] = args[i].split("=");
    notebookDir = path.resolve(val ?? args[i + 1]);
    args.splice(i, val === undefined ? 2 : 1);
    void flag;
  }
  // A failed build still starts Lab: notebooks then refuse the stale dist/ with the reason when they import it.
  if (!args.includes("--no-build") && spawnSync(process.execPath, [path.join(__dirname, "build.js")], { stdio: "inherit", cwd: root }).status !== 0)
    console.error("lab: the build failed (above); notebooks will refuse to import the library until `npm run build` succeeds.");
  const rest = args.filter((a) => a !== "--no-build");
  const venv = ensureVenv();
  const lab = ["lab", `--ServerApp.root_dir=${notebookDir}`, "--no-browser"];
  // Jupyter refuses to run as root unless told; containers and CI often are root.
  if (typeof process.getuid === "function" && process.getuid() === 0) lab.push("--allow-root");
  const child = spawn(path.join(venv.binDir, "jupyter"), [...lab, ...rest], { cwd: root, env: venv.env, stdio: "inherit" });
  const forward = (sig) => child.kill(sig);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

try {
  main();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
