/**
 * Do two nets share an interpretation? Per-pair similarity scores (both directions where asymmetric), the graded
 * congruity score, the paper's within- vs between-interpretation point test with its bootstrap detection rate, and
 * the drop profile under patching of circuit units (Sun & Toneva 2026; EQUIVALENCE 3.2 and 6.4).
 */
import { MLP, LEAKY_SLOPE } from "../model";
import { Rng, deriveSeed } from "../rng";
import { cleanInputs } from "../tasks";
import { Mat, mat, takeRows } from "./linalg";
import { linearCKA, procrustesSimilarity, ridgeFit, ridgePredictivity, standardizeColumns } from "./measures";
import { ProbeOptions, Representation, RepresentationOptions, UnitRef, circuitUnits, forwardPatched, makeProbes, representation } from "./represent";

/** Every score of an ordered pair (a, b); "AB" = a's representation predicts / maps onto b's. */
export interface PairScores {
  /** Held-out ridge √R², a → b and b → a, and their minimum (the two-way score the theory asks for). */
  ridgeAB: number;
  ridgeBA: number;
  ridge: number;
  cka: number;
  procrustes: number;
  /** Stitching: agreement of b's (a's) readout applied to an affine map of a's (b's) circuit, and the minimum. */
  stitchAB: number;
  stitchBA: number;
  stitch: number;
  /** Behavioural baseline: fraction of the clean task inputs where the thresholded outputs agree (what the nets compute). */
  output: number;
  /** Two-way ridge on the raw outputs: on noisy probes the output's local slope leaks the algorithm. */
  outputRidge: number;
}

export const MEASURES = ["ridge", "ridgeAB", "cka", "procrustes", "stitch", "output", "outputRidge"] as const;
export type MeasureName = (typeof MEASURES)[number];

export interface CompareOptions {
  probes?: ProbeOptions;
  representation?: RepresentationOptions;
  seed?: number;
  /** Congruity at or above which a pair is declared "same" (default 0.5: within-class pairs of hand-built XOR nets average ≈ 0.85, C1–C2 pairs ≈ 0.1). */
  threshold?: number;
}

/** A net prepared for comparison: its circuit representation, output and last hidden layer on the shared probes. */
export interface PreparedNet {
  model: MLP;
  rep: Representation;
  output: Mat;
  lastHidden: Mat;
  /** Outputs on the clean corners (the task's inputs). */
  cleanOutput: Mat;
}

export function prepareNet(m: MLP, probes: Mat, opts: RepresentationOptions = {}): PreparedNet {
  const acts = forwardPatched(m, probes);
  const L = m.layerSizes.length - 1;
  const k = m.layerSizes[0];
  const clean = forwardPatched(m, mat(1 << k, k, cleanInputs(k)))[L];
  return { model: m, rep: representation(m, probes, opts), output: acts[L], lastHidden: acts[L - 1], cleanOutput: clean };
}

/** Fraction of held-out probes where b's readout on the affine image of a's circuit rounds like b's own output. */
export function stitchingScore(a: PreparedNet, b: PreparedNet, seed = 0): number {
  const n = a.rep.x.n;
  const tr: number[] = [];
  const te: number[] = [];
  // every 4th row shares a corner, so split on a seeded permutation, not on row parity
  new Rng(seed).permutation(n).forEach((r, i) => (i % 2 === 0 ? tr : te).push(r));
  const xa = standardizeColumns(a.rep.x);
  const map = ridgeFit(takeRows(xa, tr), takeRows(b.lastHidden, tr), 1e-3);
  const h = map(takeRows(xa, te));
  const m = b.model;
  const L = m.layerSizes.length - 1;
  const nin = m.layerSizes[L - 1];
  const nout = m.layerSizes[L];
  let agree = 0;
  te.forEach((r, i) => {
    let all = true;
    for (let o = 0; o < nout; o++) {
      let acc = m.biases[L - 1][o];
      for (let j = 0; j < nin; j++) acc += m.weights[L - 1][o * nin + j] * h.v[i * nin + j];
      const y = acc >= 0 ? acc : acc * LEAKY_SLOPE;
      if (y > 0.5 !== b.output.v[r * nout + o] > 0.5) all = false;
    }
    if (all) agree++;
  });
  return agree / te.length;
}

/** Fraction of clean task inputs where both nets' outputs fall on the same side of 0.5 (every output). */
export function behaviourAgreement(a: PreparedNet, b: PreparedNet): number {
  const ya = a.cleanOutput;
  const yb = b.cleanOutput;
  const k = ya.d;
  if (yb.d !== k || yb.n !== ya.n) throw new Error(`equivalence: the nets have ${k} and ${yb.d} outputs; compare nets of the same task.`);
  let agree = 0;
  for (let r = 0; r < ya.n; r++) {
    let all = true;
    for (let o = 0; o < k; o++) if (ya.v[r * k + o] > 0.5 !== yb.v[r * k + o] > 0.5) all = false;
    if (all) agree++;
  }
  return agree / ya.n;
}

export function pairScores(a: PreparedNet, b: PreparedNet, seed = 0): PairScores {
  const ridgeAB = ridgePredictivity(a.rep.x, b.rep.x, { seed });
  const ridgeBA = ridgePredictivity(b.rep.x, a.rep.x, { seed });
  const stitchAB = stitchingScore(a, b, seed);
  const stitchBA = stitchingScore(b, a, seed);
  const outputRidge = Math.min(ridgePredictivity(a.output, b.output, { seed }), ridgePredictivity(b.output, a.output, { seed }));
  return {
    ridgeAB,
    ridgeBA,
    ridge: Math.min(ridgeAB, ridgeBA),
    cka: linearCKA(a.rep.x, b.rep.x),
    procrustes: procrustesSimilarity(a.rep.x, b.rep.x),
    stitchAB,
    stitchBA,
    stitch: Math.min(stitchAB, stitchBA),
    output: behaviourAgreement(a, b),
    outputRidge,
  };
}

/**
 * Graded congruity in [0, 1] (symmetric, higher = more likely one interpretation): the two-way ridge score
 * (the "signal and noise" conditions: each circuit linearly recoverable from the other), times the Procrustes
 * similarity to penalise matches that need a non-rigid re-encoding. Our own combination (EQUIVALENCE 6.4, [INF]).
 */
export function congruity(s: PairScores): number {
  return Math.max(0, Math.min(1, s.ridge * s.procrustes));
}

export interface PairResult {
  a: number;
  b: number;
  congruity: number;
  scores: PairScores;
  same: boolean;
}

export interface CompareResult {
  pairs: PairResult[];
  nets: PreparedNet[];
  probes: Mat;
}

/** Scores every unordered pair of nets on one shared probe set (seeded). */
export function compareNets(models: readonly MLP[], opts: CompareOptions = {}, onProgress?: (done: number, total: number) => void): CompareResult {
  const seed = opts.seed ?? 0;
  const probes = makeProbes(deriveSeed(seed, "probes"), opts.probes);
  models.forEach((m, i) => {
    if (m.layerSizes[0] !== probes.d) throw new Error(`equivalence: model ${i} takes ${m.layerSizes[0]} inputs; the probes have ${probes.d} (set probes.nInputs).`);
    if (m.layerSizes.length < 3) throw new Error(`equivalence: model ${i} has no hidden layer (layer_sizes ${JSON.stringify(m.layerSizes)}); there is no internal representation to compare.`);
  });
  const nets = models.map((m) => prepareNet(m, probes, opts.representation));
  const pairs: PairResult[] = [];
  const total = (models.length * (models.length - 1)) / 2;
  for (let i = 0; i < models.length; i++)
    for (let j = i + 1; j < models.length; j++) {
      const scores = pairScores(nets[i], nets[j], deriveSeed(seed, "folds", i, j));
      const c = congruity(scores);
      pairs.push({ a: i, b: j, congruity: c, scores, same: c >= (opts.threshold ?? 0.5) });
      onProgress?.(pairs.length, total);
    }
  return { pairs, nets, probes };
}

/** Ordered similarity matrix s[i][j] = s(i → j) of one measure over prepared nets (diagonal 1). */
export function similarityMatrix(nets: readonly PreparedNet[], measure: MeasureName, seed = 0, onProgress?: (done: number, total: number) => void): number[][] {
  const n = nets.length;
  const s = Array.from({ length: n }, () => new Array<number>(n).fill(1));
  let done = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const a = nets[i];
      const b = nets[j];
      const fseed = deriveSeed(seed, "folds", i, j);
      switch (measure) {
        case "ridge":
        case "ridgeAB": {
          const ab = ridgePredictivity(a.rep.x, b.rep.x, { seed: fseed });
          const ba = ridgePredictivity(b.rep.x, a.rep.x, { seed: fseed });
          s[i][j] = measure === "ridge" ? Math.min(ab, ba) : ab;
          s[j][i] = measure === "ridge" ? Math.min(ab, ba) : ba;
          break;
        }
        case "cka":
          s[i][j] = s[j][i] = linearCKA(a.rep.x, b.rep.x);
          break;
        case "procrustes":
          s[i][j] = s[j][i] = procrustesSimilarity(a.rep.x, b.rep.x);
          break;
        case "stitch":
          s[i][j] = stitchingScore(a, b, fseed);
          s[j][i] = stitchingScore(b, a, fseed);
          break;
        case "output":
          s[i][j] = s[j][i] = behaviourAgreement(a, b);
          break;
        case "outputRidge": {
          const v = Math.min(ridgePredictivity(a.output, b.output, { seed: fseed }), ridgePredictivity(b.output, a.output, { seed: fseed }));
          s[i][j] = s[j][i] = v;
          break;
        }
      }
      onProgress?.(++done, (n * (n - 1)) / 2);
    }
  return s;
}

/** The graded congruity matrix (symmetric) from the two matrices it combines. */
export function congruityMatrix(ridge: number[][], procrustes: number[][]): number[][] {
  return ridge.map((row, i) => row.map((v, j) => Math.max(0, Math.min(1, Math.min(v, ridge[j][i]) * procrustes[i][j]))));
}

export interface PointTestOptions {
  /** Draws per test (default 20, as the paper). */
  draws?: number;
  /** Bootstrap repetitions (default 40). */
  bootstraps?: number;
  seed?: number;
}

/**
 * The paper's point test between populations A and B (indices into a similarity matrix s): draw a1 ≠ a2 from A and
 * b from B, count s(a1→a2) > s(a1→b); A and B are distinguishable when the one-sided 95 % lower bound of that rate
 * exceeds 0.5. Returns the detection rate over bootstraps and the mean win rate p̂.
 */
export function pointTest(s: number[][], a: readonly number[], b: readonly number[], opts: PointTestOptions = {}): { detectionRate: number; meanWinRate: number } {
  if (a.length < 2) throw new Error("pointTest: population A needs at least 2 implementations (a1 ≠ a2).");
  if (b.length < 1) throw new Error("pointTest: population B is empty.");
  const n = opts.draws ?? 20;
  const reps = opts.bootstraps ?? 40;
  const rng = new Rng(opts.seed ?? 0);
  let detected = 0;
  let winSum = 0;
  for (let t = 0; t < reps; t++) {
    let wins = 0;
    for (let d = 0; d < n; d++) {
      const i = rng.int(a.length);
      let k = rng.int(a.length - 1);
      if (k >= i) k++;
      let bj = b[rng.int(b.length)];
      // within-population test: b must differ from a1 and a2, as three distinct implementations
      let guard = 0;
      while ((bj === a[i] || bj === a[k]) && guard++ < 100) bj = b[rng.int(b.length)];
      if (s[a[i]][a[k]] > s[a[i]][bj]) wins++;
    }
    const p = wins / n;
    winSum += p;
    if (p - 1.96 * Math.sqrt((p * (1 - p)) / n) > 0.5) detected++;
  }
  return { detectionRate: detected / reps, meanWinRate: winSum / reps };
}

export interface PatchingProfile {
  /** Number of patched circuit units. */
  k: number[];
  /** Mean s(do_k a → b) / s(a → b) drop: 1 − ratio, per k. */
  drop: number[];
  /** Selectivity: fraction of pairs with s(a → b) > s(do_k a → b), per k. */
  selectivity: number[];
}

/**
 * Drop profile under patching: the k most important circuit units of each source (last layer first, then by
 * importance) take their values on counterfactual probes; ridge a → b is recomputed. Congruent targets should show
 * the same drop as the source's own family.
 */
export function patchingProfile(
  sources: readonly MLP[],
  targets: readonly MLP[],
  pairs: readonly [number, number][],
  opts: { kMax?: number; probes?: ProbeOptions; seed?: number; representation?: RepresentationOptions } = {},
): PatchingProfile {
  const seed = opts.seed ?? 0;
  const probes = makeProbes(deriveSeed(seed, "probes"), opts.probes);
  const cf = makeProbes(deriveSeed(seed, "counterfactual"), opts.probes);
  // counterfactual rows come from a shuffled independent set, so each probe's source differs in its corner
  const perm = new Rng(deriveSeed(seed, "cf-shuffle")).permutation(cf.n);
  const cfRows = takeRows(cf, perm);
  const kMax = opts.kMax ?? 2;
  const ks = Array.from({ length: kMax + 1 }, (_, k) => k);
  const drop = new Array(kMax + 1).fill(0);
  const sel = new Array(kMax + 1).fill(0);
  const targetReps = new Map<number, Mat>();
  for (const [si, ti] of pairs) {
    const src = sources[si];
    const { units, importance } = circuitUnits(src, probes, opts.representation?.circuitTol);
    const order = units.map((u, i) => ({ u, imp: importance[i] })).sort((x, y) => y.u.layer - x.u.layer || y.imp - x.imp);
    const base = representation(src, probes, opts.representation);
    if (!targetReps.has(ti)) targetReps.set(ti, representation(targets[ti], probes, opts.representation).x);
    const ty = targetReps.get(ti)!;
    const s0 = ridgePredictivity(base.x, ty, { seed });
    const cfActs = forwardPatched(src, cfRows);
    for (const k of ks) {
      const chosen: UnitRef[] = order.slice(0, k).map((o) => o.u);
      const patches = chosen.map((u) => ({ layer: u.layer, unit: u.unit, values: column(cfActs[u.layer], u.unit) }));
      const sk = k === 0 ? s0 : ridgePredictivity(representation(src, probes, { ...opts.representation, patches, units: base.units }).x, ty, { seed });
      drop[k] += (s0 > 0 ? 1 - sk / s0 : 0) / pairs.length;
      sel[k] += (s0 > sk ? 1 : s0 === sk ? 0.5 : 0) / pairs.length;
    }
  }
  return { k: ks, drop, selectivity: sel };
}

function column(a: Mat, j: number): Float64Array {
  const out = new Float64Array(a.n);
  for (let r = 0; r < a.n; r++) out[r] = a.v[r * a.d + j];
  return out;
}


