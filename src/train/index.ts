/**
 * Training (SPEC 3.2-3.3, 2.3): PyTorch-default initialisation, MSE, AdamW, batches from a seeded shuffle, early
 * stopping and acceptance as in the reference, on two engines with the same math ("fast": typed arrays, sync;
 * "tfjs": TensorFlow.js). The epoch loop is shared (loop.ts); each engine runs one epoch in a given row order.
 */
import { MLP } from "../model";
import { Dataset } from "../tasks";
import { loadTf } from "../backend";
import { tfjsRunner } from "./tfjs";
import { checkData, resolveOptions, runLoop } from "./loop";
import { fastRunner } from "./fast";
import { drawExperimentData, experimentTrainInputs } from "./experiment";
import { ExperimentConfig, ExperimentData, TrainOptions, TrainResult } from "./types";

export type { Engine, ExperimentConfig, ExperimentData, TrainOptions, TrainResult } from "./types";

export { initMLP } from "./init";

/** Trains a copy of `init` (never mutated) on `train`, scores on `val`. tfjs needs the backend ready: async. */
export async function trainMLP(init: MLP, train: Dataset, val: Dataset, opts: TrainOptions): Promise<TrainResult> {
  const o = resolveOptions(opts);
  if (o.engine === "fast") return trainMLPSync(init, train, val, opts);
  checkData(init, train, val);
  const h = await loadTf(opts.backend);
  return runLoop(tfjsRunner(h.tf, init, train, o), train, val, o, { backend: h.backend });
}

/** The fast engine, synchronously (worker threads, sweeps). Same result as trainMLP with engine "fast". */
export function trainMLPSync(init: MLP, train: Dataset, val: Dataset, opts: TrainOptions): TrainResult {
  const o = resolveOptions(opts);
  if (o.engine !== "fast") throw new Error(`trainMLPSync runs the "fast" engine only; for engine "${o.engine}" use await trainMLP(...).`);
  checkData(init, train, val);
  return runLoop(fastRunner(init, train, o), train, val, o);
}

/** The data of one experiment, drawn in main.py's order (SPEC 2.3) from streams derived from (seed, seedOffset). */
export function experimentData(cfg: ExperimentConfig): ExperimentData {
  return drawExperimentData(cfg);
}

/** Draws the data, initialises with seed + seedOffset, trains. The model carries its gates. */
export function trainExperimentSync(cfg: ExperimentConfig): { data: ExperimentData; result: TrainResult } {
  if ((cfg.engine ?? "fast") !== "fast") throw new Error(`trainExperimentSync runs the "fast" engine only; for engine "${cfg.engine}" use await trainExperiment(cfg).`);
  const data = experimentData(cfg);
  const { init, opts } = experimentTrainInputs(cfg, data);
  return { data, result: trainMLPSync(init, data.train, data.val, opts) };
}

/** trainExperimentSync on either engine. */
export async function trainExperiment(cfg: ExperimentConfig): Promise<{ data: ExperimentData; result: TrainResult }> {
  const data = experimentData(cfg);
  const { init, opts } = experimentTrainInputs(cfg, data);
  return { data, result: await trainMLP(init, data.train, data.val, opts) };
}

export { toLayersModel, fromLayersModel } from "./layers";
export { experimentModelFile, experimentDataSeed } from "./experiment";
