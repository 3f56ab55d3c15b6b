/**
 * Small dense linear algebra on Float64Array (row-major), for the similarity measures. tfjs has no SVD (tfjs issue
 * #110) and our matrices have ≤ ~20 columns, so plain loops are both simpler and faster than tensors.
 */

/** A row-major n × d matrix. */
export interface Mat {
  n: number;
  d: number;
  v: Float64Array;
}

export function mat(n: number, d: number, v?: ArrayLike<number>): Mat {
  if (v && v.length !== n * d) throw new Error(`mat: ${n}×${d} needs ${n * d} values, got ${v.length}.`);
  return { n, d, v: v ? Float64Array.from(v) : new Float64Array(n * d) };
}

/** Rows `idx` of a matrix. */
export function takeRows(a: Mat, idx: ArrayLike<number>): Mat {
  const out = mat(idx.length, a.d);
  for (let r = 0; r < idx.length; r++) out.v.set(a.v.subarray(idx[r] * a.d, (idx[r] + 1) * a.d), r * a.d);
  return out;
}

/** Aᵀ B for A n×p, B n×q (same rows). */
export function crossProd(a: Mat, b: Mat): Mat {
  if (a.n !== b.n) throw new Error(`crossProd: row counts differ (${a.n} vs ${b.n}).`);
  const out = mat(a.d, b.d);
  for (let r = 0; r < a.n; r++) {
    const ar = r * a.d;
    const br = r * b.d;
    for (let i = 0; i < a.d; i++) {
      const x = a.v[ar + i];
      if (x === 0) continue;
      const oi = i * b.d;
      for (let j = 0; j < b.d; j++) out.v[oi + j] += x * b.v[br + j];
    }
  }
  return out;
}

/** Solves S X = B for symmetric positive-definite S (d×d) and B (d×q) by Cholesky; throws if S is not SPD. */
export function choleskySolve(s: Mat, b: Mat): Mat {
  const d = s.d;
  if (s.n !== d || b.n !== d) throw new Error(`choleskySolve: need a square ${d}×${d} system, got ${s.n}×${s.d} and ${b.n}×${b.d}.`);
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let sum = s.v[i * d + j];
      for (let k = 0; k < j; k++) sum -= L[i * d + k] * L[j * d + k];
      if (i === j) {
        if (!(sum > 0)) throw new Error("choleskySolve: matrix is not positive definite (add a ridge penalty).");
        L[i * d + i] = Math.sqrt(sum);
      } else L[i * d + j] = sum / L[j * d + j];
    }
  const q = b.d;
  const x = Float64Array.from(b.v);
  for (let c = 0; c < q; c++) {
    for (let i = 0; i < d; i++) {
      let sum = x[i * q + c];
      for (let k = 0; k < i; k++) sum -= L[i * d + k] * x[k * q + c];
      x[i * q + c] = sum / L[i * d + i];
    }
    for (let i = d - 1; i >= 0; i--) {
      let sum = x[i * q + c];
      for (let k = i + 1; k < d; k++) sum -= L[k * d + i] * x[k * q + c];
      x[i * q + c] = sum / L[i * d + i];
    }
  }
  return { n: d, d: q, v: x };
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations. Returns eigenvalues in descending order
 * and the eigenvectors as the columns of `vectors` (d×d row-major).
 */
export function symmetricEigen(s: Mat, opts: { tol?: number; maxSweeps?: number } = {}): { values: Float64Array; vectors: Mat } {
  const d = s.d;
  if (s.n !== d) throw new Error(`symmetricEigen: need a square matrix, got ${s.n}×${s.d}.`);
  const a = Float64Array.from(s.v);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  const tol = opts.tol ?? 1e-14;
  const maxSweeps = opts.maxSweeps ?? 100;
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale += a[i] * a[i];
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
    if (off <= tol * tol * scale || off === 0) break;
    for (let p = 0; p < d; p++)
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < d; k++) {
          // rotate columns p, q
          const akp = a[k * d + p];
          const akq = a[k * d + q];
          a[k * d + p] = c * akp - sn * akq;
          a[k * d + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          // rotate rows p, q
          const apk = a[p * d + k];
          const aqk = a[q * d + k];
          a[p * d + k] = c * apk - sn * aqk;
          a[q * d + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p];
          const vkq = v[k * d + q];
          v[k * d + p] = c * vkp - sn * vkq;
          v[k * d + q] = sn * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => a[j * d + j] - a[i * d + i]);
  const values = Float64Array.from(order, (i) => a[i * d + i]);
  const vectors = mat(d, d);
  for (let r = 0; r < d; r++) order.forEach((i, c) => (vectors.v[r * d + c] = v[r * d + i]));
  return { values, vectors };
}

/** Singular values of A (descending), as square roots of the eigenvalues of AᵀA or AAᵀ (whichever is smaller). */
export function singularValues(a: Mat): Float64Array {
  const t = a.d <= a.n ? gram(a, false) : gram(a, true);
  return symmetricEigen(t).values.map((x) => Math.sqrt(Math.max(0, x)));
}

/** AᵀA (columns) or AAᵀ (rows). */
function gram(a: Mat, rows: boolean): Mat {
  if (!rows) return crossProd(a, a);
  const out = mat(a.n, a.n);
  for (let i = 0; i < a.n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < a.d; k++) s += a.v[i * a.d + k] * a.v[j * a.d + k];
      out.v[i * a.n + j] = s;
      out.v[j * a.n + i] = s;
    }
  return out;
}
