/**
 * Representation similarity measures on probe × unit matrices (plain TypeScript, Float64). All take matrices with
 * the same probe rows; columns are standardised first (ReLU units are rescaled freely by implementation-preserving
 * transforms) and constant columns (dead units) are dropped.
 */
import { Rng } from "../rng";
import { Mat, choleskySolve, crossProd, mat, singularValues } from "./linalg";

/** Centres columns, divides by their standard deviation and drops columns with (relative) variance ≤ tol. */
export function standardizeColumns(a: Mat, tol = 1e-9): Mat {
  const keep: number[] = [];
  const mean = new Float64Array(a.d);
  const sd = new Float64Array(a.d);
  for (let j = 0; j < a.d; j++) {
    let s = 0;
    for (let r = 0; r < a.n; r++) s += a.v[r * a.d + j];
    const m = s / a.n;
    let ss = 0;
    let scale = 0;
    for (let r = 0; r < a.n; r++) {
      const x = a.v[r * a.d + j];
      ss += (x - m) * (x - m);
      scale = Math.max(scale, Math.abs(x));
    }
    mean[j] = m;
    sd[j] = Math.sqrt(ss / a.n);
    if (sd[j] > tol * Math.max(1, scale)) keep.push(j);
  }
  const out = mat(a.n, keep.length);
  for (let r = 0; r < a.n; r++) keep.forEach((j, c) => (out.v[r * keep.length + c] = (a.v[r * a.d + j] - mean[j]) / sd[j]));
  return out;
}

export interface RidgeOptions {
  /** Folds of the held-out estimate (default 5). */
  folds?: number;
  /** Ridge penalties tried; the best by leave-one-out error on each training fold is used (default 1e-3…1e2). */
  alphas?: readonly number[];
  /** Seed of the fold assignment. */
  seed?: number;
}

export const DEFAULT_ALPHAS = [1e-3, 1e-2, 1e-1, 1, 10, 100] as const;

/**
 * Held-out linear predictivity of Y from X (the paper's encoding model): k-fold ridge with an intercept, penalty
 * chosen per fold by exact leave-one-out on the training rows (as RidgeCV), out-of-fold R² averaged uniformly over
 * Y's columns, returned as √max(R², 0). Asymmetric: a richer X predicts a poorer Y.
 */
export function ridgePredictivity(xRaw: Mat, yRaw: Mat, opts: RidgeOptions = {}): number {
  if (xRaw.n !== yRaw.n) throw new Error(`ridgePredictivity: X has ${xRaw.n} rows and Y ${yRaw.n}; use the same probes for both.`);
  const x = standardizeColumns(xRaw);
  const y = standardizeColumns(yRaw);
  if (y.d === 0) return 0;
  if (x.d === 0) return 0;
  const n = x.n;
  const k = Math.min(opts.folds ?? 5, n);
  if (k < 2) throw new Error("ridgePredictivity: need at least 2 probes and 2 folds.");
  const perm = new Rng(opts.seed ?? 0).permutation(n);
  const fold = new Int32Array(n);
  perm.forEach((r, i) => (fold[r] = i % k));
  const pred = new Float64Array(n * y.d);
  for (let f = 0; f < k; f++) {
    const tr: number[] = [];
    const te: number[] = [];
    for (let r = 0; r < n; r++) (fold[r] === f ? te : tr).push(r);
    fitFold(x, y, tr, te, opts.alphas ?? DEFAULT_ALPHAS, pred);
  }
  let r2 = 0;
  for (let j = 0; j < y.d; j++) {
    let ss = 0;
    let res = 0;
    for (let r = 0; r < n; r++) {
      const t = y.v[r * y.d + j]; // standardised: mean 0
      ss += t * t;
      res += (t - pred[r * y.d + j]) ** 2;
    }
    r2 += 1 - res / ss;
  }
  return Math.sqrt(Math.max(0, r2 / y.d));
}

function fitFold(x: Mat, y: Mat, tr: number[], te: number[], alphas: readonly number[], pred: Float64Array): void {
  const p = x.d;
  const q = y.d;
  const m = tr.length;
  const xm = new Float64Array(p);
  const ym = new Float64Array(q);
  for (const r of tr) {
    for (let j = 0; j < p; j++) xm[j] += x.v[r * p + j] / m;
    for (let j = 0; j < q; j++) ym[j] += y.v[r * q + j] / m;
  }
  const xc = mat(m, p);
  const yc = mat(m, q);
  tr.forEach((r, i) => {
    for (let j = 0; j < p; j++) xc.v[i * p + j] = x.v[r * p + j] - xm[j];
    for (let j = 0; j < q; j++) yc.v[i * q + j] = y.v[r * q + j] - ym[j];
  });
  const xtx = crossProd(xc, xc);
  const xty = crossProd(xc, yc);
  const eye = mat(p, p);
  for (let i = 0; i < p; i++) eye.v[i * p + i] = 1;
  let best: Mat | null = null;
  let bestErr = Infinity;
  for (const alpha of alphas) {
    const s = mat(p, p, xtx.v);
    for (let i = 0; i < p; i++) s.v[i * p + i] += alpha;
    const inv = choleskySolve(s, eye);
    const w = choleskySolve(s, xty);
    // exact LOO residual e_i / (1 − h_ii), h_ii including the intercept's 1/m
    let err = 0;
    for (let i = 0; i < m; i++) {
      let h = 1 / m;
      for (let a = 0; a < p; a++) {
        let t = 0;
        for (let b = 0; b < p; b++) t += inv.v[a * p + b] * xc.v[i * p + b];
        h += xc.v[i * p + a] * t;
      }
      const denom = Math.max(1 - h, 1e-12);
      for (let j = 0; j < q; j++) {
        let yhat = 0;
        for (let a = 0; a < p; a++) yhat += xc.v[i * p + a] * w.v[a * q + j];
        err += ((yc.v[i * q + j] - yhat) / denom) ** 2;
      }
    }
    if (err < bestErr) {
      bestErr = err;
      best = w;
    }
  }
  for (const r of te)
    for (let j = 0; j < q; j++) {
      let yhat = ym[j];
      for (let a = 0; a < p; a++) yhat += (x.v[r * p + a] - xm[a]) * best!.v[a * q + j];
      pred[r * q + j] = yhat;
    }
}

/** Linear CKA (Kornblith et al. 2019) of standardised columns: ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F). Symmetric. */
export function linearCKA(xRaw: Mat, yRaw: Mat): number {
  const x = standardizeColumns(xRaw);
  const y = standardizeColumns(yRaw);
  if (x.d === 0 || y.d === 0) return 0;
  const fro2 = (a: Mat) => a.v.reduce((s, t) => s + t * t, 0);
  return fro2(crossProd(y, x)) / Math.sqrt(fro2(crossProd(x, x)) * fro2(crossProd(y, y)));
}

/**
 * Orthogonal Procrustes similarity: with standardised columns scaled to unit Frobenius norm, max over orthogonal
 * maps Q of tr(Qᵀ XᵀY) = the nuclear norm of XᵀY (zero-padding to equal widths changes nothing). In [0, 1];
 * the shape distance of Williams et al. (2021) is √(2 − 2·this). Symmetric.
 */
export function procrustesSimilarity(xRaw: Mat, yRaw: Mat): number {
  const x = standardizeColumns(xRaw);
  const y = standardizeColumns(yRaw);
  if (x.d === 0 || y.d === 0) return 0;
  const nx = Math.sqrt(x.v.reduce((s, t) => s + t * t, 0));
  const ny = Math.sqrt(y.v.reduce((s, t) => s + t * t, 0));
  const c = crossProd(x, y);
  return singularValues(c).reduce((s, t) => s + t, 0) / (nx * ny);
}

/** Area under the ROC curve: P(positive score > negative score), ties counted half. */
export function auc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) throw new Error("auc: need at least one positive and one negative score.");
  let s = 0;
  for (const p of positives) for (const q of negatives) s += p > q ? 1 : p === q ? 0.5 : 0;
  return s / (positives.length * negatives.length);
}

/** ROC curve points (false-positive rate, true-positive rate) over all thresholds, from (0,0) to (1,1). */
export function rocCurve(positives: readonly number[], negatives: readonly number[]): { fpr: number[]; tpr: number[] } {
  const th = [...new Set([...positives, ...negatives])].sort((a, b) => b - a);
  const fpr = [0];
  const tpr = [0];
  for (const t of th) {
    tpr.push(positives.filter((p) => p >= t).length / positives.length);
    fpr.push(negatives.filter((p) => p >= t).length / negatives.length);
  }
  return { fpr, tpr };
}

/** Least-squares ridge map with intercept fitted on rows `train` (columns used as given); returns a predictor. */
export function ridgeFit(x: Mat, y: Mat, alpha = 1e-3): (xNew: Mat) => Mat {
  if (x.n !== y.n) throw new Error(`ridgeFit: X has ${x.n} rows and Y ${y.n}.`);
  const p = x.d;
  const q = y.d;
  const xm = new Float64Array(p);
  const ym = new Float64Array(q);
  for (let r = 0; r < x.n; r++) {
    for (let j = 0; j < p; j++) xm[j] += x.v[r * p + j] / x.n;
    for (let j = 0; j < q; j++) ym[j] += y.v[r * q + j] / x.n;
  }
  const xc = mat(x.n, p);
  const yc = mat(x.n, q);
  for (let r = 0; r < x.n; r++) {
    for (let j = 0; j < p; j++) xc.v[r * p + j] = x.v[r * p + j] - xm[j];
    for (let j = 0; j < q; j++) yc.v[r * q + j] = y.v[r * q + j] - ym[j];
  }
  const s = crossProd(xc, xc);
  for (let i = 0; i < p; i++) s.v[i * p + i] += alpha;
  const w = p > 0 ? choleskySolve(s, crossProd(xc, yc)) : mat(0, q);
  return (xNew: Mat) => {
    const out = mat(xNew.n, q);
    for (let r = 0; r < xNew.n; r++)
      for (let j = 0; j < q; j++) {
        let t = ym[j];
        for (let a = 0; a < p; a++) t += (xNew.v[r * p + a] - xm[a]) * w.v[a * q + j];
        out.v[r * q + j] = t;
      }
    return out;
  };
}
