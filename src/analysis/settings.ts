/**
 * The one settings object of a model analysis: the same names in the library (`analyzeModel`, `runStudy`), on the
 * command line (kebab-case: `--grounding-mode`, `--iia-threshold`, ...) and in every study record (`settings`).
 */

import { DEFAULT_MAX_CANDIDATES, DEFAULT_MAX_PREFIX_STATES, EnumerationOptions, countCandidates, defaultMinSparsity, estimatePerfectCountWork } from "../circuits";
import type { PairOrder } from "../formulas";
import { InputError } from "../errors";

/** "compat": the reference's semantics; "corrected": ours (see each setting). */
export type SemanticsMode = "compat" | "corrected";

/** "reference": main.py's minimum node sparsity (minSparsity, or its rule for k > 3); "none": every node combination. */
export type SparsityCut = "reference" | "none";

export interface AnalysisSettings {
  /** Grounding keys (SPEC 5): "compat" = the reference's (inputs truncated toward zero, last row wins); "corrected" = clean inputs. */
  groundingMode: SemanticsMode;
  /** Alignment pair set and IIA rule (SPEC 7): "compat" = the reference's 6 pairs, IIA must be 1; "corrected" = 12 ordered pairs, IIA ≥ iiaThreshold. */
  alignmentMode: SemanticsMode;
  /** A neuron set aligns with a formula node when IIA ≥ this (corrected alignment only; compat requires 1). */
  iiaThreshold: number;
  /** A circuit is perfect when its accuracy is strictly above this (SPEC 4.4). */
  accuracyThreshold: number;
  /** Minimum node sparsity of a candidate circuit; null = main.py's rule (defaultMinSparsity). */
  minSparsity: number | null;
  /** "none" drops the minimum-sparsity cut altogether (SPEC 14.4: an artefact of compute); minSparsity must then be null. */
  sparsityCut: SparsityCut;
  /** Also enumerate the circuit that keeps every hidden neuron (main.py never does, SPEC 14.2). */
  includeFullNodeSet: boolean;
  /** Orientation of the (01,10) pair among the reference's 6 alignment pairs. */
  pairOrder: PairOrder;
  /** Ground only the M sparsest perfect circuits of each output; null = all. */
  maxCircuits: number | null;
  /** Refuse an enumeration beyond this many candidate circuits (the count is known before enumerating). */
  maxCandidates: number;
  /** Run the what-then-where alignment (false: formulas and mappings are not computed). */
  alignment: boolean;
}

/** The reference's semantics and main.py's defaults. */
export const DEFAULT_ANALYSIS_SETTINGS: Readonly<AnalysisSettings> = Object.freeze({
  groundingMode: "compat",
  alignmentMode: "compat",
  iiaThreshold: 1,
  accuracyThreshold: 0.99,
  minSparsity: null,
  sparsityCut: "reference",
  includeFullNodeSet: false,
  pairOrder: "BA",
  maxCircuits: null,
  maxCandidates: DEFAULT_MAX_CANDIDATES,
  alignment: true,
});

/** Setting names in their canonical order (records, keys and --help list them in this order). */
export const ANALYSIS_SETTING_NAMES = Object.keys(DEFAULT_ANALYSIS_SETTINGS) as (keyof AnalysisSettings)[];

/** The kebab-case command-line flag of a setting (`iiaThreshold` → `--iia-threshold`; `alignment` → `--no-align`). */
export function settingFlag(name: keyof AnalysisSettings): string {
  if (name === "alignment") return "--no-align";
  if (name === "sparsityCut") return "--no-sparsity-cut";
  return "--" + name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

function fail(name: keyof AnalysisSettings, got: unknown, want: string): never {
  throw new InputError(`analysis settings: ${name} (${settingFlag(name)}) must be ${want}, got ${JSON.stringify(got)}.`);
}

/**
 * Complete, validated settings from a partial object (missing names take the defaults). Unknown names are errors
 * that list the valid ones; the old `mode` names the two settings that replaced it.
 */
export function resolveSettings(partial: Partial<AnalysisSettings> = {}): AnalysisSettings {
  if (partial === null || typeof partial !== "object") throw new InputError(`analysis settings must be an object such as { groundingMode: "corrected" }, got ${JSON.stringify(partial)}.`);
  for (const k of Object.keys(partial)) {
    if (k === "mode") throw new InputError(`analysis settings: "mode" was split into groundingMode and alignmentMode (--grounding-mode, --alignment-mode); set both for the old meaning.`);
    if (!(ANALYSIS_SETTING_NAMES as string[]).includes(k)) throw new InputError(`analysis settings: unknown setting "${k}". Valid settings: ${ANALYSIS_SETTING_NAMES.join(", ")}.`);
  }
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<AnalysisSettings>;
  const s: AnalysisSettings = { ...DEFAULT_ANALYSIS_SETTINGS, ...defined };
  const modes = ["compat", "corrected"];
  if (!modes.includes(s.groundingMode)) fail("groundingMode", s.groundingMode, `"compat" or "corrected"`);
  if (!modes.includes(s.alignmentMode)) fail("alignmentMode", s.alignmentMode, `"compat" or "corrected"`);
  if (!["BA", "AB"].includes(s.pairOrder)) fail("pairOrder", s.pairOrder, `"BA" or "AB"`);
  if (typeof s.iiaThreshold !== "number" || !(s.iiaThreshold > 0 && s.iiaThreshold <= 1)) fail("iiaThreshold", s.iiaThreshold, "a number in (0, 1]");
  if (s.alignmentMode === "compat" && s.iiaThreshold !== 1)
    throw new InputError(`analysis settings: iiaThreshold ${s.iiaThreshold} needs alignmentMode "corrected" (--alignment-mode corrected); compat mode requires IIA = 1, as the reference.`);
  if (typeof s.accuracyThreshold !== "number" || !(s.accuracyThreshold >= 0 && s.accuracyThreshold < 1)) fail("accuracyThreshold", s.accuracyThreshold, "a number in [0, 1)");
  if (s.minSparsity !== null && (typeof s.minSparsity !== "number" || !(s.minSparsity >= 0 && s.minSparsity <= 1))) fail("minSparsity", s.minSparsity, "a number in [0, 1] or null (main.py's rule)");
  if (s.sparsityCut !== "reference" && s.sparsityCut !== "none") fail("sparsityCut", s.sparsityCut, `"reference" or "none"`);
  if (s.sparsityCut === "none" && s.minSparsity !== null)
    throw new InputError(`analysis settings: minSparsity ${s.minSparsity} (--min-sparsity) and sparsityCut "none" (--no-sparsity-cut) contradict each other; give one of them.`);
  if (typeof s.includeFullNodeSet !== "boolean") fail("includeFullNodeSet", s.includeFullNodeSet, "true or false");
  if (typeof s.alignment !== "boolean") fail("alignment", s.alignment, "true or false");
  if (s.maxCircuits !== null && !(Number.isInteger(s.maxCircuits) && s.maxCircuits > 0)) fail("maxCircuits", s.maxCircuits, "a positive integer or null (all)");
  if (!(Number.isInteger(s.maxCandidates) && s.maxCandidates > 0)) fail("maxCandidates", s.maxCandidates, "a positive integer");
  // Canonical key order, so that equal settings serialise equally (run.json, records).
  return Object.fromEntries(ANALYSIS_SETTING_NAMES.map((k) => [k, s[k]])) as unknown as AnalysisSettings;
}

/**
 * Settings read from files written before AnalysisSettings existed (run.json `analysis`, records): `mode` set both
 * modes, `alignThreshold` was the IIA threshold, absent names were the defaults.
 */
export function settingsFromStored(stored: Record<string, unknown> | null | undefined): AnalysisSettings {
  const { mode, alignThreshold, ...rest } = (stored ?? {}) as Record<string, unknown>;
  const s: Record<string, unknown> = { ...rest };
  if (mode !== undefined) {
    s.groundingMode ??= mode;
    s.alignmentMode ??= mode;
  }
  if (alignThreshold !== undefined) s.iiaThreshold ??= alignThreshold;
  return resolveSettings(s as Partial<AnalysisSettings>);
}

/**
 * A short, stable label of settings for grouping summaries and figures: "default", or the settings that differ from
 * the defaults in canonical order, e.g. "groundingMode=corrected alignmentMode=corrected".
 */
export function settingsKey(settings: Partial<AnalysisSettings>): string {
  const s = resolveSettings(settings);
  const diff = ANALYSIS_SETTING_NAMES.filter((k) => s[k] !== DEFAULT_ANALYSIS_SETTINGS[k]).map((k) => `${k}=${s[k]}`);
  return diff.length ? diff.join(" ") : "default";
}

/** The candidate set the settings select for a network: its minimum sparsity (none, given, or main.py's rule) and the full node set. */
export function candidateOptions(settings: AnalysisSettings, layerSizes: readonly number[]): Required<EnumerationOptions> {
  const minSparsity = settings.sparsityCut === "none" ? 0 : (settings.minSparsity ?? defaultMinSparsity(layerSizes));
  return { minSparsity, includeFullNodeSet: settings.includeFullNodeSet };
}

/**
 * How the analysis finds a network's perfect circuits: "enumerate" (findCircuits, every circuit listed with its
 * interpretations) up to maxCandidates candidates, else "count" (countPerfectCircuits: exact number, circuits not
 * listed, interpretations not computed) for one-output networks within the counter's
 * budget. Throws the enumeration's budget error when neither fits.
 */
export function circuitsMethod(layerSizes: readonly number[], settings: AnalysisSettings): "enumerate" | "count" {
  const opts = candidateOptions(settings, layerSizes);
  if (countCandidates(layerSizes, opts) <= settings.maxCandidates) return "enumerate";
  const countable = layerSizes.length >= 3 && layerSizes[layerSizes.length - 1] === 1;
  if (countable && estimatePerfectCountWork(layerSizes, opts).work <= DEFAULT_MAX_PREFIX_STATES) return "count";
  return "enumerate"; // findCircuits refuses it with the candidate count and the time estimate
}
