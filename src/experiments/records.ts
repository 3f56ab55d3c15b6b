/**
 * One record per trained model (kept and rejected): the reference's CSV columns (SPEC 8.3) plus ours, and the
 * function that produces it (train, then analyse when accepted). Also the CSV form, with lists in Python repr so the
 * file compares directly with the reference's df_out.csv.
 */
import { analyzeModelFile, AnalyzeOptions } from "../analysis";
import { trainExperimentSync, ExperimentConfig } from "../train";
import type { StudyGrid, StudyJob } from "./studies";

/** The analysis settings of a run (serialisable: they travel to worker threads). */
export interface RecordAnalysisOptions {
  alignment?: boolean;
  mode?: "compat" | "corrected";
  pairOrder?: "BA" | "AB";
  maxCircuits?: number;
  maxCandidates?: number;
  accuracyThreshold?: number;
}

export interface StudyRecord {
  // ---- the reference's columns (SPEC 8.3), per output where a list
  /** Space-separated gate names, output order. */
  gates: string;
  n_gates: number;
  sizes: number;
  seed_offset: number;
  /** null when the model was rejected (the reference writes no row for it). */
  perfect_circuits: number[] | null;
  interpretations_per_circuit: number[][] | null;
  /** null also when the alignment was skipped. */
  formulas: number[] | null;
  mappings_per_formula: number[][] | null;
  loss_target: number;
  learning_rate: number;
  depth: number;
  /** Skew weights (unnormalised) or null. */
  weights: number[] | null;
  // ---- ours
  study: string;
  job: number;
  key: string;
  seed: number;
  noise_std: number;
  /** val_acc >= 0.99 and final loss <= loss target (SPEC 3.3): only accepted models are analysed. */
  accepted: boolean;
  epochs: number;
  final_loss: number;
  val_acc: number;
  stop_reason: string;
  /** Per output: candidate circuits enumerated. */
  candidates: number[] | null;
  /** Grounding/alignment mode ("compat" = the reference's semantics). */
  mode: string;
  engine: string;
  backend: string | null;
  /** Wall-clock milliseconds: train, circuits, interpretations, alignment (summed over outputs), total. */
  timings_ms: Record<string, number>;
  /** Per output: valid mappings (minimal or not) of each aligned formula; null when the alignment was skipped. */
  valid_mappings_per_formula?: number[][] | null;
  /** Set on compacted copies (per-circuit interpretation lists replaced by their sums; see compactRecords). */
  compact?: boolean;
}

/** The reference's columns, in its order. */
export const REFERENCE_COLUMNS = ["gates", "n_gates", "sizes", "seed_offset", "perfect_circuits", "interpretations_per_circuit", "formulas", "mappings_per_formula", "loss_target", "learning_rate", "depth", "weights"] as const;
/** Our columns after them. */
export const EXTRA_COLUMNS = ["study", "job", "key", "seed", "noise_std", "accepted", "epochs", "final_loss", "val_acc", "stop_reason", "candidates", "valid_mappings_per_formula", "mode", "engine", "backend", "timings_ms"] as const;
export const CSV_COLUMNS: readonly string[] = [...REFERENCE_COLUMNS, ...EXTRA_COLUMNS];

/** The ExperimentConfig of a job (the train module's contract). */
export function jobExperimentConfig(grid: StudyGrid, job: StudyJob): ExperimentConfig {
  return {
    gatePool: grid.gatePool,
    nGates: job.nGates,
    size: job.size,
    depth: job.depth,
    seed: grid.seed,
    seedOffset: job.seedOffset,
    noiseStd: grid.noiseStd,
    skewed: grid.skewed,
    nRepeats: grid.nRepeats,
    nSamplesTrain: grid.nSamplesTrain,
    nSamplesVal: grid.nSamplesVal,
    lr: job.learningRate,
    lossTarget: job.lossTarget,
    epochs: grid.epochs,
    batchSize: grid.batchSize,
    sharedDataQuirk: grid.sharedDataQuirk,
    engine: "fast",
  };
}

/** Trains one job's model and, if accepted, counts its circuits, interpretations and aligned formulas. */
export function runStudyJob(studyName: string, grid: StudyGrid, job: StudyJob, opts: RecordAnalysisOptions = {}): StudyRecord {
  const t0 = performance.now();
  const { data, result } = trainExperimentSync(jobExperimentConfig(grid, job));
  const timings: Record<string, number> = { train: performance.now() - t0 };
  const rec: StudyRecord = {
    gates: data.gates.join(" "),
    n_gates: data.gates.length,
    sizes: job.size,
    seed_offset: job.seedOffset,
    perfect_circuits: null,
    interpretations_per_circuit: null,
    formulas: null,
    mappings_per_formula: null,
    loss_target: job.lossTarget,
    learning_rate: job.learningRate,
    depth: job.depth,
    weights: data.skewWeights,
    study: studyName,
    job: job.index,
    key: job.key,
    seed: grid.seed,
    noise_std: grid.noiseStd,
    accepted: result.accepted,
    epochs: result.epochs,
    final_loss: result.loss,
    val_acc: result.valAcc,
    stop_reason: result.stopReason,
    candidates: null,
    mode: opts.mode ?? "compat",
    engine: result.engine,
    backend: result.backend ?? null,
    timings_ms: timings,
    valid_mappings_per_formula: null,
  };
  if (result.accepted) {
    const analysisOpts: AnalyzeOptions = { ...opts };
    const a = analyzeModelFile({ model: result.model, val: data.val, xTt: data.xTt }, analysisOpts);
    rec.perfect_circuits = a.outputs.map((o) => o.perfect_circuits);
    rec.interpretations_per_circuit = a.outputs.map((o) => o.interpretations_per_circuit);
    rec.candidates = a.outputs.map((o) => o.n_candidates);
    if (opts.alignment ?? true) {
      rec.formulas = a.outputs.map((o) => o.formulas ?? 0);
      rec.mappings_per_formula = a.outputs.map((o) => o.mappings_per_formula ?? []);
      rec.valid_mappings_per_formula = a.outputs.map((o) => o.valid_mappings_per_formula ?? []);
    }
    for (const o of a.outputs) for (const [k, v] of Object.entries(o.timings_ms)) timings[k] = (timings[k] ?? 0) + v;
  }
  timings.total = performance.now() - t0;
  return rec;
}

// ---------------------------------------------------------------- per-model counts

/** The paper's four multiplicities of one model, summed over outputs; null for a rejected model. */
export interface ModelCounts {
  circuits: number;
  interpretations: number;
  /** Aligned algorithms (candidate formulas with >= 1 minimal mapping); null when the alignment was skipped. */
  algorithms: number | null;
  mappings: number | null;
  /** Valid mappings, minimal or not (null when skipped, or in records written before this count existed). */
  validMappings: number | null;
}

const sum = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0);

export function modelCounts(r: StudyRecord): ModelCounts | null {
  if (!r.accepted || !r.perfect_circuits || !r.interpretations_per_circuit) return null;
  return {
    circuits: sum(r.perfect_circuits),
    interpretations: sum(r.interpretations_per_circuit.map(sum)),
    algorithms: r.formulas ? sum(r.formulas) : null,
    mappings: r.mappings_per_formula ? sum(r.mappings_per_formula.map(sum)) : null,
    validMappings: r.valid_mappings_per_formula ? sum(r.valid_mappings_per_formula.map(sum)) : null,
  };
}

// ---------------------------------------------------------------- CSV

/** Python's repr of a float: shortest round-trip digits, ".0" on integers, exponent form below 1e-4 or from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expStr] = x.toExponential().split("e");
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  const s = String(x);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** Python's repr of nested lists of numbers (ints as ints, floats via pyFloatRepr). */
export function pyRepr(v: unknown, floats = false): string {
  if (v === null || v === undefined) return "None";
  if (Array.isArray(v)) return `[${v.map((x) => pyRepr(x, floats)).join(", ")}]`;
  if (typeof v === "number") return floats || !Number.isInteger(v) ? pyFloatRepr(v) : String(v);
  if (typeof v === "boolean") return v ? "True" : "False";
  return String(v);
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const FLOAT_COLUMNS = new Set(["loss_target", "learning_rate", "weights", "noise_std", "final_loss", "val_acc"]);

/** One CSV cell: lists in Python repr, floats as Python writes them, null as empty (pandas' None). */
export function csvCell(column: string, v: unknown): string {
  if (v === null || v === undefined) return "";
  if (column === "timings_ms") return csvField(JSON.stringify(Object.fromEntries(Object.entries(v as Record<string, number>).map(([k, x]) => [k, Math.round(x * 10) / 10]))));
  if (Array.isArray(v) || typeof v === "boolean") return csvField(pyRepr(v, FLOAT_COLUMNS.has(column)));
  if (typeof v === "number") return FLOAT_COLUMNS.has(column) ? pyFloatRepr(v) : String(v);
  return csvField(String(v));
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(",") + "\n";
}

export function recordToCsvLine(r: StudyRecord): string {
  const row = r as unknown as Record<string, unknown>;
  return CSV_COLUMNS.map((c) => csvCell(c, row[c])).join(",") + "\n";
}
