/**
 * Validation against ground truth (EQUIVALENCE 6.7): for a labelled population, every measure's similarity matrix,
 * its AUC for same-class vs cross-class pairs, and the paper's point test (detection rate between classes, false
 * detection within a class). Shared by the tests, the notebook and the closing numbers.
 */
import { deriveSeed } from "../rng";
import { congruityMatrix } from "./decision";
import { pointTest } from "./point-test";
import { MeasureName, MEASURES, PreparedNet, prepareNet, similarityMatrices } from "./scores";
import { LabelledNet } from "./groundTruth";
import { auc } from "./measures";
import { ProbeOptions, RepresentationOptions, makeProbes } from "./represent";

export type StudyMeasure = MeasureName | "congruity";
export const STUDY_MEASURES: readonly StudyMeasure[] = [...MEASURES, "congruity"];

export interface ClassPairStats {
  classes: [string, string];
  measure: StudyMeasure;
  /** AUC of same-class (within x or y) vs cross-class ordered pairs. */
  auc: number;
  within: number[];
  between: number[];
  /** Point test x vs y: detection rate over bootstraps (distinguishable), and within x vs x (false detection). */
  detection: number;
  falseDetection: number;
}

export interface EquivalenceStudy {
  labels: string[];
  classes: string[];
  nets: PreparedNet[];
  matrices: Record<StudyMeasure, number[][]>;
  stats: ClassPairStats[];
}

export interface EquivalenceStudyOptions {
  probes?: ProbeOptions;
  representation?: RepresentationOptions;
  measures?: readonly StudyMeasure[];
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Similarity matrices and per-class-pair statistics of a labelled population. Seeded and deterministic. */
export function runEquivalenceStudy(pop: readonly LabelledNet[], opts: EquivalenceStudyOptions = {}): EquivalenceStudy {
  const seed = opts.seed ?? 0;
  const probes = makeProbes(deriveSeed(seed, "probes"), opts.probes);
  const nets = pop.map((p) => prepareNet(p.model, probes, opts.representation));
  const wanted = opts.measures ?? STUDY_MEASURES;
  const base = new Set<MeasureName>(wanted.filter((m): m is MeasureName => m !== "congruity"));
  if (wanted.includes("congruity")) {
    base.add("ridge");
    base.add("procrustes");
  }
  const matrices = similarityMatrices(nets, [...base], seed, opts.onProgress) as Record<StudyMeasure, number[][]>;
  if (wanted.includes("congruity")) matrices.congruity = congruityMatrix(matrices.ridge, matrices.procrustes);
  const classes = pop.map((p) => p.cls as string);
  const distinct = [...new Set(classes)];
  const stats: ClassPairStats[] = [];
  for (let x = 0; x < distinct.length; x++)
    for (let y = x + 1; y < distinct.length; y++)
      for (const m of wanted) stats.push(classPairStats(matrices[m], classes, distinct[x], distinct[y], m, deriveSeed(seed, "point-test", m, x, y)));
  return { labels: pop.map((p) => p.label), classes, nets, matrices, stats };
}

/** Statistics of one measure for classes cx vs cy of a labelled similarity matrix. */
export function classPairStats(s: number[][], classes: readonly string[], cx: string, cy: string, measure: StudyMeasure, seed = 0): ClassPairStats {
  const within: number[] = [];
  const between: number[] = [];
  const ix: number[] = [];
  const iy: number[] = [];
  classes.forEach((c, i) => (c === cx ? ix : c === cy ? iy : null)?.push(i));
  for (const i of [...ix, ...iy])
    for (const j of [...ix, ...iy]) {
      if (i === j) continue;
      (classes[i] === classes[j] ? within : between).push(s[i][j]);
    }
  return {
    classes: [cx, cy],
    measure,
    auc: auc(within, between),
    within,
    between,
    detection: pointTest(s, ix, iy, { seed }).detectionRate,
    falseDetection: pointTest(s, ix, ix, { seed: seed + 1 }).detectionRate,
  };
}

/** The statistics of one measure and class pair from a study. */
export function statsFor(study: EquivalenceStudy, measure: StudyMeasure, cx: string, cy: string): ClassPairStats {
  const s = study.stats.find((t) => t.measure === measure && ((t.classes[0] === cx && t.classes[1] === cy) || (t.classes[0] === cy && t.classes[1] === cx)));
  if (!s) throw new Error(`statsFor: no statistics for ${measure} on ${cx} vs ${cy}; run the study with both classes and that measure.`);
  return s;
}

/** Adjusted Rand index of two labelings (cluster agreement, chance = 0). */
export function adjustedRandIndex(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  if (a.length !== b.length) throw new Error("adjustedRandIndex: labelings differ in length.");
  const n = a.length;
  const c2 = (k: number) => (k * (k - 1)) / 2;
  const table = new Map<string, number>();
  const ra = new Map<string, number>();
  const rb = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const ka = String(a[i]);
    const kb = String(b[i]);
    table.set(ka + "\u0001" + kb, (table.get(ka + "\u0001" + kb) ?? 0) + 1);
    ra.set(ka, (ra.get(ka) ?? 0) + 1);
    rb.set(kb, (rb.get(kb) ?? 0) + 1);
  }
  const sumIJ = [...table.values()].reduce((s, v) => s + c2(v), 0);
  const sumA = [...ra.values()].reduce((s, v) => s + c2(v), 0);
  const sumB = [...rb.values()].reduce((s, v) => s + c2(v), 0);
  const expected = (sumA * sumB) / c2(n);
  const max = (sumA + sumB) / 2;
  return max === expected ? 1 : (sumIJ - expected) / (max - expected);
}
