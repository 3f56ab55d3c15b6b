// The notebooks read their long runs from notebooks/cached-results/. A cache the library no longer matches fails
// quietly: the coursework's cached runs are looked up by configuration, so a new analysis setting changes every key
// and the notebook trains everything live (minutes instead of seconds); a study cache made by older code shows
// numbers today's code does not give. Each cache is checked here against today's code: its keys recomputed, and one
// job of each study run again and compared record for record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { cachedRunKey, compactRecords, getStudy, readRecords, runStudyJob, studyJobs } from "../src/index";
import type { AnalysisSettings, StudyGrid, StudyRecord } from "../src/index";

const cached = (file: string) => path.join(__dirname, "..", "notebooks", "cached-results", file);
const withoutTimings = (r: StudyRecord) => ({ ...r, timings_ms: {} });
const REBUILD_COURSEWORK = "rebuild it: rm notebooks/cached-results/coursework.jsonl && MI_COURSEWORK_CACHE=update npm run reproduce -- 12-coursework-instructor";

interface CourseworkLine {
  key: string;
  records: StudyRecord[];
}

test("coursework.jsonl: every run is keyed as runStudyCached keys it today, and its first job reruns to the same record", () => {
  const lines = readFileSync(cached("coursework.jsonl"), "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as CourseworkLine);
  // the instructor notebook's seven exercises and its baseline run
  assert.equal(lines.length, 8);
  for (const [i, line] of lines.entries()) {
    const k = JSON.parse(line.key) as { study: string; grid: StudyGrid; settings: AnalysisSettings };
    assert.equal(line.key, cachedRunKey({ study: k.study, grid: k.grid, settings: k.settings }), `coursework.jsonl line ${i + 1} is keyed for other settings than today's, so the notebook would miss it: ${REBUILD_COURSEWORK}`);
    assert.equal(line.records.length, studyJobs(k.grid).length, `coursework.jsonl line ${i + 1}: one record per job`);
  }
  const first = JSON.parse(lines[0].key) as { study: string; grid: StudyGrid; settings: AnalysisSettings };
  const job = studyJobs(first.grid)[0];
  const fresh = compactRecords([runStudyJob(first.study, first.grid, job, first.settings)])[0];
  assert.deepEqual(withoutTimings(fresh), withoutTimings(lines[0].records[0]), `coursework.jsonl's first run is stale: ${REBUILD_COURSEWORK}`);
});

// The study notebooks 06, 10 and 11 read these (scripts/make-study-notebooks.js prints the commands); one cheap job
// of each is trained and analysed again.
const STUDY_CACHES: { file: string; study: string; experiments: number; rerun: (r: StudyRecord) => boolean }[] = [
  { file: "multitask.jsonl", study: "multitask", experiments: 20, rerun: (r) => r.n_gates === 2 && r.seed_offset === 1 },
  { file: "skewed.jsonl", study: "skewed", experiments: 30, rerun: (r) => r.seed_offset === 3 },
  { file: "loss-target.jsonl", study: "loss-target", experiments: 30, rerun: (r) => r.seed_offset === 2 && r.loss_target === Math.max(...getStudy("loss-target").grid.lossTargets) },
];

for (const c of STUDY_CACHES) {
  test(`${c.file}: the ${c.study} study's ${c.experiments} seeds, one job recomputed equals its cached record`, () => {
    const records = readRecords(cached(c.file));
    const grid = { ...getStudy(c.study).grid, experiments: c.experiments };
    const jobs = studyJobs(grid);
    assert.equal(records.length, jobs.length, `${c.file}: one record per job of \`run ${c.study} --experiments ${c.experiments}\``);
    assert.ok(records.every((r) => r.study === c.study && r.compact), `${c.file}: compact records of the ${c.study} study`);
    const index = records.findIndex(c.rerun);
    assert.ok(index >= 0 && records[index].accepted, `${c.file}: the record to recompute is there and accepted`);
    const job = jobs.find((j) => j.key === records[index].key);
    assert.ok(job, `${c.file}: record ${records[index].key} is no job of today's grid`);
    const fresh = compactRecords([runStudyJob(c.study, grid, job)])[0];
    assert.deepEqual(withoutTimings(fresh), withoutTimings(records[index]), `${c.file} is stale: rerun the command in scripts/make-study-notebooks.js`);
  });
}
