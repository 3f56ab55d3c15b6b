import { analyzeModelFile, AnalyzeOptions } from "../analysis";
import { parseArgs, readModelFile, OptionSpec } from "./args";

export const help = `Usage: mi-identifiability analyze --model FILE [options]

Circuits, interpretations and (unless --no-align) aligned formulas of each output of a model.
FILE: our model JSON (optional x_val/y_val/x_tt) or the released model file. Without data in the file,
main.py's clean defaults are drawn (200 validation rows, 40 grounding rows, seed 0).

Options:
  --model FILE             model JSON (required)
  --json                   print {"outputs": [...]} as JSON
  --pair-order BA|AB       orientation of the (01,10) alignment pair (default BA)
  --mode compat|corrected  grounding/alignment mode (default compat, the reference's semantics)
  --iia-threshold T        corrected mode: a neuron set aligns with a node when IIA ≥ T (default 1)
  --no-align               skip the what-then-where alignment
  --max-candidates N       refuse enumerations beyond N candidates (default 5000000)
  --max-circuits M         ground only the M sparsest perfect circuits
  --min-sparsity S         override main.py's minimum node sparsity rule
  --include-full-node-set  also enumerate circuits that keep every hidden neuron
  --accuracy-threshold T   keep circuits with accuracy > T (default 0.99)
  --gates G...             gate names, when the file has none`;

const spec: Record<string, OptionSpec> = {
  model: { type: "string" },
  json: { type: "boolean" },
  "pair-order": { type: "string", choices: ["BA", "AB"] },
  mode: { type: "string", choices: ["compat", "corrected"] },
  "no-align": { type: "boolean" },
  "iia-threshold": { type: "number" },
  "max-candidates": { type: "number" },
  "max-circuits": { type: "number" },
  "min-sparsity": { type: "number" },
  "include-full-node-set": { type: "boolean" },
  "accuracy-threshold": { type: "number" },
  gates: { type: "strings" },
};

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, spec, "analyze");
  const file = readModelFile(a.model, "analyze", a.gates ? { gates: a.gates } : {});
  const tty = process.stderr.isTTY;
  const start = Date.now();
  const opts: AnalyzeOptions = {
    pairOrder: a.pairOrder,
    mode: a.mode,
    alignment: !a.noAlign,
    alignThreshold: a.iiaThreshold,
    maxCandidates: a.maxCandidates,
    maxCircuits: a.maxCircuits,
    minSparsity: a.minSparsity,
    includeFullNodeSet: a.includeFullNodeSet,
    accuracyThreshold: a.accuracyThreshold,
    onProgress: (stage, done, total) => {
      if (!tty) return;
      const el = (Date.now() - start) / 1000;
      const eta = done > 0 ? (el * (total - done)) / done : 0;
      process.stderr.write(`\r${stage}: ${done}/${total} (ETA ${eta.toFixed(0)} s)   `);
      if (done === total) process.stderr.write("\n");
    },
  };
  const result = analyzeModelFile(file, opts);
  if (a.json) {
    console.log(JSON.stringify(result));
    return 0;
  }
  for (const o of result.outputs) {
    const total = o.interpretations_per_circuit.reduce((s, v) => s + v, 0);
    console.log(`output ${o.gate || "(unnamed)"}:`);
    console.log(`  candidate circuits:  ${o.n_candidates}`);
    console.log(`  perfect circuits:    ${o.perfect_circuits}`);
    console.log(`  interpretations:     ${total} (${opts.mode ?? "compat"} mode; per circuit: ${o.interpretations_per_circuit.join(", ")})`);
    if (o.formulas !== null) {
      console.log(`  aligned formulas:    ${o.formulas} (minimal mappings per formula: ${o.mappings_per_formula!.join(", ")})`);
      (o.aligned ?? []).forEach((a, i) =>
        console.log(`    #${a.index} ${a.formula}: ${a.mappings.length} minimal mapping${a.mappings.length === 1 ? "" : "s"} (${o.valid_mappings_per_formula![i]} valid)`),
      );
    }
    console.log(`  time:                ${Object.entries(o.timings_ms).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(", ")}`);
  }
  return 0;
}
