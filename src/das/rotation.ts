/**
 * Orthogonal rotations of a layer's activations for distributed alignment search (DAS), parametrised by Givens
 * angles: R = G(0,1,θ₀) · G(0,2,θ₁) ⋯ G(d−2,d−1,θ_{m−1}), m = d(d−1)/2, pairs (i < j) in lexicographic order, with
 * G(i,j,θ) the identity except G[i][i] = G[j][j] = cos θ, G[i][j] = −sin θ, G[j][i] = sin θ. Every rotation of
 * determinant +1 is such a product; a reflection never changes the span of a block of rows, which is all an
 * interchange in the rotated basis depends on. Rotated coordinates are z = R h (row k of R is basis vector k).
 * Matrices are row-major Float64Array d × d. tfjs has no orthogonal parametrisation; at d ≤ 16 plain loops are
 * small (m ≤ 120 angles) and the gradient below is exact (tests compare it with finite differences).
 */
import { InputError } from "../errors";
import { Rng } from "../rng";

/** Widest layer DAS rotates (496 angles); wider layers are refused (a step costs O(d³)). */
export const MAX_DAS_WIDTH = 32;

/** The (i, j) coordinate pairs of the Givens factors, in product order. */
export function givensPairs(d: number): [number, number][] {
  if (!Number.isInteger(d) || d < 1 || d > MAX_DAS_WIDTH) throw new InputError(`rotation: width must be an integer in 1…${MAX_DAS_WIDTH}, got ${d}.`);
  const pairs: [number, number][] = [];
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) pairs.push([i, j]);
  return pairs;
}

/** Number of Givens angles of a d-dimensional rotation: d(d−1)/2. */
export function nAngles(d: number): number {
  return (d * (d - 1)) / 2;
}

/** R from its angles. */
export function rotationFromAngles(theta: ArrayLike<number>, d: number): Float64Array {
  const pairs = givensPairs(d);
  if (theta.length !== pairs.length) throw new InputError(`rotation: a ${d}-dimensional rotation has ${pairs.length} angles, got ${theta.length}.`);
  const R = identity(d);
  pairs.forEach(([i, j], k) => rotateColumns(R, d, i, j, Math.cos(theta[k]), Math.sin(theta[k])));
  return R;
}

/** Uniformly drawn starting angles in [−π, π). */
export function randomAngles(d: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: nAngles(d) }, () => rng.uniform(-Math.PI, Math.PI));
}

/**
 * ∂L/∂θ from ∂L/∂R (d × d): with A_k the product of the factors before G_k and S = (∂L/∂R) Rᵀ, ∂L/∂θ_k =
 * ⟨A_kᵀ S A_k G_k, G_k'⟩, and A_{k+1}ᵀ S A_{k+1} = G_kᵀ (A_kᵀ S A_k) G_k: one pass, O(m·d).
 */
export function anglesGradient(theta: ArrayLike<number>, d: number, gradR: ArrayLike<number>): Float64Array {
  const pairs = givensPairs(d);
  const R = rotationFromAngles(theta, d);
  const C = new Float64Array(d * d);
  for (let a = 0; a < d; a++)
    for (let b = 0; b < d; b++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += gradR[a * d + k] * R[b * d + k];
      C[a * d + b] = s;
    }
  const out = new Float64Array(pairs.length);
  pairs.forEach(([i, j], k) => {
    const c = Math.cos(theta[k]);
    const s = Math.sin(theta[k]);
    // (C G)[a][b] for a, b ∈ {i, j}, against G' = [[−s, −c], [c, −s]] on (i, j).
    const cii = C[i * d + i] * c + C[i * d + j] * s;
    const cij = -C[i * d + i] * s + C[i * d + j] * c;
    const cji = C[j * d + i] * c + C[j * d + j] * s;
    const cjj = -C[j * d + i] * s + C[j * d + j] * c;
    out[k] = -s * cii - c * cij + c * cji - s * cjj;
    rotateColumns(C, d, i, j, c, s);
    rotateRows(C, d, i, j, c, s);
  });
  return out;
}

/** Rows `rows` of R as a |rows| × d matrix: the basis of a block's subspace. */
export function blockRows(R: Float64Array, d: number, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length * d);
  rows.forEach((r, q) => out.set(R.subarray(r * d, (r + 1) * d), q * d));
  return out;
}

function identity(d: number): Float64Array {
  const M = new Float64Array(d * d);
  for (let i = 0; i < d; i++) M[i * d + i] = 1;
  return M;
}

/** M ← M G(i, j) (columns i, j). */
function rotateColumns(M: Float64Array, d: number, i: number, j: number, c: number, s: number): void {
  for (let a = 0; a < d; a++) {
    const mi = M[a * d + i];
    const mj = M[a * d + j];
    M[a * d + i] = mi * c + mj * s;
    M[a * d + j] = -mi * s + mj * c;
  }
}

/** M ← G(i, j)ᵀ M (rows i, j). */
function rotateRows(M: Float64Array, d: number, i: number, j: number, c: number, s: number): void {
  for (let b = 0; b < d; b++) {
    const mi = M[i * d + b];
    const mj = M[j * d + b];
    M[i * d + b] = c * mi + s * mj;
    M[j * d + b] = -s * mi + c * mj;
  }
}
