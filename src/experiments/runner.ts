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
import { runWorkerPool } from "../pool";
import { AnalysisSettings, StudyRecord, candidateOptions, circuitsMethod, resolveSettings, settingFlag } from "../analysis";
import { checkCandidateBudget } from "../circuits";
import { makeTask } from "../tasks";
import { runStudyJob } from "./records";
import { runMnistJob } from "../mnist";
import { RecordWriter, openResults, sortRecords, writeAllRecords } from "./store";
import { StudyGrid, StudyJob, studyJobs, validateGrid } from "./studies";
import type { WorkerReply, WorkerRequest } from "./worker";
import { assertFreshBuild } from "../freshness";
import { ShardSpec, shardInfo } from "./shard";

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
  /** Analysis settings of every accepted model (the same as analyzeModelFile's; stored in every record and run.json). */
  settings?: Partial<AnalysisSettings>;
  /** Aborting it stops the run after the records in progress are dropped; the result says `interrupted`. */
  signal?: AbortSignal;
  /** Run only shard i of N of the study's jobs (shard.ts); its folder's run.json records the shard and its jobs. */
  shard?: ShardSpec;
  /** Replaces the train-and-analyse function (tests); only in this thread (workers: 0). */
  runJob?: (job: StudyJob) => StudyRecord;
  /** After each record: done and total count the whole study (resumed records included). */
  onRecord?: (record: StudyRecord, done: number, total: number) => void;
}

export interface RunStudyResult {
  /** Every record of the study (of the shard, with `shard`), job order. */
  records: StudyRecord[];
  /** Jobs run now (the others came from the folder). */
  ran: number;
  skipped: number;
  /** True when `signal` stopped the run: `records` then holds what was kept (resume continues it). */
  interrupted: boolean;
}

/**
 * Refuses, before anything runs or is estimated, a grid whose networks cannot be analysed with these settings: a
 * hidden width over 16 (the enumeration and alignment limit), or more candidate circuits than maxCandidates. The
 * error names the width and the fix.
 */
export function checkStudyFeasible(grid: StudyGrid, settings: Partial<AnalysisSettings> = {}): void {
  const s = resolveSettings(settings);
  const arity = makeTask(grid.gatePool).arity;
  for (const size of grid.sizes)
    for (const depth of grid.depths) {
      const sizes = [arity, ...Array.from({ length: depth }, () => size), 1];
      if (size > 16) throw new Error(`study grid: hidden width k=${size} cannot be analysed: circuits and alignments enumerate at most 16 neurons per layer. Use --sizes of 16 or less (the paper: 2 to 5).`);
      try {
        if (circuitsMethod(sizes, s) === "enumerate") checkCandidateBudget(sizes, { ...candidateOptions(s, sizes), maxCandidates: s.maxCandidates });
      } catch (e) {
        if (e instanceof Error) e.message = `study grid: k=${size}, depth ${depth}: ${e.message.replace("maxCandidates (--max-candidates)", settingFlag("maxCandidates"))}`;
        throw e;
      }
    }
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
  if (!opts || typeof opts !== "object") throw new Error('runStudy: give options { study, grid, ... }, e.g. { study: "basic", grid: getStudy("basic").grid }.');
  if (typeof opts.study !== "string" || !opts.study) throw new Error('runStudy: study must be a name recorded in every record, e.g. "basic" or "custom".');
  if (!opts.grid || typeof opts.grid !== "object") throw new Error('runStudy: grid must be a StudyGrid, e.g. { ...getStudy("basic").grid, experiments: 10 }.');
  if ("analysis" in opts) throw new Error("runStudy: the option `analysis` is now `settings` (AnalysisSettings: groundingMode, alignmentMode, iiaThreshold, ...).");
  const grid = validateGrid({ ...opts.grid });
  const settings = resolveSettings(opts.settings ?? {});
  checkStudyFeasible(grid, settings);
  const shard = opts.shard ? shardInfo(grid, opts.shard) : undefined;
  const shardJobs = new Set(shard?.jobs);
  const jobs = studyJobs(grid).filter((j) => !shard || shardJobs.has(j.index));
  let done: StudyRecord[] = [];
  if (opts.out) done = openResults(opts.out, { study: opts.study, grid, settings, ...(shard ? { shard } : {}) }, !!opts.resume);
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
  const signal = opts.signal;
  try {
    const workers = opts.workers ?? defaultWorkers();
    if (!Number.isInteger(workers) || workers < 0) throw new Error(`workers must be a non-negative integer (0 = this thread), got ${workers}.`);
    if (opts.runJob && workers > 0) throw new Error("runStudy: a custom runJob runs in this thread only; pass workers: 0.");
    if (workers === 0 || todo.length === 0) {
      const fn = opts.runJob ?? ((j: StudyJob) => (opts.study === "mnist" ? runMnistJob : runStudyJob)(opts.study, grid, j, settings));
      for (const job of todo) {
        if (signal?.aborted) break;
        finish(fn(job));
        await new Promise((r) => setImmediate(r)); // lets progress displays and signals through
      }
    } else await runOnWorkers(Math.min(workers, todo.length), todo, (job) => ({ study: opts.study, grid, job, settings }), finish, signal);
  } finally {
    writer?.close();
  }
  const sorted = sortRecords(records);
  if (opts.out) writeAllRecords(opts.out, sorted);
  const ran = records.length - done.length;
  return { records: sorted, ran, skipped: jobs.length - todo.length, interrupted: !!signal?.aborted && ran < todo.length };
}

/** The study's jobs on worker threads; a failed job stops the pool and is named. */
function runOnWorkers(n: number, todo: StudyJob[], request: (j: StudyJob) => WorkerRequest, finish: (r: StudyRecord) => void, signal?: AbortSignal): Promise<void> {
  const file = workerFile();
  return runWorkerPool<StudyJob, WorkerReply>({
    size: n,
    spawn: () => new Worker(file),
    jobs: todo,
    request,
    reply: (m) => {
      if ("error" in m) return new Error(`job ${m.job} (${todo.find((j) => j.index === m.job)?.key}): ${m.error}`);
      finish(m.record);
    },
    crashed: (e) => new Error(`worker thread failed: ${e.message}`),
    signal,
  });
}
