// A study across shards: the job assignment is a deterministic, balanced partition (checked against a hand-worked
// greedy schedule and the list-scheduling bound), 4 shards of a tiny study merged equal the unsharded run record for
// record (in-process and through the CLI), and merge refuses shards that are not one whole run, naming them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  InputError, StudyGrid, StudyJob, ShardFolder, assignShards, estimateJobSeconds, getStudy, mergeShardFolders, mergeShards,
  parseShard, readRecords, readShardFolder, recordDifferences, runStudy, shardInfo, studyJobs, studyShards,
} from "../src/index";

const root = path.resolve(__dirname, "..");
const tmp = () => mkdtempSync(path.join(tmpdir(), "mi-shard-"));
const src = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", path.join(root, "src", "cli.ts"), ...args], { cwd: root, encoding: "utf8" });
const jsonlWithoutTimings = (dir: string) => readFileSync(path.join(dir, "results.jsonl"), "utf8").replace(/"timings_ms":\{[^}]*\}/g, "");
const csvWithoutTimings = (dir: string) => readFileSync(path.join(dir, "results.csv"), "utf8").replace(/"\{""train"".*?\}"/g, "");

test("assignment: a partition of the jobs, the same on every call, balanced by estimated time", () => {
  // Hand-worked greedy schedule: costs 5 4 3 3 2 1 on 2 shards → {5,3,1} and {4,3,2} (9 and 9).
  const fake = [5, 4, 3, 3, 2, 1].map((c, index) => ({ index, key: `j${index}`, cost: c }));
  assert.deepEqual(assignShards(fake as unknown as StudyJob[], 2, (j) => (j as unknown as { cost: number }).cost), [[0, 3, 5], [1, 2, 4]]);

  const grids: StudyGrid[] = [
    { ...getStudy("network-size").grid, experiments: 10 },
    { ...getStudy("multitask").grid, experiments: 3 },
    { ...getStudy("basic").grid, experiments: 7 },
    { ...getStudy("loss-target").grid, experiments: 2 },
  ];
  for (const grid of grids) {
    const jobs = studyJobs(grid);
    const cost = (i: number) => estimateJobSeconds(grid, jobs[i]);
    for (const n of [1, 2, 3, 4, 7, 9]) {
      const shards = studyShards(grid, n);
      assert.equal(shards.length, n);
      assert.deepEqual(shards.flat().sort((a, b) => a - b), jobs.map((j) => j.index), `every job exactly once (${n} shards)`);
      for (const s of shards) assert.deepEqual(s, [...s].sort((a, b) => a - b), "each shard in job order");
      assert.deepEqual(studyShards(grid, n), shards, "deterministic");
      for (let i = 0; i < n; i++) assert.deepEqual(shardInfo(grid, { index: i, count: n }).jobs, shards[i]);
      // List scheduling (each job to the least loaded shard) never leaves two shards further apart than one job.
      const loads = shards.map((s) => s.reduce((t, i) => t + cost(i), 0));
      const maxCost = Math.max(...jobs.map((j) => cost(j.index)));
      assert.ok(Math.max(...loads) - Math.min(...loads) <= maxCost + 1e-9, `balanced within one job: ${loads.join(" ")}`);
    }
  }
  // network-size cycles k = 2…5 in job order: a round robin over 4 shards would give one shard every k = 5 model.
  const ns = { ...getStudy("network-size").grid, experiments: 8 };
  const sizesOf = (s: number[]) => s.map((i) => studyJobs(ns)[i].size).filter((k) => k === 5).length;
  assert.deepEqual(studyShards(ns, 4).map(sizesOf), [2, 2, 2, 2]);
});

test("--shard i/N: i counted from 0; bad values name the option and the range", () => {
  assert.deepEqual(parseShard("3/4"), { index: 3, count: 4 });
  assert.deepEqual(parseShard(" 0 / 1 "), { index: 0, count: 1 });
  for (const [bad, msg] of [["4/4", /0\/4 … 3\/4.*--array=0-3/], ["1/0", /positive integer/], ["x/4", /must be i\/N/], ["-1/4", /must be i\/N/], ["1.5/4", /must be i\/N/]] as const)
    assert.throws(() => parseShard(bad), (e: Error) => e instanceof InputError && msg.test(e.message) && e.message.includes("--shard"), bad);
});

// A tiny study: network-size at k = 2 and 3, 3 seeds (6 models, alignment included), in this thread.
const GRID: StudyGrid = { ...getStudy("network-size").grid, sizes: [2, 3], experiments: 3 };
let runs: Promise<{ whole: string; sharded: string }> | undefined;
function tinyRuns() {
  runs ??= (async () => {
    const whole = tmp();
    await runStudy({ study: "network-size", grid: GRID, out: whole, workers: 0 });
    const sharded = tmp();
    for (let i = 0; i < 4; i++) await runStudy({ study: "network-size", grid: GRID, out: path.join(sharded, `shard-${i}-of-4`), workers: 0, shard: { index: i, count: 4 } });
    return { whole, sharded };
  })();
  return runs;
}

test("4 shards merged equal the unsharded run: run.json, every record field but timings_ms, record order, CSV", async () => {
  const { whole, sharded } = await tinyRuns();
  const shardRecords = [0, 1, 2, 3].map((i) => readRecords(path.join(sharded, `shard-${i}-of-4`)).length);
  assert.equal(shardRecords.reduce((a, b) => a + b), 6);
  assert.ok(shardRecords.every((n) => n >= 1), `every shard ran something: ${shardRecords.join(" ")}`);
  const merged = mergeShardFolders([sharded], sharded);
  assert.equal(merged.shards.length, 4);
  const expected = readRecords(whole);
  assert.deepEqual(recordDifferences(expected, readRecords(sharded)), []);
  assert.deepEqual(recordDifferences(expected, merged.records), []);
  assert.ok(expected.some((r) => r.accepted && r.formulas), "the tiny study analysed some accepted models, alignment included");
  assert.equal(readFileSync(path.join(sharded, "run.json"), "utf8"), readFileSync(path.join(whole, "run.json"), "utf8"));
  assert.equal(jsonlWithoutTimings(sharded), jsonlWithoutTimings(whole));
  assert.equal(csvWithoutTimings(sharded), csvWithoutTimings(whole));
  // The comparison can fail: one changed field and a swapped order are reported.
  const changed = expected.map((r, i) => (i === 2 ? { ...r, epochs: r.epochs + 1 } : r));
  assert.match(recordDifferences(expected, changed).join("\n"), /record 2 .*epochs/);
  assert.match(recordDifferences(expected, [expected[1], expected[0], ...expected.slice(2)]).join("\n"), /record 0: network-size .* expected/);
  // A second merge into the same folder needs --force (overwrite).
  assert.throws(() => mergeShardFolders([sharded], sharded), /already holds results.*--force/);
  assert.equal(mergeShardFolders([sharded], sharded, { overwrite: true }).records.length, 6);
});

test("merge refuses shards that are not one whole run, naming the folders", async () => {
  const { whole, sharded } = await tinyRuns();
  const dirs = [0, 1, 2, 3].map((i) => path.join(sharded, `shard-${i}-of-4`));
  const shards = dirs.map(readShardFolder);
  const refuse = (xs: ShardFolder[], re: RegExp) => assert.throws(() => mergeShards(xs), (e: Error) => e instanceof InputError && re.test(e.message), String(re));
  const edit = (s: ShardFolder, f: (x: ShardFolder) => void): ShardFolder => {
    const c = structuredClone(s);
    f(c);
    return c;
  };
  assert.equal(mergeShards(shards).records.length, 6);
  refuse([...shards.slice(0, 3), readShardFolder(whole)], new RegExp(`${whole} is not a shard folder`));
  refuse([shards[0], shards[1], shards[1], shards[3]], new RegExp(`shard 1/4 is given twice: ${dirs[1]} and ${dirs[1]}`));
  refuse([shards[0], shards[2]], /split into 4 shards; missing 1\/4, 3\/4 \(folders shard-1-of-4, shard-3-of-4\)/);
  refuse([shards[0], edit(shards[1], (s) => (s.info.settings.groundingMode = "corrected")), shards[2], shards[3]], new RegExp(`${dirs[0]} \\(shard 0/4\\) and ${dirs[1]} \\(shard 1/4\\) are shards of different runs: settings`));
  refuse([shards[0], edit(shards[1], (s) => (s.info.grid.experiments = 4))], /different runs: grid/);
  refuse([shards[0], edit(shards[1], (s) => (s.info.study = "basic"))], /different runs: study "network-size" vs "basic"/);
  refuse([shards[0], edit(shards[1], (s) => (s.info.shard!.count = 3))], /different runs: number of shards 4 vs 3/);
  const stolen = shards[0].info.shard!.jobs[0];
  refuse([shards[0], edit(shards[1], (s) => s.info.shard!.jobs.push(stolen)), shards[2], shards[3]], new RegExp(`overlapping shards: ${dirs[0]} \\(shard 0/4\\) and ${dirs[1]} \\(shard 1/4\\) were both given job ${stolen}`));
  refuse([edit(shards[0], (s) => s.info.shard!.jobs.shift()), ...shards.slice(1)], new RegExp(`no shard was given job ${stolen}`));
  refuse([edit(shards[0], (s) => s.records.pop()), ...shards.slice(1)], new RegExp(`${dirs[0]} \\(shard 0/4\\) is unfinished: ${shards[0].records.length - 1} of ${shards[0].records.length} records.*--shard 0/4 --resume`));
  const foreign = shards[1].records[0];
  refuse([edit(shards[0], (s) => s.records.push(foreign)), ...shards.slice(1)], new RegExp(`${dirs[0]} \\(shard 0/4\\) holds a record that is not one of its jobs`));

  // Resuming a shard folder as another shard, or as the whole run, is refused (its jobs would differ).
  const unmerged = tmp();
  const copy = path.join(unmerged, "shard-0-of-4");
  cpSync(dirs[0], copy, { recursive: true });
  assert.throws(() => readRecords(unmerged), /holds the shards of a run; merge them first \(`mi-identifiability merge /);
  await assert.rejects(runStudy({ study: "network-size", grid: GRID, out: copy, workers: 0, resume: true, shard: { index: 1, count: 4 } }), /holds shard 0\/4 .* not shard 1\/4/);
  await assert.rejects(runStudy({ study: "network-size", grid: GRID, out: copy, workers: 0, resume: true }), /holds shard 0\/4 .* not an unsharded run/);
  await assert.rejects(runStudy({ study: "network-size", grid: { ...GRID, experiments: 4 }, out: copy, workers: 0, resume: true, shard: { index: 0, count: 4 } }), /--resume: .* holds shard 0\/4/);
  rmSync(unmerged, { recursive: true });
});

test("CLI: run --shard i/N into DIR/shard-i-of-N, merge DIR; a missing shard is named", async () => {
  const grid: StudyGrid = { ...getStudy("basic").grid, experiments: 3 };
  const settings = { alignment: false };
  const direct = await runStudy({ study: "basic", grid, workers: 0, settings });
  const dir = tmp();
  const args = ["run", "basic", "--experiments", "3", "--no-align", "--workers", "0", "--out", dir];
  const first = src(...args, "--shard", "0/2");
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /basic shard 0\/2: 2 of 3 models/);
  const early = src("merge", dir);
  assert.equal(early.status, 1);
  assert.match(early.stderr, /missing 1\/2 \(folders shard-1-of-2\).*run basic --shard 1\/2/);
  const second = src(...args, "--shard", "1/2");
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /Shard 1\/2 done; once all 2 are, `mi-identifiability merge \S+` writes the study's records there/);
  const merged = src("merge", dir);
  assert.equal(merged.status, 0, merged.stderr);
  assert.match(merged.stderr, /merged 2 shards of basic: 3 records/);
  assert.deepEqual(recordDifferences(direct.records, readRecords(dir)), []);
  const bad = src("run", "basic", "--shard", "2/2", "--out", dir);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--shard: shard 2\/2 does not exist; shards count from 0/);
  writeFileSync(path.join(dir, "note.txt"), "");
  const notShard = src("merge", path.join(dir, "note.txt"));
  assert.match(notShard.stderr, /is not a folder/);
});
