/**
 * Study runs kept in one JSON Lines file, one line per (study, grid, analysis settings): a notebook asks for a run and
 * gets the cached records when the file has that exact configuration, or runs it live otherwise. This keeps course
 * notebooks fast for the expected answers while any other answer still runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { StudyRecord, resolveSettings } from "../analysis";
import { InputError } from "../errors";
import { RunStudyOptions, runStudy } from "./runner";
import { compactRecords } from "./store";
import { validateGrid } from "./studies";

/** One configuration, as a stable string: the study name, the validated grid and the resolved settings, keys sorted. */
export function cachedRunKey(opts: Pick<RunStudyOptions, "study" | "grid" | "settings">): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sorted({ study: opts.study, grid: validateGrid({ ...opts.grid }), settings: resolveSettings(opts.settings ?? {}) }));
}

interface CacheLine {
  key: string;
  records: StudyRecord[];
}

function readCache(file: string): CacheLine[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      try {
        const line = JSON.parse(l) as CacheLine;
        if (typeof line.key !== "string" || !Array.isArray(line.records)) throw new Error("expected {key, records}");
        return line;
      } catch (e) {
        throw new InputError(`runStudyCached: ${file} line ${i + 1} is not a cached run ({"key", "records"}): ${(e as Error).message}. Delete the file to rebuild it.`, { cause: e });
      }
    });
}

export interface CachedRunOptions extends RunStudyOptions {
  /** The JSON Lines file of cached runs. */
  cacheFile: string;
  /** Append a run that the file lacks (records compacted); default false: a run not in the file runs live and is kept nowhere. */
  update?: boolean;
}

/**
 * The records of a study run: from `cacheFile` when it holds this exact study, grid and settings, else from
 * runStudy (appended to the file when `update`). `cached` says which.
 */
export async function runStudyCached(opts: CachedRunOptions): Promise<{ records: StudyRecord[]; cached: boolean }> {
  if (!opts || typeof opts.cacheFile !== "string" || opts.cacheFile === "") throw new InputError("runStudyCached: cacheFile must name a .jsonl file of cached runs (it may not exist yet).");
  if (opts.out !== undefined) throw new InputError("runStudyCached: out is not supported (the cache file keeps the records); call runStudy for a results folder.");
  const key = cachedRunKey(opts);
  const hit = readCache(opts.cacheFile).find((l) => l.key === key);
  if (hit) return { records: hit.records, cached: true };
  const { cacheFile, update, ...runOptions } = opts;
  const { records } = await runStudy(runOptions);
  if (update) {
    fs.mkdirSync(path.dirname(path.resolve(cacheFile)), { recursive: true });
    fs.appendFileSync(cacheFile, JSON.stringify({ key, records: compactRecords(records) }) + "\n");
  }
  return { records, cached: false };
}
