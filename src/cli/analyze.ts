import { ANALYSIS_DATA_SOURCES, AnalysisDataSource, ModelAnalysis, analysisToJson, analyzeModelFile, settingsKey, withAnalysisData } from "../analysis";
import { median } from "../experiments/summary";
import { parseArgs, plural, readModelFile, OptionSpec } from "./args";
import { SETTINGS_HELP, SETTINGS_OPTIONS, settingsFromArgs } from "./settings";

export const help = `Usage: mi-identifiability analyze --model FILE [options]

Circuits, interpretations and (unless --no-align) aligned formulas of each output of a model. Prints a summary
(counts, and the distribution of the per-circuit and per-formula counts); --full adds every list, --json prints
them all as JSON.
FILE: our model JSON (optional x_val/y_val/x_tt) or the released model file.

Options:
  --model FILE             model JSON (required)
  --data file|clean|notebook
                           validation and grounding data: the file's own (default; main.py's clean defaults when it
                           has none: 200 validation rows, 40 grounding rows, seed 0), main.py's clean defaults, or the
                           paper's demo-notebook data (XOR; the released model then has 7 circuits, 100896
                           interpretations)
  --json                   print {"settings", "outputs": [{"gate", "n_candidates", "perfect_circuits",
                           "interpretations_per_circuit", "distinct_interpretations_per_circuit", "formulas",
                           "mappings_per_formula", "valid_mappings_per_formula", "timings_ms", "aligned"}]}
  --full                   also print every per-circuit count and every aligned formula
  --gates G...             gate names, when the file has none
${SETTINGS_HELP}`;

const spec: Record<string, OptionSpec> = {
  model: { type: "string" },
  data: { type: "string", choices: ANALYSIS_DATA_SOURCES },
  json: { type: "boolean" },
  full: { type: "boolean" },
  gates: { type: "strings" },
  ...SETTINGS_OPTIONS,
};

/** "min 2, median 6, max 12, total 42" of a list of counts (empty: "none"). */
export function distribution(xs: readonly number[]): string {
  if (xs.length === 0) return "none";
  return `min ${Math.min(...xs)}, median ${median(xs)}, max ${Math.max(...xs)}, total ${xs.reduce((s, v) => s + v, 0)}`;
}

/** The readable summary of an analysis (lists in full with `full`). */
export function analysisText(a: ModelAnalysis, full = false): string {
  const lines: string[] = [`settings: ${settingsKey(a.settings)}`];
  const LIST_FORMULAS = 10;
  for (const o of a.outputs) {
    const grounded = o.circuits.filter((c) => c.interpretations !== null);
    const counts = grounded.map((c) => c.interpretations!);
    lines.push(`output ${o.gate || "(unnamed)"}:`);
    lines.push(`  candidate circuits:  ${o.nCandidates}`);
    lines.push(`  perfect circuits:    ${o.perfectCircuits}${grounded.length < o.circuits.length ? ` (${grounded.length} sparsest grounded, --max-circuits)` : ""}`);
    if (o.interpretations === null) lines.push(`  interpretations:     not computed (over --max-candidates the circuits are counted exactly, not listed)`);
    else lines.push(`  interpretations:     ${o.interpretations} (${a.settings.groundingMode} grounding; per circuit: ${distribution(counts)})`);
    if (full) lines.push(`    per circuit: ${counts.join(", ")}`);
    if (o.distinctInterpretations !== null) {
      const distinct = grounded.map((c) => c.distinctInterpretations!);
      lines.push(`  distinct interpretations: ${o.distinctInterpretations} (per circuit: ${distribution(distinct)})`);
      if (full) lines.push(`    per circuit: ${distinct.join(", ")}`);
    }
    const al = o.alignment;
    if (al) {
      lines.push(`  aligned formulas:    ${al.formulas} of ${al.nCandidates}${al.formulas ? ` (minimal mappings per formula: ${distribution(al.mappingsPerFormula)})` : ""}`);
      if (full || al.formulas <= LIST_FORMULAS)
        for (const f of al.aligned) lines.push(`    #${f.index} ${f.formula}: ${plural(f.mappings.length, "minimal mapping")} (${f.validMappings} valid)`);
      else lines.push(`    (${al.formulas} formulas: --full lists them)`);
    }
    lines.push(`  time:                ${Object.entries(o.timingsMs).filter(([k]) => k !== "alignment" || al).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(", ")}`);
  }
  return lines.join("\n");
}

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, spec, "analyze");
  const settings = settingsFromArgs(a); // bad settings fail before the model is read
  const file = withAnalysisData(readModelFile(a.model, "analyze", a.gates ? { gates: a.gates } : {}), (a.data ?? "file") as AnalysisDataSource);
  const tty = process.stderr.isTTY;
  const start = Date.now();
  const result = analyzeModelFile(file, settings, {
    onProgress: (stage, done, total) => {
      if (!tty) return;
      const el = (Date.now() - start) / 1000;
      const eta = done > 0 ? (el * (total - done)) / done : 0;
      process.stderr.write(`\r${stage}: ${done}/${total} (ETA ${eta.toFixed(0)} s)   `);
      if (done === total) process.stderr.write("\n");
    },
  });
  console.log(a.json ? JSON.stringify(analysisToJson(result)) : analysisText(result, !!a.full));
  return 0;
}
