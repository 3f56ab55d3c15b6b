/**
 * The paper's studies (the reference README's runs, SPEC 8.4) as named configurations, and their expansion into
 * jobs in main.py's loop order (SPEC 8.2): for n_gates, for seed_offset, for size, depth, loss_target, lr.
 */
import { DEFAULT_GATE_POOL, makeTask } from "../tasks";

/** A grid of main.py runs: every list is a main.py list flag; one job per (n_gates, seed_offset, size, depth, loss target, lr). */
export interface StudyGrid {
  /** --target-logic-gates: the pool the gates of each seed are sampled from. */
  gatePool: string[];
  /** --n-gates: gates learnt jointly. */
  nGates: number[];
  /** --size: hidden widths k. */
  sizes: number[];
  /** --depth: hidden layers. */
  depths: number[];
  /** --loss-target. */
  lossTargets: number[];
  /** --learning-rate. */
  learningRates: number[];
  /** --noise-std (the README runs pass 0 except the noise study). */
  noiseStd: number;
  /** --skewed-distribution. */
  skewed: boolean;
  /** --seed: experiment s uses seed + s. */
  seed: number;
  /** --n-experiments: seeds per configuration. */
  experiments: number;
  /** --n-repeats, --n-samples-train, --n-samples-val, --epochs, --batch-size (main.py's defaults when absent). */
  nRepeats?: number;
  nSamplesTrain?: number;
  nSamplesVal?: number;
  epochs?: number;
  batchSize?: number;
  /** SPEC 2.3: experiments 0 and 1 share their data (default true, as main.py). */
  sharedDataQuirk?: boolean;
}

/** What a study varies, for its figure and summary table. */
export type GroupKey = "size" | "n_gates" | "gate" | "noise" | "skewed" | "loss_target" | "settings" | "none";

export interface Study {
  name: string;
  title: string;
  /** Why the study is run: the question it asks. */
  description: string;
  /** The reference README's main.py flags (all runs add `--verbose --val-frequency 1 --n-experiments 100`). */
  referenceFlags: string;
  grid: StudyGrid;
  groupBy: GroupKey;
}

const BASE: StudyGrid = {
  gatePool: ["XOR"],
  nGates: [1],
  sizes: [3],
  depths: [2],
  lossTargets: [0.01],
  learningRates: [0.001],
  noiseStd: 0,
  skewed: false,
  seed: 0,
  experiments: 100,
};

function study(name: string, title: string, description: string, referenceFlags: string, groupBy: GroupKey, grid: Partial<StudyGrid>): Study {
  return { name, title, description, referenceFlags, groupBy, grid: { ...BASE, ...grid } };
}

/** The seven README studies, by name. */
export const STUDIES: Record<string, Study> = {
  basic: study("basic", "Basic setup", "XOR with two hidden layers of 3: how many circuits, interpretations, algorithms and mappings does one trained network admit?", "--noise-std 0.0 --target-logic-gates XOR", "none", {}),
  multitask: study("multitask", "Multi-task", "1 to 6 gates learnt jointly by one network: does sharing the network constrain the explanations of each output?", "--noise-std 0.0 --n-gates 1 2 3 4 5 6", "n_gates", { gatePool: [...DEFAULT_GATE_POOL], nGates: [1, 2, 3, 4, 5, 6] }),
  "target-gate": study("target-gate", "Target gate", "XOR, AND, OR, IMP (one random gate of the four per seed): does the function learnt change the multiplicity?", "--noise-std 0.0 --target-logic-gates XOR AND OR IMP", "gate", { gatePool: ["XOR", "AND", "OR", "IMP"] }),
  "network-size": study("network-size", "Network size", "Hidden width k = 2, 3, 4, 5: larger networks admit exponentially more circuits and interpretations.", "--noise-std 0.0 --target-logic-gates XOR --size 2 3 4 5", "size", { sizes: [2, 3, 4, 5] }),
  noise: study("noise", "Noisy training", "Inputs with Gaussian noise (std 0.1) in training, validation and grounding: does noise make the explanation unique? Compare with basic.", "--noise-std 0.1 --target-logic-gates XOR", "noise", { noiseStd: 0.1 }),
  skewed: study("skewed", "Skewed inputs", "Inputs drawn with random (skewed) frequencies: does the input distribution change the multiplicity? Compare with basic.", "--noise-std 0.0 --target-logic-gates XOR --skewed-distribution", "skewed", { skewed: true }),
  "loss-target": study("loss-target", "Loss target", "Training stopped at loss 1e-1 ... 1e-6: do better-trained networks have fewer explanations?", "--noise-std 0.0 --target-logic-gates XOR --loss-target 0.1 0.01 0.001 0.0001 0.00001 0.000001", "loss_target", { lossTargets: [0.1, 0.01, 0.001, 0.0001, 0.00001, 0.000001] }),
  mnist: study("mnist", "MNIST 0 vs 1: circuits of the tail", "The paper's closing network [784,128,128,3,3,3,1] on MNIST 0 vs 1, one per seed (plain Adam, 10 epochs): how many perfect circuits has its 3 → 3 → 3 → 1 tail, and which recur across seeds?", "demo_mnist.ipynb: seed 42, Adam lr 1e-3, batch 64, 10 epochs", "none", { seed: 42, experiments: 10, epochs: 10, batchSize: 64 }),
};

export function studyNames(): string[] {
  return Object.keys(STUDIES);
}

/** A study by name, with an error listing the valid names. */
export function getStudy(name: string): Study {
  const s = STUDIES[name];
  if (!s) throw new Error(`Unknown study "${name}". Studies: ${studyNames().join(", ")} (or "custom" with grid options).`);
  return { ...s, grid: { ...s.grid } };
}

/** One trained model of a study: its main.py settings, its position in the loop and a key naming it. */
export interface StudyJob {
  /** Position in main.py's loop order (records are written in this order). */
  index: number;
  /** Names the job among all grids: resume skips keys already recorded. */
  key: string;
  nGates: number;
  seedOffset: number;
  size: number;
  depth: number;
  lossTarget: number;
  learningRate: number;
}

const FLAGS: Record<string, string> = { nGates: "--n-gates", sizes: "--sizes", depths: "--depths", lossTargets: "--loss-targets", learningRates: "--learning-rates" };

function checkList(v: unknown, name: string, positiveInt: boolean): void {
  if (!Array.isArray(v) || v.length === 0) throw new Error(`study grid: ${name} must be a non-empty list.`);
  for (const x of v) {
    const ok = positiveInt ? Number.isInteger(x) && x > 0 : typeof x === "number" && x > 0 && Number.isFinite(x);
    if (!ok) throw new Error(`study grid: ${name} must hold ${positiveInt ? "positive integers" : "positive numbers"}, got ${JSON.stringify(v)}.`);
  }
  // A repeated value would give two jobs the same key: one model trained twice, one record kept.
  const twice = v.find((x, i) => v.indexOf(x) !== i);
  if (twice !== undefined) {
    const hint = name === "sizes" ? ` (${FLAGS.sizes} lists hidden widths k, one model per k; a net with two hidden layers of ${twice} is --sizes ${twice} --depths 2)` : "";
    throw new Error(`study grid: ${name} (${FLAGS[name]}) lists ${twice} twice, got ${JSON.stringify(v)}; give distinct values${hint}.`);
  }
}

/** Validates a grid, with errors naming the field and the fix. */
export function validateGrid(g: StudyGrid): StudyGrid {
  if (!Array.isArray(g.gatePool) || g.gatePool.length === 0) throw new Error("study grid: gatePool must be a non-empty list of gate names, e.g. [\"XOR\"].");
  makeTask(g.gatePool); // unknown gate names throw with the valid ones
  checkList(g.nGates, "nGates", true);
  for (const n of g.nGates) if (n > g.gatePool.length) throw new Error(`study grid: nGates ${n} exceeds the gate pool (${g.gatePool.join(" ")}); lower --n-gates or widen --gates.`);
  checkList(g.sizes, "sizes", true);
  checkList(g.depths, "depths", true);
  checkList(g.lossTargets, "lossTargets", false);
  checkList(g.learningRates, "learningRates", false);
  if (!(g.noiseStd >= 0)) throw new Error(`study grid: noiseStd must be >= 0, got ${g.noiseStd}.`);
  if (!Number.isInteger(g.seed)) throw new Error(`study grid: seed must be an integer, got ${g.seed}.`);
  if (!Number.isInteger(g.experiments) || g.experiments < 1) throw new Error(`study grid: experiments must be a positive integer (--experiments N), got ${g.experiments}.`);
  return g;
}

/** The key of a job: every setting that distinguishes it within a grid (the grid's shared settings live in run.json). */
export function jobKey(j: Omit<StudyJob, "index" | "key">): string {
  return `n_gates=${j.nGates} seed_offset=${j.seedOffset} size=${j.size} depth=${j.depth} loss_target=${j.lossTarget} lr=${j.learningRate}`;
}

/** The jobs of a grid in main.py's loop order. */
export function studyJobs(grid: StudyGrid): StudyJob[] {
  validateGrid(grid);
  const jobs: StudyJob[] = [];
  for (const nGates of grid.nGates)
    for (let seedOffset = 0; seedOffset < grid.experiments; seedOffset++)
      for (const size of grid.sizes)
        for (const depth of grid.depths)
          for (const lossTarget of grid.lossTargets)
            for (const learningRate of grid.learningRates) {
              const j = { nGates, seedOffset, size, depth, lossTarget, learningRate };
              jobs.push({ index: jobs.length, key: jobKey(j), ...j });
            }
  return jobs;
}

/**
 * Rough seconds per model on one core of a 2-core machine (training + circuits + interpretations + alignment),
 * measured with the fast engine; the noise study trains on 4·10⁶ rows. Used only to warn before long runs.
 */
export function estimateJobSeconds(grid: StudyGrid, job: StudyJob): number {
  const analysis = job.size <= 2 ? 0.05 : job.size === 3 ? 0.1 : job.size === 4 ? 0.8 : job.size === 5 ? 4 : 4 * Math.pow(8, job.size - 5);
  const depthFactor = Math.pow(4, Math.max(0, job.depth - 2));
  const perOutput = analysis * depthFactor * job.nGates;
  // Noisy data have n_repeats² rows per input (4·10⁶ training rows by default): ≈ 8 s of training per model.
  const scale = (grid.nSamplesTrain ?? 1000) / 1000;
  const training = grid.noiseStd > 0 ? 8 * scale * scale : 0.1;
  const noisyAnalysis = grid.noiseStd > 0 ? 1.5 : 0;
  return training + perOutput + noisyAnalysis * job.nGates;
}

export function estimateStudySeconds(grid: StudyGrid, jobs: readonly StudyJob[], workers: number): number {
  const total = jobs.reduce((s, j) => s + estimateJobSeconds(grid, j), 0);
  return total / Math.max(1, workers);
}
