/**
 * The decision: do two nets share an interpretation? The graded congruity score of a pair's scores and the
 * threshold that turns it into "same" / "different" (Sun & Toneva 2026; EQUIVALENCE 6.4).
 */
import { MLP } from "../model";
import { InputError } from "../errors";
import { deriveSeed } from "../rng";
import { Mat } from "./linalg";
import { PairScores, PreparedNet, pairScores, pairSeed, prepareNet } from "./scores";
import { ProbeOptions, RepresentationOptions, makeProbes } from "./represent";

export interface CompareOptions {
  probes?: ProbeOptions;
  representation?: RepresentationOptions;
  seed?: number;
  /** Congruity at or above which a pair is declared "same" (default 0.5: within-class pairs of hand-built XOR nets average ≈ 0.85, C1–C2 pairs ≈ 0.1). */
  threshold?: number;
}

/**
 * Graded congruity in [0, 1] (symmetric, higher = more likely one interpretation): the two-way ridge score
 * (the "signal and noise" conditions: each representation linearly recoverable from the other), times the Procrustes
 * similarity to penalise matches that need a non-rigid re-encoding. Our own combination (EQUIVALENCE 6.4, [INF]).
 */
export function congruity(s: Pick<PairScores, "ridge" | "procrustes">): number {
  return Math.max(0, Math.min(1, s.ridge * s.procrustes));
}

/** The congruity matrix (symmetric) of a population from its ridge (either direction) and Procrustes matrices. */
export function congruityMatrix(ridge: number[][], procrustes: number[][]): number[][] {
  return ridge.map((row, i) => row.map((v, j) => congruity({ ridge: Math.min(v, ridge[j][i]), procrustes: procrustes[i][j] })));
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

/** Scores every unordered pair of nets on one shared probe set (seeded) and decides each. */
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
      const scores = pairScores(nets[i], nets[j], pairSeed(seed, i, j));
      const c = congruity(scores);
      pairs.push({ a: i, b: j, congruity: c, scores, same: c >= (opts.threshold ?? 0.5) });
      onProgress?.(pairs.length, total);
    }
  return { pairs, nets, probes };
}

/** A net of known class, prepared on the probes it will be compared on. */
export interface ReferenceNet {
  cls: string;
  net: PreparedNet;
}

/**
 * The reference class a net is most congruent with, without any alignment: the mean congruity of the net with the
 * references of each class, and the class with the highest mean (ties: the first class met in `refs`).
 */
export function nearestReferenceClass(net: PreparedNet, refs: readonly ReferenceNet[]): { nearest: string; congruity: Record<string, number> } {
  if (!Array.isArray(refs) || refs.length === 0) throw new InputError("nearestReferenceClass: refs must be a non-empty array of { cls, net: prepareNet(model, probes) } (e.g. from handBuiltPopulation).");
  const sums = new Map<string, { total: number; n: number }>();
  for (const r of refs) {
    const s = sums.get(r.cls) ?? { total: 0, n: 0 };
    s.total += congruity(pairScores(net, r.net));
    s.n += 1;
    sums.set(r.cls, s);
  }
  const means: Record<string, number> = {};
  let nearest = "";
  for (const [cls, s] of sums) {
    means[cls] = s.total / s.n;
    if (nearest === "" || means[cls] > means[nearest]) nearest = cls;
  }
  return { nearest, congruity: means };
}
