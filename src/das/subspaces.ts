/**
 * How far apart two DAS solutions are: principal angles between the subspaces a variable's block spans (rows of R),
 * and a count of distinct solutions among restarts (greedy grouping: a solution joins the first group whose
 * representative is within `tolerance` radians on every variable's largest principal angle).
 */
import { mat, singularValues } from "../equivalence/linalg";
import { InputError } from "../errors";
import { blockRows } from "./rotation";

/** Principal angles (radians, ascending) between the row spaces of U1 (k1 × d) and U2 (k2 × d), orthonormal rows. */
export function principalAngles(U1: ArrayLike<number>, k1: number, U2: ArrayLike<number>, k2: number, d: number): number[] {
  if (U1.length !== k1 * d || U2.length !== k2 * d) throw new InputError(`principal angles: bases must be k × ${d} (row-major), got ${U1.length} and ${U2.length} values.`);
  const M = mat(k1, k2);
  for (let a = 0; a < k1; a++)
    for (let b = 0; b < k2; b++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += U1[a * d + i] * U2[b * d + i];
      M.v[a * k2 + b] = s;
    }
  const sv = Array.from(singularValues(M)).slice(0, Math.min(k1, k2));
  return sv.map((x) => Math.acos(Math.min(1, Math.max(-1, x)))).sort((a, b) => a - b);
}

/** A DAS solution as its rotation and blocks. */
export interface DasSubspaces {
  d: number;
  rotation: ArrayLike<number>;
  blocks: number[][];
}

/** Largest principal angle per variable between two solutions with the same variables. */
export function subspaceDistances(a: DasSubspaces, b: DasSubspaces): number[] {
  if (a.d !== b.d || a.blocks.length !== b.blocks.length) throw new InputError(`subspace distance: solutions differ in width or number of variables (${a.d}/${a.blocks.length} vs ${b.d}/${b.blocks.length}).`);
  return a.blocks.map((blk, v) => {
    const ang = principalAngles(blockRows(Float64Array.from(a.rotation), a.d, blk), blk.length, blockRows(Float64Array.from(b.rotation), b.d, b.blocks[v]), b.blocks[v].length, a.d);
    return ang.length ? ang[ang.length - 1] : 0;
  });
}

/** Number of distinct solutions (groups within `tolerance` radians on every variable) and each one's group. */
export function distinctSubspaces(solutions: readonly DasSubspaces[], tolerance = 0.1): { count: number; group: number[] } {
  const reps: number[] = [];
  const group = solutions.map((s, i) => {
    const g = reps.findIndex((r) => subspaceDistances(solutions[r], s).every((x) => x <= tolerance));
    if (g >= 0) return g;
    reps.push(i);
    return reps.length - 1;
  });
  return { count: reps.length, group };
}
