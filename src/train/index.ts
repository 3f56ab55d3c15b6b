/**
 * Training (SPEC 3.2-3.3, 2.3). CONTRACT STUB: the training helper replaces the bodies; signatures are the contract
 * that the experiments runner, the equivalence module and the notebooks code against.
 */
import { MLP } from "../model";
import { Dataset } from "../tasks";

/** "fast": the typed-array engine (sweeps); "tfjs": TensorFlow.js (notebooks, large models). Same math. */
export type Engine = "fast" | "tfjs";

export interface TrainOptions {
  /** AdamW learning rate (main.py: 1e-3). */
  lr?: number;
  /** Stop at the first epoch whose mean batch loss is below it; acceptance needs final loss <= it (0.01). */
  lossTarget?: number;
  /** Maximum epochs (1000). */
  epochs?: number;
  /** Mini-batch size (100; the last batch may be smaller). */
  batchSize?: number;
  /** AdamW decoupled weight decay (0.01). */
  weightDecay?: number;
  /** Early-stopping patience in non-improving epochs (3). */
  patience?: number;
  /** Seed of the batch shuffling stream. */
  seed: number;
  engine?: Engine;
  /** Called after every epoch; return false to stop. */
  onEpoch?: (epoch: number, loss: number) => void | boolean;
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

/** PyTorch default initialisation: weights and biases ~ U(±1/sqrt(fan_in)), from a seeded stream. */
export function initMLP(layerSizes: readonly number[], gates: readonly string[], seed: number): MLP {
  void layerSizes, gates, seed;
  throw new Error("initMLP: not implemented yet");
}

/** Trains a copy of `init` (never mutated) on `train`, scores on `val`. tfjs needs the backend ready: async. */
export async function trainMLP(init: MLP, train: Dataset, val: Dataset, opts: TrainOptions): Promise<TrainResult> {
  void init, train, val, opts;
  throw new Error("trainMLP: not implemented yet");
}

/** The fast engine, synchronously (worker threads, sweeps). Same result as trainMLP with engine "fast". */
export function trainMLPSync(init: MLP, train: Dataset, val: Dataset, opts: TrainOptions): TrainResult {
  void init, train, val, opts;
  throw new Error("trainMLPSync: not implemented yet");
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

/** The data of one experiment, drawn in main.py's order (SPEC 2.3) from streams derived from (seed, seedOffset). */
export function experimentData(cfg: ExperimentConfig): ExperimentData {
  void cfg;
  throw new Error("experimentData: not implemented yet");
}

/** Draws the data, initialises with seed + seedOffset, trains. The model carries its gates. */
export function trainExperimentSync(cfg: ExperimentConfig): { data: ExperimentData; result: TrainResult } {
  void cfg;
  throw new Error("trainExperimentSync: not implemented yet");
}
