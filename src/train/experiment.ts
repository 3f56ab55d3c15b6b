/**
 * One experiment of main.py (SPEC 8.2, 2.3): sample the gates, draw x_tt, the optional skew weights, the training
 * and validation sets, then initialise with seed + seedOffset and train.
 *
 * Randomness: numpy's and Python's generators cannot be matched, so each draw has its own named stream
 * (deriveSeed(dataSeed, "gates" | "x_tt" | "skew" | "train" | "val")); the streams are independent, so changing
 * one set's size never changes another set's rows. dataSeed reproduces main.py's sharing quirk by default
 * (experiments 0 and 1 get the same data and gates; see ExperimentConfig.sharedDataQuirk).
 */
import { MLP, ModelFile } from "../model";
import { DEFAULT_GATE_POOL, Task, generateData, makeTask } from "../tasks";
import { Rng, deriveSeed } from "../rng";
import { ExperimentConfig, ExperimentData, TrainOptions, TrainResult } from "./types";
import { initMLP } from "./init";

function positiveInt(v: unknown, name: string, hint: string): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new Error(`experiment: ${name} must be a positive integer (${hint}), got ${v}.`);
  return v as number;
}

/** The seed main.py's data of experiment `seedOffset` are effectively drawn from (SPEC 2.3). */
export function experimentDataSeed(seed: number, seedOffset: number, sharedDataQuirk = true): number {
  return sharedDataQuirk && seedOffset >= 1 ? seed + seedOffset - 1 : seed + seedOffset;
}

/** random.sample(pool, k): k distinct gates in draw order. */
function sampleGates(pool: readonly string[], k: number, rng: Rng): string[] {
  if (k > pool.length) throw new Error(`experiment: nGates = ${k} but the gate pool has only ${pool.length} gates (${pool.join(", ")}); lower nGates or widen gatePool.`);
  const a = [...pool];
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(a.length - i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k);
}

export function drawExperimentData(cfg: ExperimentConfig): ExperimentData {
  if (!cfg || typeof cfg !== "object") throw new Error("experiment: give a config object, e.g. { gates: [\"XOR\"], seed: 0 }.");
  const seed = cfg.seed ?? 0;
  const offset = cfg.seedOffset ?? 0;
  if (!Number.isInteger(seed) || !Number.isInteger(offset) || offset < 0) throw new Error(`experiment: seed must be an integer and seedOffset a non-negative integer, got ${seed} and ${offset}.`);
  const dataSeed = experimentDataSeed(seed, offset, cfg.sharedDataQuirk ?? true);
  const stream = (label: string) => new Rng(deriveSeed(dataSeed, label));
  let gates: string[];
  if (cfg.gates) {
    if (!Array.isArray(cfg.gates) || cfg.gates.length === 0) throw new Error('experiment: gates must be a non-empty list of gate names, e.g. ["XOR"].');
    gates = [...cfg.gates];
  } else {
    const pool = cfg.gatePool ?? DEFAULT_GATE_POOL;
    gates = sampleGates(pool, positiveInt(cfg.nGates ?? 1, "nGates", "main.py: 1"), stream("gates"));
  }
  const task: Task = makeTask(gates);
  gates = task.gates.map((g) => g.name);
  const noiseStd = cfg.noiseStd ?? 0;
  if (!(noiseStd >= 0)) throw new Error(`experiment: noiseStd must be >= 0, got ${cfg.noiseStd}.`);
  const nRepeats = positiveInt(cfg.nRepeats ?? 10, "nRepeats", "main.py: 10");
  const nTrain = positiveInt(cfg.nSamplesTrain ?? 1000, "nSamplesTrain", "main.py: 1000");
  const nVal = positiveInt(cfg.nSamplesVal ?? 50, "nSamplesVal", "main.py: 50");
  const tt = generateData(task, { nRepeats, noiseStd, rng: stream("x_tt") });
  let skewWeights: number[] | null = null;
  if (cfg.skewed) {
    const r = stream("skew");
    skewWeights = Array.from({ length: 1 << task.arity }, () => r.double());
  }
  const weights = skewWeights ?? undefined;
  const train = generateData(task, { nRepeats: nTrain, noiseStd, weights, rng: stream("train") });
  const val = generateData(task, { nRepeats: nVal, noiseStd, weights, rng: stream("val") });
  return { gates, train, val, xTt: { x: tt.x, n: tt.n }, skewWeights };
}

/** The initial model and training options of an experiment (main.py: [arity] + [size]*depth + [nGates]). */
export function experimentTrainInputs(cfg: ExperimentConfig, data: ExperimentData): { init: MLP; opts: TrainOptions } {
  let hidden: number[];
  if (cfg.hiddenSizes) {
    hidden = [...cfg.hiddenSizes];
    hidden.forEach((v, i) => positiveInt(v, `hiddenSizes[${i}]`, "e.g. [3, 3]"));
  } else {
    const size = positiveInt(cfg.size ?? 3, "size", "main.py: 3");
    const depth = positiveInt(cfg.depth ?? 2, "depth", "main.py: 2");
    hidden = new Array(depth).fill(size);
  }
  const modelSeed = (cfg.seed ?? 0) + (cfg.seedOffset ?? 0);
  const layerSizes = [data.train.nInputs, ...hidden, data.gates.length];
  const init = initMLP(layerSizes, data.gates, modelSeed);
  const opts: TrainOptions = {
    seed: modelSeed,
    lr: cfg.lr,
    lossTarget: cfg.lossTarget,
    epochs: cfg.epochs,
    batchSize: cfg.batchSize,
    engine: cfg.engine,
    backend: cfg.backend,
    onEpoch: cfg.onEpoch,
  };
  return { init, opts };
}

/**
 * A trained experiment as a model file: the model, its validation and grounding sets, and in `meta` the settings
 * that regenerate the training set (the training set itself is not stored: with noise it has 4·10⁶ rows).
 */
export function experimentModelFile(cfg: ExperimentConfig, data: ExperimentData, result: TrainResult): ModelFile {
  const seed = cfg.seed ?? 0;
  const seedOffset = cfg.seedOffset ?? 0;
  return {
    model: result.model,
    val: data.val,
    xTt: data.xTt,
    meta: {
      accepted: result.accepted,
      epochs: result.epochs,
      loss: result.loss,
      val_acc: result.valAcc,
      stop_reason: result.stopReason,
      engine: result.engine,
      ...(result.backend ? { backend: result.backend } : {}),
      training: {
        seed,
        seed_offset: seedOffset,
        shared_data_quirk: cfg.sharedDataQuirk ?? true,
        lr: cfg.lr ?? 1e-3,
        loss_target: cfg.lossTarget ?? 0.01,
        max_epochs: cfg.epochs ?? 1000,
        batch_size: cfg.batchSize ?? 100,
        noise_std: cfg.noiseStd ?? 0,
        skew_weights: data.skewWeights,
        n_samples_train: cfg.nSamplesTrain ?? 1000,
        n_samples_val: cfg.nSamplesVal ?? 50,
        n_repeats: cfg.nRepeats ?? 10,
      },
      losses: result.losses,
    },
  };
}
