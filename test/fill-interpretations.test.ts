// Interpretations filled in after the fact for models whose circuits were counted, not listed: against the same
// models analysed with every circuit listed and grounded one by one (the enumerating path), plus resume and refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { StudyRecord, recordInterpretationTotals } from "../src/analysis";
import { InputError } from "../src/errors";
import { fillCountedInterpretations, fillRecordInterpretations, getStudy, needsInterpretations, recordGrid, runStudyJob, studyJobs } from "../src/experiments";
import { cli, cliError } from "./cli-helpers";

// Network-size jobs at k = 3 (1 000-odd candidates): with maxCandidates 10 the analysis counts the circuits instead.
const grid = { ...getStudy("network-size").grid, sizes: [3], experiments: 4 };
const jobs = studyJobs(grid);
const listed = jobs.map((j) => runStudyJob("network-size", grid, j, {}));
const counted = jobs.map((j) => runStudyJob("network-size", grid, j, { maxCandidates: 10 }));

test("the fixture: some accepted models, counted without interpretations on one side, listed with them on the other", () => {
  assert.ok(counted.filter(needsInterpretations).length >= 2, "at least two accepted models with perfect circuits");
  counted.forEach((c, i) => assert.deepEqual(c.perfect_circuits, listed[i].perfect_circuits));
  assert.equal(listed.filter(needsInterpretations).length, 0);
});

test("filled interpretations equal the per-circuit groundings of the enumerating analysis, model by model", () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fill-")), "filled.jsonl");
  const r = fillCountedInterpretations({ records: counted, out, grid });
  assert.equal(r.filled, counted.filter(needsInterpretations).length);
  r.records.forEach((f, i) => {
    assert.deepEqual(recordInterpretationTotals(f), recordInterpretationTotals(listed[i]), f.key);
    if (needsInterpretations(counted[i])) assert.equal(f.interpretations_exact![0], String(recordInterpretationTotals(listed[i])![0]));
  });
  assert.equal(fs.readFileSync(out, "utf8").trim().split("\n").length, counted.length);
});

test("a multi-output record is refused with a message naming it; the command needs exactly one records file", () => {
  const r = counted.find(needsInterpretations)!;
  const two = { ...r, n_gates: 2, perfect_circuits: [r.perfect_circuits![0], 1] };
  assert.throws(() => fillRecordInterpretations(two, grid), (e: Error) => e instanceof InputError && e.message.includes(r.key) && /only one-output models are filled/.test(e.message));
  assert.match(cliError("fill-interpretations", "--out", "x.jsonl"), /name one results folder or \.jsonl file/);
  assert.match(cliError("fill-interpretations", "a.jsonl", "b.jsonl", "--out", "x.jsonl"), /name one results folder or \.jsonl file/);
});

test("the study's grid narrowed to a record rebuilds widths outside the registered grid", () => {
  const g = recordGrid({ ...counted[0], sizes: 6 } as StudyRecord);
  assert.deepEqual(g.sizes, [6]);
  assert.equal(g.experiments, counted[0].seed_offset + 1);
});

test("resume: a torn last line is dropped and the fill goes on; a different input is refused; --budget-seconds 0 fills nothing", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fill-"));
  const out = path.join(dir, "filled.jsonl");
  const full = fillCountedInterpretations({ records: counted, out: path.join(dir, "full.jsonl"), grid }).records;
  fs.writeFileSync(out, JSON.stringify(full[0]) + "\n" + JSON.stringify(full[1]).slice(0, 40));
  assert.throws(() => fillCountedInterpretations({ records: counted, out, grid }), (e: Error) => e instanceof InputError && /--resume/.test(e.message));
  const resumed = fillCountedInterpretations({ records: counted, out, grid, resume: true }).records;
  assert.deepEqual(resumed.map(recordInterpretationTotals), full.map(recordInterpretationTotals));
  assert.throws(() => fillCountedInterpretations({ records: [...counted].reverse(), out, grid, resume: true }), /resume with the same input/);
  const none = fillCountedInterpretations({ records: counted, out: path.join(dir, "none.jsonl"), grid, budgetSeconds: 0 });
  assert.equal(none.filled, 0);
  assert.equal(none.leftNull, counted.filter(needsInterpretations).length);
});

test("CLI: fills a compact file of counted records (the models rebuilt from the registered grid), and names its missing inputs", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fill-cli-"));
  const input = path.join(dir, "counted.jsonl");
  fs.writeFileSync(input, counted.map((r) => JSON.stringify(r) + "\n").join(""));
  const out = path.join(dir, "filled.jsonl");
  cli("fill-interpretations", input, "--out", out);
  const filled = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as StudyRecord);
  assert.deepEqual(filled.map(recordInterpretationTotals), listed.map(recordInterpretationTotals));
  // --budget-seconds 0: nothing filled, every record copied, and the message says how to fill the rest later
  const none = path.join(dir, "none.jsonl");
  const run = spawnSync(process.execPath, ["--import", "tsx", "src/cli.ts", "fill-interpretations", input, "--out", none, "--budget-seconds", "0"], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`0 models filled.*\\n${counted.filter(needsInterpretations).length} models left unfilled \\(--budget-seconds\\)`, "s"));
  const copied = fs.readFileSync(none, "utf8").trim().split("\n").map((l) => JSON.parse(l) as StudyRecord);
  assert.deepEqual(copied.map(recordInterpretationTotals), counted.map(recordInterpretationTotals));
  assert.match(cliError("fill-interpretations", input, "--out", path.join(dir, "none2.jsonl"), "--budget-seconds", "0", "--sizes", "x"), /--sizes takes hidden widths/);
  assert.match(cliError("fill-interpretations", input), /--out FILE\.jsonl is required/);
  assert.match(cliError("fill-interpretations", input, "--out", out), /--resume/);
  assert.match(cliError("fill-interpretations", input, "--out", path.join(dir, "x.jsonl"), "--sizes", "three"), /--sizes takes hidden widths/);
});
