/**
 * Merging the shards of a study (run --shard i/N) into the results folder the unsharded run would have written:
 * the same run.json (study, grid, settings) and the same records in the same (job) order. Records are copied as
 * the shards wrote them; only their timings depend on where they ran. Shards that overlap, disagree (study, grid,
 * settings, N), miss or are unfinished are refused with a message naming their folders.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { StudyRecord } from "../analysis";
import { InputError } from "../errors";
import { checkShardSpec, shardFolderName, shardName } from "./shard";
import { RESULTS_JSONL, RUN_JSON, RunInfo, openResults, parseRecords, readRunInfo, sortRecords, writeAllRecords } from "./store";
import { studyJobs } from "./studies";

/** One shard's folder as read from disk. */
export interface ShardFolder {
  /** The folder, as named by the user (used in messages). */
  dir: string;
  info: RunInfo;
  /** Its records, job order, one per key. */
  records: StudyRecord[];
}

export interface MergedStudy {
  /** run.json of the merged folder: the unsharded run's (no shard). */
  info: RunInfo;
  /** Every record of the study, job order. */
  records: StudyRecord[];
}

const listed = (xs: readonly (string | number)[], max = 5): string => (xs.length <= max ? xs.join(", ") : `${xs.slice(0, max).join(", ")} … (${xs.length} in all)`);

/**
 * The merge itself (pure): checks that the shards are every shard of one run (same study, grid, settings and N,
 * each index once), that their job lists partition the study's jobs, and that each shard holds exactly the records
 * of its jobs; then returns the unsharded run's run.json and records.
 */
export function mergeShards(shards: readonly ShardFolder[]): MergedStudy {
  if (shards.length === 0) throw new InputError("merge: name the shard folders (DIR/shard-i-of-N, written by `run <study> --shard i/N --out DIR`), or the DIR that holds them.");
  const name = (s: ShardFolder) => (s.info.shard ? `${s.dir} (shard ${shardName(s.info.shard)})` : s.dir);
  for (const s of shards) {
    if (!s.info.shard) throw new InputError(`merge: ${s.dir} is not a shard folder: its ${RUN_JSON} has no shard (a whole run, nothing to merge). Name the folders written by \`run <study> --shard i/N\`.`);
    checkShardSpec(s.info.shard, `merge: ${s.dir}`);
  }
  const first = shards[0];
  const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const s of shards.slice(1)) {
    const differ = (what: string, a: unknown, b: unknown) =>
      new InputError(`merge: ${name(first)} and ${name(s)} are shards of different runs: ${what} ${JSON.stringify(a)} vs ${JSON.stringify(b)}. Merge only the shards of one run (same study, options and N).`);
    if (s.info.study !== first.info.study) throw differ("study", first.info.study, s.info.study);
    if (s.info.shard!.count !== first.info.shard!.count) throw differ("number of shards", first.info.shard!.count, s.info.shard!.count);
    if (!sameJson(s.info.grid, first.info.grid)) throw differ("grid", first.info.grid, s.info.grid);
    if (!sameJson(s.info.settings, first.info.settings)) throw differ("settings", first.info.settings, s.info.settings);
  }
  const { study, grid, settings } = first.info;
  const count = first.info.shard!.count;
  const byIndex = new Map<number, ShardFolder>();
  for (const s of shards) {
    const twice = byIndex.get(s.info.shard!.index);
    if (twice) throw new InputError(`merge: shard ${shardName(s.info.shard!)} is given twice: ${twice.dir} and ${s.dir}. Name each shard once.`);
    byIndex.set(s.info.shard!.index, s);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length)
    throw new InputError(
      `merge: ${study} was split into ${count} shards; missing ${listed(missing.map((i) => `${i}/${count}`))} (folders ${listed(missing.map((i) => shardFolderName({ index: i, count })))}). ` +
        `Run them (\`run ${study} --shard ${missing[0]}/${count} --out DIR\` with the same options) or name their folders.`,
    );

  // The stored job lists must partition the study's jobs.
  const jobs = studyJobs(grid);
  const owner = new Map<number, ShardFolder>();
  for (const s of byIndex.values())
    for (const j of s.info.shard!.jobs) {
      if (!Number.isInteger(j) || j < 0 || j >= jobs.length) throw new InputError(`merge: ${name(s)} lists job ${j}, which the study's grid (${jobs.length} jobs) does not have; its ${RUN_JSON} is damaged or from another run.`);
      const other = owner.get(j);
      if (other) {
        const both = other.info.shard!.jobs.filter((x) => s.info.shard!.jobs.includes(x));
        throw new InputError(`merge: overlapping shards: ${name(other)} and ${name(s)} were both given job ${listed(both)} (${jobs[both[0]].key}); they come from different splits of the study. Rerun one of them.`);
      }
      owner.set(j, s);
    }
  const unowned = jobs.filter((j) => !owner.has(j.index)).map((j) => j.index);
  if (unowned.length) throw new InputError(`merge: no shard was given job ${listed(unowned)} (${jobs[unowned[0]].key}) of ${study}: the shards come from different splits of the study. Rerun them with one version of the program.`);

  // Each shard holds exactly the records of its jobs.
  const records: StudyRecord[] = [];
  for (const s of [...byIndex.values()].sort((a, b) => a.info.shard!.index - b.info.shard!.index)) {
    const own = new Set(s.info.shard!.jobs);
    for (const r of s.records) {
      const job = jobs[r.job];
      if (r.study !== study || !own.has(r.job) || !job || job.key !== r.key)
        throw new InputError(`merge: ${name(s)} holds a record that is not one of its jobs (study ${r.study}, job ${r.job}, ${r.key}); the folder mixes runs. Rerun that shard into an empty folder.`);
    }
    if (s.records.length < own.size) {
      const have = new Set(s.records.map((r) => r.job));
      const left = [...own].filter((j) => !have.has(j));
      throw new InputError(`merge: ${name(s)} is unfinished: ${s.records.length} of ${own.size} records (missing job ${listed(left)}). Finish it with \`run ${study} --shard ${shardName(s.info.shard!)} --resume\` and the same options and --out, then merge.`);
    }
    records.push(...s.records);
  }
  return { info: { study, grid, settings }, records: sortRecords(records) };
}

// ---------------------------------------------------------------- folders (I/O)

const SHARD_FOLDER = /^shard-(\d+)-of-(\d+)$/;

/** Reads a shard folder: its run.json and its records (a torn last line is dropped, as resume does). */
export function readShardFolder(dir: string): ShardFolder {
  const runFile = path.join(dir, RUN_JSON);
  if (!fs.existsSync(runFile)) throw new InputError(`merge: ${dir} has no ${RUN_JSON}: not a results folder written by \`run <study> --shard i/N\`.`);
  let info: RunInfo;
  try {
    info = readRunInfo(runFile);
  } catch (e) {
    throw new InputError(`merge: ${runFile} cannot be read (${(e as Error).message}).`, { cause: e });
  }
  const file = path.join(dir, RESULTS_JSONL);
  const records = fs.existsSync(file) ? sortRecords(parseRecords(fs.readFileSync(file, "utf8"), file)) : [];
  return { dir, info, records };
}

/**
 * The shard folders named on the command line: each DIR is a shard folder (it has a run.json), or a folder holding
 * shard-i-of-N subfolders (all of them are taken).
 */
export function findShardFolders(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) throw new InputError(`merge: ${d} is not a folder; name shard folders (DIR/shard-i-of-N) or the DIR that holds them.`);
    if (fs.existsSync(path.join(d, RUN_JSON)) && readRunInfo(path.join(d, RUN_JSON)).shard) {
      out.push(d);
      continue;
    }
    const subs = fs
      .readdirSync(d, { withFileTypes: true })
      .filter((e) => e.isDirectory() && SHARD_FOLDER.test(e.name))
      .map((e) => e.name)
      .sort((a, b) => Number(SHARD_FOLDER.exec(a)![1]) - Number(SHARD_FOLDER.exec(b)![1]) || (a < b ? -1 : 1));
    if (subs.length === 0) throw new InputError(`merge: ${d} is neither a shard folder nor holds any (shard-i-of-N, written by \`run <study> --shard i/N --out ${d}\`).`);
    out.push(...subs.map((s) => path.join(d, s)));
  }
  return out;
}

/**
 * Merges shard folders into `out`: run.json, results.jsonl and results.csv as the unsharded run writes them. `out`
 * must hold no results yet unless `overwrite`.
 */
export function mergeShardFolders(dirs: readonly string[], out: string, opts: { overwrite?: boolean } = {}): MergedStudy & { shards: string[] } {
  const folders = findShardFolders(dirs);
  const merged = mergeShards(folders.map(readShardFolder));
  const resolvedOut = path.resolve(out);
  const clash = folders.find((f) => path.resolve(f) === resolvedOut);
  if (clash) throw new InputError(`merge: --out ${out} is one of the shard folders; write the merged results elsewhere (by default the folder that holds the shards).`);
  if (opts.overwrite) fs.rmSync(path.join(out, RESULTS_JSONL), { force: true });
  try {
    openResults(out, merged.info, false);
  } catch (e) {
    throw new InputError(`merge: ${(e as Error).message.replace("pass --resume to continue that run", "pass --force to replace them")}`, { cause: e });
  }
  writeAllRecords(out, merged.records);
  return { ...merged, shards: folders };
}

/**
 * The differences between two record lists (for checking a merged run against an unsharded one): the order of the
 * keys, then every field of every record except those in `ignore` (default: timings_ms, the only field that
 * depends on where a job ran). Empty when they agree.
 */
export function recordDifferences(expected: readonly StudyRecord[], actual: readonly StudyRecord[], ignore: readonly string[] = ["timings_ms"]): string[] {
  const diffs: string[] = [];
  if (expected.length !== actual.length) diffs.push(`${expected.length} records expected, ${actual.length} found`);
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const a = expected[i] as unknown as Record<string, unknown>;
    const b = actual[i] as unknown as Record<string, unknown>;
    if (a.key !== b.key || a.study !== b.study) {
      diffs.push(`record ${i}: ${a.study} ${a.key} expected, ${b.study} ${b.key} found`);
      continue;
    }
    const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => !ignore.includes(f));
    for (const f of fields)
      if (JSON.stringify(a[f]) !== JSON.stringify(b[f])) diffs.push(`record ${i} (${a.key}): ${f} ${JSON.stringify(a[f])} expected, ${JSON.stringify(b[f])} found`);
  }
  return diffs;
}
