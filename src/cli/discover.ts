import * as fs from "node:fs";
import * as path from "node:path";
import { tableToText } from "../display/html";
import { defaultAnalysisData, withAnalysisData } from "../analysis";
import { RUN_JSON, readRecords, readRunInfo } from "../experiments/store";
import { splitOutputs } from "../model";
import {
  ABLATIONS, DISCOVERY_METHODS, DISCOVERY_METRICS, DISCOVERY_SWEEP, DiscoveryOutcome, DiscoverySetting, MASK_KINDS, discoverModel, edgeName,
  exhaustiveTruth, runDiscoveryStudy, summarizeDiscovery, circuitEdges,
} from "../discovery";
import { OptionSpec, parseArgs, readModelFile } from "./args";

export const help = `Usage: mi-identifiability discover --method acdc|eap|eap-ig|masks --model FILE [options]
       mi-identifiability discover --study DIR|FILE.jsonl [--method M] [--out FILE.jsonl] [--sizes K...]

One model: runs a circuit-discovery method (one line per value of its swept option) and judges each answer against
the exhaustive search of the same model: is it a candidate circuit, sufficient (accuracy > threshold with the rest
zero-ablated), one of the perfect circuits (which: its position and candidate index), minimal among them; its
faithfulness against the best perfect circuit's, and the AUROC of the method's edge scores against "edge in some
perfect circuit".

Study: the standard sweep (${DISCOVERY_SWEEP.length} settings of the four methods) on every accepted model of a results
folder or records file; models are retrained from their seeds (records hold no weights) and checked against the
records (--method: only that method's settings). Appends one JSON line per model to --out (default DIR/discovery.jsonl; resumable) and prints the table.

Options:
  --method M               ${DISCOVERY_METHODS.join(", ")}
  --model FILE             model JSON (train's output or the released model)
  --output I               which output (default 0)
  --data file|clean|notebook   validation data (as analyze; default: the file's, else main.py's clean defaults)
  --ablation A             ${ABLATIONS.join(", ")} (default zero)
  --metric X               ${DISCOVERY_METRICS.join(", ")} (default output-mse for acdc/masks, logit-diff for eap)
  --tau T...               acdc thresholds (default 0.01)
  --top-k K...             eap/eap-ig: edges kept (default 8)
  --threshold S            eap/eap-ig: keep edges with |score| >= S instead of --top-k
  --steps M                eap-ig interpolation steps (default 5)
  --lambda L...            masks: L0 weight (default 1)
  --mask-kind edges|nodes  masks: edge pruning (default) or subnetwork probing
  --seed S                 resample pairing and mask sampling (default 0)
  --json                   print the outcomes as JSON
  --study DIR|FILE.jsonl   study mode
  --out FILE.jsonl         study mode: where the per-model lines go
  --sizes K...             study mode: only these hidden widths`;

const spec: Record<string, OptionSpec> = {
  method: { type: "string", choices: DISCOVERY_METHODS },
  model: { type: "string" },
  output: { type: "number" },
  data: { type: "string", choices: ["file", "clean", "notebook"] },
  ablation: { type: "string", choices: ABLATIONS },
  metric: { type: "string", choices: DISCOVERY_METRICS },
  tau: { type: "strings" },
  "top-k": { type: "strings" },
  threshold: { type: "number" },
  steps: { type: "number" },
  lambda: { type: "strings" },
  "mask-kind": { type: "string", choices: MASK_KINDS },
  seed: { type: "number" },
  json: { type: "boolean" },
  study: { type: "string" },
  out: { type: "string" },
  sizes: { type: "strings" },
};

function numbers(v: string[] | undefined, option: string): (number | undefined)[] {
  if (!v) return [undefined];
  return v.flatMap((s) => s.split(",")).filter(Boolean).map((s) => {
    const n = Number(s);
    if (!Number.isFinite(n)) throw new Error(`discover: --${option} must be numbers, got "${s}".`);
    return n;
  });
}

const fmt = (v: number | null, d = 3) => (v === null ? "–" : v.toFixed(d));

function outcomeRow(o: DiscoveryOutcome): Record<string, string | number> {
  return {
    setting: o.label,
    edges: o.edges,
    candidate: o.candidate ? "yes" : "no",
    sufficient: o.sufficient ? "yes" : "no",
    perfect: o.perfect ? `#${o.perfectIndex} (candidate ${o.index})` : "no",
    minimal: o.minimal ? "yes" : "no",
    faithfulness: `${fmt(o.faithfulness)} / best ${fmt(o.bestFaithfulness)}`,
    auroc: fmt(o.auroc, 2),
    ms: o.ms.toFixed(1),
  };
}

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, spec, "discover");
  if (a.study) return runStudyMode(a.study, a.out, a.sizes, a.method);
  if (!a.method) throw new Error("discover: --method is required (acdc, eap, eap-ig or masks), or --study DIR for a study.");
  const file = withAnalysisData(readModelFile(a.model, "discover"), (a.data ?? "file") as "file");
  const outputs = splitOutputs(file.model);
  const o = a.output ?? 0;
  if (!Number.isInteger(o) || o < 0 || o >= outputs.length) throw new Error(`discover: --output must be 0…${outputs.length - 1}, got ${a.output}.`);
  const model = outputs[o];
  const nOut = file.model.layerSizes[file.model.layerSizes.length - 1];
  const val = file.val
    ? { ...file.val, y: file.val.y.filter((_, k) => k % nOut === o), nOutputs: 1 }
    : defaultAnalysisData(model.gates[0] ?? "", model.layerSizes[0]).val;
  const base: DiscoverySetting = {
    method: a.method,
    ablation: a.ablation,
    metric: a.metric,
    steps: a.steps,
    threshold: a.threshold,
    maskKind: a.maskKind,
    seed: a.seed,
  };
  const settings: DiscoverySetting[] =
    a.method === "acdc" ? numbers(a.tau, "tau").map((tau) => ({ ...base, tau }))
    : a.method === "masks" ? numbers(a.lambda, "lambda").map((lambda) => ({ ...base, lambda }))
    : a.threshold !== undefined ? [base]
    : numbers(a.topK, "top-k").map((topK) => ({ ...base, topK }));
  const truth = exhaustiveTruth(model, val);
  const outcomes = discoverModel(model, truth, settings);
  if (a.json) {
    console.log(JSON.stringify({ n_candidates: truth.nCandidates, n_perfect: truth.perfect.length, truth_ms: truth.ms, outcomes }));
    return 0;
  }
  console.log(`exhaustive truth: ${truth.perfect.length} perfect circuits of ${truth.nCandidates} candidates (${truth.ms.toFixed(0)} ms)`);
  console.log(tableToText(outcomes.map(outcomeRow)));
  for (const oc of outcomes) {
    if (!oc.perfect) continue;
    const kept = circuitEdges(truth.graph, truth.perfect[oc.perfectIndex!].masks);
    console.log(`${oc.label}: ${truth.graph.edges.filter((e) => kept[e.id]).map(edgeName).join(" ")}`);
  }
  return 0;
}

async function runStudyMode(source: string, out: string | undefined, sizes: string[] | undefined, method: string | undefined): Promise<number> {
  if (!fs.existsSync(source)) throw new Error(`discover: --study ${source} does not exist (a results folder or a results .jsonl).`);
  const isDir = fs.statSync(source).isDirectory();
  const target = out ?? (isDir ? path.join(source, "discovery.jsonl") : undefined);
  if (!target) throw new Error("discover: --study FILE.jsonl needs --out FILE.jsonl (where the per-model lines go).");
  const records = readRecords(source);
  const grid = isDir && fs.existsSync(path.join(source, RUN_JSON)) ? readRunInfo(path.join(source, RUN_JSON)).grid : undefined;
  const widths = sizes ? numbers(sizes, "sizes").map(Number) : undefined;
  const ac = new AbortController();
  process.once("SIGINT", () => ac.abort());
  const t0 = Date.now();
  const all = await runDiscoveryStudy({
    records,
    settings: method ? DISCOVERY_SWEEP.filter((st) => st.method === method) : DISCOVERY_SWEEP,
    out: target,
    grid,
    sizes: widths,
    signal: ac.signal,
    onRecord: (r, done, total) => process.stderr.write(`\r${done}/${total} models (k=${r.size}, ${((Date.now() - t0) / 1000).toFixed(0)} s)   `),
  });
  process.stderr.write("\n");
  const { rows, choices } = summarizeDiscovery(all);
  console.log(tableToText(rows.filter((r) => r.size === "all").map((r) => ({ setting: r.label, models: r.models, perfect: fmt(r.perfect, 2), minimal: fmt(r.minimal, 2), sufficient: fmt(r.sufficient, 2), auroc: fmt(r.meanAuroc, 2) }))));
  console.log(tableToText(choices.filter((c) => c.size === "all").map((c) => ({ method: c.method, models: c.models, "distinct perfect picked": fmt(c.meanDistinctPerfect, 2), "≥ 2 picked": fmt(c.atLeastTwo, 2) }))));
  if (ac.signal.aborted) console.log(`interrupted: rerun the same command to continue (${target}).`);
  return 0;
}
