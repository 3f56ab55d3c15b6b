import * as fs from "node:fs";
import * as path from "node:path";
import { bestNeuronSetIia, dasAlignFormulaAcrossLayers, dasAlignGate, dasStudyRecord, DasRecord, summarizeDasRecords, FormulaDasOptions, randomControl } from "../das";
import { readRecords } from "../experiments";
import { candidateFormulas } from "../formulas";
import { MLP } from "../model";
import { InputError } from "../errors";
import { parseArgs, parseIntList, readModelFile, resolveOutFile, OptionSpec, plural } from "./args";

export const help = `Usage: mi-identifiability das --model M.json [--gate XOR] [options]
       mi-identifiability das --study DIR|FILE [--out FILE] [options]

Distributed alignment search (DAS): for each candidate formula of the gate, a rotation of one hidden layer is trained
so that interchanging each formula node's block of rotated coordinates gives the formula's counterfactual output;
IIA is measured per node as in the neuron-set search (every node must reach 1). Prints the formulas DAS aligns and
those the exhaustive neuron-set search aligns on the same pairs.

Options:
  --model FILE         model JSON (ours or the released format)
  --gate G             gate of output 0 (default: the model's own)
  --layer L            rotate hidden layer L only (default: every hidden layer, the best kept)
  --restarts N         random starting rotations per layer (default 3)
  --steps N            Adam steps per restart (default 300)
  --boundless          learn each node's block size (Boundless DAS)
  --across-layers      spread a formula's nodes over the hidden layers (every assignment, one rotation per layer
                       and node group), as the neuron-set search may; slower
  --pair-set P         pairs IIA is scored on: reference (default, as the neuron-set search's compat mode),
                       corrected (every ordered pair, base ≠ source) or all
  --formulas I,J       only these candidate indices
  --max-variables N    only formulas with at most N variables (the neuron-set search still sees every formula)
  --seed N             seed of the starting rotations (default 0)
  --json               print {"gate", "formulas": [{"index", "formula", "das_iia", "layer", "aligned",
                       "neuron_iia"}], "das_aligned", "neuron_aligned"}

Study mode (--study): retrains each accepted model of a study's records (DIR/results.jsonl or a .jsonl file; same
seed, same weights, checked against the record), runs DAS and the neuron-set comparison on it and appends one verdict
line per model to --out (default DIR/das.jsonl beside the records), resumably: models already in --out are skipped.
  --sizes 3,4,5        only these hidden widths
  --max-seed-offset N  only seeds 0 … N−1 of each width

Control (--random-control): untrained networks [2, k, k, 1] aligned with XOR's two-variable formulas by linear DAS and
by a non-linear (coupling-flow) map; one JSON line per network × formula × map written to --out (required).
  --widths 3,5         hidden widths (default 3)
  --networks N         untrained networks per width (default 10)`;

const spec: Record<string, OptionSpec> = {
  model: { type: "string" },
  gate: { type: "string" },
  layer: { type: "number" },
  restarts: { type: "number" },
  steps: { type: "number" },
  boundless: { type: "boolean" },
  "pair-set": { type: "string", choices: ["reference", "corrected", "all"] },
  formulas: { type: "string" },
  seed: { type: "number" },
  json: { type: "boolean" },
  study: { type: "string" },
  out: { type: "string" },
  sizes: { type: "string" },
  "max-seed-offset": { type: "number" },
  "max-variables": { type: "number" },
  "random-control": { type: "boolean" },
  "across-layers": { type: "boolean" },
  networks: { type: "number" },
  widths: { type: "string" },
};

function dasOptions(a: Record<string, any>): FormulaDasOptions & { maxVariables?: number } {
  return { layer: a.layer, restarts: a.restarts, steps: a.steps, boundless: a.boundless, pairSet: a.pairSet, seed: a.seed, maxVariables: a.maxVariables };
}

/** "0,4,5" → [0, 4, 5] (candidate indices start at 0). */
function parseIndexList(v: string): number[] {
  const nums = v.split(/[,\s]+/).filter(Boolean).map(Number);
  if (nums.length === 0 || nums.some((n) => !Number.isInteger(n) || n < 0)) throw new InputError(`das: --formulas must list candidate indices like 0,4,5; got "${v}".`);
  return nums;
}

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, spec, "das");
  if (a.study) return runStudyMode(a);
  if (a.randomControl) return runRandomControl(a);
  const file = readModelFile(a.model, "das");
  const model = file.model;
  const gate = a.gate ?? model.gates[0];
  if (!gate) throw new InputError("das: the model names no gate; give --gate XOR (or another gate).");
  const formulas = a.formulas ? parseIndexList(a.formulas) : undefined;
  if (a.acrossLayers) return runAcrossLayers(a, model, gate, formulas);
  const res = dasAlignGate(model, gate, { ...dasOptions(a), formulas });
  const neuron = bestNeuronSetIia(model, gate, a.pairSet ?? "reference");
  const rows = res.formulas.flatMap((f, index) => (f ? [{ index, formula: f.formula, das_iia: f.best.iia, layer: f.best.layer, aligned: f.aligned, neuron_iia: neuron[index], blocks: f.best.fit.blocks.map((b) => b.length) }] : []));
  const neuronAligned = neuron.flatMap((v, i) => (v >= 1 && (!formulas || formulas.includes(i)) ? [i] : []));
  if (a.json) {
    console.log(JSON.stringify({ gate, pair_set: a.pairSet ?? "reference", formulas: rows, das_aligned: res.aligned, neuron_aligned: neuronAligned, time_ms: res.timeMs }));
    return 0;
  }
  console.log(`DAS on ${a.model} (${gate}, layer_sizes ${JSON.stringify(model.layerSizes)}), pairs: ${a.pairSet ?? "reference"}`);
  console.log(`  formulas that fit a layer: ${rows.length} of ${res.nCandidates}`);
  console.log(`  aligned by DAS:            ${res.aligned.length} [${res.aligned.join(", ")}]`);
  console.log(`  aligned by neuron sets:    ${neuronAligned.length} [${neuronAligned.join(", ")}]`);
  for (const r of rows.filter((r) => r.aligned || r.neuron_iia >= 1))
    console.log(`    #${r.index} ${r.formula}: DAS IIA ${r.das_iia.toFixed(3)} (layer ${r.layer}, blocks ${r.blocks.join("+") || "none"}), neuron sets ${r.neuron_iia.toFixed(3)}`);
  return 0;
}

function runAcrossLayers(a: Record<string, any>, model: MLP, gate: string, formulas: number[] | undefined): number {
  const candidates = candidateFormulas(gate, model.layerSizes.length - 1);
  for (const i of formulas ?? []) if (!(i < candidates.length)) throw new InputError(`das: formula index ${i} is outside 0…${candidates.length - 1} (the ${gate} candidates).`);
  const neuron = bestNeuronSetIia(model, gate, a.pairSet ?? "reference");
  const rows = candidates.filter((c) => !formulas || formulas.includes(c.index)).map((c) => {
    const r = dasAlignFormulaAcrossLayers(model, c.formula, dasOptions(a));
    return { index: c.index, formula: r.formula, das_iia: r.iia, layers: r.layers, aligned: r.aligned, neuron_iia: neuron[c.index] };
  });
  const dasAligned = rows.filter((r) => r.aligned).map((r) => r.index);
  const neuronAligned = rows.filter((r) => r.neuron_iia >= 1).map((r) => r.index);
  if (a.json) {
    console.log(JSON.stringify({ gate, pair_set: a.pairSet ?? "reference", across_layers: true, formulas: rows, das_aligned: dasAligned, neuron_aligned: neuronAligned }));
    return 0;
  }
  console.log(`DAS across layers on ${a.model} (${gate}, layer_sizes ${JSON.stringify(model.layerSizes)}), pairs: ${a.pairSet ?? "reference"}`);
  console.log(`  aligned by DAS:            ${dasAligned.length} [${dasAligned.join(", ")}]`);
  console.log(`  aligned by neuron sets:    ${neuronAligned.length} [${neuronAligned.join(", ")}]`);
  for (const r of rows.filter((r) => r.aligned || r.neuron_iia >= 1))
    console.log(`    #${r.index} ${r.formula}: DAS IIA ${r.das_iia.toFixed(3)} (layers ${r.layers.join(",")}), neuron sets ${r.neuron_iia.toFixed(3)}`);
  return 0;
}

async function runRandomControl(a: Record<string, any>): Promise<number> {
  if (!a.out) throw new InputError("das --random-control: give --out FILE.jsonl for the rows.");
  const out = resolveOutFile(a.out, a.out, "das");
  const rows = randomControl({ widths: a.widths ? parseIntList(a.widths, "widths") : undefined, networks: a.networks, restarts: a.restarts });
  fs.writeFileSync(out, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  for (const map of ["linear", "nonlinear"]) {
    const xs = rows.filter((r) => r.map === map).map((r) => r.iia);
    console.log(`${map.padEnd(10)} mean IIA ${(xs.reduce((s, x) => s + x, 0) / xs.length).toFixed(3)} over ${xs.length} (network, formula) pairs`);
  }
  return 0;
}

async function runStudyMode(a: Record<string, any>): Promise<number> {
  const src: string = a.study;
  if (!fs.existsSync(src)) throw new InputError(`das: --study ${src} does not exist; give a study folder (with results.jsonl) or a .jsonl file.`);
  const isDir = fs.statSync(src).isDirectory();
  const out = resolveOutFile(a.out, isDir ? path.join(src, "das.jsonl") : src.replace(/\.jsonl$/, "") + ".das.jsonl", "das");
  const sizes = a.sizes ? parseIntList(a.sizes, "sizes") : null;
  const maxOffset: number | undefined = a.maxSeedOffset;
  const records = readRecords(src).filter((r) => r.accepted && (!sizes || sizes.includes(r.sizes)) && (maxOffset === undefined || r.seed_offset < maxOffset));
  const done = new Set<string>();
  if (fs.existsSync(out))
    for (const line of fs.readFileSync(out, "utf8").split("\n")) if (line.trim()) done.add((JSON.parse(line) as DasRecord).key);
  const todo = records.filter((r) => !done.has(r.key));
  console.error(`das: ${plural(records.length, "accepted model")}, ${todo.length} to run, appending to ${out}`);
  const opts = dasOptions(a);
  todo.forEach((r, i) => {
    fs.appendFileSync(out, JSON.stringify(dasStudyRecord(r, opts)) + "\n");
    if (process.stderr.isTTY) process.stderr.write(`\r  ${i + 1}/${todo.length}`);
  });
  if (process.stderr.isTTY && todo.length) process.stderr.write("\n");
  const all = fs.readFileSync(out, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as DasRecord);
  const summary = summarizeDasRecords(all);
  if (a.json) {
    console.log(JSON.stringify({ out, summary }));
    return 0;
  }
  console.log("size  models  neuron-aligned  DAS-aligned  rescued  DAS-only formulas  neuron-only formulas  distinct subspaces");
  for (const s of summary)
    console.log(`${String(s.size).padEnd(6)}${String(s.models).padEnd(8)}${String(s.neuronAlignedModels).padEnd(16)}${String(s.dasAlignedModels).padEnd(13)}${String(s.rescued).padEnd(9)}${String(s.dasOnlyFormulas).padEnd(19)}${String(s.neuronOnlyFormulas).padEnd(22)}${s.meanDistinctSubspaces === null ? "-" : s.meanDistinctSubspaces.toFixed(2)}`);
  return 0;
}
