// Nothing is written outside the project: scripts/home.js finds what changed in a home folder (scripts/test.js fails
// `npm test` on it), and every Jupyter/JupyterLab/IPython state folder of the project's Jupyter is inside the project.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const { snapshotHome, diffSnapshots } = require("../scripts/home.js") as {
  snapshotHome: (home?: string) => Map<string, string>;
  diffSnapshots: (a: Map<string, string>, b: Map<string, string>) => string[];
};
const { jupyterDirs, ensureVenv } = require("../scripts/venv.js") as {
  jupyterDirs: () => Record<string, string>;
  ensureVenv: () => { binDir: string; env: NodeJS.ProcessEnv };
};

test("a home snapshot sees files created, changed and removed in watched folders, and new top-level entries", () => {
  const home = mkdtempSync(path.join(tmpdir(), "mi-home-"));
  mkdirSync(path.join(home, ".config", "jupyter"), { recursive: true });
  writeFileSync(path.join(home, ".config", "jupyter", "a.json"), "{}");
  mkdirSync(path.join(home, ".npm", "_logs"), { recursive: true });
  mkdirSync(path.join(home, "projects"));
  const before = snapshotHome(home);
  assert.deepEqual(diffSnapshots(before, snapshotHome(home)), []);

  mkdirSync(path.join(home, ".config", "jupyter", "lab", "workspaces"), { recursive: true });
  writeFileSync(path.join(home, ".config", "jupyter", "lab", "workspaces", "default.jupyterlab-workspace"), "{}");
  writeFileSync(path.join(home, ".config", "jupyter", "a.json"), '{"changed": true}');
  writeFileSync(path.join(home, ".npm", "_logs", "debug.log"), "npm's own log"); // npm's folder is not compared
  writeFileSync(path.join(home, "projects", "inside-an-unwatched-folder"), "x"); // only top-level entries there
  writeFileSync(path.join(home, ".ipython_history"), "x");
  const later = Date.now() / 1000 + 5; // mtimes can tie within the filesystem's resolution: make the change visible
  utimesSync(path.join(home, ".config", "jupyter", "a.json"), later, later);
  const diff = diffSnapshots(before, snapshotHome(home));
  assert.deepEqual(diff, [
    "changed ~/.config/jupyter",
    "changed ~/.config/jupyter/a.json",
    "created ~/.config/jupyter/lab",
    "created ~/.config/jupyter/lab/workspaces",
    "created ~/.config/jupyter/lab/workspaces/default.jupyterlab-workspace",
    "created ~/.ipython_history",
  ]);
  rmSync(path.join(home, ".config", "jupyter", "a.json"));
  assert.ok(diffSnapshots(before, snapshotHome(home)).includes("removed ~/.config/jupyter/a.json"));
  rmSync(home, { recursive: true, force: true });
});

test("Jupyter's config, data, runtime, Lab workspace/settings and IPython folders are project-local (or MI_JUPYTER_DIR)", () => {
  const dirs = jupyterDirs();
  assert.deepEqual(Object.keys(dirs).sort(), ["IPYTHONDIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"]);
  for (const [k, v] of Object.entries(dirs)) assert.ok(v.startsWith(path.join(root, ".jupyter-local") + path.sep), `${k}=${v}`);
  const saved = process.env.MI_JUPYTER_DIR;
  process.env.MI_JUPYTER_DIR = path.join(tmpdir(), "elsewhere");
  try {
    for (const v of Object.values(jupyterDirs())) assert.ok(v.startsWith(path.join(tmpdir(), "elsewhere") + path.sep));
  } finally {
    if (saved === undefined) delete process.env.MI_JUPYTER_DIR;
    else process.env.MI_JUPYTER_DIR = saved;
  }
});

test("the project's Jupyter and JupyterLab report no folder in the user's home", { skip: existsSync(path.join(root, ".venv")) ? false : "no .venv (node scripts/venv.js creates it)" }, () => {
  const venv = ensureVenv();
  const home = homedir();
  const paths = spawnSync(path.join(venv.binDir, "jupyter"), ["--paths", "--json"], { env: venv.env, encoding: "utf8" });
  assert.equal(paths.status, 0, paths.stderr);
  const all = Object.values(JSON.parse(paths.stdout) as Record<string, string[]>).flat();
  assert.deepEqual(all.filter((p) => p.startsWith(home + path.sep)), []);
  const lab = spawnSync(path.join(venv.binDir, "jupyter"), ["lab", "paths"], { env: venv.env, encoding: "utf8" });
  assert.equal(lab.status, 0, lab.stderr);
  const labDirs = lab.stdout.split("\n").filter((l) => /Settings|Workspaces/i.test(l));
  assert.equal(labDirs.length, 2, lab.stdout);
  for (const l of labDirs) assert.ok(l.includes(path.join(root, ".jupyter-local")) && !l.includes(home + path.sep + "."), l);
});
