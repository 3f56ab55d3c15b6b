// `mi-identifiability run` end to end on the built CLI: SIGKILL mid-run then --resume gives the records of an
// uninterrupted run; the too-long guard; `figures` writes a self-contained page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const cliJs = path.join(root, "dist", "cli.js");
const cli = (...args: string[]) => spawnSync(process.execPath, [cliJs, ...args], { cwd: root, encoding: "utf8" });
const records = (dir: string) =>
  readFileSync(path.join(dir, "results.jsonl"), "utf8").trim().split("\n").map((l) => ({ ...JSON.parse(l), timings_ms: {} }));
const csvWithoutTimings = (dir: string) =>
  readFileSync(path.join(dir, "results.csv"), "utf8").trim().split("\n").map((l) => l.replace(/,"\{.*\}"$/, ""));

const ARGS = ["run", "basic", "--experiments", "40", "--workers", "2"];

test("SIGKILL in the middle, then --resume: the same records as an uninterrupted run, none duplicated", async () => {
  const tmp = mkdtempSync(path.join(tmpdir(), "mi-run-"));
  const full = path.join(tmp, "full");
  const killed = path.join(tmp, "killed");
  const r = cli(...ARGS, "--out", full);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(records(full).length, 40);

  const child = spawn(process.execPath, [cliJs, ...ARGS, "--out", killed], { cwd: root, stdio: "ignore" });
  const exited = new Promise<void>((res) => child.on("exit", () => res()));
  const file = path.join(killed, "results.jsonl");
  let linesAtKill = 0;
  for (let i = 0; i < 3000; i++) {
    await new Promise((res) => setTimeout(res, 10));
    const n = existsSync(file) ? readFileSync(file, "utf8").split("\n").length - 1 : 0;
    if (n >= 8) {
      child.kill("SIGKILL");
      linesAtKill = n;
      break;
    }
  }
  await exited;
  assert.ok(linesAtKill >= 8, "the run wrote records incrementally before it was killed");
  const partial = readFileSync(file, "utf8").split("\n").length - 1;
  assert.ok(partial < 40, `the kill came mid-run (${partial} records)`);

  const again = cli(...ARGS, "--out", killed);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /--resume/);
  const resumed = cli(...ARGS, "--out", killed, "--resume");
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`${40 - partial} models run, ${partial} already recorded`));
  assert.deepEqual(records(killed), records(full));
  assert.deepEqual(csvWithoutTimings(killed), csvWithoutTimings(full));

  const fig = cli("figures", full);
  assert.equal(fig.status, 0, fig.stderr);
  assert.match(fig.stdout, /basic\s+40\s+\d+/);
  const html = readFileSync(path.join(full, "figures.html"), "utf8");
  assert.ok(html.includes("plotly.js 4."), "plotly.js inlined (self-contained page)");
  assert.equal((html.match(/class="mi-plotly"/g) ?? []).length, 2);
  assert.ok(existsSync(path.join(full, "summary.csv")));
});

test("a study estimated too long asks for --yes or fewer --experiments; bad options are named", () => {
  const r = cli("run", "noise", "--experiments", "1000", "--workers", "2", "--out", mkdtempSync(path.join(tmpdir(), "mi-run-")));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Pass --yes to start it, or fewer --experiments \(e\.g\. --experiments \d+\)/);
  const bad = cli("run", "bogus");
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /Unknown study "bogus". Studies: basic, multitask/);
  const list = cli("run", "--list");
  assert.match(list.stdout, /network-size .*\n.*--size 2 3 4 5/);
});
