/**
 * The epoch loop both engines share (SPEC 3.2): a fresh permutation of the training rows per epoch from the
 * seeded shuffle stream, mean of the per-batch losses, early stop at the first epoch under the loss target or
 * after `patience` non-improving epochs, at most `epochs`. Acceptance per SPEC 3.3. Engines only supply
 * "run one epoch over these rows in this order".
 */
import { MLP, accuracy, validateMLP } from "../model";
import { Dataset } from "../tasks";
import { Rng, deriveSeed } from "../rng";
import { Engine, TrainOptions, TrainResult } from "./types";

/** Every option filled with main.py's default. */
export interface ResolvedOptions {
  lr: number;
  optimizer: "adamw" | "adam";
  lossTarget: number;
  epochs: number;
  batchSize: number;
  weightDecay: number;
  patience: number;
  seed: number;
  engine: Engine;
  beta1: number;
  beta2: number;
  eps: number;
  onEpoch?: TrainOptions["onEpoch"];
  threads: 1 | 2;
}

export function resolveOptions(opts: TrainOptions): ResolvedOptions {
  if (!opts || typeof opts !== "object") throw new Error("train: options are required, at least { seed }.");
  const optimizer = opts.optimizer ?? "adamw";
  const r: ResolvedOptions = {
    lr: opts.lr ?? 1e-3,
    optimizer,
    lossTarget: opts.lossTarget ?? 0.01,
    epochs: opts.epochs ?? 1000,
    batchSize: opts.batchSize ?? 100,
    weightDecay: opts.weightDecay ?? (optimizer === "adam" ? 0 : 0.01),
    patience: opts.patience ?? 3,
    seed: opts.seed,
    engine: opts.engine ?? "fast",
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    onEpoch: opts.onEpoch,
    threads: opts.threads ?? 1,
  };
  if (!Number.isFinite(r.seed)) throw new Error(`train: seed must be a finite number (the shuffle stream's seed), got ${opts.seed}.`);
  if (!(r.lr > 0 && Number.isFinite(r.lr))) throw new Error(`train: lr must be a positive number (main.py: 0.001), got ${opts.lr}.`);
  if (!(r.lossTarget >= 0)) throw new Error(`train: lossTarget must be >= 0 (main.py: 0.01), got ${opts.lossTarget}.`);
  if (!Number.isInteger(r.epochs) || r.epochs < 1) throw new Error(`train: epochs must be a positive integer (main.py: 1000), got ${opts.epochs}.`);
  if (!Number.isInteger(r.batchSize) || r.batchSize < 1) throw new Error(`train: batchSize must be a positive integer (main.py: 100), got ${opts.batchSize}.`);
  if (!(r.weightDecay >= 0)) throw new Error(`train: weightDecay must be >= 0 (AdamW default 0.01), got ${opts.weightDecay}.`);
  if (!Number.isInteger(r.patience) || r.patience < 1) throw new Error(`train: patience must be a positive integer (reference: 3), got ${opts.patience}.`);
  if (optimizer !== "adamw" && optimizer !== "adam") throw new Error(`train: optimizer must be "adamw" (main.py) or "adam" (plain Adam), got "${opts.optimizer}".`);
  if (r.threads !== 1 && r.threads !== 2) throw new Error(`train: threads must be 1 or 2 (the fast engine's batch split over a worker thread), got ${opts.threads}.`);
  if (r.engine !== "fast" && r.engine !== "tfjs") throw new Error(`train: engine must be "fast" or "tfjs", got "${opts.engine}".`);
  return r;
}

/** Checks that the data fit the model (sizes, finiteness) before any work. */
export function checkData(init: MLP, train: Dataset, val: Dataset): void {
  validateMLP(init, "initial model");
  const s = init.layerSizes;
  const nIn = s[0];
  const nOut = s[s.length - 1];
  for (const [name, d] of [["train", train], ["val", val]] as const) {
    if (!d || !(d.x instanceof Float32Array) || !(d.y instanceof Float32Array)) throw new Error(`train: ${name} must be a Dataset {x, y, n, nInputs, nOutputs} (see generateData).`);
    if (d.nInputs !== nIn || d.nOutputs !== nOut)
      throw new Error(`train: ${name} has ${d.nInputs} inputs and ${d.nOutputs} outputs but the model's layer_sizes ${JSON.stringify(s)} takes ${nIn} and gives ${nOut}.`);
    if (d.x.length !== d.n * nIn || d.y.length !== d.n * nOut) throw new Error(`train: ${name}.x/.y lengths do not match n = ${d.n}.`);
    if (d.n < 1) throw new Error(`train: ${name} is empty.`);
  }
}

/** The batch order stream: one permutation per epoch, as DataLoader(shuffle=True) draws one per epoch. */
export function shuffleRng(seed: number): Rng {
  return new Rng(deriveSeed(seed, "shuffle"));
}

/** What an engine provides: run one epoch in the given row order (batches of batchSize), return the batch losses. */
export interface EpochRunner {
  runEpoch(order: Uint32Array): Float64Array | number[];
  /** The current weights as a plain MLP (a copy). */
  model(): MLP;
  dispose?(): void;
}

export function runLoop(runner: EpochRunner, train: Dataset, val: Dataset, o: ResolvedOptions, extra: { backend?: string } = {}): TrainResult {
  const start = Date.now();
  const rng = shuffleRng(o.seed);
  const losses: number[] = [];
  let best = Infinity;
  let bad = 0;
  let stopReason: TrainResult["stopReason"] = "epochs";
  let loss = NaN;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const batchLosses = runner.runEpoch(rng.permutation(train.n));
      let sum = 0;
      for (let i = 0; i < batchLosses.length; i++) sum += batchLosses[i];
      loss = sum / batchLosses.length;
      losses.push(loss);
      // A diverged run (NaN loss) is not an error, as in the reference: NaN never improves, so patience stops it,
      // and its NaN outputs fail the accuracy test, so it is rejected.
      if (loss < best) {
        best = loss;
        bad = 0;
      } else bad++;
      const keepGoing = o.onEpoch ? o.onEpoch(epoch, loss) : undefined;
      if (loss < o.lossTarget) {
        stopReason = "target";
        break;
      }
      if (bad >= o.patience) {
        stopReason = "patience";
        break;
      }
      if (keepGoing === false) {
        stopReason = "callback";
        break;
      }
    }
    const model = runner.model();
    const valAcc = accuracy(model, val);
    return {
      model,
      accepted: valAcc >= 0.99 && loss <= o.lossTarget,
      epochs: losses.length,
      loss,
      valAcc,
      losses,
      stopReason,
      engine: o.engine,
      ...(extra.backend ? { backend: extra.backend } : {}),
      timeMs: Date.now() - start,
    };
  } finally {
    runner.dispose?.();
  }
}
