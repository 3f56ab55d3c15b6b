import * as path from "node:path";
import { formatDuration, formatProgressLine } from "../display/progress";
import { tableToText } from "../display/html";
import { RecordAnalysisOptions } from "../experiments/records";
import { defaultWorkers, runStudy } from "../experiments/runner";
import { STUDIES, Study, StudyGrid, estimateStudySeconds, getStudy, studyJobs, studyNames } from "../experiments/studies";
import { summarizeRecords } from "../experiments/summary";
import { compactRecords, writeRecordsJsonl } from "../experiments/store";
import { OptionSpec, parseArgs, parseIntList } from "./args";

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
  --resume               continue the run in DIR: skip the recorded models, never duplicate one
  --yes                  start even when the run is estimated to take over ${CONFIRM_SECONDS / 60} min
  --list                 list the studies and their settings
  --compact FILE         also write a small copy of the records (per-circuit interpretation lists summed), as the
                         notebooks' cached results in notebooks/cached-results/ are made
Grid (override the study's):
  --seed S  --sizes K...  --depths D...  --gates G...  --n-gates N...  --loss-targets T...
  --learning-rates LR...  --noise-std X  --skewed
Analysis:
  --no-align             skip the what-then-where alignment
  --mode compat|corrected  --pair-order BA|AB  --max-circuits M  --max-candidates N
Prints a progress bar with ETA on stderr and the study's summary table at the end.`;

const spec: Record<string, OptionSpec> = {
  experiments: { type: "number" },
  out: { type: "string" },
  workers: { type: "number" },
  resume: { type: "boolean" },
  yes: { type: "boolean" },
  list: { type: "boolean" },
  compact: { type: "string" },
  seed: { type: "number" },
  sizes: { type: "strings" },
  depths: { type: "strings" },
  gates: { type: "strings" },
  "n-gates": { type: "strings" },
  "loss-targets": { type: "strings" },
  "learning-rates": { type: "strings" },
  "noise-std": { type: "number" },
  skewed: { type: "boolean" },
  "no-align": { type: "boolean" },
  mode: { type: "string", choices: ["compat", "corrected"] },
  "pair-order": { type: "string", choices: ["BA", "AB"] },
  "max-circuits": { type: "number" },
  "max-candidates": { type: "number" },
};

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
  const jobs = studyJobs(grid);
  const workers = a.workers ?? defaultWorkers();
  const out = path.resolve(a.out ?? path.join("results", study.name));
  const analysis: RecordAnalysisOptions = {};
  if (a.noAlign) analysis.alignment = false;
  if (a.mode) analysis.mode = a.mode;
  if (a.pairOrder) analysis.pairOrder = a.pairOrder;
  if (a.maxCircuits !== undefined) analysis.maxCircuits = a.maxCircuits;
  if (a.maxCandidates !== undefined) analysis.maxCandidates = a.maxCandidates;

  const estimate = estimateStudySeconds(grid, jobs, Math.max(1, workers)) * 1000;
  process.stderr.write(`${study.name}: ${jobs.length} models, ${Math.max(1, workers)} worker${workers === 1 ? "" : "s"}, estimated ${formatDuration(estimate)} (rough, 2-core reference machine) → ${out}\n`);
  if (estimate > CONFIRM_SECONDS * 1000 && !a.yes) {
    process.stderr.write(`run: this would take about ${formatDuration(estimate)}. Pass --yes to start it, or fewer --experiments (e.g. --experiments ${Math.max(1, Math.floor((grid.experiments * CONFIRM_SECONDS * 1000) / estimate))}); --resume continues a partial run later.\n`);
    return 2;
  }
  const start = Date.now();
  const tty = !!process.stderr.isTTY;
  let lastLine = 0;
  let firstDone = -1;
  const { records, ran, skipped } = await runStudy({
    study: study.name,
    grid,
    out,
    resume: a.resume,
    workers,
    analysis,
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
  process.stderr.write(`${ran} models run, ${skipped} already recorded, ${formatDuration(Date.now() - start)}. Records: ${path.join(out, "results.jsonl")}, ${path.join(out, "results.csv")}\n`);
  if (a.compact) {
    writeRecordsJsonl(a.compact, compactRecords(records));
    process.stderr.write(`Compact copy: ${a.compact}\n`);
  }
  console.log(tableToText(summarizeRecords(records, study.groupBy) as unknown as Record<string, unknown>[]));
  return 0;
}
