/**
 * Runs a study's jobs, in this thread or over worker threads, writing each record as it finishes (results.jsonl +
 * results.csv, fsynced) and resuming from what a folder already holds. Every job is deterministic (its seeds come
 * from the grid and its seed offset), so the records do not depend on the number of workers; the files are
 * rewritten in job order when the run completes.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { RecordAnalysisOptions, StudyRecord, runStudyJob } from "./records";
import { RecordWriter, openResults, sortRecords, writeAllRecords } from "./store";
import { StudyGrid, StudyJob, studyJobs, validateGrid } from "./studies";
import type { WorkerReply, WorkerRequest } from "./worker";
import { assertFreshBuild } from "../freshness";

export interface RunStudyOptions {
  /** Study name (recorded in every record and in run.json). */
  study: string;
  grid: StudyGrid;
  /** Results folder; without it nothing is written. */
  out?: string;
  /** Continue the run in `out`: skip the jobs already recorded there. */
  resume?: boolean;
  /** Worker threads (default: all cores); 0 runs in this thread. */
  workers?: number;
  analysis?: RecordAnalysisOptions;
  /** Replaces the train-and-analyse function (tests); only in this thread (workers: 0). */
  runJob?: (job: StudyJob) => StudyRecord;
  /** After each record: done and total count the whole study (resumed records included). */
  onRecord?: (record: StudyRecord, done: number, total: number) => void;
}

export interface RunStudyResult {
  /** Every record of the study, job order. */
  records: StudyRecord[];
  /** Jobs run now (the others came from the folder). */
  ran: number;
  skipped: number;
}

export function defaultWorkers(): number {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

/** The compiled worker: next to this file in dist/, or dist/experiments/worker.js when running from src/ (tsx). */
export function workerFile(): string {
  const candidates = [path.join(__dirname, "worker.js"), path.resolve(__dirname, "..", "..", "dist", "experiments", "worker.js")];
  const f = candidates.find((c) => fs.existsSync(c));
  if (!f) throw new Error(`The worker threads run the built library, which is missing (${candidates[1]}): run \`node scripts/build.js\`, or pass --workers 0.`);
  assertFreshBuild("The study's worker threads");
  return f;
}

export async function runStudy(opts: RunStudyOptions): Promise<RunStudyResult> {
  const grid = validateGrid({ ...opts.grid });
  const analysis = { ...(opts.analysis ?? {}) };
  const jobs = studyJobs(grid);
  let done: StudyRecord[] = [];
  if (opts.out) done = openResults(opts.out, { study: opts.study, grid, analysis: analysis as Record<string, unknown> }, !!opts.resume);
  else if (opts.resume) throw new Error("runStudy: resume needs the results folder (out).");
  const doneKeys = new Set(done.filter((r) => r.study === opts.study).map((r) => r.key));
  const todo = jobs.filter((j) => !doneKeys.has(j.key));
  const records = [...done];
  const writer = opts.out ? new RecordWriter(opts.out) : undefined;
  const finish = (r: StudyRecord) => {
    writer?.append(r);
    records.push(r);
    opts.onRecord?.(r, jobs.length - todo.length + (records.length - done.length), jobs.length);
  };
  try {
    const workers = opts.workers ?? defaultWorkers();
    if (!Number.isInteger(workers) || workers < 0) throw new Error(`workers must be a non-negative integer (0 = this thread), got ${workers}.`);
    if (opts.runJob && workers > 0) throw new Error("runStudy: a custom runJob runs in this thread only; pass workers: 0.");
    if (workers === 0 || todo.length === 0) {
      const fn = opts.runJob ?? ((j: StudyJob) => runStudyJob(opts.study, grid, j, analysis));
      for (const job of todo) {
        finish(fn(job));
        await new Promise((r) => setImmediate(r)); // lets progress displays and signals through
      }
    } else await runOnWorkers(Math.min(workers, todo.length), todo, (job) => ({ study: opts.study, grid, job, analysis }), finish);
  } finally {
    writer?.close();
  }
  const sorted = sortRecords(records);
  if (opts.out) writeAllRecords(opts.out, sorted);
  return { records: sorted, ran: todo.length, skipped: jobs.length - todo.length };
}

/** A pool of worker threads pulling jobs in order; the first failure stops the pool and names the job. */
function runOnWorkers(n: number, todo: StudyJob[], request: (j: StudyJob) => WorkerRequest, finish: (r: StudyRecord) => void): Promise<void> {
  const file = workerFile();
  return new Promise((resolve, reject) => {
    const pool: Worker[] = [];
    let next = 0;
    let finished = 0;
    let failed = false;
    const stop = (err?: Error) => {
      if (failed) return;
      if (err) failed = true;
      for (const w of pool) void w.terminate();
      if (err) reject(err);
      else resolve();
    };
    const feed = (w: Worker) => {
      if (next < todo.length) w.postMessage(request(todo[next++]));
    };
    for (let i = 0; i < n; i++) {
      const w = new Worker(file);
      pool.push(w);
      w.on("message", (m: WorkerReply) => {
        if (failed) return;
        if ("error" in m) return stop(new Error(`job ${m.job} (${todo.find((j) => j.index === m.job)?.key}): ${m.error}`));
        try {
          finish(m.record);
        } catch (e) {
          return stop(e as Error);
        }
        if (++finished === todo.length) return stop();
        feed(w);
      });
      w.on("error", (e) => stop(new Error(`worker thread failed: ${e.message}`)));
      feed(w);
    }
  });
}
