import { compareNets, CompareOptions } from "../equivalence";
import { neuronName } from "../model";
import { parseArgs, readModelFile, OptionSpec } from "./args";

export const help = `Usage: mi-identifiability equivalence --models A.json B.json ... [options]

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
                       (invariant to negating a variable; weaker across depths)`;

const spec: Record<string, OptionSpec> = {
  models: { type: "strings" },
  json: { type: "boolean" },
  probes: { type: "number" },
  sigma: { type: "number" },
  seed: { type: "number" },
  threshold: { type: "number" },
  "whole-layers": { type: "boolean" },
  site: { type: "string", choices: ["post", "pre"] },
};

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, spec, "equivalence");
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
