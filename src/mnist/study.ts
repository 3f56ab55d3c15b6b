/**
 * The seed study of the MNIST experiment (`run mnist --experiments N`): one network per seed (grid.seed + seed
 * offset: initialisation and batch order; the digit split stays the grid seed's, so only training varies), its
 * tail's circuits on the held-out digits and the binarised tail's interpretations, as one study record per model
 * (the study runner's files, resume and figures). The record's reference columns hold the tail's numbers:
 * perfect_circuits and candidates of the tail; interpretations_per_circuit of the binarised tail's circuits (ours).
 * Its `mnist` field adds accuracy, the binarisation and every perfect circuit as a bitset over the tail's candidates
 * in enumeration order (the order is the same for every network of one architecture, so seeds compare directly).
 */
import { AnalysisSettings, StudyRecord, modeColumn, resolveSettings } from "../analysis";
import { InputError } from "../errors";
import { loadMnist } from "./data";
import { MNIST_SPLIT_AT, trainMnistSync } from "./train";
import { binariseTail, tailCircuits } from "./tail";

/** What the study needs of a grid and a job (the study runner's StudyGrid and StudyJob fit). */
export interface MnistStudyGrid {
  seed: number;
  epochs?: number;
  batchSize?: number;
}
export interface MnistStudyJob {
  index: number;
  key: string;
  seedOffset: number;
  learningRate: number;
}

export interface MnistRecordExtra {
  train_accuracy: number;
  test_accuracy: number;
  losses: number[];
  split_at: number;
  /** Perfect tail circuits as a bitset over the candidates (enumeration order), base64, bit i = candidate i. */
  tail_circuits: string;
  binarised: { accuracy: number; circuits: number; thresholds: number[]; code_rows: number[] };
}

export type MnistStudyRecord = StudyRecord & { mnist: MnistRecordExtra };

export function encodeBitset(indices: readonly number[], size: number): string {
  const bytes = new Uint8Array(Math.ceil(size / 8));
  for (const i of indices) bytes[i >> 3] |= 1 << (i & 7);
  return Buffer.from(bytes).toString("base64");
}

export function decodeBitset(text: string, size: number): number[] {
  const bytes = Buffer.from(text, "base64");
  if (bytes.length !== Math.ceil(size / 8)) throw new InputError(`decodeBitset: ${bytes.length} bytes do not hold ${size} bits.`);
  const out: number[] = [];
  for (let i = 0; i < size; i++) if (bytes[i >> 3] & (1 << (i & 7))) out.push(i);
  return out;
}

/** Trains seed grid.seed + job.seedOffset and analyses its tail: one study record. */
export function runMnistJob(study: string, grid: MnistStudyGrid, job: MnistStudyJob, settings: Partial<AnalysisSettings> = {}): MnistStudyRecord {
  const resolved = resolveSettings(settings);
  const t0 = performance.now();
  const data = loadMnist({ seed: grid.seed });
  const seed = grid.seed + job.seedOffset;
  const r = trainMnistSync({ data, seed, lr: job.learningRate, epochs: grid.epochs ?? 10, batchSize: grid.batchSize ?? 64 });
  const timings: Record<string, number> = { train: performance.now() - t0 };
  const search = { accuracyThreshold: resolved.accuracyThreshold, maxCandidates: resolved.maxCandidates, metrics: false, at: MNIST_SPLIT_AT };
  const t1 = performance.now();
  const tail = tailCircuits(r.model, data.test, search);
  timings.circuits = performance.now() - t1;
  const t2 = performance.now();
  const bin = binariseTail(tail.split, data.train, data.test, search);
  timings.interpretations = performance.now() - t2;
  timings.total = performance.now() - t0;
  const n = tail.search.nCandidates;
  return {
    gates: "MNIST-0v1",
    n_gates: 1,
    sizes: 3,
    seed_offset: job.seedOffset,
    perfect_circuits: [tail.search.circuits.length],
    interpretations_per_circuit: [bin.interpretations],
    formulas: null,
    mappings_per_formula: null,
    loss_target: 0,
    learning_rate: job.learningRate,
    depth: 2,
    weights: null,
    study,
    job: job.index,
    key: job.key,
    seed: grid.seed,
    noise_std: 0,
    accepted: r.testAccuracy >= 0.99,
    epochs: r.losses.length,
    final_loss: r.losses[r.losses.length - 1],
    val_acc: r.testAccuracy,
    stop_reason: "epochs",
    candidates: [n],
    valid_mappings_per_formula: null,
    mode: modeColumn(resolved),
    engine: "fast",
    backend: null,
    timings_ms: timings,
    settings: resolved,
    distinct_interpretations_per_circuit: null,
    mnist: {
      train_accuracy: r.trainAccuracy,
      test_accuracy: r.testAccuracy,
      losses: r.losses,
      split_at: tail.split.at,
      tail_circuits: encodeBitset(tail.search.circuits.map((c) => c.index), n),
      binarised: { accuracy: bin.accuracy, circuits: bin.search.circuits.length, thresholds: bin.units.map((u) => u.threshold), code_rows: bin.codeCounts.map((c) => c.rows) },
    },
  };
}

export interface CircuitStability {
  /** Models compared (records with the bitset). */
  models: number;
  nCandidates: number;
  /** For k = 0 … models: candidates perfect in exactly k models. */
  histogram: number[];
  /** Candidates perfect in every model. */
  inAll: number[];
  /** Candidates perfect in at least one model. */
  inAny: number;
}

/** Which tail circuits recur across seeds: per candidate, the number of models in which it is perfect. */
export function circuitStability(records: readonly { mnist?: MnistRecordExtra; candidates: number[] | null }[]): CircuitStability {
  const rs = records.filter((r) => r.mnist && r.candidates);
  if (rs.length === 0) throw new InputError("circuitStability: no MNIST study records (records of `run mnist` carry the tail's circuits).");
  const n = rs[0].candidates![0];
  if (rs.some((r) => r.candidates![0] !== n)) throw new InputError("circuitStability: the records come from tails of different sizes; compare one architecture at a time.");
  const hits = new Uint16Array(n);
  for (const r of rs) for (const i of decodeBitset(r.mnist!.tail_circuits, n)) hits[i]++;
  const histogram = new Array(rs.length + 1).fill(0);
  const inAll: number[] = [];
  hits.forEach((h, i) => {
    histogram[h]++;
    if (h === rs.length) inAll.push(i);
  });
  return { models: rs.length, nCandidates: n, histogram, inAll, inAny: n - histogram[0] };
}
