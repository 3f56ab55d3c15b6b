// No stale code: in a source checkout, dist/ built before the latest change under src/ is refused, with the changed
// file and the fix, by the library's entry point (what notebooks import) and by the study's worker threads; an
// installed package (no src/) is never checked. Run on a copy of the checkout, so the real dist/ is left alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const { staleReason, writeStamp, clearStamp } = require("../scripts/stale.js") as {
  staleReason: (root: string) => string | null;
  writeStamp: (root: string, startedMs: number) => void;
  clearStamp: (root: string) => void;
};

function touch(file: string, secondsFromNow: number): void {
  const t = Date.now() / 1000 + secondsFromNow;
  utimesSync(file, t, t);
}

test("the rule: a change, an added or a removed file under src/ (or tsconfig.json) after the build stamp is stale", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mi-stale-"));
  mkdirSync(path.join(dir, "src", "sub"), { recursive: true });
  mkdirSync(path.join(dir, "dist"));
  writeFileSync(path.join(dir, "src", "sub", "a.ts"), "export const a = 1;\n");
  writeFileSync(path.join(dir, "tsconfig.json"), "{}");
  for (const p of ["src/sub/a.ts", "src/sub", "src", "tsconfig.json"]) touch(path.join(dir, p), -100);
  assert.match(staleReason(dir)!, /dist\/ has no build stamp/);
  writeStamp(dir, Date.now() - 50_000);
  assert.equal(staleReason(dir), null);
  touch(path.join(dir, "src", "sub", "a.ts"), 0);
  assert.match(staleReason(dir)!, /^src\/sub\/a\.ts changed at .* UTC, after the last build of dist\/ \(.* UTC\)$/);
  writeStamp(dir, Date.now() + 1000);
  assert.equal(staleReason(dir), null);
  unlinkSync(path.join(dir, "src", "sub", "a.ts")); // a removal shows as its folder's mtime
  touch(path.join(dir, "src", "sub"), 5);
  assert.match(staleReason(dir)!, /^src\/sub changed/);
  writeStamp(dir, Date.now() + 10_000);
  touch(path.join(dir, "tsconfig.json"), 20);
  assert.match(staleReason(dir)!, /^tsconfig\.json changed/);
  clearStamp(dir);
  assert.match(staleReason(dir)!, /no build stamp/);
  rmSync(path.join(dir, "src"), { recursive: true });
  assert.equal(staleReason(dir), null, "no src/: an installed package, nothing to compare");
  rmSync(dir, { recursive: true, force: true });
});

test("a stale dist/ is refused by the entry point notebooks import and by the worker threads; a fresh or installed one loads", { skip: existsSync(path.join(root, "dist", "index.js")) ? false : "dist/ not built (npm run build)" }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mi-checkout-"));
  cpSync(path.join(root, "dist"), path.join(dir, "dist"), { recursive: true });
  cpSync(path.join(root, "scripts", "stale.js"), path.join(dir, "scripts", "stale.js"));
  cpSync(path.join(root, "package.json"), path.join(dir, "package.json"));
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  mkdirSync(path.join(dir, "src"));
  writeFileSync(path.join(dir, "src", "index.ts"), "// edited after the build\n");
  writeStamp(dir, Date.now() - 60_000);
  const load = (code: string) => spawnSync(process.execPath, ["-e", code], { cwd: dir, encoding: "utf8" });
  const entry = JSON.stringify(path.join(dir, "dist", "index.js"));
  const runner = JSON.stringify(path.join(dir, "dist", "experiments", "runner.js"));

  const notebook = load(`require(${entry})`);
  assert.notEqual(notebook.status, 0);
  assert.match(notebook.stderr, /mi-identifiability would run the built library in dist\/, which is older than src\/: src\/index\.ts changed at .*Rebuild with `npm run build` .*restart the kernel/);
  const worker = load(`require(${runner}).workerFile()`);
  assert.notEqual(worker.status, 0);
  assert.match(worker.stderr, /The study's worker threads would run the built library in dist\/, which is older than src\/: src\/index\.ts changed/);

  writeStamp(dir, Date.now() + 1000); // rebuilt
  assert.equal(load(`console.log(require(${entry}).countCandidates([2, 3, 3, 1]), require(${runner}).workerFile())`).stdout.trim(), `3000 ${path.join(dir, "dist", "experiments", "worker.js")}`);
  clearStamp(dir);
  rmSync(path.join(dir, "src"), { recursive: true }); // an installed package: no src/, no check
  assert.equal(load(`console.log(require(${entry}).countCandidates([2, 3, 3, 1]))`).stdout.trim(), "3000");
  rmSync(dir, { recursive: true, force: true });
});
