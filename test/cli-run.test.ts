// `mi-identifiability run` end to end: on the built CLI, SIGKILL mid-run then --resume gives the records of an
// uninterrupted run, the too-long guard, `figures` writes a self-contained page; from the sources, Ctrl-C keeps the
// finished records and prints the --resume command, impossible grids and bad paths are refused before any work,
// and the analysis settings flags reach the records.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const cliJs = path.join(root, "dist", "cli.js");
const cli = (...args: string[]) => spawnSync(process.execPath, [cliJs, ...args], { cwd: root, encoding: "utf8" });
const records = (dir: string) =>
  readFileSync(path.join(dir, "results.jsonl"), "utf8").trim().split("\n").map((l) => ({ ...JSON.parse(l), timings_ms: {} }));
const csvWithoutTimings = (dir: string) =>
  readFileSync(path.join(dir, "results.csv"), "utf8").trim().split("\n").map((l) => l.replace(/"\{""train"".*?\}"/, ""));
/** The CLI from the sources (no build needed), in this thread (--workers 0 where it runs models). */
const srcArgs = (...args: string[]) => ["--import", "tsx", path.join(root, "src", "cli.ts"), ...args];
const src = (...args: string[]) => spawnSync(process.execPath, srcArgs(...args), { cwd: root, encoding: "utf8" });

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

test("impossible grids and bad --out are refused before estimating or training", () => {
  const wide = src("run", "basic", "--sizes", "30");
  assert.equal(wide.status, 1);
  assert.match(wide.stderr, /hidden width k=30 cannot be analysed: .*at most 16 neurons per layer/);
  assert.doesNotMatch(wide.stderr, /estimated/);
  // k = 6 runs with the reference's cut (its perfect circuits are counted exactly); without the cut it is refused.
  const six = src("run", "network-size", "--sizes", "6", "--no-sparsity-cut");
  assert.match(six.stderr, /k=6, depth 2: circuits: \[2,6,6,1\] has [\d,]+ candidate circuits .* Raise --max-candidates/);
  const sixCut = src("run", "network-size", "--sizes", "6"); // estimated over the confirmation time: asks for --yes, runs nothing
  assert.doesNotMatch(sixCut.stderr, /candidate circuits/);
  assert.match(sixCut.stderr, /Pass --yes/);
  const out = path.join(mkdtempSync(path.join(tmpdir(), "mi-run-")), "dup");
  const dup = src("run", "custom", "--sizes", "4,4", "--experiments", "2", "--out", out);
  assert.equal(dup.status, 1);
  assert.match(dup.stderr, /sizes \(--sizes\) lists 4 twice, got \[4,4\]; .*--sizes 4 --depths 2/);
  assert.ok(!existsSync(out), "nothing written");
  const file = path.join(mkdtempSync(path.join(tmpdir(), "mi-run-")), "file");
  writeFileSync(file, "x");
  assert.match(src("run", "basic", "--out", file).stderr, /run: --out .*file is a file; it must be a folder/);
  assert.match(src("run", "basic", "--mode", "corrected").stderr, /--mode was removed: .*--grounding-mode/);
});

test("Ctrl-C keeps the finished records, prints the exact --resume command and exits 130; that command completes the run", async () => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), "mi-run-")), "sigint");
  const args = ["run", "basic", "--experiments", "24", "--workers", "0", "--no-align", "--out", dir];
  const child = spawn(process.execPath, srcArgs(...args), { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  const file = path.join(dir, "results.jsonl");
  for (let i = 0; i < 6000; i++) {
    await new Promise((res) => setTimeout(res, 10));
    if (existsSync(file) && readFileSync(file, "utf8").split("\n").length - 1 >= 3) break;
  }
  child.kill("SIGINT");
  assert.equal(await exited, 130, stderr);
  const m = stderr.match(/run: interrupted: (\d+) records? of 24 kept in .*results\.jsonl \(\d+ new\)\. Continue with:\n {2}(.*)\n/);
  assert.ok(m, stderr);
  const kept = Number(m[1]);
  assert.ok(kept >= 3 && kept < 24, `interrupted mid-run (${kept} kept)`);
  assert.equal(records(dir).length, kept);
  const command = m[2].split(" ");
  assert.deepEqual(command, ["mi-identifiability", ...args, "--resume"]);
  const resumed = src(...command.slice(1));
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`${24 - kept} models? run, ${kept} already recorded`));
  assert.deepEqual(records(dir).map((r) => r.job), Array.from({ length: 24 }, (_, i) => i));
});

test("settings flags reach run.json and every record; --include-full-node-set adds the full node set's candidates", () => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), "mi-run-")), "settings");
  const r = src("run", "basic", "--experiments", "2", "--workers", "0", "--out", dir, "--grounding-mode", "corrected", "--alignment-mode", "corrected", "--iia-threshold", "0.9", "--max-circuits", "3");
  assert.equal(r.status, 0, r.stderr);
  const expected = { groundingMode: "corrected", alignmentMode: "corrected", iiaThreshold: 0.9, maxCircuits: 3 };
  const run = JSON.parse(readFileSync(path.join(dir, "run.json"), "utf8"));
  assert.deepEqual({ ...run.settings, ...expected }, run.settings);
  for (const rec of records(dir)) {
    assert.deepEqual({ ...rec.settings, ...expected }, rec.settings);
    assert.equal(rec.mode, "corrected");
    if (rec.accepted) assert.ok(rec.interpretations_per_circuit[0].length <= 3);
  }
  const runK2 = (...extra: string[]) => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), "mi-run-")), "k2");
    const res = src("run", "network-size", "--sizes", "2", "--experiments", "3", "--workers", "0", "--no-align", "--out", out, ...extra);
    assert.equal(res.status, 0, res.stderr);
    return records(out);
  };
  const plain = runK2();
  const full = runK2("--include-full-node-set");
  // [2,2,2,1]: the full node set adds every edge pattern over all nodes: N(2,2)·N(2,2)·N(1,2) = 7·7·1 = 49 candidates
  // (N(m,n): m×n 0/1 matrices without a zero row or column).
  for (let i = 0; i < plain.length; i++) {
    assert.equal(full[i].settings.includeFullNodeSet, true);
    if (!plain[i].accepted) continue;
    assert.equal(full[i].candidates[0], plain[i].candidates[0] + 49);
    assert.ok(full[i].perfect_circuits[0] >= plain[i].perfect_circuits[0]);
  }
  assert.ok(plain.some((p) => p.accepted), "at least one k = 2 model accepted");
});
