/**
 * Training types (options, results, experiment configuration), on their own so that the engines and the experiment
 * helpers import them without importing the training entry points (no import cycle).
 */
import { MLP } from "../model";
import { Dataset } from "../tasks";
import { BackendName } from "../backend";

/** "fast": the typed-array engine (sweeps); "tfjs": TensorFlow.js (notebooks, large models). Same math. */
export type Engine = "fast" | "tfjs";

export interface TrainOptions {
  /** Learning rate (main.py: 1e-3). */
  lr?: number;
  /** "adamw" (main.py, default) or "adam" (plain torch.optim.Adam: the MNIST demo's optimizer). */
  optimizer?: "adamw" | "adam";
  /** Stop at the first epoch whose mean batch loss is below it; acceptance needs final loss <= it (0.01). */
  lossTarget?: number;
  /** Maximum epochs (1000). */
  epochs?: number;
  /** Mini-batch size (100; the last batch may be smaller). */
  batchSize?: number;
  /** Weight decay: AdamW's decoupled decay (default 0.01), Adam's L2 term added to the gradient (default 0). */
  weightDecay?: number;
  /** Early-stopping patience in non-improving epochs (3). */
  patience?: number;
  /** Seed of the batch shuffling stream. */
  seed: number;
  engine?: Engine;
  /** TensorFlow.js backend for engine "tfjs" (default: loadTf's choice; env MI_TF_BACKEND overrides). */
  backend?: BackendName;
  /** Called after every epoch; return false to stop. */
  onEpoch?: (epoch: number, loss: number) => void | boolean;
  /**
   * Fast engine, wide networks (the blocked kernel): 2 splits each batch between this thread and a worker thread
   * (threaded.ts; float rounding differs from 1 thread, the same thread count gives the same numbers). Default 1.
   */
  threads?: 1 | 2;
}

export interface TrainResult {
  model: MLP;
  /** val_acc >= 0.99 and final loss <= lossTarget (SPEC 3.3). */
  accepted: boolean;
  epochs: number;
  /** Last epoch's mean batch loss. */
  loss: number;
  valAcc: number;
  /** Mean batch loss per epoch. */
  losses: number[];
  stopReason: "target" | "patience" | "epochs" | "callback";
  engine: Engine;
  /** TensorFlow.js backend name when engine is "tfjs". */
  backend?: string;
  timeMs: number;
}

/** One experiment of main.py (SPEC 8.1-8.2), every option with main.py's default unless noted. */
export interface ExperimentConfig {
  /** Gate pool sampled from (main.py --target-logic-gates); default the 7 gates. */
  gatePool?: readonly string[];
  /** Number of gates learnt jointly (outputs); default 1. */
  nGates?: number;
  /** Explicit gates (output order): skips the sampling from the pool. */
  gates?: readonly string[];
  /** Hidden width k (3) and number of hidden layers (2). */
  size?: number;
  depth?: number;
  /** Explicit hidden layer sizes (e.g. [4, 2]); overrides size and depth. */
  hiddenSizes?: readonly number[];
  /** Base seed (0) and experiment index (0). */
  seed?: number;
  seedOffset?: number;
  /** Input noise for all three sets. NOTE default 0 here (the README studies), not main.py's 0.1. */
  noiseStd?: number;
  skewed?: boolean;
  nRepeats?: number; // 10 (grounding set x_tt)
  nSamplesTrain?: number; // 1000
  nSamplesVal?: number; // 50
  lr?: number;
  lossTarget?: number;
  epochs?: number;
  batchSize?: number;
  engine?: Engine;
  /**
   * SPEC 2.3 quirk: main.py draws experiment s's data (gate choice, x_tt, skew, train, val) from the RNG state seeded
   * with seed + s − 1 (s ≥ 1), so experiments 0 and 1 share their data. true (default) reproduces it: the data
   * streams are derived from that seed; false gives every experiment its own data (seed + s). The initialisation and
   * shuffle always use seed + s. (Only the sharing is reproduced: our PRNG cannot match numpy's numbers.)
   */
  sharedDataQuirk?: boolean;
  /** TensorFlow.js backend for engine "tfjs". */
  backend?: BackendName;
  /** Per-epoch callback (progress); return false to stop. */
  onEpoch?: TrainOptions["onEpoch"];
}

export interface ExperimentData {
  gates: string[];
  train: Dataset;
  val: Dataset;
  /** Grounding set (x only). */
  xTt: { x: Float32Array; n: number };
  /** Skew weights (unnormalised) or null. */
  skewWeights: number[] | null;
}
