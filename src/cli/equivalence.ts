import * as fs from "node:fs";
import { compareNets, CompareOptions } from "../equivalence";
import { PIPELINE_ALGORITHMS, runTransformerStudy, selectivityEndpoints } from "../equivalence-transformers";
import { neuronName } from "../model";
import { parseArgs, readModelFile, OptionSpec } from "./args";

export const help = `Usage: mi-identifiability equivalence --models A.json B.json ... [options]
       mi-identifiability equivalence --pipelines 59-112 63-108 ... [options]

Interpretive equivalence (Sun & Toneva, ICLR 2026): for every pair of models, do they share an interpretation?
Representations are the activations of the units that matter under mean ablation, on noisy-corner probes,
concatenated over hidden layers.
Prints per pair the congruity (symmetric, in [0, 1], higher = more likely the same interpretation), the
per-measure scores (ridge √R² both directions and their minimum, linear CKA, Procrustes, stitching both
directions, behavioural agreement, raw-output ridge) and the decision (same = congruity ≥ threshold).

Options:
  --models FILE...     two or more model JSON files (ours or the released format; required)
  --json               print {"models": [...], "pairs": [{"a", "b", "congruity", "scores", "same"}]}
  --probes N           number of noisy-corner probes (default 512)
  --sigma S            probe noise around each corner (default 0.1; 0 = degenerate clean corners)
  --seed N             seed of probes and folds (default 0)
  --threshold T        congruity at or above which a pair is "same" (default 0.5)
  --whole-layers       use every hidden unit, not only those that matter under mean ablation
  --site post|pre      compare activations after LeakyReLU (default, as the paper) or the units' inputs W·h + b
                       (invariant to negating a variable; weaker across depths)

Transformer pipelines (the second paper's algorithms; docs/equivalence-transformers.md): implementations of each
algorithm are drawn from the cached SIIT-trained populations; per pair of algorithms it prints the point test's
detection rate and mean p̂, the mean transfer s(A→B), and the decision (DIFFERENT = detected in ≥ half the
bootstraps), then the selectivity end points per algorithm.
  --pipelines A...     two or more algorithms as case chains (59-112, 59-48-124, ...) or "all" for the paper's six
  --implementations N  implementations per algorithm (default 10)
  --probes N           clean and corrupted probe sequences each (default 1000)
  --components N       PCA columns per stage (default 16)
  --draws N            point-test draws (default 20);  --bootstraps N (default 40)
  --selectivity-draws N  draws per source, target and budget (default 20)
  --k-max N            largest head budget (default 5, 10 for 4-stage pipelines, capped at the circuit's heads)
  --max-seconds S      refuse a study estimated longer than S seconds (default 3600)
  --out FILE           write the whole study (JSON) to FILE`;

const spec: Record<string, OptionSpec> = {
  models: { type: "strings" },
  json: { type: "boolean" },
  probes: { type: "number" },
  sigma: { type: "number" },
  seed: { type: "number" },
  threshold: { type: "number" },
  "whole-layers": { type: "boolean" },
  site: { type: "string", choices: ["post", "pre"] },
  pipelines: { type: "strings" },
  implementations: { type: "number" },
  components: { type: "number" },
  draws: { type: "number" },
  bootstraps: { type: "number" },
  "selectivity-draws": { type: "number" },
  "k-max": { type: "number" },
  "max-seconds": { type: "number" },
  out: { type: "string" },
};

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, spec, "equivalence");
  if (a.pipelines) return runPipelines(a);
  const files: string[] = [...(a.models ?? []), ...a._];
  if (files.length < 2) throw new Error("equivalence: give at least two model files: --models A.json B.json ...");
  const models = files.map((f) => readModelFile(f, "equivalence").model);
  const opts: CompareOptions = {
    probes: { n: a.probes, sigma: a.sigma, nInputs: models[0].layerSizes[0] },
    seed: a.seed ?? 0,
    threshold: a.threshold,
    representation: { wholeLayers: a.wholeLayers, site: a.site },
  };
  const tty = process.stderr.isTTY && !a.json;
  const res = compareNets(models, opts, (done, total) => {
    if (!tty) return;
    const w = 24;
    const f = Math.round((w * done) / total);
    process.stderr.write(`\rpairs [${"#".repeat(f)}${".".repeat(w - f)}] ${done}/${total}`);
    if (done === total) process.stderr.write("\n");
  });
  if (a.json) {
    console.log(JSON.stringify({ models: files, pairs: res.pairs }));
    return 0;
  }
  res.nets.forEach((n, i) => console.log(`[${i}] ${files[i]}  layer_sizes ${JSON.stringify(n.model.layerSizes)}  ${a.wholeLayers ? "hidden units" : "units that matter"} ${n.rep.units.map((u) => neuronName(u.layer, u.unit)).join(" ") || "(none)"}`));
  for (const p of res.pairs) {
    const s = p.scores;
    console.log(
      `${p.a}–${p.b}  congruity ${p.congruity.toFixed(3)}  ${p.same ? "SAME" : "DIFFERENT"}  ` +
        `ridge ${s.ridgeAB.toFixed(3)}→ ${s.ridgeBA.toFixed(3)}← (min ${s.ridge.toFixed(3)})  CKA ${s.cka.toFixed(3)}  Procrustes ${s.procrustes.toFixed(3)}  ` +
        `stitch ${s.stitchAB.toFixed(3)}→ ${s.stitchBA.toFixed(3)}←  behaviour ${s.output.toFixed(2)}  output-ridge ${s.outputRidge.toFixed(3)}`,
    );
  }
  return 0;
}

async function runPipelines(a: Record<string, any>): Promise<number> {
  const names: string[] = a.pipelines.length === 1 && a.pipelines[0] === "all" ? PIPELINE_ALGORITHMS.map((p) => p.name) : a.pipelines;
  if (names.length < 2) throw new Error('equivalence: give at least two pipelines: --pipelines 59-112 63-108 ... (or "all").');
  const tty = process.stderr.isTTY && !a.json;
  // Without a terminal (a log file, a batch job): one line per phase and at most one every 30 s within it.
  let lastPhase = "";
  let lastLine = 0;
  const started = Date.now();
  const res = runTransformerStudy(
    { algorithms: names, implementations: a.implementations, probes: a.probes, components: a.components, draws: a.draws, bootstraps: a.bootstraps, selectivityDraws: a.selectivityDraws, kMax: a.kMax, seed: a.seed, maxSeconds: a.maxSeconds },
    undefined,
    (p) => {
      if (tty) process.stderr.write(`\r${p.phase.padEnd(11)} ${p.done}/${p.total}${p.done === p.total ? "\n" : ""}`);
      else if (!a.json && (p.phase !== lastPhase || Date.now() - lastLine > 30_000 || p.done === p.total)) {
        lastPhase = p.phase;
        lastLine = Date.now();
        process.stderr.write(`${p.phase} ${p.done}/${p.total}, ${Math.round((Date.now() - started) / 1000)} s\n`);
      }
    },
  );
  if (a.out) fs.writeFileSync(a.out, JSON.stringify(res) + "\n");
  if (a.json) {
    console.log(JSON.stringify(res));
    return 0;
  }
  const algs = res.settings.algorithms;
  algs.forEach((n, i) => {
    const im = res.implementations.filter((x) => x.algorithm === n);
    console.log(`[${i}] ${n}  ${im.length} implementations  circuit heads ${im[0].circuitHeads}  accuracy ${Math.min(...im.map((x) => x.accuracy)).toFixed(3)}–${Math.max(...im.map((x) => x.accuracy)).toFixed(3)}`);
  });
  algs.forEach((_, i) =>
    algs.forEach((__, j) => {
      const d = res.detection[i][j];
      console.log(`${i}–${j}  detection ${d.toFixed(3)}  ${d >= 0.5 ? "DIFFERENT" : "SAME"}  mean p̂ ${res.meanWinRate[i][j].toFixed(3)}  transfer ${res.transfer[i][j].toFixed(3)}`);
    }),
  );
  for (const e of selectivityEndpoints(res))
    console.log(`selectivity ${e.source}: k=0 same ${e.sameAtZero.toFixed(2)} others ${e.otherAtZero.toFixed(2)}; k=${e.kMax} same ${e.sameAtMax.toFixed(2)} others ${e.otherAtMax.toFixed(2)}`);
  return 0;
}
