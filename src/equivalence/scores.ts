/**
 * Pair scores: how similar two nets' representations are, by every measure, both directions where the
 * measure is asymmetric (Sun & Toneva 2026; EQUIVALENCE 3.2). Each score of a pair is computed once, whether it
 * goes into a pair's record (compareNets) or into a population's similarity matrices (runEquivalenceStudy).
 */
import { MLP, LEAKY_SLOPE } from "../model";
import { Rng, deriveSeed } from "../rng";
import { cleanInputs } from "../tasks";
import { Mat, mat, takeRows } from "./linalg";
import { linearCKA, procrustesSimilarity, ridgeFit, ridgePredictivity, standardizeColumns } from "./measures";
import { Representation, RepresentationOptions, probeActivations, representation } from "./represent";

/** Every score of an ordered pair (a, b); "AB" = a's representation predicts / maps onto b's. */
export interface PairScores {
  /** Held-out ridge √R², a → b and b → a, and their minimum (the two-way score the theory asks for). */
  ridgeAB: number;
  ridgeBA: number;
  ridge: number;
  cka: number;
  procrustes: number;
  /** Stitching: agreement of b's (a's) readout applied to an affine map of a's (b's) representation, and the minimum. */
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

/** A net prepared for comparison: its representation, output and last hidden layer on the shared probes. */
export interface PreparedNet {
  model: MLP;
  rep: Representation;
  output: Mat;
  lastHidden: Mat;
  /** Outputs on the clean corners (the task's inputs). */
  cleanOutput: Mat;
}

export function prepareNet(m: MLP, probes: Mat, opts: RepresentationOptions = {}): PreparedNet {
  const acts = probeActivations(m, probes);
  const L = m.layerSizes.length - 1;
  const k = m.layerSizes[0];
  const clean = probeActivations(m, mat(1 << k, k, cleanInputs(k)))[L];
  return { model: m, rep: representation(m, probes, opts), output: acts[L], lastHidden: acts[L - 1], cleanOutput: clean };
}

/** Fraction of held-out probes where b's readout on the affine image of a's representation rounds like b's own output. */
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

/**
 * The scores of the pair (a, b) that the given measures need, each computed once (`ridge` and `ridgeAB` share
 * both ridge fits; `stitch` computes both directions). Fold and split seeds are `seed` for every score.
 */
export function scorePair(a: PreparedNet, b: PreparedNet, seed = 0, measures: readonly MeasureName[] = MEASURES): Partial<PairScores> {
  const want = new Set<MeasureName>(measures);
  const s: Partial<PairScores> = {};
  if (want.has("ridge") || want.has("ridgeAB")) {
    s.ridgeAB = ridgePredictivity(a.rep.x, b.rep.x, { seed });
    s.ridgeBA = ridgePredictivity(b.rep.x, a.rep.x, { seed });
    s.ridge = Math.min(s.ridgeAB, s.ridgeBA);
  }
  if (want.has("cka")) s.cka = linearCKA(a.rep.x, b.rep.x);
  if (want.has("procrustes")) s.procrustes = procrustesSimilarity(a.rep.x, b.rep.x);
  if (want.has("stitch")) {
    s.stitchAB = stitchingScore(a, b, seed);
    s.stitchBA = stitchingScore(b, a, seed);
    s.stitch = Math.min(s.stitchAB, s.stitchBA);
  }
  if (want.has("output")) s.output = behaviourAgreement(a, b);
  if (want.has("outputRidge")) s.outputRidge = Math.min(ridgePredictivity(a.output, b.output, { seed }), ridgePredictivity(b.output, a.output, { seed }));
  return s;
}

/** Every score of the pair (a, b). */
export function pairScores(a: PreparedNet, b: PreparedNet, seed = 0): PairScores {
  return scorePair(a, b, seed) as PairScores;
}

/** Which score fills s[i][j] and which s[j][i] of a measure's matrix (i < j; a = net i, b = net j). */
const MATRIX_ENTRIES: Record<MeasureName, [keyof PairScores, keyof PairScores]> = {
  ridge: ["ridge", "ridge"],
  ridgeAB: ["ridgeAB", "ridgeBA"],
  cka: ["cka", "cka"],
  procrustes: ["procrustes", "procrustes"],
  stitch: ["stitchAB", "stitchBA"],
  output: ["output", "output"],
  outputRidge: ["outputRidge", "outputRidge"],
};

/** The fold / split seed of the pair (i, j) of a population compared under `seed` (the same in every caller). */
export function pairSeed(seed: number, i: number, j: number): number {
  return deriveSeed(seed, "folds", i, j);
}

/**
 * Ordered similarity matrices s[i][j] = s(i → j) of the given measures over prepared nets (diagonal 1): one
 * scorePair per unordered pair, seeded by pairSeed(seed, i, j). Progress counts pairs.
 */
export function similarityMatrices(
  nets: readonly PreparedNet[],
  measures: readonly MeasureName[],
  seed = 0,
  onProgress?: (done: number, total: number) => void,
): Partial<Record<MeasureName, number[][]>> {
  const n = nets.length;
  const out: Partial<Record<MeasureName, number[][]>> = {};
  for (const m of measures) {
    if (!(m in MATRIX_ENTRIES)) throw new Error(`similarityMatrices: unknown measure "${m}"; use one of ${MEASURES.join(", ")}.`);
    out[m] = Array.from({ length: n }, () => new Array<number>(n).fill(1));
  }
  const total = (n * (n - 1)) / 2;
  let done = 0;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const s = scorePair(nets[i], nets[j], pairSeed(seed, i, j), measures);
      for (const m of measures) {
        const [ij, ji] = MATRIX_ENTRIES[m];
        out[m]![i][j] = s[ij]!;
        out[m]![j][i] = s[ji]!;
      }
      onProgress?.(++done, total);
    }
  return out;
}
