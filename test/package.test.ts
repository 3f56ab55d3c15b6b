// The package installs into a fresh project of someone else's: `npm pack`, then `npm install <tarball>` in an empty
// temporary project (npm's cache first, else the registry, nothing else: no install script that downloads), then the
// library imports by name from CommonJS and from ES modules, and the `mi-identifiability` binary runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { e2eSkip } from "./fixtures/browser";

const root = path.resolve(__dirname, "..");
const { staleReason } = require("../scripts/stale.js") as { staleReason: (root: string) => string | null };

function run(cmd: string, args: string[], opts: SpawnSyncOptions & { what: string }) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, timeout: 170_000, ...opts });
  assert.equal(r.status, 0, `${opts.what} failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ""}):\n${r.stdout}\n${r.stderr}`);
  return String(r.stdout);
}

/** Packages of an install that run a script at install time (and might download something). */
const INSTALL_SCRIPTS_ALLOWED = new Set([
  "core-js", // postinstall prints a funding banner (and honours npm's --no-fund)
]);

test("npm pack installs into a fresh project; import by name (CJS and ESM) and the binary work", { skip: e2eSkip, timeout: 180_000 }, () => {
  const stale = staleReason(root);
  assert.equal(stale, null, `dist/ must be built from the current src/ before packing (npm run build): ${stale}`);
  const work = mkdtempSync(path.join(tmpdir(), "mi-pack-"));
  try {
    const packed = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: root, what: "npm pack" })) as { filename: string; files: { path: string }[] }[];
    const files = packed[0].files.map((f) => f.path);
    for (const f of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/cli.js", "data/reference/xor_mlp_meloux2025.json", "data/reference/xor_notebook_data_meloux2025.json"])
      assert.ok(files.includes(f), `the tarball lacks ${f}`);
    const shipped = (dir: string) => files.filter((f) => f.startsWith(dir));
    for (const dir of ["src/", "test/", "notebooks/", "scripts/", "kernel/", ".venv/", "node_modules/", "results/", "output/"]) assert.deepEqual(shipped(dir), [], `the tarball ships ${dir}`);
    assert.ok(!files.includes("dist/.build-stamp"), "the tarball ships the build stamp");

    const project = path.join(work, "fresh-project");
    run("mkdir", ["-p", project], { what: "mkdir" });
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "fresh-project", version: "1.0.0", private: true }, null, 2));
    const tarball = path.join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel", "error", tarball], { cwd: project, what: "npm install <tarball>" });
    const withScripts = JSON.parse(run("npm", ["query", ":attr(scripts, [preinstall]), :attr(scripts, [install]), :attr(scripts, [postinstall])"], { cwd: project, what: "npm query" })) as { name: string }[];
    assert.deepEqual(withScripts.map((p) => p.name).filter((n) => !INSTALL_SCRIPTS_ALLOWED.has(n)), [], "packages that run install scripts");
    const installed = JSON.parse(run("npm", ["ls", "--all", "--json"], { cwd: project, what: "npm ls" }));
    const names = new Set<string>();
    const walk = (deps: Record<string, { dependencies?: Record<string, unknown> }> = {}) => {
      for (const [n, d] of Object.entries(deps)) {
        if (names.has(n)) continue;
        names.add(n);
        walk(d.dependencies as never);
      }
    };
    walk(installed.dependencies);
    for (const n of ["danfojs-node", "tslab", "zeromq", "@tensorflow/tfjs-node", "xlsx"]) assert.ok(!names.has(n), `${n} is installed with the package`);

    // CommonJS, the form the package is built in
    const cjs = run(process.execPath, ["-e", 'const m = require("mi-identifiability"); console.log(m.countCandidates([2, 3, 3, 1]), typeof m.findCircuits, typeof m.showTable)'], { cwd: project, what: "require()" });
    assert.equal(cjs.trim(), "3000 function function");
    // ES modules: named imports of the CommonJS build
    const esm = run(process.execPath, ["--input-type=module", "-e", 'import { countCandidates, loadTf } from "mi-identifiability"; const h = await loadTf(); console.log(countCandidates([2, 4, 4, 1]), h.backend)'], { cwd: project, what: "import" });
    assert.equal(esm.trim(), "168672 cpu");

    const bin = path.join(project, "node_modules", ".bin", "mi-identifiability");
    const help = run(bin, ["--help"], { cwd: project, what: "mi-identifiability --help" });
    assert.match(help, /analyze/);
    assert.match(help, /train/);
    const model = path.join(project, "node_modules", "mi-identifiability", "data", "reference", "xor_mlp_meloux2025.json");
    const analyzed = run(bin, ["analyze", "--model", model], { cwd: project, what: "mi-identifiability analyze" });
    // the released model on clean inputs: 3000 candidates, 32 perfect circuits, 234 700 interpretations (README)
    for (const n of ["3000", "32", "234700"]) assert.match(analyzed, new RegExp(`\\b${n}\\b`), `analyze output lacks ${n}:\n${analyzed}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
