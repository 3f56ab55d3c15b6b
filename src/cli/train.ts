import * as fs from "node:fs";
import * as path from "node:path";
import { modelToJson } from "../model";
import { ExperimentConfig, trainExperiment } from "../train";
import { experimentModelFile } from "../train/experiment";
import { describeBackend, loadTf, BackendName } from "../backend";
import { formatProgressLine } from "../display/progress";
import { parseArgs, parseIntList, resolveOutFile, OptionSpec } from "./args";

export const help = `Usage: mi-identifiability train --gates G... [options]

Trains one MLP as main.py does (SPEC 3.2-3.3) and prints whether it is accepted (val acc >= 0.99 and final
loss <= loss target), its epochs, final loss and validation accuracy; writes the model JSON with its validation
and grounding sets (x_val, y_val, x_tt) and the training settings.

Options:
  --gates G...           gate per output, e.g. XOR or "AND OR" (required)
  --sizes 3,3            hidden layer sizes (default 3,3: the [2,3,3,1] net)
  --seed S               base seed (default 0)
  --seed-offset N        experiment index: model seed = S + N; data per main.py's quirk (default 0)
  --independent-data     give every seed offset its own data (main.py: offsets 0 and 1 share theirs)
  --engine fast|tfjs     training engine (default fast; tfjs = TensorFlow.js, same math)
  --backend cpu|wasm|tensorflow   TensorFlow.js backend for --engine tfjs (env MI_TF_BACKEND overrides)
  --lr 0.001             AdamW learning rate
  --loss-target 0.01     stop at the first epoch below it; acceptance needs final loss <= it
  --epochs 1000          maximum epochs
  --batch-size 100
  --noise 0              Gaussian input noise std (main.py's default is 0.1; the README studies use 0)
  --skewed               random input weights (main.py --skewed-distribution)
  --n-samples-train 1000 --n-samples-val 50 --n-repeats 10   n_repeats of the three sets
  --out FILE|DIR         where to write the model JSON (default results/models/<gates>-<sizes>-seed<S>.json; a
                         folder, existing or ending with /, gets that file name); checked before training
  --json                 print the result as JSON instead of text`;

const spec: Record<string, OptionSpec> = {
  gates: { type: "strings" },
  sizes: { type: "strings", default: ["3,3"] },
  seed: { type: "number", default: 0 },
  "seed-offset": { type: "number", default: 0 },
  "independent-data": { type: "boolean" },
  engine: { type: "string", choices: ["fast", "tfjs"], default: "fast" },
  backend: { type: "string", choices: ["cpu", "wasm", "tensorflow"] },
  lr: { type: "number" },
  "loss-target": { type: "number" },
  epochs: { type: "number" },
  "batch-size": { type: "number" },
  noise: { type: "number", default: 0 },
  skewed: { type: "boolean" },
  "n-samples-train": { type: "number" },
  "n-samples-val": { type: "number" },
  "n-repeats": { type: "number" },
  out: { type: "string" },
  json: { type: "boolean" },
};

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, spec, "train");
  if (!a.gates) throw new Error("train: --gates is required, e.g. --gates XOR (one gate per output).");
  const gates: string[] = (a.gates as string[]).flatMap((g) => g.split(/[,\s]+/)).filter(Boolean);
  const hiddenSizes = parseIntList(a.sizes, "sizes");
  const cfg: ExperimentConfig = {
    gates,
    hiddenSizes,
    seed: a.seed,
    seedOffset: a.seedOffset,
    sharedDataQuirk: !a.independentData,
    engine: a.engine,
    lr: a.lr,
    lossTarget: a.lossTarget,
    epochs: a.epochs,
    batchSize: a.batchSize,
    noiseStd: a.noise,
    skewed: a.skewed,
    nSamplesTrain: a.nSamplesTrain,
    nSamplesVal: a.nSamplesVal,
    nRepeats: a.nRepeats,
  };
  const defaultOut = path.join("results", "models", `${gates.join("_")}-${hiddenSizes.join("x")}-seed${(a.seed ?? 0) + (a.seedOffset ?? 0)}.json`);
  const out = resolveOutFile(a.out, defaultOut, "train"); // before training: a bad --out must not cost a training run
  let backendLine = "";
  if (a.engine === "tfjs") backendLine = describeBackend(await loadTf(a.backend as BackendName | undefined));
  else if (a.backend) throw new Error("train: --backend applies to --engine tfjs only.");
  const tty = process.stderr.isTTY && !a.json;
  const start = Date.now();
  const maxEpochs = a.epochs ?? 1000;
  const { data, result } = await trainExperiment({
    ...cfg,
    ...(tty
      ? {
          onEpoch: (epoch: number, loss: number) => {
            process.stderr.write(`\r${formatProgressLine({ label: `training (loss ${loss.toFixed(5)})`, done: epoch, total: maxEpochs, elapsedMs: Date.now() - start })}   `);
          },
        }
      : {}),
  } as ExperimentConfig);
  if (tty) process.stderr.write("\n");
  const diverged = result.model.weights.some((w) => w.some((v) => !Number.isFinite(v))) || result.model.biases.some((b) => b.some((v) => !Number.isFinite(v)));
  if (diverged) {
    // JSON cannot hold NaN weights, and such a model is useless: report it and write nothing.
    const msg = `rejected: training diverged (loss ${result.loss}) after ${result.epochs} epochs; no model written. Lower --lr (now ${cfg.lr ?? 0.001}).`;
    console.log(a.json ? JSON.stringify({ accepted: false, diverged: true, epochs: result.epochs, loss: String(result.loss) }) : msg);
    return 0;
  }
  const file = experimentModelFile(cfg, data, result);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(modelToJson(file)) + "\n");
  if (a.json) {
    console.log(JSON.stringify({ ...file.meta, out }));
    return 0;
  }
  if (backendLine) console.log(backendLine);
  console.log(`${result.accepted ? "accepted" : "rejected"}: ${data.gates.join(" ")} [${result.model.layerSizes.join(",")}] seed ${(a.seed ?? 0) + (a.seedOffset ?? 0)}, engine ${result.engine}`);
  console.log(`  epochs ${result.epochs} (stopped: ${result.stopReason}), loss ${result.loss.toPrecision(6)}, validation accuracy ${result.valAcc.toFixed(4)}, ${result.timeMs} ms`);
  console.log(`  wrote ${out}`);
  return 0;
}
