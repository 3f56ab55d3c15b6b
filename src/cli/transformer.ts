import * as fs from "node:fs";
import * as path from "node:path";
import { describeBackend, loadTf, BackendName } from "../backend";
import { formatProgressLine } from "../display/progress";
import { RASP_CASES } from "../rasp/cases";
import { Correspondence, constantCorrespondence, interpBenchConfig } from "../rasp/correspondence";
import { transformerFromJson, transformerToJson } from "../transformer/io";
import { transformerParameterCount } from "../transformer/types";
import { evaluateTransformer } from "../transformer/evaluate";
import { SiitOptions, TRANSFORMER_DEFAULT_BACKEND, formatSiitTable, siitPreset, trainSiit } from "../transformer/siit";
import { POPULATION_REGIMES, PopulationRegime, populationSpec, runPopulation, summarizePopulation } from "../transformer/population";
import { parseArgs, OptionSpec, resolveOutFile } from "./args";

const CASES = Object.keys(RASP_CASES).join(", ");

export const help = `Usage: mi-identifiability transformer <train|eval|population> [options]

Tiny transformers trained with strict interchange-intervention training (SIIT, InterpBench) to implement a RASP
program (cases ${CASES}) through a correspondence (node -> heads / MLP neurons).

  transformer train --case 59 [--seed 0] [--preset quick|standard] [--epochs N] [--lr 0.001] [--batch-size 128]
                    [--n-train 2048] [--stop-at 0.98] [--strict-weighting paper|released] [--backend wasm|cpu]
                    [--out FILE] [--json]
      Trains one model with the constant correspondence and InterpBench's sizes; prints the per-epoch table
      (losses, accuracy, mean IIA, strict accuracy, IIA per node) and writes the model JSON (default
      results/transformers/case<C>-seed<S>.json) with its program, correspondence and scores.
  transformer eval --model M.json [--pairs 256] [--seed 0] [--json]
      Accuracy, IIA per node and strict accuracy of a model file against its program and correspondence.
  transformer population --out DIR [--cases 48,59,...] [--seeds 5] [--regime constant|random-correspondence|random-architecture|random-both]
                    [--preset standard] [--epochs N] [--lr X] [--workers 1] [--resume]
      Trains seeds 0..N-1 per case in worker threads; each model's record is appended to DIR/records.jsonl and
      its weights written to DIR/models/ as it finishes; --resume continues an interrupted run. Prints the per-case
      summary (size, accuracy, IIA, strict accuracy, training time).

Backend: ${TRANSFORMER_DEFAULT_BACKEND} unless --backend or MI_TF_BACKEND says otherwise (bench/transformer.ts measures them).`;

const spec: Record<string, OptionSpec> = {
  case: { type: "string" },
  cases: { type: "strings" },
  seed: { type: "number", default: 0 },
  seeds: { type: "number" },
  preset: { type: "string", choices: ["quick", "standard"], default: "standard" },
  epochs: { type: "number" },
  lr: { type: "number" },
  "batch-size": { type: "number" },
  "n-train": { type: "number" },
  "stop-at": { type: "number" },
  "strict-weighting": { type: "string", choices: ["paper", "released"] },
  backend: { type: "string", choices: ["cpu", "wasm", "tensorflow"] },
  regime: { type: "string", choices: [...POPULATION_REGIMES], default: "constant" },
  workers: { type: "number" },
  resume: { type: "boolean" },
  model: { type: "string" },
  pairs: { type: "number", default: 256 },
  out: { type: "string" },
  json: { type: "boolean" },
};

function siitOverrides(a: Record<string, any>): Partial<SiitOptions> {
  const o: Partial<SiitOptions> = {};
  if (a.epochs !== undefined) o.epochs = a.epochs;
  if (a.lr !== undefined) o.lr = a.lr;
  if (a.batchSize !== undefined) o.batchSize = a.batchSize;
  if (a.nTrain !== undefined) o.nTrain = a.nTrain;
  if (a.stopAt !== undefined) o.stopAt = a.stopAt;
  if (a.strictWeighting !== undefined) o.strictWeighting = a.strictWeighting;
  if (a.backend !== undefined) o.backend = a.backend as BackendName;
  return o;
}

function caseOf(id: string | undefined, command: string) {
  if (!id) throw new Error(`${command}: --case is required (one of ${CASES}).`);
  const c = RASP_CASES[id];
  if (!c) throw new Error(`${command}: unknown case "${id}"; the cases are ${CASES}.`);
  return c;
}

const pct = (x: number | null) => (x === null ? "-" : `${(100 * x).toFixed(1)}%`);

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const a = parseArgs(rest, spec, `transformer ${sub ?? ""}`.trim());
  if (sub === "train") {
    const { program } = caseOf(a.case, "transformer train");
    const out = resolveOutFile(a.out, path.join("results", "transformers", `case${program.id}-seed${a.seed}.json`), "transformer train");
    const options = siitPreset(a.preset, { ...siitOverrides(a), seed: a.seed });
    const h = await loadTf(options.backend ?? TRANSFORMER_DEFAULT_BACKEND);
    const config = interpBenchConfig(program);
    const tty = process.stderr.isTTY && !a.json;
    if (!a.json) {
      console.log(describeBackend(h));
      console.log(`case ${program.id} (${program.name}): ${config.nLayers} layers, d_model ${config.dModel}, ${config.nHeads} heads × ${config.dHead}, d_mlp ${config.dMlp}; ${transformerParameterCount(config)} parameters`);
    }
    const start = Date.now();
    const result = await trainSiit({
      program,
      config,
      options,
      onBatch: tty ? (b, n, e) => process.stderr.write(`\r${formatProgressLine({ label: `epoch ${e}`, done: b, total: n, elapsedMs: Date.now() - start })}   `) : undefined,
      onEpoch: a.json
        ? undefined
        : (row) => {
            if (tty) process.stderr.write("\r\x1b[K");
            const [head, line] = formatSiitTable([row]).split("\n");
            if (row.epoch === 1) console.log(head);
            console.log(line);
          },
    });
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(transformerToJson(result.model, { meta: { program: program.id, seed: a.seed, correspondence: result.correspondence, scores: result.scores, siit: options, epochs: result.epochs } })) + "\n");
    const s = result.scores;
    if (a.json) console.log(JSON.stringify({ case: program.id, seed: a.seed, out, backend: result.backend, seconds: result.seconds, ...s }));
    else console.log(`accuracy ${pct(s.accuracy)}, IIA ${pct(s.iiaMean)} (min ${pct(s.iiaMin)}), strict accuracy ${pct(s.strictAccuracy)}; ${result.epochs.length} epochs in ${result.seconds.toFixed(1)} s; wrote ${out}`);
    return 0;
  }
  if (sub === "eval") {
    if (!a.model) throw new Error("transformer eval: --model FILE is required (a model written by transformer train or population).");
    const file = transformerFromJson(JSON.parse(fs.readFileSync(a.model, "utf8")));
    const { program } = caseOf(String(file.meta.program ?? ""), `transformer eval (${a.model}: "program")`);
    const corr = (file.meta.correspondence as Correspondence | undefined) ?? constantCorrespondence(program, file.model.config);
    const s = evaluateTransformer(file.model, program, corr, { nPairs: a.pairs, seed: a.seed });
    if (a.json) {
      console.log(JSON.stringify({ case: program.id, ...s }));
      return 0;
    }
    console.log(`case ${program.id} (${program.name}), ${s.nPairs} pairs: accuracy ${pct(s.accuracy)}, IIA ${pct(s.iiaMean)}, strict accuracy ${pct(s.strictAccuracy)}`);
    for (const [n, v] of Object.entries(s.iia)) console.log(`  IIA ${n.padEnd(20)} ${pct(v)}`);
    return 0;
  }
  if (sub === "population") {
    if (!a.out) throw new Error("transformer population: --out DIR is required (records.jsonl and models/ go there).");
    const cases = a.cases ? (a.cases as string[]).flatMap((c) => c.split(/[,\s]+/)).filter(Boolean) : undefined;
    const popSpec = populationSpec({ ...(cases ? { cases } : {}), ...(a.seeds !== undefined ? { seeds: a.seeds } : {}), regime: a.regime as PopulationRegime, preset: a.preset, options: siitOverrides(a) });
    const start = Date.now();
    const { records, ran, skipped } = await runPopulation({
      spec: popSpec,
      out: a.out,
      resume: a.resume,
      workers: a.workers ?? 1,
      onRecord: (r, done, total) =>
        console.error(`${formatProgressLine({ label: "population", done, total, elapsedMs: Date.now() - start }, 0)}  ${r.key}: accuracy ${pct(r.accuracy)}, IIA ${pct(r.iiaMean)}, strict ${pct(r.strictAccuracy)}, ${r.seconds.toFixed(0)} s`),
    });
    const rows = summarizePopulation(records);
    if (a.json) console.log(JSON.stringify(rows));
    else {
      console.log(`${ran} trained, ${skipped} already done; ${a.out}`);
      console.log("case  params  models kept  accuracy  IIA     strict   time/model");
      for (const r of rows)
        console.log(`${r.case.padEnd(5)} ${String(r.parameters).padStart(6)}  ${String(r.models).padStart(6)} ${String(r.kept).padStart(4)}  ${pct(r.accuracy).padStart(8)} ${pct(r.iia).padStart(7)} ${pct(r.strictAccuracy).padStart(7)}  ${r.seconds.toFixed(0)} s`);
    }
    return 0;
  }
  throw new Error(`transformer: unknown subcommand "${sub ?? ""}"; use train, eval or population (--help lists their options).`);
}
