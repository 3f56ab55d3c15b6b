/**
 * The analysis settings on the command line, shared by `analyze` and `run`: one kebab-case flag per
 * AnalysisSettings name, parsed into the same object the library takes.
 */
import { AnalysisSettings, DEFAULT_ANALYSIS_SETTINGS, resolveSettings } from "../analysis";
import { OptionSpec, Parsed } from "./args";

export const SETTINGS_OPTIONS: Record<string, OptionSpec> = {
  "grounding-mode": { type: "string", choices: ["compat", "corrected"] },
  "alignment-mode": { type: "string", choices: ["compat", "corrected"] },
  "iia-threshold": { type: "number" },
  "accuracy-threshold": { type: "number" },
  "min-sparsity": { type: "number" },
  "no-sparsity-cut": { type: "boolean" },
  "include-full-node-set": { type: "boolean" },
  "pair-order": { type: "string", choices: ["BA", "AB"] },
  "max-circuits": { type: "number" },
  "max-candidates": { type: "number" },
  "no-align": { type: "boolean" },
  mode: { type: "string", removed: "it set two things, now separate: --grounding-mode compat|corrected and --alignment-mode compat|corrected (pass both for the old --mode corrected)." },
};

const d = DEFAULT_ANALYSIS_SETTINGS;

/** The --help lines of the settings. */
export const SETTINGS_HELP = `Analysis settings (the library's AnalysisSettings; stored in every record):
  --grounding-mode compat|corrected   grounding keys: the reference's (default ${d.groundingMode}) or clean-input truth tables
  --alignment-mode compat|corrected   alignment: the reference's 6 pairs with IIA = 1 (default ${d.alignmentMode}) or
                                      12 ordered pairs with IIA ≥ --iia-threshold
  --iia-threshold T        corrected alignment: a neuron set aligns with a node when IIA ≥ T (default ${d.iiaThreshold})
  --accuracy-threshold T   perfect circuits have accuracy > T (default ${d.accuracyThreshold})
  --min-sparsity S         minimum node sparsity of a candidate (default: main.py's rule, 0.2 for k = 4, 0.3 for k ≥ 5)
  --no-sparsity-cut        no minimum sparsity at all: every node combination is a candidate (over --max-candidates
                           the perfect circuits are counted exactly, not listed; interpretations are then not computed)
  --include-full-node-set  also enumerate the circuit that keeps every hidden neuron (main.py never does)
  --pair-order BA|AB       orientation of the (01,10) alignment pair (default ${d.pairOrder})
  --max-circuits M         ground only the M sparsest perfect circuits of each output (default: all)
  --max-candidates N       refuse enumerations beyond N candidate circuits (default ${d.maxCandidates})
  --no-align               skip the what-then-where alignment
  (--mode was removed: use --grounding-mode and --alignment-mode, both for its old meaning)`;

/** AnalysisSettings from parsed flags (absent flags: defaults), validated with errors naming the setting and flag. */
export function settingsFromArgs(a: Parsed): AnalysisSettings {
  const s: Partial<AnalysisSettings> = {
    groundingMode: a.groundingMode,
    alignmentMode: a.alignmentMode,
    iiaThreshold: a.iiaThreshold,
    accuracyThreshold: a.accuracyThreshold,
    minSparsity: a.minSparsity,
    sparsityCut: a.noSparsityCut ? "none" : undefined,
    includeFullNodeSet: a.includeFullNodeSet,
    pairOrder: a.pairOrder,
    maxCircuits: a.maxCircuits,
    maxCandidates: a.maxCandidates,
    alignment: a.noAlign ? false : undefined,
  };
  return resolveSettings(s);
}
