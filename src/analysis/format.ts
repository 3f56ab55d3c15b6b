/**
 * The snake_case forms of an analysis, and the only place they exist: the study record (one JSON line per trained
 * model, and the same record as a CSV row whose first columns are the reference's df_out.csv, SPEC 8.3, lists in
 * Python repr) and `analyze --json`. Also the reader that loads records written by earlier versions.
 */
import type { ModelAnalysis } from "./analyze";
import { AnalysisSettings, resolveSettings, settingsFromStored } from "./settings";

export interface StudyRecord {
  // ---- the reference's columns (SPEC 8.3), per output where a list
  /** Space-separated gate names, output order. */
  gates: string;
  n_gates: number;
  sizes: number;
  seed_offset: number;
  /** null when the model was rejected (the reference writes no row for it). */
  perfect_circuits: number[] | null;
  /** Per output, the interpretations of each grounded circuit. Absent from compacted records (see interpretations_total). */
  interpretations_per_circuit?: number[][] | null;
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
  /** Per output: valid mappings (minimal or not) of each aligned formula; null when the alignment was skipped. */
  valid_mappings_per_formula: number[][] | null;
  /** The grounding and alignment modes: one word when they agree, else "grounding/alignment" (settings holds both). */
  mode: string;
  engine: string;
  backend: string | null;
  /** Wall-clock milliseconds: train, circuits, interpretations, alignment (summed over outputs), total. */
  timings_ms: Record<string, number>;
  /** The analysis settings the record was computed with. */
  settings: AnalysisSettings;
  /** Per output, the distinct interpretations (gate-label assignments) of each grounded circuit; null when not computed. */
  distinct_interpretations_per_circuit?: number[][] | null;
  // ---- compacted records only (see compactRecord)
  /** Per output: interpretations summed over the grounded circuits. */
  interpretations_total?: number[] | null;
  /** Per output: distinct interpretations summed over the grounded circuits. */
  distinct_interpretations_total?: number[] | null;
  /** Per output: interpretations_total as an exact decimal integer, when it was summed later (fill-interpretations). */
  interpretations_exact?: string[];
  compact?: boolean;
}

/** The reference's columns, in its order. */
export const REFERENCE_COLUMNS = ["gates", "n_gates", "sizes", "seed_offset", "perfect_circuits", "interpretations_per_circuit", "formulas", "mappings_per_formula", "loss_target", "learning_rate", "depth", "weights"] as const;
/** Our columns after them (new columns are only ever appended). */
export const EXTRA_COLUMNS = ["study", "job", "key", "seed", "noise_std", "accepted", "epochs", "final_loss", "val_acc", "stop_reason", "candidates", "valid_mappings_per_formula", "mode", "engine", "backend", "timings_ms", "settings", "distinct_interpretations_per_circuit"] as const;
export const CSV_COLUMNS: readonly string[] = [...REFERENCE_COLUMNS, ...EXTRA_COLUMNS];

/** The record's `mode` column from the settings. */
export function modeColumn(s: AnalysisSettings): string {
  return s.groundingMode === s.alignmentMode ? s.groundingMode : `${s.groundingMode}/${s.alignmentMode}`;
}

/** The analysis columns of a record (per output lists), from a ModelAnalysis. */
export function analysisColumns(a: ModelAnalysis): Pick<StudyRecord, "perfect_circuits" | "interpretations_per_circuit" | "distinct_interpretations_per_circuit" | "formulas" | "mappings_per_formula" | "valid_mappings_per_formula" | "candidates" | "mode" | "settings"> {
  const grounded = (o: ModelAnalysis["outputs"][number]) => o.circuits.filter((c) => c.interpretations !== null);
  const distinct = a.outputs.map((o) => grounded(o).map((c) => c.distinctInterpretations));
  // Circuits counted without being listed (over maxCandidates) have no per-circuit interpretations.
  const counted = a.outputs.some((o) => o.circuitsMethod === "count");
  return {
    perfect_circuits: a.outputs.map((o) => o.perfectCircuits),
    interpretations_per_circuit: counted ? null : a.outputs.map((o) => grounded(o).map((c) => c.interpretations!)),
    distinct_interpretations_per_circuit: counted || distinct.some((l) => l.some((d) => d === null)) ? null : (distinct as number[][]),
    formulas: a.settings.alignment ? a.outputs.map((o) => o.alignment!.formulas) : null,
    mappings_per_formula: a.settings.alignment ? a.outputs.map((o) => o.alignment!.mappingsPerFormula) : null,
    valid_mappings_per_formula: a.settings.alignment ? a.outputs.map((o) => o.alignment!.validMappingsPerFormula) : null,
    candidates: a.outputs.map((o) => o.nCandidates),
    mode: modeColumn(a.settings),
    settings: a.settings,
  };
}

/**
 * `analyze --json`: per output the record's columns for that output (n_candidates, perfect_circuits,
 * interpretations_per_circuit, ...), the aligned formulas with their mappings, and timings.
 */
export function analysisToJson(a: ModelAnalysis): { settings: AnalysisSettings; outputs: Record<string, unknown>[] } {
  const cols = analysisColumns(a);
  return {
    settings: a.settings,
    outputs: a.outputs.map((o, i) => ({
      gate: o.gate,
      n_candidates: o.nCandidates,
      perfect_circuits: cols.perfect_circuits![i],
      interpretations_per_circuit: cols.interpretations_per_circuit![i],
      distinct_interpretations_per_circuit: cols.distinct_interpretations_per_circuit?.[i] ?? null,
      formulas: cols.formulas?.[i] ?? null,
      mappings_per_formula: cols.mappings_per_formula?.[i] ?? null,
      valid_mappings_per_formula: cols.valid_mappings_per_formula?.[i] ?? null,
      timings_ms: o.timingsMs,
      aligned: o.alignment ? o.alignment.aligned.map((f) => ({ index: f.index, formula: f.formula, mappings: f.mappings, valid_mappings: f.validMappings })) : null,
    })),
  };
}

const sum = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0);

/** Per output, interpretations summed over the grounded circuits (full or compacted record); null for a rejected model. */
export function recordInterpretationTotals(r: StudyRecord): number[] | null {
  return r.interpretations_total ?? r.interpretations_per_circuit?.map(sum) ?? null;
}

/** Per output, distinct interpretations summed over the grounded circuits; null when not recorded. */
export function recordDistinctTotals(r: StudyRecord): number[] | null {
  return r.distinct_interpretations_total ?? r.distinct_interpretations_per_circuit?.map(sum) ?? null;
}

/**
 * A record made small for committing (notebooks/cached-results/): the per-circuit lists are replaced by their sums
 * per output (interpretations_total, distinct_interpretations_total), so the per-model counts are unchanged.
 */
export function compactRecord(r: StudyRecord): StudyRecord {
  const { interpretations_per_circuit: _i, distinct_interpretations_per_circuit: _d, ...rest } = r;
  return { ...rest, interpretations_total: recordInterpretationTotals(r), distinct_interpretations_total: recordDistinctTotals(r), compact: true };
}

/**
 * A record as read from a file, brought to today's form: records written before the settings existed get them from
 * their `mode` (and alignment from whether formulas were recorded); compacted records that kept the name
 * interpretations_per_circuit for their sums ([[total]] per output) get interpretations_total instead.
 */
export function normalizeRecord(raw: Record<string, unknown>): StudyRecord {
  const r = { ...raw } as unknown as StudyRecord & Record<string, unknown>;
  if (r.settings) r.settings = resolveSettings(r.settings);
  else r.settings = settingsFromStored({ mode: r.mode, ...(r.accepted ? { alignment: r.formulas !== null } : {}) });
  r.valid_mappings_per_formula ??= null;
  if (r.compact) {
    if (r.interpretations_per_circuit !== undefined) {
      r.interpretations_total ??= r.interpretations_per_circuit === null ? null : r.interpretations_per_circuit.map(sum);
      delete r.interpretations_per_circuit;
    }
    r.distinct_interpretations_total ??= null;
    delete r.distinct_interpretations_per_circuit;
  } else r.distinct_interpretations_per_circuit ??= null;
  return r;
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

/** One CSV cell: lists in Python repr, floats as Python writes them, objects as JSON, null as empty (pandas' None). */
export function csvCell(column: string, v: unknown): string {
  if (v === null || v === undefined) return "";
  if (column === "timings_ms") return csvField(JSON.stringify(Object.fromEntries(Object.entries(v as Record<string, number>).map(([k, x]) => [k, Math.round(x * 10) / 10]))));
  if (Array.isArray(v) || typeof v === "boolean") return csvField(pyRepr(v, FLOAT_COLUMNS.has(column)));
  if (typeof v === "number") return FLOAT_COLUMNS.has(column) ? pyFloatRepr(v) : String(v);
  if (typeof v === "object") return csvField(JSON.stringify(v));
  return csvField(String(v));
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(",") + "\n";
}

export function recordToCsvLine(r: StudyRecord): string {
  const row = r as unknown as Record<string, unknown>;
  return CSV_COLUMNS.map((c) => csvCell(c, row[c])).join(",") + "\n";
}
