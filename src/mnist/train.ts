/**
 * The reference's MNIST network (its demo_mnist notebook): [784, 128, 128, 3, 3, 3, 1], LeakyReLU(0.01) after every
 * layer including the output, MSE against 0/1, plain Adam (torch.optim.Adam, no weight decay), lr 1e-3, batch 64,
 * 10 epochs, seed 42; no early stopping. PyTorch-default initialisation and the seeded batch order of the training
 * stage, on either engine.
 */
import { MLP, accuracy } from "../model";
import { Dataset } from "../tasks";
import { BackendName } from "../backend";
import { Engine, initMLP, trainMLP, trainMLPSync } from "../train";
import { InputError } from "../errors";
import { MNIST_PIXELS, MnistData, loadMnist } from "./data";

export const MNIST_LAYER_SIZES: readonly number[] = [784, 128, 128, 3, 3, 3, 1];
/** The activation layer the reference splits at: the first 3-wide layer (head 784 → 128 → 128 → 3, tail 3 → 3 → 3 → 1). */
export const MNIST_SPLIT_AT = 3;

export interface MnistTrainOptions {
  /** Initialisation and batch-order seed (42). */
  seed?: number;
  engine?: Engine;
  backend?: BackendName;
  epochs?: number;
  lr?: number;
  batchSize?: number;
  layerSizes?: readonly number[];
  /** The digits (default: loadMnist() with its defaults). */
  data?: MnistData;
  onEpoch?: (epoch: number, loss: number) => void | boolean;
  /** Fast engine: 2 splits each batch over a worker thread (TrainOptions.threads). Default 1. */
  threads?: 1 | 2;
}

export interface MnistTrainResult {
  model: MLP;
  seed: number;
  engine: Engine;
  backend?: string;
  /** Mean batch loss per epoch. */
  losses: number[];
  trainAccuracy: number;
  testAccuracy: number;
  timeMs: number;
}

function checkMnistModelData(sizes: readonly number[], d: Dataset, where: string): void {
  if (d.nInputs !== sizes[0] || d.nOutputs !== sizes[sizes.length - 1])
    throw new InputError(`${where}: the data have ${d.nInputs} inputs and ${d.nOutputs} output(s), the network [${sizes.join(",")}] takes ${sizes[0]} and gives ${sizes[sizes.length - 1]}; MNIST rows have ${MNIST_PIXELS} pixels and one 0/1 label.`);
}

function settings(opts: MnistTrainOptions) {
  const seed = opts.seed ?? 42;
  const sizes = opts.layerSizes ?? MNIST_LAYER_SIZES;
  const data = opts.data ?? loadMnist();
  checkMnistModelData(sizes, data.train, "trainMnist");
  const epochs = opts.epochs ?? 10;
  const init = initMLP(sizes, [], seed);
  // lossTarget 0 and patience past the last epoch: the reference trains a fixed number of epochs.
  const train = { seed, optimizer: "adam" as const, lr: opts.lr ?? 1e-3, batchSize: opts.batchSize ?? 64, epochs, lossTarget: 0, patience: epochs + 1, engine: opts.engine ?? "fast", backend: opts.backend, onEpoch: opts.onEpoch, threads: opts.threads };
  return { seed, data, init, train };
}

function finish(r: Awaited<ReturnType<typeof trainMLP>>, data: MnistData, seed: number): MnistTrainResult {
  return { model: r.model, seed, engine: r.engine, ...(r.backend ? { backend: r.backend } : {}), losses: r.losses, trainAccuracy: accuracy(r.model, data.train), testAccuracy: r.valAcc, timeMs: r.timeMs };
}

/** Trains the reference's MNIST network; either engine ("tfjs" needs the backend: async). */
export async function trainMnist(opts: MnistTrainOptions = {}): Promise<MnistTrainResult> {
  const s = settings(opts);
  return finish(await trainMLP(s.init, s.data.train, s.data.test, s.train), s.data, s.seed);
}

/** trainMnist on the fast engine, synchronously (worker threads). */
export function trainMnistSync(opts: MnistTrainOptions = {}): MnistTrainResult {
  const s = settings({ ...opts, engine: "fast" });
  return finish(trainMLPSync(s.init, s.data.train, s.data.test, s.train), s.data, s.seed);
}
