import * as path from "node:path";
import { formatDuration, formatProgressLine } from "../display/progress";
import { tableToText } from "../display/html";
import { checkStudyFeasible, defaultWorkers, runStudy } from "../experiments/runner";
import { STUDIES, Study, StudyGrid, estimateStudySeconds, getStudy, studyJobs, studyNames } from "../experiments/studies";
import { summarizeRecords } from "../experiments/summary";
import { compactRecords, writeRecordsJsonl } from "../experiments/store";
import { ShardSpec, parseShard, shardFolderName, shardInfo } from "../experiments/shard";
import { OptionSpec, checkOutDir, parseArgs, parseIntList, plural, resolveOutFile } from "./args";
import { SETTINGS_HELP, SETTINGS_OPTIONS, settingsFromArgs } from "./settings";

/** Runs estimated longer than this ask for --yes. */
const CONFIRM_SECONDS = 15 * 60;

export const help = `Usage: mi-identifiability run <study> [options]
       mi-identifiability run --list

Trains one model per seed and configuration of a study (main.py's loop, SPEC 8.2), analyses every accepted model
(circuits, interpretations, aligned formulas) and appends one record per model (kept and rejected) to
DIR/results.jsonl and DIR/results.csv (the reference's df_out.csv columns, lists in Python repr, then ours).
Studies: ${studyNames().join(", ")}; "custom" starts from basic and takes the grid options below.

Options:
  --experiments N        seeds per configuration (default 100, as the paper)
  --out DIR              results folder (default results/<study>)
  --workers N            worker threads (default: all cores, ${defaultWorkers()} here); 0 = this thread
  --resume               continue the run in DIR: skip the recorded models, never duplicate one (Ctrl-C stops a
                         run, keeps the finished records and prints the --resume command)
  --yes                  start even when the run is estimated to take over ${CONFIRM_SECONDS / 60} min
  --list                 list the studies and their settings
  --shard i/N            run only shard i of N (i from 0) of the study's models, into DIR/shard-i-of-N; every
                         shard of one study uses the same options, then \`merge DIR\` writes DIR's records as the
                         unsharded run would (SLURM: --shard $SLURM_ARRAY_TASK_ID/N with sbatch --array=0-(N-1))
  --compact FILE|DIR     also write a small copy of the records (per-circuit interpretation lists summed per output),
                         as notebooks/cached-results/ is made (a folder gets <study>.jsonl)
Grid (override the study's; each list names distinct values, one model per combination and seed):
  --seed S  --sizes K...  --depths D...  --gates G...  --n-gates N...  --loss-targets T...
  --learning-rates LR...  --noise-std X  --skewed
  (--sizes are hidden widths k, e.g. --sizes 2 3 4 5; the hidden layers are --depths, unlike train's --sizes 4,4)
${SETTINGS_HELP}
Widths the analysis cannot handle (over 16, or more candidate circuits than --max-candidates) are refused before
anything runs. Prints a progress bar with ETA on stderr and the study's summary table at the end.`;

const spec: Record<string, OptionSpec> = {
  experiments: { type: "number" },
  out: { type: "string" },
  workers: { type: "number" },
  resume: { type: "boolean" },
  yes: { type: "boolean" },
  list: { type: "boolean" },
  compact: { type: "string" },
  shard: { type: "string" },
  seed: { type: "number" },
  sizes: { type: "strings" },
  depths: { type: "strings" },
  gates: { type: "strings" },
  "n-gates": { type: "strings" },
  "loss-targets": { type: "strings" },
  "learning-rates": { type: "strings" },
  "noise-std": { type: "number" },
  skewed: { type: "boolean" },
  ...SETTINGS_OPTIONS,
};

/** The command line that continues an interrupted run (same options, --resume). */
export function resumeCommand(argv: readonly string[]): string {
  const quote = (x: string) => (/^[\w@%+=:,./-]+$/.test(x) ? x : `'${x.replace(/'/g, "'\\''")}'`);
  const args = argv.includes("--resume") ? [...argv] : [...argv, "--resume"];
  return ["mi-identifiability", "run", ...args].map(quote).join(" ");
}

function numberList(v: string[], option: string): number[] {
  const xs = v.join(",").split(/[,\s]+/).filter(Boolean).map(Number);
  if (xs.length === 0 || xs.some((x) => !(x > 0) || !Number.isFinite(x))) throw new Error(`run: --${option} must be positive numbers like 0.1 0.01, got "${v.join(" ")}".`);
  return xs;
}

/** The study's grid with the command line's overrides. */
function gridFromArgs(study: Study, a: Record<string, any>): StudyGrid {
  const g: StudyGrid = { ...study.grid };
  if (a.experiments !== undefined) g.experiments = a.experiments;
  if (a.seed !== undefined) g.seed = a.seed;
  if (a.sizes) g.sizes = parseIntList(a.sizes, "sizes");
  if (a.depths) g.depths = parseIntList(a.depths, "depths");
  if (a.gates) g.gatePool = a.gates;
  if (a.nGates) g.nGates = parseIntList(a.nGates, "n-gates");
  if (a.lossTargets) g.lossTargets = numberList(a.lossTargets, "loss-targets");
  if (a.learningRates) g.learningRates = numberList(a.learningRates, "learning-rates");
  if (a.noiseStd !== undefined) g.noiseStd = a.noiseStd;
  if (a.skewed) g.skewed = true;
  return g;
}

function listStudies(): string {
  return Object.values(STUDIES)
    .map((s) => `${s.name.padEnd(13)} ${s.title}: ${s.description}\n${"".padEnd(14)}reference: main.py ${s.referenceFlags}`)
    .join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, spec, "run");
  if (a.list) return console.log(listStudies()), 0;
  const name = a._[0];
  if (!name) throw new Error(`run: name a study (${studyNames().join(", ")}, custom); \`mi-identifiability run --list\` describes them.`);
  if (a._.length > 1) throw new Error(`run: one study at a time, got ${a._.join(" ")}.`);
  const study = name === "custom" ? { ...getStudy("basic"), name: "custom" } : getStudy(name);
  const grid = gridFromArgs(study, a);
  const settings = settingsFromArgs(a);
  const shard: ShardSpec | undefined = a.shard === undefined ? undefined : parseShard(a.shard);
  const allJobs = studyJobs(grid);
  const shardJobs = shard ? new Set(shardInfo(grid, shard).jobs) : undefined;
  const jobs = shardJobs ? allJobs.filter((j) => shardJobs.has(j.index)) : allJobs;
  checkStudyFeasible(grid, settings); // before estimating: an impossible width has no meaningful estimate
  const workers = a.workers ?? defaultWorkers();
  const studyOut = path.resolve(a.out ?? path.join("results", study.name));
  const out = shard ? path.join(studyOut, shardFolderName(shard)) : studyOut;
  checkOutDir(out, "run");
  const compact = a.compact === undefined ? undefined : resolveOutFile(a.compact, `${study.name}.jsonl`, "run", "--compact");

  const estimate = estimateStudySeconds(grid, jobs, Math.max(1, workers)) * 1000;
  const label = shard ? `${study.name} shard ${shard.index}/${shard.count}` : study.name;
  process.stderr.write(`${label}: ${shard ? `${jobs.length} of ${allJobs.length}` : jobs.length} models, ${plural(Math.max(1, workers), "worker")}, estimated ${formatDuration(estimate)} (rough, 2-core reference machine) → ${out}\n`);
  if (estimate > CONFIRM_SECONDS * 1000 && !a.yes) {
    process.stderr.write(`run: this would take about ${formatDuration(estimate)}. Pass --yes to start it, or fewer --experiments (e.g. --experiments ${Math.max(1, Math.floor((grid.experiments * CONFIRM_SECONDS * 1000) / estimate))}); --resume continues a partial run later.\n`);
    return 2;
  }
  const start = Date.now();
  const tty = !!process.stderr.isTTY;
  let lastLine = 0;
  let firstDone = -1;
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(130); // a second Ctrl-C does not wait
    process.stderr.write(`\nrun: interrupted, stopping (the models in progress are dropped)...\n`);
    interrupt.abort();
  };
  process.on("SIGINT", onSigint);
  let result;
  try {
    result = await runStudy({
      study: study.name,
      grid,
      out,
      resume: a.resume,
      workers,
      settings,
      shard,
      signal: interrupt.signal,
      onRecord: (_r, done, total) => {
        if (firstDone < 0) firstDone = done - 1; // resumed records do not count for the rate
        const line = formatProgressLine({ label: study.name, done: done - firstDone, total: total - firstDone, elapsedMs: Date.now() - start });
        if (tty) process.stderr.write(`\r${line}   ${done === total ? "\n" : ""}`);
        else if (Date.now() - lastLine > 10_000 || done === total) {
          lastLine = Date.now();
          process.stderr.write(line + "\n");
        }
      },
    });
  } finally {
    process.off("SIGINT", onSigint);
  }
  const { records, ran, skipped } = result;
  if (result.interrupted) {
    process.stderr.write(`run: interrupted: ${plural(records.length, "record")} of ${jobs.length} kept in ${path.join(out, "results.jsonl")} (${ran} new). Continue with:\n  ${resumeCommand(argv)}\n`);
    return 130;
  }
  process.stderr.write(`${plural(ran, "model")} run, ${skipped} already recorded, ${formatDuration(Date.now() - start)}. Records: ${path.join(out, "results.jsonl")}, ${path.join(out, "results.csv")}\n`);
  if (shard) process.stderr.write(`Shard ${shard.index}/${shard.count} done; once all ${shard.count} are, \`mi-identifiability merge ${studyOut}\` writes the study's records there.\n`);
  if (compact) {
    writeRecordsJsonl(compact, compactRecords(records));
    process.stderr.write(`Compact copy: ${compact}\n`);
  }
  console.log(tableToText(summarizeRecords(records, study.groupBy) as unknown as Record<string, unknown>[]));
  return 0;
}
