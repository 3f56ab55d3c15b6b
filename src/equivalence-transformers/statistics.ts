/**
 * The transformer study's statistics (EQUIVALENCE 3.2), on implementations of several algorithms whose
 * representations are computed once:
 * (a) selectivity: for source A, target B and budget k, the fraction of draws (a ∈ A, b ∈ B) where
 *     s(a→b) > s(do_k(a)→b); the two scores use different fold seeds, so k = 0 is the null (≈ 0.5);
 * (b) the point test (`pointTest` of src/equivalence: p̂ over 20 draws, the 1.96 rule, 40 bootstraps) for every
 *     ordered pair of algorithms, the diagonal being the false-detection rate of an algorithm against itself;
 * (c) the transfer matrix s(Mi→Mj) over implementations and its mean per pair of algorithms.
 * s is the held-out ridge √max(R², 0) of src/equivalence (`ridgePredictivity`), one direction per call.
 */
import { BudgetError, InputError } from "../errors";
import { Rng, deriveSeed } from "../rng";
import { Mat, mat, symmetricEigen } from "../equivalence/linalg";
import { RidgeOptions, ridgePredictivity } from "../equivalence/measures";
import { pointTest } from "../equivalence/point-test";
import { pairSeed } from "../equivalence/scores";
import { AlgorithmSpec, PIPELINE_ALGORITHMS, Pipeline, composePrograms, parseAlgorithm } from "./pipeline";
import { StageModel, loadStageModels, sampleImplementations } from "./population";
import { DEFAULT_STAGE_COMPONENTS, DEFAULT_VARIANCE_KEPT, ImplementationRepresentation, PIPELINE_PROBES, makePipelineProbes, representImplementation } from "./represent";
import { circuitHeads } from "./patching";

export interface TransformerStudyOptions {
  /** Algorithms by name ("59-112") or spec (default: the paper's six). */
  algorithms?: readonly (string | AlgorithmSpec)[];
  /** Implementations per algorithm (default 10). */
  implementations?: number;
  /** Probe rows, clean and corrupted each (default 1 000). */
  probes?: number;
  /** PCA columns per stage (default 16) and variance kept (default 0.99). */
  components?: number;
  varianceKept?: number;
  /** Point test: draws per test (20) and bootstraps (40). */
  draws?: number;
  bootstraps?: number;
  /** Selectivity: draws (a, b) per source, target and budget (default 20). */
  selectivityDraws?: number;
  /** Largest budget: default 5, 10 for a 4-stage pipeline, never above the circuit's heads. */
  kMax?: number | ((algorithm: AlgorithmSpec) => number);
  /** Ridge folds and penalties (default 2 folds, α ∈ {0.1, 1, 10}, the paper's RidgeCV grid). */
  ridge?: Pick<RidgeOptions, "folds" | "alphas">;
  seed?: number;
  /** Refuse a study estimated to take longer (default 3 600 s). */
  maxSeconds?: number;
}

export interface ResolvedStudySettings {
  algorithms: string[];
  implementations: number;
  probes: number;
  components: number;
  varianceKept: number;
  draws: number;
  bootstraps: number;
  selectivityDraws: number;
  kMax: Record<string, number>;
  ridge: { folds: number; alphas: number[] };
  seed: number;
}

export interface ImplementationSummary {
  algorithm: string;
  /** The stage models' keys. */
  stages: string[];
  /** Representation columns per stage. */
  columns: number[];
  /** Fraction of clean probes where the pipeline's output equals the composed programs'. */
  accuracy: number;
  circuitHeads: number;
}

export interface SelectivityCurve {
  source: string;
  target: string;
  k: number[];
  /** Fraction of draws with s(a→b) > s(do_k(a)→b), per k. */
  score: number[];
  draws: number;
}

export interface TransformerStudyResult {
  settings: ResolvedStudySettings;
  implementations: ImplementationSummary[];
  /** s(i→j) over implementations (diagonal 1): the transfer matrix. */
  similarity: number[][];
  /** Mean s(Mi→Mj) per ordered pair of algorithms (i ≠ j). */
  transfer: number[][];
  /** [A][B]: the point test's detection rate (A's pairs against b ∈ B) and its mean p̂. */
  detection: number[][];
  meanWinRate: number[][];
  selectivity: SelectivityCurve[];
  seconds: { represent: number; similarity: number; selectivity: number; total: number };
}

export interface StudyProgress {
  phase: "represent" | "similarity" | "selectivity";
  done: number;
  total: number;
}

/** Seconds per unit on the shared 2-core machine, measured roughly (load 5–14), for the budget estimate. */
const SECONDS_PER_STAGE_RUN_PER_1000_PROBES = 1.2;
const SECONDS_PER_RIDGE_PER_1000_PROBES = 0.05;

export function resolveStudySettings(opts: TransformerStudyOptions = {}): { settings: ResolvedStudySettings; algorithms: AlgorithmSpec[] } {
  const algorithms = (opts.algorithms ?? PIPELINE_ALGORITHMS).map((a) => (typeof a === "string" ? parseAlgorithm(a) : a));
  if (algorithms.length === 0) throw new InputError("equivalence study: give at least one algorithm.");
  const names = algorithms.map((a) => a.name);
  if (new Set(names).size !== names.length) throw new InputError(`equivalence study: an algorithm is listed twice (${names.join(", ")}).`);
  const int = (name: string, v: number | undefined, dflt: number, min: number) => {
    const x = v ?? dflt;
    if (!Number.isInteger(x) || x < min) throw new InputError(`equivalence study: ${name} must be an integer ≥ ${min}, got ${v}.`);
    return x;
  };
  const implementations = int("implementations", opts.implementations, 10, 3);
  const kMax: Record<string, number> = {};
  for (const a of algorithms) {
    const dflt = a.cases.length >= 4 ? 10 : 5;
    const want = typeof opts.kMax === "function" ? opts.kMax(a) : (opts.kMax ?? dflt);
    if (!Number.isInteger(want) || want < 0) throw new InputError(`equivalence study: kMax must be a non-negative integer, got ${want} for ${a.name}.`);
    kMax[a.name] = want;
  }
  const varianceKept = opts.varianceKept ?? DEFAULT_VARIANCE_KEPT;
  if (!(varianceKept > 0 && varianceKept <= 1)) throw new InputError(`equivalence study: varianceKept must be in (0, 1], got ${varianceKept}.`);
  return {
    algorithms,
    settings: {
      algorithms: names,
      implementations,
      probes: int("probes", opts.probes, PIPELINE_PROBES, 10),
      components: int("components", opts.components, DEFAULT_STAGE_COMPONENTS, 1),
      varianceKept,
      draws: int("draws", opts.draws, 20, 1),
      bootstraps: int("bootstraps", opts.bootstraps, 40, 1),
      selectivityDraws: int("selectivityDraws", opts.selectivityDraws, 20, 1),
      kMax,
      ridge: { folds: opts.ridge?.folds ?? 2, alphas: [...(opts.ridge?.alphas ?? [0.1, 1, 10])] },
      seed: opts.seed ?? 0,
    },
  };
}

/** The study's work: stage runs, ridge fits and the estimated seconds (kMax capped at each algorithm's circuit heads by the caller). */
export function estimateStudy(settings: ResolvedStudySettings, algorithms: readonly AlgorithmSpec[], heads: Record<string, number>): { stageRuns: number; ridgeFits: number; seconds: number } {
  const N = settings.implementations;
  const A = algorithms.length;
  let stageRuns = 0;
  let ridgeFits = N * A * (N * A - 1);
  for (const a of algorithms) {
    const K = Math.min(settings.kMax[a.name], heads[a.name] ?? settings.kMax[a.name]);
    stageRuns += N * a.cases.length * (2 + K);
    ridgeFits += (K + 1) * A * settings.selectivityDraws;
  }
  const scale = settings.probes / 1000;
  return { stageRuns, ridgeFits, seconds: scale * (stageRuns * SECONDS_PER_STAGE_RUN_PER_1000_PROBES + ridgeFits * SECONDS_PER_RIDGE_PER_1000_PROBES) };
}

/**
 * Runs the study: samples implementations from the stage models (default: both cached populations), computes every
 * implementation's representations once, then the transfer matrix, the detection grid and the selectivity curves.
 * A study estimated over `maxSeconds` is refused with a BudgetError before any work.
 */
export function runTransformerStudy(opts: TransformerStudyOptions = {}, models?: readonly StageModel[], onProgress?: (p: StudyProgress) => void): TransformerStudyResult {
  const t0 = Date.now();
  const { settings, algorithms } = resolveStudySettings(opts);
  const pool = models ?? loadStageModels();
  const seed = settings.seed;
  const impls: { algorithm: AlgorithmSpec; pipeline: Pipeline }[] = [];
  for (const a of algorithms) for (const p of sampleImplementations(a, pool, settings.implementations, new Rng(deriveSeed(seed, "implementations", a.name)))) impls.push({ algorithm: a, pipeline: p });
  const heads: Record<string, number> = {};
  for (const { algorithm, pipeline } of impls) heads[algorithm.name] = circuitHeads(pipeline).length;
  for (const a of algorithms) settings.kMax[a.name] = Math.min(settings.kMax[a.name], heads[a.name]);
  const est = estimateStudy(settings, algorithms, heads);
  const maxSeconds = opts.maxSeconds ?? 3600;
  if (est.seconds > maxSeconds)
    throw new BudgetError(
      `equivalence study: about ${Math.round(est.seconds)} s (${est.stageRuns} stage runs, ${est.ridgeFits} ridge fits) exceeds the budget of ${maxSeconds} s; use fewer implementations, probes, draws or algorithms, or raise maxSeconds.`,
      est.ridgeFits,
      maxSeconds,
      est.seconds,
    );
  const probes = makePipelineProbes(deriveSeed(seed, "probes"), settings.probes);
  const ridge = (x: Mat, y: Mat, s: number) => ridgePredictivity(x, y, { seed: s, folds: settings.ridge.folds, alphas: settings.ridge.alphas });

  // Representations, once per implementation (with every budget's patched run).
  const reps: ImplementationRepresentation[] = [];
  const summaries: ImplementationSummary[] = [];
  impls.forEach(({ algorithm, pipeline }, i) => {
    const K = settings.kMax[algorithm.name];
    const rep = representImplementation(pipeline, probes, { components: settings.components, varianceKept: settings.varianceKept, budgets: Array.from({ length: K }, (_, k) => k + 1) });
    reps.push(rep);
    const last = algorithm.cases.length - 1;
    let ok = 0;
    probes.clean.forEach((row, r) => {
      if (composePrograms(algorithm, row)[last].join() === rep.outputs[r].join()) ok++;
    });
    summaries.push({ algorithm: algorithm.name, stages: pipeline.stages.map((s) => s.key), columns: rep.columns, accuracy: ok / probes.clean.length, circuitHeads: rep.circuitHeads });
    onProgress?.({ phase: "represent", done: i + 1, total: impls.length });
  });
  const t1 = Date.now();

  // (c) the transfer matrix over implementations.
  const M = impls.length;
  const similarity = Array.from({ length: M }, () => new Array<number>(M).fill(1));
  let done = 0;
  for (let i = 0; i < M; i++)
    for (let j = 0; j < M; j++) {
      if (i === j) continue;
      similarity[i][j] = ridge(reps[i].x, reps[j].x, pairSeed(seed, i, j));
      onProgress?.({ phase: "similarity", done: ++done, total: M * (M - 1) });
    }
  const byAlg = algorithms.map((a) => impls.map((x, i) => (x.algorithm.name === a.name ? i : -1)).filter((i) => i >= 0));
  const transfer = byAlg.map((ia) =>
    byAlg.map((ib) => {
      let s = 0;
      let n = 0;
      for (const i of ia)
        for (const j of ib)
          if (i !== j) {
            s += similarity[i][j];
            n++;
          }
      return n ? s / n : 0;
    }),
  );
  // (b) the point test per ordered pair of algorithms.
  const detection: number[][] = [];
  const meanWinRate: number[][] = [];
  algorithms.forEach((a, ai) => {
    detection.push([]);
    meanWinRate.push([]);
    algorithms.forEach((b, bi) => {
      const r = pointTest(similarity, byAlg[ai], byAlg[bi], { draws: settings.draws, bootstraps: settings.bootstraps, seed: deriveSeed(seed, "point-test", a.name, b.name) });
      detection[ai].push(r.detectionRate);
      meanWinRate[ai].push(r.meanWinRate);
    });
  });
  const t2 = Date.now();

  // (a) selectivity: the same draws (a, b) for every budget of a source and target.
  const selectivity: SelectivityCurve[] = [];
  const totalSel = algorithms.reduce((s, a) => s + (settings.kMax[a.name] + 1) * algorithms.length * settings.selectivityDraws, 0);
  done = 0;
  algorithms.forEach((a, ai) => {
    const K = settings.kMax[a.name];
    algorithms.forEach((b, bi) => {
      const rng = new Rng(deriveSeed(seed, "selectivity", a.name, b.name));
      const pairs: [number, number][] = [];
      for (let d = 0; d < settings.selectivityDraws; d++) {
        const j = byAlg[bi][d % byAlg[bi].length];
        const choices = byAlg[ai].filter((i) => i !== j);
        pairs.push([choices[rng.int(choices.length)], j]);
      }
      const ks = Array.from({ length: K + 1 }, (_, k) => k);
      const score = ks.map((k) => {
        let wins = 0;
        pairs.forEach(([i, j], d) => {
          const patched = k === 0 ? reps[i].x : reps[i].patched[k];
          if (similarity[i][j] > ridge(patched, reps[j].x, deriveSeed(seed, "selectivity-folds", i, j, k, d))) wins++;
          onProgress?.({ phase: "selectivity", done: ++done, total: totalSel });
        });
        return wins / pairs.length;
      });
      selectivity.push({ source: a.name, target: b.name, k: ks, score, draws: pairs.length });
    });
  });
  const t3 = Date.now();
  return {
    settings,
    implementations: summaries,
    similarity,
    transfer,
    detection,
    meanWinRate,
    selectivity,
    seconds: { represent: (t1 - t0) / 1000, similarity: (t2 - t1) / 1000, selectivity: (t3 - t2) / 1000, total: (t3 - t0) / 1000 },
  };
}

/** Per source algorithm: s(a→a′) within it and s(a→b) to every other algorithm's implementations. */
export function withinBetweenSimilarity(result: TransformerStudyResult): { measure: string; within: number[]; between: number[] }[] {
  const algs = result.implementations.map((i) => i.algorithm);
  return result.settings.algorithms.map((a) => {
    const within: number[] = [];
    const between: number[] = [];
    algs.forEach((ai, i) => {
      if (ai !== a) return;
      algs.forEach((aj, j) => {
        if (i !== j) (aj === a ? within : between).push(result.similarity[i][j]);
      });
    });
    return { measure: a, within, between };
  });
}

/**
 * A 2-D map of the implementations: classical MDS of the distances 1 − (s(i→j) + s(j→i))/2, with the share of the
 * (positive) spectrum the two axes carry.
 */
export function implementationMap(similarity: readonly (readonly number[])[]): { x: number[]; y: number[]; explained: number } {
  const n = similarity.length;
  const d2 = (i: number, j: number) => (i === j ? 0 : (1 - (similarity[i][j] + similarity[j][i]) / 2) ** 2);
  const rowMean = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => d2(i, j)).reduce((s, v) => s + v, 0) / n);
  const all = rowMean.reduce((s, v) => s + v, 0) / n;
  const b = mat(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b.v[i * n + j] = -0.5 * (d2(i, j) - rowMean[i] - rowMean[j] + all);
  const { values, vectors } = symmetricEigen(b);
  const pos = Array.from(values).filter((v) => v > 0).reduce((s, v) => s + v, 0);
  const coord = (c: number) => Array.from({ length: n }, (_, i) => vectors.v[i * n + c] * Math.sqrt(Math.max(0, values[c])));
  return { x: coord(0), y: n > 1 ? coord(1) : [0], explained: pos > 0 ? (Math.max(0, values[0]) + Math.max(0, values[1] ?? 0)) / pos : 0 };
}

/** Ordered pairs (A, B ≠ A) whose detection rate is below `threshold`: the pairs the estimator cannot tell apart. */
export function indistinguishablePairs(result: TransformerStudyResult, threshold = 0.8): { source: string; target: string; detection: number; meanWinRate: number; sharedStages: string[] }[] {
  const names = result.settings.algorithms;
  const out: { source: string; target: string; detection: number; meanWinRate: number; sharedStages: string[] }[] = [];
  names.forEach((a, i) =>
    names.forEach((b, j) => {
      if (i === j || result.detection[i][j] >= threshold) return;
      const ca = a.split("→");
      out.push({ source: a, target: b, detection: result.detection[i][j], meanWinRate: result.meanWinRate[i][j], sharedStages: b.split("→").filter((c) => ca.includes(c)) });
    }),
  );
  return out;
}

/** Per source: selectivity at k = 0 and at its largest k, against itself and averaged over the other targets. */
export function selectivityEndpoints(result: TransformerStudyResult): { source: string; kMax: number; sameAtZero: number; sameAtMax: number; otherAtZero: number; otherAtMax: number }[] {
  return result.settings.algorithms.map((a) => {
    const curves = result.selectivity.filter((c) => c.source === a);
    const same = curves.find((c) => c.target === a)!;
    const others = curves.filter((c) => c.target !== a);
    const K = same.k.length - 1;
    const mean = (xs: number[]) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : NaN);
    return { source: a, kMax: K, sameAtZero: same.score[0], sameAtMax: same.score[K], otherAtZero: mean(others.map((c) => c.score[0])), otherAtMax: mean(others.map((c) => c.score[K])) };
  });
}
