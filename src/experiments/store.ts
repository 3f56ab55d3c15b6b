/**
 * A study's results folder: run.json (the study and grid), results.jsonl (one record per line, the source of truth)
 * and results.csv (the same records in the reference's CSV form). Records are appended and fsynced one at a time,
 * so a killed run loses at most the models in progress; resuming drops a torn last line and rewrites both files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseJsonLines } from "../jsonl";
import { AnalysisSettings, StudyRecord, compactRecord, csvHeader, normalizeRecord, recordToCsvLine, settingsFromStored } from "../analysis";
import type { StudyGrid } from "./studies";
import type { ShardInfo } from "./shard";

export const RESULTS_JSONL = "results.jsonl";
export const RESULTS_CSV = "results.csv";
export const RUN_JSON = "run.json";

export interface RunInfo {
  study: string;
  grid: StudyGrid;
  /** The analysis settings of every record of the run. */
  settings: AnalysisSettings;
  /** Present in a shard's folder (run --shard i/N): which shard, and its jobs. */
  shard?: ShardInfo;
}

/** run.json as written by any version (before the settings object it held `analysis` with the old option names). */
export function readRunInfo(file: string): RunInfo {
  const raw = JSON.parse(fs.readFileSync(file, "utf8")) as RunInfo & { analysis?: Record<string, unknown> };
  const { analysis, ...rest } = raw;
  return { ...rest, settings: raw.settings ? settingsFromStored(raw.settings as unknown as Record<string, unknown>) : settingsFromStored(analysis) };
}

/**
 * Parses JSON Lines, dropping a torn (unparsable) last line; an unparsable line elsewhere is an error. Records of
 * earlier versions are brought to today's form (normalizeRecord).
 */
export function parseRecords(text: string, file = RESULTS_JSONL): StudyRecord[] {
  return parseJsonLines(text, file, (v) => normalizeRecord(v as never));
}

/** The records of a results folder (or a .jsonl file), in job order, one per key (the last wins). */
export function readRecords(dirOrFile: string): StudyRecord[] {
  const file = dirOrFile.endsWith(".jsonl") ? dirOrFile : path.join(dirOrFile, RESULTS_JSONL);
  if (!fs.existsSync(file)) {
    const sharded = fs.existsSync(dirOrFile) && fs.statSync(dirOrFile).isDirectory() && fs.readdirSync(dirOrFile).some((n) => /^shard-\d+-of-\d+$/.test(n));
    if (sharded) throw new Error(`No results at ${file}: ${dirOrFile} holds the shards of a run; merge them first (\`mi-identifiability merge ${dirOrFile}\`).`);
    throw new Error(`No results at ${file}: run \`mi-identifiability run <study> --out ${dirOrFile}\` first.`);
  }
  return sortRecords(parseRecords(fs.readFileSync(file, "utf8"), file));
}

/** One record per key, the last one written winning, in job order. */
export function sortRecords(records: readonly StudyRecord[]): StudyRecord[] {
  const byKey = new Map<string, StudyRecord>();
  for (const r of records) byKey.set(`${r.study}|${r.key}`, r);
  return [...byKey.values()].sort((a, b) => a.job - b.job || (a.study < b.study ? -1 : a.study > b.study ? 1 : 0));
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Rewrites results.jsonl and results.csv from records (job order). */
export function writeAllRecords(dir: string, records: readonly StudyRecord[]): void {
  const sorted = sortRecords(records);
  writeAtomic(path.join(dir, RESULTS_JSONL), sorted.map((r) => JSON.stringify(r) + "\n").join(""));
  writeAtomic(path.join(dir, RESULTS_CSV), csvHeader() + sorted.map(recordToCsvLine).join(""));
}

/** Appends records as they finish, each fsynced before the next. */
export class RecordWriter {
  private jsonl: number;
  private csv: number;
  constructor(readonly dir: string) {
    this.jsonl = fs.openSync(path.join(dir, RESULTS_JSONL), "a");
    this.csv = fs.openSync(path.join(dir, RESULTS_CSV), "a");
  }
  append(r: StudyRecord): void {
    fs.writeSync(this.jsonl, JSON.stringify(r) + "\n");
    fs.fsyncSync(this.jsonl);
    fs.writeSync(this.csv, recordToCsvLine(r));
    fs.fsyncSync(this.csv);
  }
  close(): void {
    fs.closeSync(this.jsonl);
    fs.closeSync(this.csv);
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Prepares the folder: a new run needs an empty one (or none); a resumed run needs the same study, grid and
 * analysis settings, and gets back the records already done (files rewritten clean, job order).
 */
export function openResults(dir: string, info: RunInfo, resume: boolean): StudyRecord[] {
  fs.mkdirSync(dir, { recursive: true });
  const runFile = path.join(dir, RUN_JSON);
  const resultsFile = path.join(dir, RESULTS_JSONL);
  const has = fs.existsSync(resultsFile) && fs.readFileSync(resultsFile, "utf8").trim().length > 0;
  if (!resume) {
    if (has) throw new Error(`${dir} already holds results (${RESULTS_JSONL}): pass --resume to continue that run, or choose another --out.`);
    writeAtomic(runFile, JSON.stringify(info, null, 2) + "\n");
    writeAllRecords(dir, []);
    return [];
  }
  if (fs.existsSync(runFile)) {
    const prev = readRunInfo(runFile);
    const { experiments: _a, ...g1 } = prev.grid;
    const { experiments: _b, ...g2 } = info.grid;
    if (prev.study !== info.study || !sameJson(g1, g2) || !sameJson(prev.settings, info.settings))
      throw new Error(`--resume: ${dir} holds a different run (study ${prev.study}, grid ${JSON.stringify(prev.grid)}, settings ${JSON.stringify(prev.settings)}); resume with the same options or choose another --out.`);
    // A shard's jobs depend on the whole grid (--experiments included) and N: resume only the same shard.
    if (!sameJson(prev.shard ?? null, info.shard ?? null))
      throw new Error(`--resume: ${dir} holds ${prev.shard ? `shard ${prev.shard.index}/${prev.shard.count} with ${prev.shard.jobs.length} jobs` : "an unsharded run"}, not ${info.shard ? `shard ${info.shard.index}/${info.shard.count} with ${info.shard.jobs.length} jobs` : "an unsharded run"}; resume with the same --shard and options, or choose another --out.`);
  }
  writeAtomic(runFile, JSON.stringify(info, null, 2) + "\n");
  const done = has ? sortRecords(parseRecords(fs.readFileSync(resultsFile, "utf8"), resultsFile)) : [];
  writeAllRecords(dir, done);
  return done;
}

/** Records made small for committing (notebooks/cached-results/): see compactRecord. */
export function compactRecords(records: readonly StudyRecord[]): StudyRecord[] {
  return records.map(compactRecord);
}

/** Writes records as JSON Lines (job order). */
export function writeRecordsJsonl(file: string, records: readonly StudyRecord[]): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeAtomic(file, sortRecords(records).map((r) => JSON.stringify(r) + "\n").join(""));
}
