import * as path from "node:path";
import { tableToText } from "../display/html";
import { InputError } from "../errors";
import { getStudy } from "../experiments/studies";
import { findShardFolders, mergeShardFolders } from "../experiments/merge";
import { summarizeRecords } from "../experiments/summary";
import { OptionSpec, checkOutDir, parseArgs, plural } from "./args";

export const help = `Usage: mi-identifiability merge DIR... [--out OUT] [--force]

Merges the shards of a study (written by \`run <study> --shard i/N --out DIR\` into DIR/shard-i-of-N) into one
results folder: run.json, results.jsonl and results.csv exactly as the unsharded run writes them (the same records,
in the same order; only each record's timings_ms depends on where it ran). Each DIR is a shard folder or a folder
holding shard-i-of-N folders. Refused, with the folders named: shards of different runs (study, grid, analysis
settings or N differ), a shard given twice, missing or unfinished shards, overlapping job lists.

Options:
  --out OUT   the merged folder (default: the folder holding the shards, when they share one)
  --force     replace the results already in OUT (a previous merge)`;

const spec: Record<string, OptionSpec> = {
  out: { type: "string" },
  force: { type: "boolean" },
};

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, spec, "merge");
  const dirs: string[] = a._;
  if (dirs.length === 0) throw new InputError("merge: name the shard folders or the folder holding them, e.g. `mi-identifiability merge results/network-size`.");
  findShardFolders(dirs); // names a DIR that is no folder before --out is derived from it
  const out = a.out ?? defaultOut(dirs);
  checkOutDir(out, "merge");
  const merged = mergeShardFolders(dirs, out, { overwrite: !!a.force });
  process.stderr.write(`merged ${plural(merged.shards.length, "shard")} of ${merged.info.study}: ${plural(merged.records.length, "record")} → ${path.join(out, "results.jsonl")}, ${path.join(out, "results.csv")}\n`);
  const groupBy = safeGroupBy(merged.info.study);
  console.log(tableToText(summarizeRecords(merged.records, groupBy) as unknown as Record<string, unknown>[]));
  return 0;
}

/** One folder given: it (it holds the shards) or its parent (it is a shard); several shards: their common parent. */
function defaultOut(dirs: readonly string[]): string {
  const parents = new Set(dirs.map((d) => (/^shard-\d+-of-\d+$/.test(path.basename(path.resolve(d))) ? path.dirname(path.resolve(d)) : path.resolve(d))));
  if (parents.size !== 1) throw new InputError(`merge: the shard folders are in different places (${[...parents].join(", ")}); name the merged folder with --out.`);
  return [...parents][0];
}

function safeGroupBy(study: string) {
  try {
    return getStudy(study).groupBy;
  } catch {
    return "none" as const; // "custom" and studies of other versions
  }
}
