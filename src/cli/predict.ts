import { forward, roundHalfEven } from "../model";
import { cleanInputs, getGate } from "../tasks";
import { parseArgs, readModelFile, OptionSpec } from "./args";

export const help = `Usage: mi-identifiability predict --model FILE [--json] [--gates G...]

The model's outputs on every clean input combination (00, 01, 10, 11 for two inputs), with the rounded output
and the gate's label. FILE: our model JSON or the released model file.

Options:
  --model FILE   model JSON (required)
  --json         print {"gates", "inputs", "outputs", "labels"} as JSON
  --gates G...   gate names, when the file has none`;

const spec: Record<string, OptionSpec> = {
  model: { type: "string" },
  json: { type: "boolean" },
  gates: { type: "strings" },
};

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, spec, "predict");
  const { model } = readModelFile(a.model, "predict", a.gates ? { gates: a.gates } : {});
  const nIn = model.layerSizes[0];
  const nOut = model.layerSizes[model.layerSizes.length - 1];
  const rows = 1 << nIn;
  const x = cleanInputs(nIn);
  const y = forward(model, x, rows);
  const inputs: number[][] = [];
  const outputs: number[][] = [];
  const labels: (number | null)[][] = [];
  for (let r = 0; r < rows; r++) {
    inputs.push(Array.from(x.subarray(r * nIn, (r + 1) * nIn)));
    outputs.push(Array.from(y.subarray(r * nOut, (r + 1) * nOut)));
    labels.push(model.gates.map((g) => (g ? getGate(g).table[r] : null)));
  }
  if (a.json) {
    console.log(JSON.stringify({ gates: model.gates, inputs, outputs, labels }));
    return 0;
  }
  const names = model.gates.length ? model.gates : outputs[0].map((_, o) => `out${o}`);
  console.log(["input".padEnd(Math.max(5, nIn)), ...names.map((g) => `${g} output`.padStart(14) + "  rounded  label")].join("  "));
  for (let r = 0; r < rows; r++) {
    const cells = outputs[r].map((v, o) => v.toFixed(6).padStart(14) + `  ${String(roundHalfEven(v)).padStart(7)}  ${String(labels[r][o] ?? "-").padStart(5)}`);
    console.log([inputs[r].join("").padEnd(Math.max(5, nIn)), ...cells].join("  "));
  }
  return 0;
}
